"""`template`: the workbook looks like the paper form, offers drop-down lists
for every enumerated field, knows the unit's departments, people and rules,
and prints on A4 landscape."""
from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

import pytest
from openpyxl.utils import range_boundaries

from generator.records import BY_NAME, CATEGORIES, KEY_AREAS, LEVELS, SCOPES, STAGES
from generator.sheets.layout import LAYOUTS

from .test_sheets_support import Sheets, Table, label_cell, needs_soffice, resave, sheets, value_cell  # noqa: F401

FORMS = {"personal": "personal", "department": "department", "unit": "unitform"}


def list_values(wb: Any, formula: str) -> list[str]:
    m = re.fullmatch(r"'?([^'!]+)'?!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", formula)
    assert m, formula
    ws = wb[m.group(1)]
    lo, hi = int(m.group(3)), int(m.group(5))
    return [ws[f"{m.group(2)}{r}"].value for r in range(lo, hi + 1)]


def validations(ws: Any) -> list[Any]:
    return list(ws.data_validations.dataValidation)


def dv_for(ws: Any, coord: str) -> Any:
    for dv in validations(ws):
        for rng in dv.sqref.ranges:
            c1, r1, c2, r2 = range_boundaries(rng.coord)
            col, row = range_boundaries(coord)[:2]
            if c1 <= col <= c2 and r1 <= row <= r2:
                return dv
    return None


@pytest.mark.parametrize("form", sorted(FORMS))
def test_sheets_header_block_table_and_print_setup(sheets: Sheets, form: str) -> None:
    lay = LAYOUTS[FORMS[form]]
    wb = sheets.template(form)
    assert wb.sheetnames == ["风险点", "公示与确认", "填表说明", "选项"]
    assert wb["选项"].sheet_state == "hidden"
    ws = wb["风险点"]
    assert ws["A1"].value == lay.rtype.label
    # the header block and the pledge carry the field labels of records.py
    for f in lay.form_fields:
        sheet = wb["公示与确认"] if f.path[0] in ("publicity", "confirmation", "withdrawal") else ws
        label_cell(sheet, f.label)
    t = Table(ws, "风险点")
    assert [c.label for c in lay.risk_columns] == [lab for lab in sorted(t.cols, key=t.cols.__getitem__) if lab in lay.labels()]
    for sheet in (ws, wb["公示与确认"]):
        ps = sheet.page_setup
        assert (ps.orientation, int(ps.paperSize), ps.fitToWidth, ps.fitToHeight) == ("landscape", 9, 1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
    # the table header is repeated on every printed page
    first, last = (int(x) for x in re.findall(r"\d+", ws.print_title_rows))
    assert last == t.start - 1 and label_cell(ws, "风险点").row == first
    assert wb["填表说明"].page_setup.orientation == "portrait"


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_enumerated_field_has_a_drop_down_list(sheets: Sheets, form: str) -> None:
    lay = LAYOUTS[FORMS[form]]
    wb = sheets.template(form)
    ws = wb["风险点"]
    t = Table(ws, "风险点")
    enums = [c for c in lay.risk_columns if c.field.kind == "enum"]
    assert {c.field.key for c in enums} >= {"category", "key_area", "level"}
    for c in enums:
        for row in (0, 5):
            dv = dv_for(ws, t.ref(row, c.label))
            assert dv is not None and dv.type == "list", c.label
            assert list_values(wb, dv.formula1) == list(c.field.choices)
    got = {c.field.key: list(c.field.choices) for c in enums}
    assert got["level"] == list(LEVELS) and got["category"] == list(CATEGORIES) and got["key_area"] == list(KEY_AREAS)
    if form == "unit":
        assert got["stage"] == list(STAGES) and got["scope"] == list(SCOPES) and "establishes" in got
    # comments: channel and disposition are lists too
    pub = wb["公示与确认"]
    ct = Table(pub, "意见摘要")
    for label, key in (("意见渠道", "channel"), ("意见处理结果", "disposition")):
        dv = dv_for(pub, ct.ref(0, label))
        assert dv is not None and dv.type == "list"
    # dates: a date format and a date validation; the year a whole number
    for label in ("签署日期",):
        cell = value_cell(ws, label)
        assert cell.number_format == "yyyy-mm-dd"
        assert dv_for(ws, cell.coordinate).type == "date"
    assert dv_for(ws, value_cell(ws, "年度").coordinate).type == "whole"
    assert dv_for(pub, value_cell(pub, "公示开始").coordinate).type == "date"
    # every field explains itself when its cell is selected
    dv = dv_for(ws, t.ref(0, "风险等级"))
    assert dv.showInputMessage and dv.promptTitle == "风险等级" and "必填" in dv.prompt


def test_a_unit_template_offers_its_departments_people_and_rules(sheets: Sheets) -> None:
    wb = sheets.template("unit", "--unit", "rmyy", "--year", "2009")
    ws = wb["风险点"]
    assert value_cell(ws, "单位").value == "测试市人民医院（rmyy）"
    assert value_cell(ws, "年度").value == 2009
    t = Table(ws, "风险点")
    rules = list_values(wb, dv_for(ws, t.ref(0, "制度文本")).formula1)
    # its own rules and those of the bureau above it; not another hospital's
    assert rules == ["药品采购操作规程（试行）（rmyy-ypcg）", "财务管理操作规程（wsj-cwgl）"]
    depts = list_values(wb, dv_for(ws, t.ref(0, "责任科室")).formula1)
    assert depts == ["药剂科（yjk）", "内科（nk）", "设备科（sbk）"]
    people = list_values(wb, dv_for(ws, t.ref(0, "责任领导")).formula1)
    assert people == ["李四（li-si）", "张三（zhang-san）", "赵六（zhao-liu）", "周八（zhou-ba）"]
    help_text = [c.value for row in wb["填表说明"].iter_rows() for c in row if c.value]
    for expected in ("本单位科室：测试市人民医院（rmyy）", "sbk", "设备科", "rmyy-ypcg", "wsj-cwgl", "本单位人员", "zhou-ba"):
        assert expected in help_text
    assert "xjwsy-ypgl" not in help_text
    assert "单位编号-年度，如 rmyy-2009" in " ".join(help_text)
    p = sheets.template("personal", "--unit", "rmyy")
    assert list_values(p, dv_for(p["风险点"], value_cell(p["风险点"], "科室").coordinate).formula1)[0] == "药剂科（yjk）"


def test_template_refuses_to_overwrite_and_names_unknown_units(sheets: Sheets) -> None:
    out = sheets.root / "t.xlsx"
    out.write_bytes(b"filled in by someone")
    run = sheets.run("template", "personal", "--out", str(out))
    assert run.code == 2 and "已存在，未覆盖（确需覆盖请加 --force）" in run.err
    assert out.read_bytes() == b"filled in by someone"
    run = sheets.run("template", "personal", "--unit", "nope", "--out", "x.xlsx")
    assert run.code == 2
    assert "错误：单位编号“nope”不存在；已有的单位编号：wsj、rmyy、xjwsy" in run.err
    run = sheets.run("template", "personal", "--out", "x.xls")
    assert run.code == 2 and "扩展名应为 .xlsx" in run.err


@needs_soffice
@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils 未安装")
def test_libreoffice_prints_the_form_on_a4_landscape(sheets: Sheets) -> None:
    sheets.template("personal", "--unit", "rmyy")
    pdf = resave(sheets.root / "personal-template.xlsx", sheets.root / "pdf", "pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert size and round(float(size.group(1))) == 842 and round(float(size.group(2))) == 595  # A4 landscape
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert pages == 3  # the form, the publicity sheet and the instructions: one page each
    text = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    for words in (BY_NAME["personal"].label, "承诺人", "风险等级", "自我防范措施", "承诺内容", "承诺人签名"):
        assert words in text
