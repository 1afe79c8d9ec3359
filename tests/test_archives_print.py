"""The archives' yearly registration forms printed to PDF by Chromium (A4):
one sheet per person and year, the boxes of the paper forms, no site chrome."""
from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from support.serve import serve

from .test_archives import built_tree  # noqa: F401  (module fixture: the archive tree, built)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

A4 = (595.3, 841.9)  # points (210 × 297 mm)
ETHICS_BOXES = ("医务人员医德考评登记表", "机构名称", "现聘岗位", "本年度廉政承诺", "践诺情况", "本年度医德医风工作总结", "自我评价",
                "科室（病区）评价", "考评领导小组评价意见", "确认等次", "奖惩情况", "被考核人对考评等次的确认",
                "备注：此表由被考核人、所在科室、考评机构填写。")
CADRE_BOXES = ("党员干部廉政档案年度登记表", "本年度廉政承诺", "践诺情况", "述职述廉", "奖惩情况", "本人签名", "纪检监察部门意见")
CHROME = ("测试站点", "全文检索", "实施方案", "测试页脚", "打印本档案", "打印全部")


def pdf_pages(context: Any, base: str, path: str) -> list[str]:
    """Print a page as Chromium does (A4) and return each sheet's text, whitespace removed."""
    page = context.new_page()
    page.goto(base + path)
    page.wait_for_load_state("networkidle")
    reader = PdfReader(io.BytesIO(page.pdf(format="A4")))
    page.close()
    for sheet in reader.pages:
        box = sheet.mediabox
        assert abs(float(box.width) - A4[0]) < 2 and abs(float(box.height) - A4[1]) < 2
    return [norm(sheet.extract_text()) for sheet in reader.pages]


# The CJK fonts map some glyphs back to radicals, so extracted text spells 人 as ⼈
# (NFKC undoes that) and 页 as ⻚ (NFKC does not: these few are mapped here).
RADICALS = str.maketrans("⻚⺠⻛⻅⻓⻔", "页民风见长门")


def norm(text: str) -> str:
    """Both sides of a comparison: radicals and full-width forms folded, whitespace removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(RADICALS))


def has(sheet: str, text: str, times: int | None = None) -> bool:
    n = sheet.count(norm(text))
    return n >= 1 if times is None else n == times


def test_department_print_is_one_sheet_per_person(built_tree: Path, browser_context: Any) -> None:  # noqa: F811
    with serve(built_tree) as base:
        sheets = pdf_pages(browser_context, base, "archives/print/yide/rmyy/2009/dept-nk.html")
    assert len(sheets) == 3
    for sheet, name in zip(sheets, ("李四", "钱七", "孙八")):
        assert has(sheet, f"姓名{name}") and has(sheet, "（2009年度）")
        for box in ETHICS_BOXES:
            assert has(sheet, box, 1), (name, box, sheet)
        for chrome in CHROME:
            assert not has(sheet, chrome)
    # the veto's text and the ticked grade are on 孙八's sheet
    assert has(sheets[2], "YPJC02 在临床诊疗活动中") and has(sheets[2], "√较差")
    assert has(sheets[0], "√良好") and not has(sheets[0], "√较差")


def test_cadre_archive_prints_an_overview_then_one_sheet_per_year(built_tree: Path, browser_context: Any) -> None:  # noqa: F811
    with serve(built_tree) as base:
        sheets = pdf_pages(browser_context, base, "archives/lianzheng/qian-qi.html")
    assert len(sheets) == 4  # overview, 2010, 2009, 2008
    assert has(sheets[0], "党员干部廉政档案") and has(sheets[0], "调动情况") and has(sheets[0], "历年情况")
    for sheet, year in zip(sheets[1:], (2010, 2009, 2008)):
        assert has(sheet, f"（{year}年度）")
        assert has(sheet, CADRE_BOXES[0], 1)  # one form per sheet
        for box in CADRE_BOXES:
            assert has(sheet, box), (year, box, sheet)
        for chrome in CHROME:
            assert not has(sheet, chrome)
    assert has(sheets[2], "2009年度述职述廉：按期完成承诺事项。") and has(sheets[2], "（填报于中医院）")
    assert has(sheets[3], "2008年9月10日 表扬：拒收患者家属红包并登记上交")


AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.parametrize("path", ["archives/yide/qian-qi.html", "archives/lianzheng/wang-wu.html", "archives/units/rmyy.html",
                                  "archives/index.html", "archives/print/yide/rmyy/2009/dept-nk.html"])
def test_archive_pages_have_no_serious_accessibility_violation(path: str, built_tree: Path, browser_context: Any) -> None:  # noqa: F811
    with serve(built_tree) as base:
        page = browser_context.new_page()
        page.goto(base + path)
        page.add_script_tag(path=str(AXE))
        # the page body the archives render (the theme's header and nav, and the shared
        # listing template of the year and to-do pages, are tested elsewhere)
        result = page.evaluate("async () => await axe.run('.md-content', {resultTypes: ['violations']})")
        page.close()
    bad = [(v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:3])
           for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, bad
