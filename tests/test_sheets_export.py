"""`export`: confirmed forms only, no private field, no formula; the unit
summary; and the round trip: export, then import, gives the same records."""
from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl

from generator.check import iter_private_values
from generator.fields import strip_private
from generator.index import Content
from generator.load import load_content
from generator.records import BY_NAME, KEY_AREAS

from .test_sheets_support import Sheets, needs_soffice, resave, sheets  # noqa: F401

CONFIRMED = {"zhang-san-2009", "li-si-2009", "rmyy-yjk-2009", "rmyy-2009", "xjwsy-2009"}  # zhou-ba-2009 is still open


def public(records: dict[str, dict[str, Any]], types: dict[str, str]) -> dict[str, dict[str, Any]]:
    return {rid: strip_private(BY_NAME[types[rid]].shape, d) for rid, d in records.items()}


def form_types(s: Sheets) -> dict[str, str]:
    return {r.id: r.type for r in load_content(s.content).records}


def all_cells(path: Path) -> list[Any]:
    wb = openpyxl.load_workbook(path)
    return [c.value for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]


def ids_in(path: Path, sheet: str) -> set[str]:
    ws = openpyxl.load_workbook(path)[sheet]
    return {r[0] for r in ws.iter_rows(min_row=2, values_only=True) if r[0]}


def test_export_holds_confirmed_forms_and_no_private_value(sheets: Sheets) -> None:
    run = sheets.run("export", "--out", "out.xlsx")
    assert run.code == 0, run.err
    assert run.out == "已导出截至 2009-07-01 已确认的承诺表 5 份：out.xlsx\n"
    wb = openpyxl.load_workbook("out.xlsx")
    assert wb.sheetnames == ["说明", "单位汇总", "承诺事项", "个人承诺表", "科室承诺表", "单位承诺表"]
    assert ids_in(Path("out.xlsx"), "个人承诺表") == {"zhang-san-2009", "li-si-2009"}
    assert ids_in(Path("out.xlsx"), "科室承诺表") == {"rmyy-yjk-2009"}
    assert ids_in(Path("out.xlsx"), "单位承诺表") == {"rmyy-2009", "xjwsy-2009"}
    assert sheets.run("export", "--format", "csv", "--out", "out.csv").code == 0
    private = set(iter_private_values(Content(load_content(sheets.content).records)))
    assert {"匿名职工甲", "药剂科职工乙", "13900000001", "320900197501010000", "新街镇幸福路 8 号"} <= private
    texts = [str(v) for v in all_cells(Path("out.xlsx"))]
    texts += [p.read_text(encoding="utf-8-sig") for p in sheets.root.glob("out-*.csv")]
    for value in private:
        assert not any(value in t for t in texts), value
    assert "意见提出人（保密）" not in " ".join(texts)  # not even the column
    # every column of the form tables is a printed label of the template
    head = [c.value for c in wb["个人承诺表"][1]]
    assert head[:3] == ["记录编号", "承诺人", "年度"] and "风险等级" in head and "意见摘要" in head


def test_unit_summary_counts_risks_by_level_and_key_area_and_lists_commitments(sheets: Sheets) -> None:
    assert sheets.run("export", "--out", "out.xlsx").code == 0
    wb = openpyxl.load_workbook("out.xlsx")
    rows = [list(r) for r in wb["单位汇总"].iter_rows(values_only=True)]
    head = rows[0]
    table = {r[0] or r[1]: dict(zip(head, r)) for r in rows[1:]}
    rmyy = table["rmyy"]
    assert rmyy["单位名称"] == "测试市人民医院"
    assert (rmyy["个人承诺表"], rmyy["科室承诺表"], rmyy["单位承诺表"], rmyy["风险点合计"]) == (2, 1, 1, 7)
    assert (rmyy["高风险"], rmyy["中风险"], rmyy["低风险"]) == (3, 3, 1)
    assert (rmyy["药械材采购"], rmyy["药械材使用"], rmyy["物资管理"], rmyy["其他"]) == (3, 1, 2, 1)
    assert (rmyy["下一步承诺"], rmyy["已完成"], rmyy["逾期未完成"]) == (4, 1, 1)
    total = table["合计"]
    assert total["风险点合计"] == 8 and sum(total[a] for a in KEY_AREAS) == 8 and total["逾期未完成"] == 2
    commits = [list(r) for r in wb["承诺事项"].iter_rows(min_row=2, values_only=True)]
    assert [(c[1], c[5], c[6].date(), c[9]) for c in commits] == [
        ("rmyy-2009", "建立药品采购网上公示制度", dt.date(2009, 9, 30), "未到期"),
        ("rmyy-2009", "每季度公开药品采购情况", dt.date(2009, 6, 15), "已完成"),
        ("rmyy-2009", "制定物资出入库操作规程", dt.date(2009, 6, 20), "逾期未完成"),
        ("rmyy-2009", "向上级反映", dt.date(2009, 7, 31), "未到期"),
        ("xjwsy-2009", "建立药品采购操作规程", dt.date(2009, 6, 30), "逾期未完成"),
    ]
    assert wb["承诺事项"]["G2"].number_format == "yyyy-mm-dd"


def test_filters_unit_year_and_as_of(sheets: Sheets) -> None:
    def exported(*args: str) -> set[str]:
        run = sheets.run("export", "--out", "f.xlsx", *args)
        assert run.code == 0, run.err
        return set().union(*(ids_in(Path("f.xlsx"), s) for s in ("个人承诺表", "科室承诺表", "单位承诺表")))

    assert exported("--unit", "xjwsy") == {"xjwsy-2009"}
    assert exported("--unit", "wsj") == CONFIRMED  # the bureau and the units below it
    assert exported("--year", "2010") == set()
    assert exported("--as-of", "2009-06-01") == {"rmyy-yjk-2009", "rmyy-2009"}
    run = sheets.run("export", "--out", "f.xlsx", "--unit", "nope")
    assert run.code == 2 and "单位编号“nope”不存在" in run.err


def test_text_that_looks_like_a_formula_stays_text(sheets: Sheets) -> None:
    assert sheets.run("export", "--out", "out.xlsx").code == 0
    assert sheets.run("export", "--format", "csv", "--out", "out.csv").code == 0
    ws = openpyxl.load_workbook("out.xlsx")["个人承诺表"]
    risky = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert {c.value for c in risky} == {"=建议公开采购计划", "-每月向分管院长报告采购执行情况"}
    assert all(c.data_type == "s" for c in risky)
    text = Path("out-个人承诺表.csv").read_text(encoding="utf-8-sig")
    assert ",'=建议公开采购计划," in text and ",'-每月向分管院长报告采购执行情况," in text
    for row in csv.reader(io.StringIO(text)):
        assert not any(v.startswith(("=", "+", "-", "@")) for v in row)


@needs_soffice
def test_libreoffice_does_not_run_exported_text_as_a_formula(sheets: Sheets) -> None:
    assert sheets.run("export", "--out", "out.xlsx").code == 0
    wb = openpyxl.load_workbook("out.xlsx")
    for name in wb.sheetnames[:-3] + ["科室承诺表", "单位承诺表"]:
        del wb[name]  # LibreOffice converts the first sheet to CSV: keep 个人承诺表 alone
    wb.save("only.xlsx")
    text = resave(sheets.root / "only.xlsx", sheets.root / "lo", "csv").read_text(encoding="utf-8", errors="replace")
    assert "=建议公开采购计划" in text and "#NAME" not in text and "Err:" not in text


def test_round_trip_xlsx_gives_the_same_records(sheets: Sheets) -> None:
    types = form_types(sheets)
    before = public(sheets.records(), types)
    assert sheets.run("export", "--out", "out.xlsx").code == 0
    sheets.drop_forms()
    run = sheets.run("import", "out.xlsx")
    assert run.code == 0, run.err
    assert run.out.splitlines()[0] == "读取 out.xlsx（Excel 工作簿）：个人承诺表 2 份、科室承诺表 1 份、单位承诺表 2 份"
    assert sheets.records() == {k: v for k, v in before.items() if k in CONFIRMED}
    assert sorted(p.relative_to(sheets.content).as_posix() for p in (sheets.content / "forms").rglob("*.yml")) == [
        "forms/department/2009/rmyy/rmyy-yjk-2009.yml", "forms/personal/2009/rmyy/li-si-2009.yml",
        "forms/personal/2009/rmyy/zhang-san-2009.yml", "forms/unit/2009/rmyy/rmyy-2009.yml",
        "forms/unit/2009/xjwsy/xjwsy-2009.yml"]


@needs_soffice
def test_round_trip_through_libreoffice(sheets: Sheets) -> None:
    types = form_types(sheets)
    before = public(sheets.records(), types)
    assert sheets.run("export", "--out", "out.xlsx").code == 0
    lo = resave(sheets.root / "out.xlsx", sheets.root / "lo")
    sheets.drop_forms()
    run = sheets.run("import", str(lo))
    assert run.code == 0, run.err
    assert sheets.records() == {k: v for k, v in before.items() if k in CONFIRMED}


def test_round_trip_csv_in_utf8_and_gbk(sheets: Sheets) -> None:
    types = form_types(sheets)
    before = {k: v for k, v in public(sheets.records(), types).items() if k in CONFIRMED}
    assert sheets.run("export", "--format", "csv", "--out", "out.csv").code == 0
    tables = [sheets.root / f"out-{n}.csv" for n in ("个人承诺表", "科室承诺表", "单位承诺表")]
    sheets.drop_forms()
    run = sheets.run("import", *(str(p.name) for p in tables), "out-单位汇总.csv")
    assert run.code == 0, run.err
    assert "读取 out-个人承诺表.csv（CSV，UTF-8（带 BOM） 编码）：个人承诺表 2 份" in run.out
    assert "读取 out-单位汇总.csv（CSV，UTF-8（带 BOM） 编码）：没有可导入的承诺表；跳过：统计表（导出的汇总，不是承诺表）" in run.out
    assert sheets.records() == before
    # the same tables as Excel on Chinese Windows saves them: GBK, no BOM
    for p in tables:
        p.write_bytes(p.read_text(encoding="utf-8-sig").encode("gbk"))
        assert not p.read_bytes().startswith(b"\xef\xbb\xbf")
    sheets.drop_forms()
    run = sheets.run("import", *(str(p.name) for p in tables))
    assert run.code == 0, run.err
    assert "读取 out-单位承诺表.csv（CSV，GBK 编码）：单位承诺表 2 份" in run.out
    assert sheets.records() == before


def test_reimport_with_force_keeps_private_fields(sheets: Sheets) -> None:
    before = sheets.files()
    assert sheets.run("export", "--out", "out.xlsx").code == 0
    run = sheets.run("import", "out.xlsx", "--force")
    assert run.code == 0, run.err
    assert "out.xlsx 个人承诺表!A3: 警告 [记录编号] 保留了原记录 content/forms/personal/zhang-san-2009.yml 中的 2 项保密字段；" \
           "导出的表不含保密字段（如意见提出人），替换时沿用原值" in run.err
    after = sheets.files()
    assert after.keys() == before.keys()
    loaded = {r.id: r.data for r in load_content(sheets.content).records}
    assert [c["commenter"] for c in loaded["zhang-san-2009"]["publicity"]["feedback"]] == ["匿名职工甲", "药剂科职工乙"]


def test_a_table_row_that_disagrees_with_its_record(sheets: Sheets) -> None:
    assert sheets.run("export", "--out", "out.xlsx").code == 0
    wb = openpyxl.load_workbook("out.xlsx")
    ws = wb["单位承诺表"]
    head = [c.value for c in ws[1]]
    col = head.index("承诺内容") + 1
    ws.cell(3, col, "另一份承诺")  # a later row of rmyy-2009
    wb.save("out.xlsx")
    sheets.drop_forms()
    run = sheets.run("import", "out.xlsx")
    assert run.code == 1
    cell = ws.cell(3, col).coordinate
    assert run.err.splitlines()[0] == (
        f"out.xlsx 单位承诺表!{cell}: 错误 [pledge 承诺内容] 与本记录第一行（第 2 行）的“承诺内容”不一致；"
        "应为表头栏目只在每份记录的第一行填写，后续行留空或与第一行相同；不同的承诺表请填写不同的记录编号")
    assert not (sheets.content / "forms").exists()


def test_export_refuses_content_with_errors(sheets: Sheets) -> None:
    p = sheets.content / "forms/personal/li-si-2009.yml"
    p.write_text(p.read_text(encoding="utf-8").replace("level: 中", "level: 特高"), encoding="utf-8")
    run = sheets.run("export", "--out", "out.xlsx")
    assert run.code == 1
    assert "内容有错误，未导出；请先改正（python -m generator check）" in run.err
    assert not Path("out.xlsx").exists()
