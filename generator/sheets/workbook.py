"""Read filled workbooks and CSV files into drafts: the cells of each form,
arranged like the record they describe, each cell remembering where it was.

Two layouts are read:
- the template (template.py): sheet 风险点 holds the header block, the risk
  table and the pledge below it; sheet 公示与确认 holds publicity,
  confirmation, withdrawal and the comments received;
- a table, as export.py writes it or a clerk builds it (xlsx sheets named
  个人承诺表/科室承诺表/单位承诺表, or a CSV file): one row per risk point.

In both, a row whose risk-point columns are empty but whose measure or
commitment columns are filled continues the risk point above it, so a risk
point can carry several measures, as on the paper form.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Union

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from ..problems import ERROR, WARNING, Problem
from .cells import cell_text, clean, unguard_formula
from .layout import FEEDBACK_COLUMNS, ID_LABEL, LAYOUTS, SEQ_LABEL, Column, Layout, normalise_label

TEMPLATE_SHEET = "风险点"
PUBLICITY_SHEET = "公示与确认"
TAIL_LABEL = "承诺内容"  # first label below the risk table in the template
SUMMARY_HEADERS = ("风险点合计", "完成状态", "导出说明")  # tables export.py writes that are not forms
MAX_BYTES = 20 * 1024 * 1024
MAX_BLANK_RUN = 500  # blank rows after which a sheet is taken to have ended


@dataclass(frozen=True)
class Cell:
    sheet: str  # "" in a CSV file
    row: int
    col: int
    value: Any

    @property
    def ref(self) -> str:
        return f"{get_column_letter(self.col)}{self.row}"

    @property
    def blank(self) -> bool:
        return clean(self.value) is None


@dataclass
class Group:
    """A mapping under construction (a form, a risk point, a measure)."""

    anchor: Cell
    items: dict[str, "Node"] = field(default_factory=dict)


@dataclass
class Seq:
    anchor: Cell
    items: list["Cell | Group"] = field(default_factory=list)


Node = Union[Cell, Group, Seq]


def put(group: Group, path: tuple[str, ...], cell: Cell) -> None:
    for key in path[:-1]:
        nxt = group.items.get(key)
        if not isinstance(nxt, Group):
            nxt = group.items[key] = Group(cell)
        group = nxt
    group.items[path[-1]] = cell


def has_data(node: Node) -> bool:
    if isinstance(node, Cell):
        return not node.blank
    if isinstance(node, Seq):
        return bool(node.items)
    return any(has_data(v) for v in node.items.values())


@dataclass
class Draft:
    layout: Layout
    root: Group
    id_cell: Cell | None = None  # 记录编号 when the table gives one


@dataclass
class SheetProblem:
    cell: Cell | None
    problem: Problem


@dataclass
class Source:
    """One file named on the command line."""

    path: Path
    shown: str
    kind: str = ""  # Excel 工作簿 / CSV
    encoding: str = ""
    drafts: list[Draft] = field(default_factory=list)
    problems: list[SheetProblem] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # tables that are not forms

    def where(self, cell: Cell | None) -> str:
        if cell is None:
            return self.shown
        if not cell.sheet:
            return f"{self.shown} {cell.ref}"
        return f"{self.shown} {cell.sheet}!{cell.ref}"

    def add(self, cell: Cell | None, found: str, expected: str = "", hint: str = "", severity: str = ERROR,
            key: str = "", label: str = "") -> None:
        self.problems.append(SheetProblem(cell, Problem(self.where(cell), 0, 0, severity, key, label, found, expected, hint)))

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.problem.is_error)

    def sort_key(self, p: SheetProblem) -> tuple[int, int, int]:
        c = p.cell
        if c is None:
            return (-1, 0, 0)
        order = self.sheets.index(c.sheet) if c.sheet in self.sheets else len(self.sheets)
        return (order, c.row, c.col)


class Grid:
    """A sheet's values by row and column (1-based), with its merged ranges."""

    def __init__(self, name: str, rows: Iterable[Iterable[Any]], merged: dict[tuple[int, int], int] | None = None) -> None:
        self.name = name
        self.rows: list[tuple[Any, ...]] = []
        blank = 0
        for vals in rows:
            vals = tuple(vals)
            self.rows.append(vals)
            blank = 0 if any(clean(v) is not None for v in vals) else blank + 1
            if blank > MAX_BLANK_RUN:
                break
        while self.rows and not any(clean(v) is not None for v in self.rows[-1]):
            self.rows.pop()
        self.merged_end = merged or {}

    @property
    def height(self) -> int:
        return len(self.rows)

    def value(self, r: int, c: int) -> Any:
        if 1 <= r <= len(self.rows) and 1 <= c <= len(self.rows[r - 1]):
            return self.rows[r - 1][c - 1]
        return None

    def cell(self, r: int, c: int) -> Cell:
        return Cell(self.name, r, c, clean(self.value(r, c)))

    def labels(self, r: int) -> dict[int, str]:
        if not 1 <= r <= len(self.rows):
            return {}
        return {c: lab for c, v in enumerate(self.rows[r - 1], 1) if (lab := normalise_label(v))}

    def find_row(self, needed: set[str], start: int = 1, end: int | None = None) -> int | None:
        for r in range(start, min(end or self.height, self.height) + 1):
            if needed <= set(self.labels(r).values()):
                return r
        return None

    def value_right_of(self, r: int, c: int) -> Cell:
        """The value cell of a label: the first cell right of the label's merged range."""
        return self.cell(r, self.merged_end.get((r, c), c) + 1)


# ---------------------------------------------------------------- files


def read_source(path: Path, shown: str) -> Source:
    src = Source(path, shown)
    suffix = path.suffix.lower()
    if not path.is_file():
        src.add(None, "找不到文件")
        return src
    if path.name.startswith("~$"):
        src.skipped.append("Excel/WPS 打开文件时留下的临时文件")
        return src
    if path.stat().st_size > MAX_BYTES:
        src.add(None, f"文件过大（{path.stat().st_size // 1024 // 1024} MB）", f"不超过 {MAX_BYTES // 1024 // 1024} MB")
        return src
    if suffix in (".xlsx", ".xlsm"):
        _read_xlsx(src)
    elif suffix == ".csv":
        _read_csv(src)
    elif suffix in (".xls", ".et", ".ods", ".wps", ".numbers"):
        src.add(None, f"不支持 {suffix} 格式", "Excel 工作簿（.xlsx）或 CSV 文件",
                "请在 Excel、WPS 或 LibreOffice 中“另存为”Excel 工作簿（*.xlsx）")
    else:
        src.add(None, f"不认识的文件类型“{suffix or '（无扩展名）'}”", "Excel 工作簿（.xlsx）或 CSV 文件")
    return src


def _read_xlsx(src: Source) -> None:
    src.kind = "Excel 工作簿"
    try:
        # data_only: a formula cell gives the value the program last computed
        wb = load_workbook(src.path, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as e:
        src.add(None, "无法打开工作簿，文件已损坏或不是 .xlsx 格式",
                hint=f"请用 Excel、WPS 或 LibreOffice 打开后重新保存为 .xlsx（{type(e).__name__}）")
        return
    src.sheets = list(wb.sheetnames)

    def grid(name: str) -> Grid:
        ws = wb[name]
        merged = {(m.min_row, m.min_col): m.max_col for m in ws.merged_cells.ranges}
        return Grid(name, ws.iter_rows(values_only=True), merged)

    if TEMPLATE_SHEET in wb.sheetnames:
        pub = grid(PUBLICITY_SHEET) if PUBLICITY_SHEET in wb.sheetnames else None
        _read_template(src, grid(TEMPLATE_SHEET), pub)
        return
    tables = [lay for lay in LAYOUTS.values() if lay.short in wb.sheetnames]
    if not tables:
        src.add(None, "工作簿中找不到承诺表",
                f"填表模板的工作表“{TEMPLATE_SHEET}”，或汇总表的工作表“个人承诺表”“科室承诺表”“单位承诺表”之一",
                "请用 python -m generator template 生成的模板填写，不要重命名工作表")
        return
    for lay in tables:
        _read_table(src, grid(lay.short), lay)


def _decode(raw: bytes) -> tuple[str, str] | None:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), "UTF-8（带 BOM）"
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "GBK"
    except UnicodeDecodeError:
        return None


def _read_csv(src: Source) -> None:
    src.kind = "CSV"
    raw = src.path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        src.add(None, "CSV 文件是 UTF-16 编码", "UTF-8 或 GBK 编码",
                "请在 Excel 中另存为“CSV UTF-8（逗号分隔）”或“CSV（逗号分隔）”")
        return
    try:
        decoded = _decode(raw)
    except UnicodeDecodeError:
        decoded = None
    if decoded is None:
        src.add(None, "无法识别 CSV 文件的编码", "UTF-8 或 GBK 编码", "请在 Excel 中另存为“CSV UTF-8（逗号分隔）”")
        return
    text, src.encoding = decoded
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    try:
        rows = [[unguard_formula(v) for v in row] for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as e:
        src.add(None, f"CSV 格式错误：{e}", hint="检查引号是否成对")
        return
    g = Grid("", rows)
    header = g.labels(1)
    if "风险点" not in header.values():
        if any(h in header.values() for h in SUMMARY_HEADERS):
            src.skipped.append("统计表（导出的汇总，不是承诺表）")
            return
        src.add(Cell("", 1, 1, None), "第一行不是承诺表的栏目", "记录编号、承诺人、风险点、风险等级等栏目名称",
                "可用 python -m generator export --format csv 导出的表格作样式")
        return
    _read_table(src, g, None)


# ---------------------------------------------------------------- template layout


def _detect(labels: Iterable[str]) -> Layout | None:
    have = set(labels)
    scores = sorted(((len(have & (lay.labels() | {f.label for f in lay.form_fields})), lay.name) for lay in LAYOUTS.values()),
                    reverse=True)
    if scores[0][0] < 3 or scores[0][0] == scores[1][0]:
        return None
    return LAYOUTS[scores[0][1]]


def _read_template(src: Source, g: Grid, pub: Grid | None) -> None:
    hdr = g.find_row({"风险点", "风险等级"}, 1, 100)
    if hdr is None:
        src.add(Cell(g.name, 1, 1, None), "找不到风险点表的表头", "含“风险点”“风险等级”等栏目的一行",
                "请不要删改模板的表头")
        return
    top, below = g.labels(hdr), g.labels(hdr + 1)
    lay = _detect(list(top.values()) + list(below.values()))
    if lay is None:
        src.add(Cell(g.name, hdr, 1, None), "看不出是哪一种承诺表", "个人、科室或单位承诺表模板的表头")
        return
    known = lay.labels()
    two_rows = any(v in known for v in below.values())
    labels = {c: v for c, v in top.items()}
    if two_rows:
        labels.update({c: v for c, v in below.items()})
    start = hdr + 2 if two_rows else hdr + 1
    end = g.height + 1
    for r in range(start, g.height + 1):
        if normalise_label(g.value(r, 1)) == TAIL_LABEL:
            end = r
            break
    cols = _columns(src, g, hdr, labels, lay.risk_columns, {SEQ_LABEL})
    rows = [{lab: g.cell(r, c) for lab, c in cols.items()} for r in range(start, end)]
    # labelled cells: above the table, below it, and on the publicity sheet
    found: dict[str, Cell] = {}
    spots = [(g, r) for r in list(range(1, hdr)) + list(range(end, g.height + 1))]
    fb_hdr = None
    if pub is not None:
        fb_hdr = pub.find_row({"意见摘要"})
        spots += [(pub, r) for r in range(1, (fb_hdr or pub.height + 1))]
    wanted = {f.label for f in lay.form_fields}
    for grid, r in spots:
        for c, lab in grid.labels(r).items():
            if lab in wanted and lab not in found:
                found[lab] = grid.value_right_of(r, c)
    # record-level problems (a duplicate id) point at the first identifying cell
    ident = [found[f.label] for f in lay.form_fields if f.path in lay.identity and f.label in found]
    root = Group(ident[0] if ident else g.cell(1, 1))
    for f in lay.form_fields:
        if f.label in found:
            put(root, f.path, found[f.label])
    first_point = Cell(g.name, start, cols.get("风险点", 1), None)
    root.items["risks"] = Seq(first_point, [_risk(b, lay.risk_columns) for b in split_risks(rows, lay.risk_columns)])
    if pub is not None and fb_hdr is not None:
        fcols = _columns(src, pub, fb_hdr, pub.labels(fb_hdr), FEEDBACK_COLUMNS, {SEQ_LABEL})
        frows = [{lab: pub.cell(r, c) for lab, c in fcols.items()} for r in range(fb_hdr + 1, pub.height + 1)]
        _feedback(root, frows)
    src.drafts.append(Draft(lay, root))


def _columns(src: Source, g: Grid, hdr: int, labels: dict[int, str], columns: Iterable[Column], extra: set[str]) -> dict[str, int]:
    """Column number of each known label; unknown labels are reported and skipped."""
    known = {c.label for c in columns} | extra
    out: dict[str, int] = {}
    for c, lab in sorted(labels.items()):
        if lab in out:
            src.add(Cell(g.name, hdr, c, None), f"栏目“{lab}”重复（已在 {get_column_letter(out[lab])} 列）", "每个栏目只出现一次")
        elif lab in known:
            out[lab] = c
        elif not any(lab == col.group for col in columns):
            src.add(Cell(g.name, hdr, c, None), f"不认识的栏目“{lab}”，该列已忽略", severity=WARNING)
    return out


Row = dict[str, Cell]


def _seq(v: Any) -> str | None:
    v = clean(v)
    if v is None:
        return None
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip()


def split_risks(rows: list[Row], columns: Iterable[Column]) -> list[list[Row]]:
    """Rows grouped into risk points: a row with a risk point's own columns, or
    a new 序号, starts one; a row with only measure or commitment columns
    continues the one above."""
    cols = list(columns)
    own = [c.label for c in cols if c.list_key is None]
    listed = [c.label for c in cols if c.list_key is not None]
    blocks: list[list[Row]] = []
    current: str | None = None
    for row in rows:
        has_own = any(not row[lab].blank for lab in own if lab in row)
        has_list = any(not row[lab].blank for lab in listed if lab in row)
        if not has_own and not has_list:
            continue
        seq = _seq(row[SEQ_LABEL].value) if SEQ_LABEL in row else None
        if has_own or not blocks or (seq is not None and current is not None and seq != current):
            blocks.append([row])
            current = seq
        else:
            blocks[-1].append(row)
    return blocks


def _risk(rows: list[Row], columns: Iterable[Column]) -> Group:
    first = rows[0]
    cols = [c for c in columns if c.label in first]
    anchor = first.get("风险点") or (first[cols[0].label] if cols else next(iter(first.values())))
    g = Group(anchor)
    for c in cols:
        if c.list_key is None:
            put(g, c.path, first[c.label])
    lists: dict[str, list[Column]] = {}
    for c in cols:
        if c.list_key is not None:
            lists.setdefault(c.list_key, []).append(c)
    for key, lcols in lists.items():
        seq = Seq(first[lcols[0].label])
        for row in rows:
            cells = [row[c.label] for c in lcols]
            if all(x.blank for x in cells):
                continue
            if len(lcols[0].path) == 2:
                seq.items.append(cells[0])
            else:
                item = Group(next(x for x in cells if not x.blank))
                for c, x in zip(lcols, cells):
                    put(item, c.path[2:], x)
                seq.items.append(item)
        g.items[key] = seq
    return g


def _feedback(root: Group, rows: list[Row]) -> None:
    items: list[Cell | Group] = []
    for row in rows:
        cells = [(c, row[c.label]) for c in FEEDBACK_COLUMNS if c.label in row]
        if all(x.blank for _, x in cells):
            continue
        item = Group(next(x for _, x in cells if not x.blank))
        for c, x in cells:
            put(item, c.path[3:], x)
        items.append(item)
    if not items:
        return
    pub = root.items.get("publicity")
    if not isinstance(pub, Group):
        pub = root.items["publicity"] = Group(items[0].anchor if isinstance(items[0], Group) else items[0])
    pub.items["feedback"] = Seq(pub.anchor, items)


# ---------------------------------------------------------------- table layout


def _read_table(src: Source, g: Grid, lay: Layout | None) -> None:
    hdr = g.find_row({"风险点"}, 1, 10)
    if hdr is None:
        src.add(Cell(g.name, 1, 1, None), "找不到表头", "第一行为栏目名称：记录编号、风险点、风险等级……")
        return
    labels = g.labels(hdr)
    lay = lay or _detect(labels.values())
    if lay is None:
        src.add(Cell(g.name, hdr, 1, None), "看不出是哪一种承诺表", "个人、科室或单位承诺表的栏目（如 承诺人、权力事项、涉及岗位）")
        return
    form_labels = {f.label: f for f in lay.form_fields}
    all_cols = list(lay.risk_columns) + list(FEEDBACK_COLUMNS)
    cols = _columns(src, g, hdr, labels, all_cols, {ID_LABEL, SEQ_LABEL} | set(form_labels))
    rows = [{lab: g.cell(r, c) for lab, c in cols.items()} for r in range(hdr + 1, g.height + 1)]
    ident = [f.label for f in lay.form_fields if f.path in lay.identity and f.label in cols]
    forms: list[list[Row]] = []
    for row in rows:
        if all(x.blank for x in row.values()):
            continue
        if not forms:
            forms.append([row])
            continue
        first = forms[-1][0]
        rid = _text(row.get(ID_LABEL))
        if rid is not None:
            new = rid != _text(first.get(ID_LABEL))
        else:
            new = any(_text(row[lab]) is not None and _text(row[lab]) != _text(first[lab]) for lab in ident)
        if new:
            forms.append([row])
        else:
            forms[-1].append(row)
    for block in forms:
        first = block[0]
        for row in block[1:]:
            for lab, f in form_labels.items():
                if lab in row and not row[lab].blank and cell_text(row[lab].value, f.field) != cell_text(first[lab].value, f.field):
                    src.add(row[lab], f"与本记录第一行（第 {first[lab].row} 行）的“{lab}”不一致",
                            "表头栏目只在每份记录的第一行填写，后续行留空或与第一行相同",
                            "不同的承诺表请填写不同的记录编号", key=".".join(f.path), label=f.field.label)
        id_cell = first.get(ID_LABEL)
        root = Group(id_cell or next(iter(first.values())))
        for lab, f in form_labels.items():
            if lab in first:
                put(root, f.path, first[lab])
        point = first.get("风险点") or root.anchor
        root.items["risks"] = Seq(point, [_risk(b, lay.risk_columns) for b in split_risks(block, lay.risk_columns)])
        _feedback(root, block)
        src.drafts.append(Draft(lay, root, id_cell if id_cell is not None and not id_cell.blank else None))


def _text(cell: Cell | None) -> str | None:
    if cell is None or cell.blank:
        return None
    v = cell.value
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()
