"""Confirmed forms as tables for reporting upward, as xlsx or CSV.

One table per form type, laid out so that `import` reads it back into the
same records: 记录编号 on every row, the form's own columns on its first row,
one row per risk point and further rows for its second and later measures,
commitments and comments. Private fields are never written. Text that a
spreadsheet would run as a formula stays text.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..config import Config
from ..fields import Field, strip_private
from ..index import Content
from ..publicity import CONFIRMED, Calendar, status_of, window_of
from ..records import KEY_AREAS, LEVELS, Record
from .cells import FORMULA_START, Names, guard_formula
from .intake import write_atomic
from .layout import DEPARTMENT_FIELDS, FEEDBACK_COLUMNS, ID_LABEL, LAYOUTS, SEQ_LABEL, Column, Layout

SUMMARY = "单位汇总"
COMMITMENTS = "承诺事项"
ABOUT = "说明"


@dataclass
class Table:
    name: str
    columns: list[str]
    widths: list[float]
    rows: list[list[Any]] = field(default_factory=list)
    wrap: set[int] = field(default_factory=set)  # 0-based columns of long text


def confirmed_forms(content: Content, cfg: Config, as_of: dt.date, unit: str | None, year: int | None) -> list[Record]:
    cal = Calendar.from_config(cfg.publicity)
    out = []
    for f in content.forms():
        if status_of(f.data, window_of(f.get("publicity"), cal, cfg.working_days), as_of) != CONFIRMED:
            continue
        if year is not None and f["year"] != year:
            continue
        if unit is not None and unit not in content.unit_chain(content.form_unit(f) or ""):
            continue
        out.append(f)
    return out


def _get(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    v: Any = data
    for k in path:
        if not isinstance(v, dict):
            return None
        v = v.get(k)
    return v


class _Cells:
    """Record values as cell values: names for references, real dates."""

    def __init__(self, content: Content) -> None:
        self.c = content
        self.names = Names(content)

    def value(self, shape_name: str, f: Field, v: Any, unit: str | None) -> Any:
        if v is None:
            return None
        if f.kind == "ref":
            return self.names.label(v)
        if (shape_name, f.key) in DEPARTMENT_FIELDS:
            return self.names.department_label(unit, v)
        return v


def form_table(lay: Layout, forms: list[Record], cells: _Cells) -> Table:
    ffields = [f for f in lay.form_fields if not f.private]
    rcols = [c for c in lay.risk_columns if not c.private]
    fcols = [c for c in FEEDBACK_COLUMNS if not c.private]
    names = [ID_LABEL] + [f.label for f in ffields] + [SEQ_LABEL] + [c.label for c in rcols] + [c.label for c in fcols]
    widths = [18.0] + [30.0 if f.field.kind == "text" else 14.0 for f in ffields] + [5.0] + \
        [c.width for c in rcols] + [c.width for c in fcols]
    t = Table(lay.short, names, widths)
    kinds = [None] + [f.field.kind for f in ffields] + [None] + [c.field.kind for c in rcols] + [c.field.kind for c in fcols]
    t.wrap = {i for i, k in enumerate(kinds) if k == "text"}
    for form in forms:
        data = strip_private(lay.rtype.shape, form.data)
        unit = cells.c.form_unit(form)
        head = [cells.value(lay.rtype.shape.name if len(f.path) == 1 else "", f.field, _get(data, f.path), unit) for f in ffields]
        risk_rows: list[list[Any]] = []
        for i, risk in enumerate(data["risks"], 1):
            depth = max([1] + [len(risk.get(c.list_key, [])) for c in rcols if c.list_key])
            for j in range(depth):
                row: list[Any] = [i if j == 0 else None]
                for c in rcols:
                    row.append(_risk_value(lay, c, risk, j, unit, cells))
                risk_rows.append(row)
        comments = (data.get("publicity") or {}).get("feedback", [])
        for k in range(max(len(risk_rows), len(comments))):
            row = [form.id] + (head if k == 0 else [None] * len(head))
            row += risk_rows[k] if k < len(risk_rows) else [None] * (1 + len(rcols))
            row += [comments[k].get(c.path[-1]) if k < len(comments) else None for c in fcols]
            t.rows.append(row)
    return t


def _risk_value(lay: Layout, c: Column, risk: dict[str, Any], j: int, unit: str | None, cells: _Cells) -> Any:
    if c.list_key is None:
        shape_name = lay.risk_shape.name if len(c.path) == 1 else ""
        return cells.value(shape_name, c.field, _get(risk, c.path), unit) if j == 0 else None
    items = risk.get(c.list_key, [])
    if j >= len(items):
        return None
    v = items[j] if len(c.path) == 2 else items[j].get(c.path[2])
    return cells.value("", c.field, v, unit)


def summary_tables(forms: list[Record], content: Content, as_of: dt.date) -> list[Table]:
    cells = _Cells(content)
    head = ["单位编号", "单位名称", "个人承诺表", "科室承诺表", "单位承诺表", "风险点合计"] + [f"{lv}风险" for lv in LEVELS] + \
        list(KEY_AREAS) + ["下一步承诺", "已完成", "逾期未完成"]
    summary = Table(SUMMARY, head, [12.0, 22.0] + [9.0] * (len(head) - 2))
    commits = Table(COMMITMENTS, ["单位", ID_LABEL, "风险点序号", "风险点内容", "风险等级", "承诺措施内容", "出台或实施时间",
                                  "拟建立制度类别", "完成日期", "完成状态"],
                    [22.0, 18.0, 8.0, 28.0, 8.0, 30.0, 12.0, 12.0, 12.0, 10.0], wrap={3, 5})
    by_unit: dict[str, list[Record]] = {}
    for f in forms:
        by_unit.setdefault(content.form_unit(f) or "", []).append(f)
    order = [u.id for u in content.units()]
    total: Counter[str] = Counter()
    for uid in sorted(by_unit, key=lambda u: (order.index(u) if u in order else len(order), u)):
        n: Counter[str] = Counter()
        for f in by_unit[uid]:
            n[f.type] += 1
            for i, r in enumerate(f["risks"], 1):
                n["risks"] += 1
                n["level:" + r["level"]] += 1
                n["area:" + r["key_area"]] += 1
                for c in r.get("commitments", []):
                    state = "已完成" if c.get("done") else ("逾期未完成" if c["due"] < as_of else "未到期")
                    n["commit"] += 1
                    n[state] += 1
                    commits.rows.append([cells.names.label(uid), f.id, i, r["point"], r["level"], c["content"], c["due"],
                                         c.get("establishes"), c.get("done"), state])
        total.update(n)
        summary.rows.append(_summary_row(uid, cells.names.name(uid) or uid, n))
    summary.rows.append(_summary_row("", "合计", total))
    return [summary, commits]


def _summary_row(uid: str, name: str, n: Counter[str]) -> list[Any]:
    return [uid, name, n["personal"], n["department"], n["unitform"], n["risks"]] + [n["level:" + lv] for lv in LEVELS] + \
        [n["area:" + a] for a in KEY_AREAS] + [n["commit"], n["已完成"], n["逾期未完成"]]


def build_tables(cfg: Config, content: Content, as_of: dt.date, unit: str | None, year: int | None) -> tuple[list[Table], list[Record]]:
    """Every table of an export, and the forms it holds."""
    forms = confirmed_forms(content, cfg, as_of, unit, year)
    cells = _Cells(content)
    about = Table(ABOUT, ["导出说明", "内容"], [16.0, 80.0], wrap={1})
    about.rows = [
        ["标题", f"{cfg.get('bureau')}廉政风险防控承诺汇总"],
        ["截至日期", as_of],
        ["单位", cells.names.label(unit) + "（含下属单位）" if unit else "全部单位"],
        ["年度", year if year is not None else "全部年度"],
        ["收录范围", "截至上述日期已经党政班子辨识确认的个人、科室、单位承诺表；保密字段（如意见提出人）不导出"],
        ["份数", "；".join(f"{lay.short} {sum(1 for f in forms if f.type == lay.name)} 份" for lay in LAYOUTS.values())],
        ["重新导入", "各承诺表工作表可用 python -m generator import 导入，得到相同的记录"],
    ]
    tables = [about, *summary_tables(forms, content, as_of)]
    for lay in LAYOUTS.values():
        tables.append(form_table(lay, [f for f in forms if f.type == lay.name], cells))
    return tables, forms


# ---------------------------------------------------------------- writers

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="D9D9D9")


def write_xlsx(tables: list[Table], target: Path) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for t in tables:
        ws = wb.create_sheet(t.name)
        ws.append(t.columns)
        for c, w in enumerate(t.widths, 1):
            ws.column_dimensions[get_column_letter(c)].width = w
        for cell in ws[1]:
            cell.font = Font(name="宋体", bold=True)
            cell.fill = HEAD_FILL
            cell.border = BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for r, row in enumerate(t.rows, 2):
            for c, v in enumerate(row, 1):
                if v is None:
                    continue
                cell = ws.cell(r, c, v)
                if isinstance(v, str) and v.startswith(FORMULA_START):
                    cell.data_type = "s"  # text, never a formula
                    cell.quotePrefix = True
                elif isinstance(v, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                if c - 1 in t.wrap:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "B2" if t.columns[0] == ID_LABEL else "A2"
        if t.rows:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(t.columns))}{len(t.rows) + 1}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.print_title_rows = "1:1"
    buf = io.BytesIO()
    wb.save(buf)
    write_atomic(target, buf.getvalue())


def csv_paths(target: Path, tables: list[Table]) -> list[Path]:
    stem = target.name[:-4] if target.name.lower().endswith(".csv") else target.name
    return [target.with_name(f"{stem}-{t.name}.csv") for t in tables]


def write_csv(tables: list[Table], target: Path) -> list[Path]:
    """One UTF-8 (with BOM, so Excel opens it right) CSV per table, named after --out."""
    paths = csv_paths(target, tables)
    for t, p in zip(tables, paths):
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(t.columns)
        for row in t.rows:
            w.writerow(["" if v is None else guard_formula(v) if isinstance(v, str) else
                        v.isoformat() if isinstance(v, dt.date) else str(v) for v in row])
        write_atomic(p, ("\ufeff" + buf.getvalue()).encode("utf-8"))
    return paths
