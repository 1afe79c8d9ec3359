"""Fill-in workbooks that look like the paper forms.

Sheet 风险点: the form's title, a header block of labelled cells, the risk
table (one row per risk point, drop-down lists for every enumerated field,
date cells) and the pledge with its signature line. Sheet 公示与确认: the
publicity window, the leadership's confirmation and the comments received.
Sheet 填表说明: how to fill it in, every column explained, and for a given
unit its departments, rules and people. A hidden sheet 选项 holds the lists.
Printing: A4 landscape, fitted to the page width, table header repeated.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..fields import Field
from ..index import Content
from .cells import Names
from .layout import DEPARTMENT_FIELDS, FEEDBACK_COLUMNS, SEQ_LABEL, Column, Layout
from .workbook import PUBLICITY_SHEET, TAIL_LABEL, TEMPLATE_SHEET

OPTIONS_SHEET = "选项"
HELP_SHEET = "填表说明"
FONT = "宋体"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
TOP_LEFT = Alignment(horizontal="left", vertical="top", wrap_text=True)
ROWS = {"personal": 10, "department": 12, "unitform": 12}  # blank risk rows printed
SERIAL_2000, SERIAL_2100 = 36526, 73415

# Header block: rows of (form path, label span, value span); the last value
# span of a row stretches to the table's width.
HEADER = {
    "personal": [
        [(("person",), 2, 1), (("post",), 1, 1), (("year",), 2, 2)],
        [(("unit",), 2, 1), (("department",), 1, 5)],
        [(("duties",), 2, 7)],
        [(("powers",), 2, 7)],
    ],
    "department": [
        [(("unit",), 2, 2), (("department",), 2, 3), (("year",), 1, 2)],
        [(("head",), 2, 2)],
    ],
    "unitform": [
        [(("unit",), 2, 3), (("year",), 2, 2), (("head",), 3, 3)],
    ],
}
TALL = {("duties",), ("powers",)}
SIGNER = {"personal": "承诺人签名：", "department": "科室负责人签名：", "unitform": "单位主要负责人签名（盖章）："}
PLEDGE = {
    "personal": "本人承诺：严格遵守廉洁从业的各项规定，认真落实上述自我防范措施，自觉接受组织和群众的监督。",
    "department": "本科室承诺：认真落实上述防控措施，明确责任到人，自觉接受组织和群众的监督。",
    "unitform": "本单位承诺：认真落实上述防控措施，按期出台承诺的制度和措施，自觉接受上级和群众的监督。",
}
# The publicity sheet: rows of (form path, label span, value span) over 7 columns.
PUBLICITY_ROWS = [
    [(("publicity", "opens"), 2, 2), (("publicity", "closes"), 1, 2)],
    [(("publicity", "working_days"), 2, 2), (("publicity", "closes_at"), 1, 2)],
    [(("publicity", "where"), 2, 5)],
    [(("confirmation", "by"), 2, 2), (("confirmation", "on"), 1, 2)],
    [(("confirmation", "opinion"), 2, 5)],
    [(("withdrawal", "on"), 2, 2), (("withdrawal", "reason"), 1, 2)],
]


@dataclass
class Lists:
    """Values for drop-down lists, one column each on the hidden sheet 选项."""

    ws: Worksheet
    col: int = 0

    def add(self, title: str, values: list[str]) -> str | None:
        if not values:
            return None
        self.col += 1
        letter = get_column_letter(self.col)
        self.ws.cell(1, self.col, title)
        for i, v in enumerate(values, 2):
            self.ws.cell(i, self.col, v).data_type = "s"
        return f"'{OPTIONS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"


class _Form:
    def __init__(self, lay: Layout, content: Content, unit: str | None, year: int | None) -> None:
        self.lay = lay
        self.c = content
        self.unit = unit
        self.year = year
        self.names = Names(content)
        self.wb = Workbook()
        self.main = self.wb.active
        self.main.title = TEMPLATE_SHEET
        self.pub = self.wb.create_sheet(PUBLICITY_SHEET)
        self.help = self.wb.create_sheet(HELP_SHEET)
        opts = self.wb.create_sheet(OPTIONS_SHEET)
        opts.sheet_state = "hidden"
        self.lists = Lists(opts)
        self.sources: dict[str, str | None] = {}
        self.columns = [Column(SEQ_LABEL, ("#",), Field("", SEQ_LABEL, "风险点的序号（可不填）", "int"), Field("", SEQ_LABEL, "风险点的序号（可不填）", "int"), width=5.0)]
        self.columns += list(lay.risk_columns)
        self.width = len(self.columns)

    # ------------------------------------------------------------ lists
    def source_for(self, shape_name: str, f: Field) -> str | None:
        """The drop-down list of a field, made once per kind of list."""
        if f.kind == "enum":
            key = "enum:" + "/".join(f.choices)
            if key not in self.sources:
                self.sources[key] = self.lists.add(f.label, list(f.choices))
            return self.sources[key]
        if f.kind == "ref":
            key = "ref:" + "/".join(f.ref)
            if key not in self.sources:
                self.sources[key] = self.lists.add(f.label, self._refs(f.ref))
            return self.sources[key]
        if (shape_name, f.key) in DEPARTMENT_FIELDS and self.unit:
            if "dept" not in self.sources:
                u = self.c.get(self.unit, "unit")
                depts = u.get("departments", []) if u else []
                self.sources["dept"] = self.lists.add("科室", [f"{d['name']}（{d['id']}）" for d in depts])
            return self.sources["dept"]
        return None

    def _refs(self, types: tuple[str, ...]) -> list[str]:
        out: list[str] = []
        chain = self.c.unit_chain(self.unit) if self.unit else []
        for t in types:
            recs = self.c.units() if t == "unit" else self.c.of_type[t]
            for r in recs:
                if self.unit and t == "person" and r.get("unit") != self.unit:
                    continue
                if self.unit and t == "rule" and (r.get("unit") not in chain or r.get("repealed")):
                    continue
                out.append(self.names.label(r.id))
        return out

    def validate(self, ws: Worksheet, shape_name: str, f: Field, label: str, ref: str, decl: Field | None = None) -> None:
        decl = decl or f
        need = "必填" if decl.required else "选填"
        prompt = f"{need}。{decl.doc or f.doc}" + (f"（{f.type_label}）" if f.kind not in ("text", "str") else "")
        kw: dict[str, Any] = dict(allow_blank=True, showInputMessage=True, promptTitle=label[:32], prompt=prompt[:250],
                                  showErrorMessage=True, errorStyle="warning", errorTitle=label[:32])
        source = self.source_for(shape_name, f)
        if source:
            dv = DataValidation(type="list", formula1=source, error="建议从下拉列表中选择；" + f.type_label[:200], **kw)
        elif f.kind == "date":
            dv = DataValidation(type="date", operator="between", formula1=str(SERIAL_2000), formula2=str(SERIAL_2100),
                                error="请填写日期，如 2009-05-20", **kw)
        elif f.kind == "int" and f.minimum is not None and f.maximum is not None:
            dv = DataValidation(type="whole", operator="between", formula1=str(int(f.minimum)), formula2=str(int(f.maximum)),
                                error=f"请填写 {f.minimum:g} 到 {f.maximum:g} 之间的整数", **kw)
        else:
            dv = DataValidation(**kw)
        dv.add(ref)
        ws.add_data_validation(dv)

    # ------------------------------------------------------------ sheets
    def labelled_rows(self, ws: Worksheet, row: int, spec: list[list[tuple[tuple[str, ...], int, int]]], width: int,
                      values: dict[tuple[str, ...], Any]) -> int:
        for line in spec:
            col = 1
            for i, (path, lspan, vspan) in enumerate(line):
                f = self.lay.form_field(path)
                if i == len(line) - 1:
                    vspan = width - col - lspan + 1
                _box(ws, row, col, lspan, f.label, bold=True, align=CENTER)
                vcell = _box(ws, row, col + lspan, vspan, values.get(path), align=LEFT)
                shape_name = self.lay.rtype.shape.name if len(path) == 1 else ""
                self.validate(ws, shape_name, f.field, f.label, vcell.coordinate)
                if f.field.kind == "date":
                    vcell.number_format = "yyyy-mm-dd"
                col += lspan + vspan
            ws.row_dimensions[row].height = 48 if any(p in TALL for p, _, _ in line) else 24
            row += 1
        return row

    def build_main(self) -> None:
        ws, lay, n = self.main, self.lay, self.width
        for c, col in enumerate(self.columns, 1):
            # a wide table prints smaller: narrower text columns keep it legible on A4
            ws.column_dimensions[get_column_letter(c)].width = col.width if n <= 12 else min(col.width, 16.0)
        _box(ws, 1, 1, n, lay.rtype.label, font=Font(name="黑体", size=16, bold=True), align=CENTER, border=False)
        ws.row_dimensions[1].height = 36
        values: dict[tuple[str, ...], Any] = {("pledge",): PLEDGE[lay.name]}
        if self.unit:
            values[("unit",)] = self.names.label(self.unit)
        if self.year:
            values[("year",)] = self.year
        row = self.labelled_rows(ws, 2, HEADER[lay.name], n, values)
        hdr = row
        two = any(c.group for c in self.columns)
        for c, col in enumerate(self.columns, 1):
            if two and col.group:
                first = next(i for i, x in enumerate(self.columns, 1) if x.group == col.group)
                if first == c:
                    span = sum(1 for x in self.columns if x.group == col.group)
                    _box(ws, hdr, c, span, col.group, bold=True, align=CENTER)
                _box(ws, hdr + 1, c, 1, col.label, bold=True, align=CENTER)
            elif two:
                _box(ws, hdr, c, 1, col.label, bold=True, align=CENTER, rows=2)
            else:
                _box(ws, hdr, c, 1, col.label, bold=True, align=CENTER)
        ws.row_dimensions[hdr].height = 24 if two else 30
        if two:
            ws.row_dimensions[hdr + 1].height = 30
        start = hdr + (2 if two else 1)
        end = start + ROWS[lay.name] - 1
        ws.print_title_rows = f"{hdr}:{start - 1}"
        for r in range(start, end + 1):
            ws.row_dimensions[r].height = 40
            for c, col in enumerate(self.columns, 1):
                cell = ws.cell(r, c)
                cell.border = BORDER
                cell.font = Font(name=FONT, size=10.5)
                cell.alignment = CENTER if col.field.kind in ("enum", "date", "int") else TOP_LEFT
                if col.field.kind == "date":
                    cell.number_format = "yyyy-mm-dd"
        for c, col in enumerate(self.columns[1:], 2):
            letter = get_column_letter(c)
            shape_name = lay.risk_shape.name if col.list_key is None and len(col.path) == 1 else ""
            self.validate(ws, shape_name, col.field, col.label, f"{letter}{start}:{letter}{end}", col.decl)
        # the pledge and the signature line, as at the foot of the paper form
        row = end + 1
        pledge = lay.form_field(("pledge",))
        assert pledge.label == TAIL_LABEL
        row = self.labelled_rows(ws, row, [[(("pledge",), 2, 1)]], n, values)
        ws.row_dimensions[row - 1].height = 60
        signed = lay.form_field(("signed_on",))
        _box(ws, row, 1, 2, signed.label, bold=True, align=CENTER)
        vcell = _box(ws, row, 3, 2 if n > 12 else 1, None, align=CENTER)
        vcell.number_format = "yyyy-mm-dd"
        self.validate(ws, lay.rtype.shape.name, signed.field, signed.label, vcell.coordinate)
        sign_col = 3 + (2 if n > 12 else 1)
        _box(ws, row, sign_col, 2, SIGNER[lay.name], bold=True, align=CENTER)
        _box(ws, row, sign_col + 2, n - sign_col - 1, None)
        ws.row_dimensions[row].height = 36
        _print_setup(ws, landscape=True)

    def build_publicity(self) -> None:
        ws = self.pub
        widths = [6, 12, 10, 30, 10, 26, 12]
        for c, w in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(c)].width = w
        _box(ws, 1, 1, 7, "公示与辨识确认", font=Font(name="黑体", size=16, bold=True), align=CENTER, border=False)
        ws.row_dimensions[1].height = 36
        _box(ws, 2, 1, 7, "（由专项工作办公室在公示和党政班子辨识确认后填写；尚未公示的留空）", align=CENTER, border=False)
        row = self.labelled_rows(ws, 3, PUBLICITY_ROWS, 7, {})
        ws.row_dimensions[row - 2].height = 48  # 确认意见
        row += 1
        _box(ws, row, 1, 7, "公示期间收到的意见", bold=True, align=CENTER)
        row += 1
        cols = [Column(SEQ_LABEL, ("#",), Field("", "", "", "int"), Field("", "", "", "int"))] + list(FEEDBACK_COLUMNS)
        for c, col in enumerate(cols, 1):
            _box(ws, row, c, 1, col.label, bold=True, align=CENTER)
        ws.row_dimensions[row].height = 30
        start, end = row + 1, row + 6
        for r in range(start, end + 1):
            ws.row_dimensions[r].height = 30
            for c, col in enumerate(cols, 1):
                cell = ws.cell(r, c)
                cell.border = BORDER
                cell.font = Font(name=FONT, size=10.5)
                cell.alignment = CENTER if col.field.kind in ("enum", "date") else TOP_LEFT
                if col.field.kind == "date":
                    cell.number_format = "yyyy-mm-dd"
        for c, col in enumerate(cols[1:], 2):
            letter = get_column_letter(c)
            self.validate(ws, "comment", col.field, col.label, f"{letter}{start}:{letter}{end}", col.decl)
        ws.print_title_rows = f"{row}:{row}"
        _print_setup(ws, landscape=True)

    def build_help(self) -> None:
        ws, lay = self.help, self.lay
        for c, w in enumerate([20, 7, 46, 44], 1):
            ws.column_dimensions[get_column_letter(c)].width = w
        _box(ws, 1, 1, 4, f"填表说明：{lay.rtype.label}", font=Font(name="黑体", size=14, bold=True), align=CENTER, border=False)
        ws.row_dimensions[1].height = 30
        notes = [
            f"1. 本工作簿用于填写《{lay.rtype.label}》：{lay.rtype.doc}。",
            "2. “风险点”工作表：上部填写表头信息；每个风险点占一行。一个风险点有多条措施（或多项承诺）时，"
            "在其下一行只填写措施栏、其余栏留空，该行即为上一风险点的续行。行不够时，在表格中间插入行。",
            "3. 带下拉箭头的栏目请从列表中选择。风险等级也可写“一级/二级/三级”（一级即高）。"
            "人员、科室、制度请选“名称（编号）”，也可只写编号。",
            "4. 日期写成 2009-05-20，也可写 2009年5月20日 或 2009/5/20。",
            "5. “公示与确认”工作表由专项工作办公室在公示、党政班子辨识确认后填写；尚未公示的留空。"
            "公示截止可不填，按公示工作日数（默认见站点配置）推算。意见提出人保密，不会公开。",
            "6. 请不要修改栏目名称，不要重命名或删除工作表。",
            f"7. 导入：python -m generator import 文件名.xlsx。每个问题都指明“文件 工作表!单元格”；"
            f"全部改正后才会导入。记录编号按“{lay.id_rule}”生成。",
        ]
        row = 2
        for text in notes:
            _box(ws, row, 1, 4, text, align=LEFT, border=False)
            ws.row_dimensions[row].height = 32 if len(text) > 60 else 18
            row += 1
        row += 1
        row = _table(ws, row, ["栏目", "必填", "填写说明", "格式或可选值"], self._field_rows())
        if self.unit:
            u = self.c.get(self.unit, "unit")
            depts = u.get("departments", []) if u else []
            row = _section(ws, row + 1, f"本单位科室：{self.names.label(self.unit)}")
            row = _table(ws, row, ["科室编号", "科室名称", "科室类别", ""], [[d["id"], d["name"], d.get("kind", ""), ""] for d in depts])
            chain = self.c.unit_chain(self.unit)
            rules = [r for r in self.c.of_type["rule"] if r["unit"] in chain and not r.get("repealed")]
            row = _section(ws, row + 1, "可引用的制度文本（本单位及上级单位，未废止）")
            row = _table(ws, row, ["制度编号", "类别", "标题", "制定单位 / 施行日期"],
                         [[r.id, r["kind"], r["title"], f"{self.names.name(r['unit']) or r['unit']} / {r['effective']}"] for r in rules])
            people = [p for p in self.c.of_type["person"] if p["unit"] == self.unit]
            row = _section(ws, row + 1, "本单位人员")
            row = _table(ws, row, ["人员编号", "姓名", "职务/岗位", "科室"],
                         [[p.id, p["name"], p["post"], self.names.department_label(self.unit, p["department"]) if p.get("department") else ""]
                          for p in people])
        _print_setup(ws, landscape=False)

    def _field_rows(self) -> list[list[str]]:
        rows = []
        for f in self.lay.form_fields:
            rows.append([f.label, "是" if f.field.required else "", f.field.doc + ("（保密）" if f.private else ""), f.field.type_label])
        for col in self.lay.risk_columns:
            doc = col.decl.doc if col.decl is not col.field else col.field.doc
            if col.list_key:
                doc += "；多条时每条一行（续行）"
            rows.append([col.label, "是" if col.required else "", doc, col.field.type_label])
        for col in FEEDBACK_COLUMNS:
            rows.append([col.label, "是" if col.required else "", col.field.doc, col.field.type_label])
        return rows


def _box(ws: Worksheet, row: int, col: int, span: int, value: Any, *, bold: bool = False, font: Font | None = None,
         align: Alignment = LEFT, border: bool = True, rows: int = 1) -> Any:
    """A cell merged over `span` columns (and `rows` rows), bordered like a paper form."""
    cell = ws.cell(row, col)
    if value is not None:
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"
    cell.font = font or Font(name=FONT, size=10.5, bold=bold)
    cell.alignment = align
    for r in range(row, row + rows):
        for c in range(col, col + span):
            if border:
                ws.cell(r, c).border = BORDER
    if span > 1 or rows > 1:
        ws.merge_cells(start_row=row, start_column=col, end_row=row + rows - 1, end_column=col + span - 1)
    return cell


def _section(ws: Worksheet, row: int, title: str) -> int:
    _box(ws, row, 1, 4, title, bold=True, align=LEFT, border=False)
    return row + 1


def _table(ws: Worksheet, row: int, head: list[str], rows: list[list[Any]]) -> int:
    for c, h in enumerate(head, 1):
        _box(ws, row, c, 1, h, bold=True, align=CENTER)
    row += 1
    for line in rows:
        for c, v in enumerate(line, 1):
            _box(ws, row, c, 1, v if v != "" else None, align=TOP_LEFT)
        row += 1
    return row


def _print_setup(ws: Worksheet, landscape: bool) -> None:
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def template_workbook(lay: Layout, content: Content, unit: str | None = None, year: int | None = None) -> Workbook:
    form = _Form(lay, content, unit, year)
    form.build_main()
    form.build_publicity()
    form.build_help()
    form.wb.properties.title = lay.rtype.label
    form.wb.properties.creator = "python -m generator template"
    return form.wb
