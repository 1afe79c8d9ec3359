"""The statistics page against a small content tree whose numbers are worked
out by hand below (not with the code under test): risk points by unit, key
area and level, filing against the people expected, commitments due and
overdue, publicity, medical-ethics grades; each chart agrees with its table.
"""
from __future__ import annotations

import datetime as dt
import re
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from generator.check import run_check
from generator.derive import derive
from generator.render import render_site
from support.browser import watched_page
from support.serve import serve
from support.sites import build, config

AS_OF = dt.date(2010, 6, 10)

# ------------------------------------------------------------ the fixture tree
#
# Units: 卫生局 (ju), 人民医院 (yy), 安丰卫生院 (wsy). People by current unit:
# ju: ju-a, ju-b; yy: yy-a, yy-b, yy-c, yy-d; wsy: wsy-a  (7 people).
#
# Forms and their status on 2010-06-10:
#   p-ju-a-2010   personal  ju   confirmed 05-20     risks 高 财务管理
#   p-ju-b-2010   personal  ju   withdrawn 06-01     risks 中 其他          (not counted)
#   p-yy-a-2009   personal  yy   confirmed (2009)    risks 低 人事管理       (2009 only)
#   p-yy-a-2010   personal  yy   no publicity        risks 高 其他          (not counted)
#   p-yy-b-2010   personal  yy   confirmed           risks 中 药械材使用 ×2
#   p-yy-c-2010   personal  yy   open 06-07..06-11   risks 低 其他
#   p-yy-d-2010   personal  yy   pending (closed 05-28) risks 高 药械材采购
#   p-wsy-a-2010  personal  wsy  scheduled 06-20     risks 高 药械材采购     (not counted)
#   d-yy-yjk-2010 department yy  confirmed           risks 高 药械材采购, 低 物资管理
#   u-yy-2010     unit      yy   pending             risks 高 药械材采购 (c1 due 06-09, c2 due 06-10),
#                                                          中 其他 (c3 due 05-01 done 05-03),
#                                                          低 其他 (c4 due 07-31, c5 due 03-01 done 06-15)
#   u-wsy-2010    unit      wsy  confirmed           risks 中 三重一大 (c6 due 01-15)
#   u-ju-2009     unit      ju   confirmed (2009)    risks 低 其他 (c7 due 2009-12-31)
#   u-ju-2010     unit      ju   withdrawn           risks 低 其他 (c8 due 2010-01-01)      (not counted)

CAMPAIGN = """
    title: 专项工作
    doc_number: 测卫〔2009〕1号
    issuer: 测试市卫生局
    rules_deadline: 2009-06-30
    phases:
      - name: 排查
        starts: 2009-05-04
        ends: 2009-06-30
"""

UNITS = {
    "ju": "name: 测试市卫生局\nshort_name: 卫生局\nkind: 局机关\norder: 1\ndepartments:\n  - id: jcs\n    name: 监察室\n",
    "yy": "name: 测试市人民医院\nshort_name: 人民医院\nkind: 医院\nparent: ju\norder: 2\n"
          "departments:\n  - id: yjk\n    name: 药剂科\n  - id: nk\n    name: 内科\n",
    "wsy": "name: 测试市安丰卫生院\nshort_name: 安丰卫生院\nkind: 卫生院\nparent: ju\norder: 3\n",
}

PEOPLE = {  # id: (name, unit, department, roles)
    "ju-a": ("甲局长", "ju", "", "[班子成员]"),
    "ju-b": ("乙科长", "ju", "jcs", "[党员干部]"),
    "yy-a": ("丙院长", "yy", "", "[班子成员]"),
    "yy-b": ("丁医师", "yy", "nk", "[处方医师]"),
    "yy-c": ("戊护士", "yy", "nk", "[医务人员]"),
    "yy-d": ("己主任", "yy", "yjk", "[中层干部]"),
    "wsy-a": ("庚医师", "wsy", "", "[医务人员]"),
}


def _risk(level: str, area: str, point: str) -> str:
    return (f"  - point: {point}\n    manifestation: 表现\n    category: 岗位职责\n    key_area: {area}\n"
            f"    level: {level}\n    measures: [措施]\n")


def _personal(person: str, year: int, risks: list[tuple[str, str]], tail: str) -> str:
    body = "".join(_risk(lv, area, f"{person}风险{i}") for i, (lv, area) in enumerate(risks, 1))
    return f"person: {person}\nyear: {year}\nduties: 职责\npowers: 职权\nrisks:\n{body}pledge: 承诺\n{tail}"


CONFIRMED_2010 = ("signed_on: 2010-05-07\npublicity:\n  opens: 2010-05-10\n  closes: 2010-05-14\n"
                  "confirmation:\n  by: 党政班子\n  on: 2010-05-20\n")
PENDING_2010 = "signed_on: 2010-05-20\npublicity:\n  opens: 2010-05-24\n  closes: 2010-05-28\n"


def _unit_risk(level: str, area: str, point: str, commitments: list[str]) -> str:
    items = "".join(f"      - {c}\n" for c in commitments)
    return (f"  - power_item: 事项\n    point: {point}\n    manifestation: 表现\n    category: 制度机制\n    key_area: {area}\n"
            f"    level: {level}\n    stage: 执行\n    scope: 共性\n    commitments:\n{items}")


FILES: dict[str, str] = {
    "people/ju-a.yml": "", "people/ju-b.yml": "", "people/yy-a.yml": "", "people/yy-b.yml": "",
    "people/yy-c.yml": "", "people/yy-d.yml": "", "people/wsy-a.yml": "",
    "forms/personal/p-ju-a-2010.yml": _personal("ju-a", 2010, [("高", "财务管理")], CONFIRMED_2010),
    "forms/personal/p-ju-b-2010.yml": _personal("ju-b", 2010, [("中", "其他")], CONFIRMED_2010
                                                + "withdrawal:\n  on: 2010-06-01\n  reason: 岗位调整，重新填报\n"),
    "forms/personal/p-yy-a-2009.yml": _personal("yy-a", 2009, [("低", "人事管理")],
                                                "signed_on: 2009-05-20\npublicity:\n  opens: 2009-05-21\n  closes: 2009-05-27\n"
                                                "confirmation:\n  by: 党政班子\n  on: 2009-06-02\n"),
    "forms/personal/p-yy-a-2010.yml": _personal("yy-a", 2010, [("高", "其他")], "signed_on: 2010-06-01\n"),
    "forms/personal/p-yy-b-2010.yml": _personal("yy-b", 2010, [("中", "药械材使用"), ("中", "药械材使用")], CONFIRMED_2010),
    "forms/personal/p-yy-c-2010.yml": _personal("yy-c", 2010, [("低", "其他")],
                                                "signed_on: 2010-06-04\npublicity:\n  opens: 2010-06-07\n  closes: 2010-06-11\n"),
    "forms/personal/p-yy-d-2010.yml": _personal("yy-d", 2010, [("高", "药械材采购")], PENDING_2010),
    "forms/personal/p-wsy-a-2010.yml": _personal("wsy-a", 2010, [("高", "药械材采购")],
                                                 "signed_on: 2010-06-01\npublicity:\n  opens: 2010-06-20\n"),
    "forms/department/d-yy-yjk-2010.yml": (
        "unit: yy\ndepartment: yjk\nyear: 2010\nrisks:\n"
        + _risk("高", "药械材采购", "验收把关不严") + _risk("低", "物资管理", "库存盘点不实")
        + "pledge: 承诺\n" + CONFIRMED_2010),
    "forms/unit/u-yy-2010.yml": (
        "unit: yy\nyear: 2010\nrisks:\n"
        + _unit_risk("高", "药械材采购", "药品采购决策不透明", [
            "content: 建立药品采购操作规程\n        due: 2010-06-09\n        establishes: 操作规程",
            "content: 建立耗材采购操作规程\n        due: 2010-06-10\n        establishes: 操作规程"])
        + _unit_risk("中", "其他", "外出进修审批随意", ["content: 制定进修审批办法\n        due: 2010-05-01\n        done: 2010-05-03"])
        + _unit_risk("低", "其他", "院务公开不及时", [
            "content: 每月更新院务公开栏\n        due: 2010-07-31",
            "content: 建立公开登记簿\n        due: 2010-03-01\n        done: 2010-06-15"])
        + "pledge: 承诺\n" + PENDING_2010),
    "forms/unit/u-wsy-2010.yml": (
        "unit: wsy\nyear: 2010\nrisks:\n"
        + _unit_risk("中", "三重一大", "大额支出未集体研究", ["content: 制定三重一大议事规则\n        due: 2010-01-15"])
        + "pledge: 承诺\n" + CONFIRMED_2010),
    "forms/unit/u-ju-2009.yml": (
        "unit: ju\nyear: 2009\nrisks:\n"
        + _unit_risk("低", "其他", "文件流转不规范", ["content: 修订公文处理办法\n        due: 2009-12-31"])
        + "pledge: 承诺\nsigned_on: 2009-05-20\npublicity:\n  opens: 2009-05-21\n  closes: 2009-05-27\n"
        "confirmation:\n  by: 党政班子\n  on: 2009-06-02\n"),
    "forms/unit/u-ju-2010.yml": (
        "unit: ju\nyear: 2010\nrisks:\n"
        + _unit_risk("低", "其他", "撤回表中的风险", ["content: 撤回表中的承诺\n        due: 2010-01-01"])
        + "pledge: 承诺\n" + CONFIRMED_2010 + "withdrawal:\n  on: 2010-05-25\n  reason: 内容有误\n"),
    # medical-ethics grades: 2008 良好 1; 2009 优秀 1, 良好 1, 较差 1
    "assessments/a-yy-b-2008.yml": "person: yy-b\nyear: 2008\nfulfilment: 好\nethics:\n  grade: 良好\n",
    "assessments/a-yy-b-2009.yml": "person: yy-b\nyear: 2009\nfulfilment: 好\nethics:\n  grade: 优秀\n",
    "assessments/a-yy-c-2009.yml": "person: yy-c\nyear: 2009\nfulfilment: 好\nethics:\n  grade: 良好\n",
    "assessments/a-wsy-a-2009.yml": "person: wsy-a\nyear: 2009\nfulfilment: 差\nethics:\n  grade: 较差\n  vetoes: [YPJC01]\n",
    "assessments/a-ju-a-2009.yml": "person: ju-a\nyear: 2009\nfulfilment: 好\nreport: 述职述廉\n",  # no ethics: not counted
}


def make_tree(root: Path) -> Path:
    content = root / "content"
    (content / "units").mkdir(parents=True)
    (content / "campaign.yml").write_text(textwrap.dedent(CAMPAIGN).lstrip(), encoding="utf-8")
    for uid, text in UNITS.items():
        (content / "units" / f"{uid}.yml").write_text(text, encoding="utf-8")
    for pid, (name, unit, dept, roles) in PEOPLE.items():
        FILES[f"people/{pid}.yml"] = f"name: {name}\nunit: {unit}\n" + (f"department: {dept}\n" if dept else "") + \
            f"post: 岗位\nroles: {roles}\n"
    for rel, text in FILES.items():
        p = content / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    cfg = root / "site_config.yml"
    cfg.write_text("site_name: 统计测试\nbureau: 测试市卫生局\ncontent: content\nas_of: 2010-06-10\n"
                   "publicity:\n  working_days: 5\n", encoding="utf-8")
    return cfg


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cfg_path = make_tree(tmp_path_factory.mktemp("stats"))
    result = run_check(config(cfg_path))
    assert not result.problems, "\n".join(p.format() for p in result.problems)  # the fixture is valid and clean
    return cfg_path


def rendered(cfg_path: Path, as_of: dt.date) -> dict[str, str]:
    cfg = config(cfg_path)
    result = run_check(cfg)
    pages, problems = render_site(derive(cfg, result.content, as_of))
    assert not problems, [p.format() for p in problems]
    return {p.path: p.html for p in pages}


# ------------------------------------------------------------ reading tables and charts back


class _Tables(HTMLParser):
    """Every table with an id: rows of cell texts (thead, tbody and tfoot), and
    per row the links it holds."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.links: dict[str, list[list[str]]] = {}
        self.bars: dict[str, list[tuple[str, str, int]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._figure: str | None = None
        self._category = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("id"):
            self._table = a["id"]
            self.tables[self._table] = []
            self.links[self._table] = []
        elif self._table and tag == "tr":
            self.tables[self._table].append([])
            self.links[self._table].append([])
        elif self._table and tag in ("td", "th"):
            self._cell = []
        elif self._table and tag == "a" and self.links[self._table]:
            self.links[self._table][-1].append(a.get("href") or "")
        elif tag == "svg" and a.get("data-figure"):
            self._figure = a["data-figure"]
            self.bars[self._figure] = []
        elif tag == "g" and self._figure and a.get("data-category") is not None:
            self._category = a["data-category"] or ""
        elif tag == "rect" and self._figure and a.get("data-series"):
            self.bars[self._figure].append((self._category, a["data-series"] or "", int(a.get("data-value") or -1)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif tag in ("td", "th") and self._table and self._cell is not None:
            self.tables[self._table][-1].append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None
        elif tag == "svg":
            self._figure = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def parse(html: str) -> _Tables:
    p = _Tables()
    p.feed(html)
    return p


@pytest.fixture(scope="module")
def page(tree: Path) -> _Tables:
    return parse(rendered(tree, AS_OF)["stats.md"])


def table(page: _Tables, tid: str) -> list[list[str]]:
    assert tid in page.tables, f"no table {tid}"
    return page.tables[tid]


# ------------------------------------------------------------ the figures, worked out by hand


def test_risk_points_by_unit(page: _Tables) -> None:
    # counted 2010 forms: ju: p-ju-a 高; yy: p-yy-b 中中, p-yy-c 低, p-yy-d 高, d-yy-yjk 高低, u-yy 高中低; wsy: u-wsy 中
    assert table(page, "table-risk-unit") == [
        ["单位", "高", "中", "低", "合计"],
        ["卫生局", "1", "0", "0", "1"],
        ["人民医院", "3", "3", "3", "9"],
        ["安丰卫生院", "0", "1", "0", "1"],
        ["合计", "4", "4", "3", "11"],
    ]


def test_risk_points_by_key_area(page: _Tables) -> None:
    rows = table(page, "table-risk-area")
    assert rows[0] == ["重点领域", "高", "中", "低", "合计"]
    nonzero = [r for r in rows[1:-1] if r[-1] != "0"]
    assert nonzero == [
        ["药械材采购", "3", "0", "0", "3"],  # p-yy-d, d-yy-yjk, u-yy
        ["药械材使用", "0", "2", "0", "2"],  # p-yy-b twice
        ["财务管理", "1", "0", "0", "1"],  # p-ju-a
        ["物资管理", "0", "0", "1", "1"],  # d-yy-yjk
        ["三重一大", "0", "1", "0", "1"],  # u-wsy
        ["其他", "0", "1", "2", "3"],  # u-yy 中 低, p-yy-c 低
    ]
    assert len(rows) == 1 + 10 + 1  # every key area is listed, zero or not
    assert rows[-1] == ["合计", "4", "4", "3", "11"]


def test_risk_points_by_level_and_form_type(page: _Tables, tree: Path) -> None:
    assert table(page, "table-risk-level") == [
        ["风险等级", "个人承诺表", "科室承诺表", "单位承诺表", "合计"],
        ["高", "2", "1", "1", "4"],  # p-ju-a, p-yy-d | d-yy-yjk | u-yy
        ["中", "2", "0", "2", "4"],  # p-yy-b ×2 | — | u-yy, u-wsy
        ["低", "1", "1", "1", "3"],  # p-yy-c | d-yy-yjk | u-yy
        ["合计", "5", "2", "4", "11"],
    ]
    html = rendered(tree, AS_OF)["stats.md"]
    # which forms count is said on the page, with the numbers of forms counted
    assert "个人承诺表 4 份、科室承诺表 1 份、单位承诺表 2 份，共 <strong id=\"risk-total\">11</strong> 个风险点" in html
    assert "公示中、待确认、已确认" in html
    # the years side by side: 2009 has p-yy-a-2009 低 and u-ju-2009 低
    assert table(page, "table-risk-year") == [
        ["年度", "高", "中", "低", "合计"], ["2009年度", "0", "0", "2", "2"], ["2010年度", "4", "4", "3", "11"]]


def test_filing_against_people_expected(page: _Tables, tree: Path) -> None:
    assert table(page, "table-filing") == [
        ["单位", "已确认", "已公示待确认", "未填报", "应填人数"],
        ["卫生局", "1", "0", "1", "2"],  # ju-a confirmed; ju-b withdrew
        ["人民医院", "1", "2", "1", "4"],  # yy-b confirmed; yy-c open, yy-d pending; yy-a not in publicity yet
        ["安丰卫生院", "0", "0", "1", "1"],  # wsy-a scheduled for 06-20
        ["合计", "2", "2", "3", "7"],
    ]
    assert table(page, "table-filing-forms") == [
        ["单位", "科室数", "已公布科室承诺表的科室", "单位承诺表"],
        ["卫生局", "1", "0", "未公布"],  # its 2010 unit form was withdrawn
        ["人民医院", "2", "1", "测试市人民医院 2010年度单位（部门）廉政风险和防控承诺表 待确认"],
        ["安丰卫生院", "0", "0", "测试市安丰卫生院 2010年度单位（部门）廉政风险和防控承诺表 已确认"],
    ]
    html = rendered(tree, AS_OF)["stats.md"]
    missing = re.findall(r'<li data-unit="([a-z-]+)">(.*?)</li>', html)
    names = {u: re.findall(r">([^<>]+)</a>", body)[1:] for u, body in missing}  # first link: the unit
    assert names == {"ju": ["乙科长"], "yy": ["丙院长"], "wsy": ["庚医师"]}
    assert 'href="people/yy-a.html"' in html


def test_commitments_due_and_overdue(page: _Tables, tree: Path) -> None:
    assert table(page, "table-commitments") == [
        ["单位", "已完成", "未到期", "逾期未完成", "合计"],
        ["卫生局", "0", "0", "1", "1"],  # c7 of 2009 (c8 is in a withdrawn form)
        ["人民医院", "1", "2", "2", "5"],  # c3 done | c2 (due today), c4 | c1, c5 (done only after the as-of date)
        ["安丰卫生院", "0", "0", "1", "1"],  # c6
        ["合计", "1", "2", "4", "7"],
    ]
    overdue = table(page, "table-overdue")
    assert [r[3:] for r in overdue[1:]] == [
        ["修订公文处理办法", "2009年12月31日", "161 天"],
        ["制定三重一大议事规则", "2010年1月15日", "146 天"],
        ["建立公开登记簿", "2010年3月1日", "101 天"],
        ["建立药品采购操作规程", "2010年6月9日", "1 天"],
    ]
    # each linked to its record, at the risk's row
    links = [ln[1] for ln in page.links["table-overdue"][1:]]
    assert links == ["forms/u-ju-2009.html#u-ju-2009-risk-1", "forms/u-wsy-2010.html#u-wsy-2010-risk-1",
                     "forms/u-yy-2010.html#u-yy-2010-risk-3", "forms/u-yy-2010.html#u-yy-2010-risk-1"]
    pages = rendered(tree, AS_OF)
    for target in links:
        path, anchor = target.split("#")
        assert f'id="{anchor}"' in pages[path[:-5] + ".md"]
    upcoming = table(page, "table-upcoming")
    assert [r[3:] for r in upcoming[1:]] == [["建立耗材采购操作规程", "2010年6月10日"], ["每月更新院务公开栏", "2010年7月31日"]]


@pytest.mark.parametrize("as_of,overdue", [(dt.date(2010, 6, 9), False), (dt.date(2010, 6, 10), True)])
def test_a_commitment_is_overdue_only_after_its_due_date(tree: Path, as_of: dt.date, overdue: bool) -> None:
    """c1 is due 2010-06-09: on that day it is still 未到期, the day after it is 逾期."""
    p = parse(rendered(tree, as_of)["stats.md"])
    late = [r[3] for r in table(p, "table-overdue")[1:]]
    due = [r[3] for r in table(p, "table-upcoming")[1:]]
    assert ("建立药品采购操作规程" in late) is overdue
    assert ("建立药品采购操作规程" in due) is not overdue
    yy = table(p, "table-commitments")[2]
    assert yy == (["人民医院", "1", "2", "2", "5"] if overdue else ["人民医院", "1", "3", "1", "5"])


def test_publicity_open_and_pending(page: _Tables) -> None:
    assert table(page, "table-publicity") == [
        ["单位", "公示中", "待确认", "合计"],
        ["卫生局", "0", "0", "0"],
        ["人民医院", "1", "2", "3"],  # p-yy-c open; p-yy-d and u-yy closed 05-28, not confirmed
        ["安丰卫生院", "0", "0", "0"],
        ["合计", "1", "2", "3"],
    ]
    rows = table(page, "table-publicity-list")[1:]
    assert [(r[0], r[3], r[5]) for r in rows] == [
        ("戊护士 2010年度个人廉政风险和自我防范承诺表", "公示中", "剩 2 个工作日"),  # 06-10 (Thu) and 06-11 (Fri)
        ("己主任 2010年度个人廉政风险和自我防范承诺表", "待确认", "公示期满 13 天，待确认"),  # same close: by record id
        ("测试市人民医院 2010年度单位（部门）廉政风险和防控承诺表", "待确认", "公示期满 13 天，待确认"),
    ]


def test_medical_ethics_grades_per_year(page: _Tables) -> None:
    assert table(page, "table-ethics") == [
        ["年度", "优秀", "良好", "一般", "较差", "合计"],
        ["2008年度", "0", "1", "0", "0", "1"],
        ["2009年度", "1", "1", "0", "1", "3"],
        ["合计", "1", "2", "0", "1", "4"],
    ]


def test_every_chart_draws_the_numbers_of_its_table(page: _Tables) -> None:
    assert set(page.bars) == {"risk-unit", "risk-area", "risk-level", "filing", "commitments", "publicity", "ethics"}
    for fig, bars in page.bars.items():
        rows = table(page, f"table-{fig}")
        series = rows[0][1:-1]
        want = [(r[0], s, int(v)) for r in rows[1:-1] for s, v in zip(series, r[1:-1])]
        assert bars == want, fig


def test_drafts_preview_counts_the_same(tree: Path) -> None:
    """Unpublished forms never count, not even in a drafts preview."""
    cfg = config(tree)
    result = run_check(cfg)
    pages, _ = render_site(derive(cfg, result.content, AS_OF, drafts=True))
    p = parse(next(pg.html for pg in pages if pg.path == "stats.md"))
    assert table(p, "table-risk-unit")[-1] == ["合计", "4", "4", "3", "11"]
    assert table(p, "table-filing")[-1] == ["合计", "2", "2", "3", "7"]


# ------------------------------------------------------------ the built page in Chromium


@pytest.mark.browser
def test_stats_page_in_chromium_charts_accessible_and_printable(tree: Path, browser_context: Any, tmp_path: Path) -> None:
    site = build(tree, tmp_path / "site")
    axe = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
    with serve(site) as base:
        page, watch = watched_page(browser_context)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(base + "stats.html")
        assert page.locator("nav a", has_text="统计").count() >= 1  # in the navigation
        charts = page.locator("svg.lz-chart__svg[role=img]")
        assert charts.count() == 7
        for i in range(charts.count()):
            c = charts.nth(i)
            labelled = c.get_attribute("aria-labelledby").split()
            assert page.locator(f"#{labelled[0]}").text_content()  # a <title>
            assert c.evaluate("e => e.getBoundingClientRect().width") > 200
        # the data table sits beside its chart on a wide screen
        pic = page.locator("#fig-risk-unit .lz-chart__pic").bounding_box()
        data = page.locator("#fig-risk-unit .lz-chart__data").bounding_box()
        assert pic and data and data["x"] >= pic["x"] + pic["width"] - 1 and abs(data["y"] - pic["y"]) < 40
        page.screenshot(path=str(tmp_path / "stats.png"), full_page=True)
        if axe.exists():
            page.add_script_tag(path=str(axe))
            result = page.evaluate("async () => await axe.run({include: [['.lz-content']]}, {resultTypes: ['violations']})")
            # link colour is the theme palette's, site-wide (not this page's): judged by the site's own a11y test
            bad = [(v["id"], targets) for v in result["violations"] if v["impact"] in ("serious", "critical")
                   for targets in [[n["target"] for n in v["nodes"] if not (v["id"] == "color-contrast" and n["html"].startswith("<a "))]]
                   if targets]
            assert not bad, bad
        assert watch.foreign == []
        # print: chart above its table, within the A4 width
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 703, "height": 1000})
        pic = page.locator("#fig-risk-unit .lz-chart__pic").bounding_box()
        data = page.locator("#fig-risk-unit .lz-chart__data").bounding_box()
        assert pic and data and data["y"] >= pic["y"] + pic["height"] - 1
        assert page.locator("#fig-risk-area svg").evaluate("e => e.getBoundingClientRect().right") <= 703
        (tmp_path / "stats.pdf").write_bytes(page.pdf(format="A4", print_background=True, prefer_css_page_size=True))
        page.close()
