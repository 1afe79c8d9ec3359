"""Archives (党员干部廉政档案 / 医务人员医德档案): membership from roles, one
archive per person per archive across years and moves, only confirmed pledges,
the to-do list, the assessment checks, and no private field on any archive page.

The `archive_tree` fixture is the mini fixture plus the cases the archives must
handle (a mover, a withdrawn pledge with an assessment, a pledge still in
publicity, a veto, an assessment before the campaign, a person in no archive),
built as of 2010-06-10. The `sample_*` tests run over the repository's content/.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
import textwrap
from pathlib import Path
from typing import Iterator

import pytest

from generator import archives as A
from generator.check import grade_for, iter_private_values, run_check
from generator.config import DEFAULT_THRESHOLDS
from generator.derive import Site as Derived
from generator.derive import derive
from generator.publicity import CONFIRMED
from generator.records import ARCHIVE_CADRE, ARCHIVE_ETHICS, VETO_ITEMS, archives_for
from generator.render import Page, render_site
from support.sites import SAMPLE_CONFIG, build, config

from .conftest import MINI, Site

AS_OF = dt.date(2010, 6, 10)

EXTRA = {
    # Moved from 中医院 to 人民医院 in 2009; nurse-in-charge and party cadre: both archives.
    "people/qian-qi.yml": """
        name: 钱七
        gender: 女
        birth_year: 1972
        political: 中共党员
        unit: rmyy
        department: nk
        post: 内科护士长
        title: 主管护师
        roles: [护士长, 党员干部]
        history:
          - unit: zyy
            post: 护士长
            start: 2001-03-01
            end: 2009-08-31
        phone: "13900000077"
        id_number: "320900197202020077"
        home_address: 测试市幸福路77号
    """,
    "forms/personal/qian-qi-2009.yml": """
        person: qian-qi
        year: 2009
        unit: zyy
        post: 护士长
        duties: 病区护理管理。
        powers: 护理耗材申领审核权。
        risks:
          - point: 耗材申领中虚报数量
            manifestation: 虚报冒领护理耗材
            category: 岗位职责
            key_area: 物资管理
            level: 中
            measures: [耗材申领双人核对]
        pledge: 本人承诺如实申领耗材。
        signed_on: 2009-05-20
        publicity:
          opens: 2009-05-21
          closes: 2009-05-27
        confirmation:
          by: 中医院党政班子
          on: 2009-06-01
    """,
    "forms/personal/qian-qi-2010.yml": """
        person: qian-qi
        year: 2010
        duties: 内科病区护理管理。
        powers: 排班与耗材申领审核权。
        risks:
          - point: 排班中照顾关系
            manifestation: 以排班谋取私利
            category: 思想道德
            key_area: 人事管理
            level: 低
            measures: [排班表公开]
        pledge: 本人承诺公平排班。
        signed_on: 2010-05-10
        publicity:
          opens: 2010-05-11
          closes: 2010-05-17
          feedback:
            - received: 2010-05-12
              channel: 意见箱
              summary: 建议排班表每周公开。
              disposition: 采纳
              commenter: 内科护士甲
        confirmation:
          by: 人民医院党政班子
          on: 2010-05-20
    """,
    "assessments/kp-qian-qi-2008.yml": """
        person: qian-qi
        year: 2008
        fulfilment: 遵守医德规范，无投诉。
        ethics:
          grade: 优秀
          score: 95
          deduction: 0
          self_grade: 优秀
          department_grade: 优秀
          summary: 带领护理组开展优质护理服务。
          confirmed_by_person: 同意
        report: 2008年度述职述廉：廉洁自律，无违纪。
        awards:
          - on: 2008-09-10
            kind: 表扬
            content: 拒收患者家属红包并登记上交
        assessed_on: 2008-12-28
    """,
    "assessments/kp-qian-qi-2009.yml": """
        person: qian-qi
        year: 2009
        fulfilment: 调动前后均履行承诺。
        fulfilment_grade: 好
        ethics:
          grade: 良好
          score: 86
          deduction: 3
          self_grade: 良好
          department_grade: 良好
          confirmed_by_person: 同意
        report: 2009年度述职述廉：按期完成承诺事项。
        assessed_on: 2009-12-26
    """,
    # A withdrawn 2009 pledge and a 2009 assessment: a to-do.
    "forms/personal/wang-wu-2009.yml": """
        person: wang-wu
        year: 2009
        duties: 主持局全面工作。
        powers: 重大事项决策权。
        risks:
          - point: 重大事项个人决定
            manifestation: 不经集体讨论决定重大事项
            category: 制度机制
            key_area: 三重一大
            level: 高
            measures: [三重一大集体决策]
        pledge: 本人承诺执行集体决策。
        signed_on: 2009-05-22
        publicity:
          opens: 2009-05-25
        withdrawal:
          on: 2009-06-05
          reason: 岗位职权填写不全，重新填报
    """,
    "assessments/kp-wang-wu-2009.yml": """
        person: wang-wu
        year: 2009
        fulfilment: 认真履行一岗双责。
        report: 2009年度述职述廉：落实党风廉政建设责任制。
    """,
    # A pledge still in publicity on the as-of date: not in the archive.
    "forms/personal/li-si-2010.yml": """
        person: li-si
        year: 2010
        duties: 内科门诊与病房诊疗。
        powers: 处方权。
        risks:
          - point: 开具大处方
            manifestation: 为提成多开药品
            category: 思想道德
            key_area: 药械材使用
            level: 中
            measures: [处方点评]
        pledge: 2010年度公示中的承诺。
        signed_on: 2010-06-04
        publicity:
          opens: 2010-06-07
          closes: 2010-06-18
    """,
    # A veto: 较差 whatever the score.
    "people/sun-ba.yml": """
        name: 孙八
        gender: 男
        unit: rmyy
        department: nk
        post: 内科医师
        roles: [处方医师]
        phone: "13900000088"
    """,
    "forms/personal/sun-ba-2009.yml": """
        person: sun-ba
        year: 2009
        duties: 内科诊疗。
        powers: 处方权。
        risks:
          - point: 收受药品回扣
            manifestation: 按处方量收取提成
            category: 思想道德
            key_area: 药械材使用
            level: 高
            measures: [处方点评]
        pledge: 本人承诺不收回扣。
        signed_on: 2009-05-22
        publicity:
          opens: 2009-05-25
        confirmation:
          by: 人民医院党政班子
          on: 2009-06-03
    """,
    "assessments/kp-sun-ba-2009.yml": """
        person: sun-ba
        year: 2009
        fulfilment: 违反承诺，收受药品回扣。
        fulfilment_grade: 差
        ethics:
          grade: 较差
          score: 88
          vetoes: [YPJC02]
          confirmed_by_person: 不同意
        awards:
          - on: 2009-10-15
            kind: 处分
            content: 收受药品回扣，给予警告处分
        assessed_on: 2009-12-20
    """,
    # Roles outside both archives, an assessment and no pledge: a to-do all the same.
    "people/zhou-jiu.yml": """
        name: 周九
        unit: rmyy
        department: yjk
        post: 采购员
        roles: [重点岗位人员]
        home_address: 测试市和平路9号
    """,
    "assessments/kp-zhou-jiu-2009.yml": """
        person: zhou-jiu
        year: 2009
        fulfilment: 履行承诺。
    """,
}


def write_tree(root: Path) -> Path:
    """The mini fixture plus EXTRA in `root`; returns its site_config.yml."""
    shutil.copytree(MINI, root)
    for rel, text in EXTRA.items():
        p = root / "content" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root / "site_config.yml"


class Tree:
    def __init__(self, cfg_path: Path) -> None:
        self.cfg_path = cfg_path
        cfg = config(cfg_path)
        result = run_check(cfg)
        assert not result.problems, "\n".join(p.format() for p in result.problems)
        self.content = result.content
        self.site: Derived = derive(cfg, result.content, AS_OF)
        self.archives = A.derive_archives(self.site)
        self.pages, problems = render_site(self.site)
        assert not problems, "\n".join(p.format() for p in problems)
        self.by_path: dict[str, Page] = {p.path: p for p in self.pages}

    def arc(self, kind: str, pid: str) -> A.Archive:
        found = self.archives.get(kind, pid)
        assert found is not None, f"no {kind} for {pid}"
        return found

    def html(self, path: str) -> str:
        return self.by_path[path].html


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    return Tree(write_tree(tmp_path_factory.mktemp("archives") / "site"))


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# ------------------------------------------------------------ membership

@pytest.mark.parametrize(("roles", "kinds"), [
    (["班子成员"], [ARCHIVE_CADRE]), (["中层干部"], [ARCHIVE_CADRE]), (["党员干部"], [ARCHIVE_CADRE]),
    (["护士长"], [ARCHIVE_ETHICS]), (["处方医师"], [ARCHIVE_ETHICS]), (["医务人员"], [ARCHIVE_ETHICS]),
    (["护士长", "党员干部"], [ARCHIVE_CADRE, ARCHIVE_ETHICS]), (["重点岗位人员"], []), (["其他工作人员"], []),
])
def test_roles_decide_the_archives(roles: list[str], kinds: list[str]) -> None:
    assert archives_for(roles) == kinds


def test_each_person_has_exactly_the_archives_of_their_roles(tree: Tree) -> None:
    got = {pid: sorted(a.kind for a in arcs) for pid, arcs in tree.archives.by_person.items()}
    assert got == {
        "zhang-san": [ARCHIVE_CADRE], "wang-wu": [ARCHIVE_CADRE], "zhao-liu": [ARCHIVE_CADRE],
        "li-si": [ARCHIVE_ETHICS], "sun-ba": [ARCHIVE_ETHICS], "qian-qi": sorted([ARCHIVE_CADRE, ARCHIVE_ETHICS]),
    }
    paths = {p.path for p in tree.pages if re.fullmatch(r"archives/(lianzheng|yide)/[a-z0-9-]+\.md", p.path)}
    assert paths == {A.archive_page(k, pid) for pid, ks in got.items() for k in ks}
    assert "zhou-jiu" not in tree.archives.by_person


def test_mover_keeps_one_archive_with_every_year(tree: Tree) -> None:
    for kind in (ARCHIVE_CADRE, ARCHIVE_ETHICS):
        arc = tree.arc(kind, "qian-qi")
        assert [ay.year for ay in arc.years] == [2010, 2009, 2008]
        assert arc.moved and arc.former_units == ["zyy"]
        by_year = {ay.year: ay for ay in arc.years}
        # where the person was at each year's end; the 2009 pledge was filed at 中医院
        assert [by_year[y].post.unit_id for y in (2010, 2009, 2008)] == ["rmyy", "rmyy", "zyy"]
        assert [fv.id for fv in by_year[2009].pledges] == ["qian-qi-2009"]
        assert by_year[2009].pledges[0].unit_id == "zyy"
        assert by_year[2008].pledges == [] and by_year[2008].before_campaign
    # listed under the current unit, and under the former one as moved away
    assert {a.person.id for a in tree.archives.by_unit["rmyy"]} >= {"qian-qi"}
    assert {a.person.id for a in tree.archives.former_by_unit["zyy"]} == {"qian-qi", "zhang-san"}  # zhang-san left in 2005
    html = tree.html(A.archive_page(ARCHIVE_ETHICS, "qian-qi"))
    text = text_of(html)
    assert "调动情况" in text and "曾在中医院工作" in text
    assert "中医院党政班子于2009年6月1日辨识确认" in text and "（填报于中医院）" in text
    assert html.count('class="lz-yearform__title">医务人员医德考评登记表<') == 3  # one yearly form per year
    # the former unit's index links to the listing of its former people, which links the same (one) archive
    unit_html = tree.html(A.unit_index_page("zyy"))
    assert "曾在本单位（已调出，2 人）" in text_of(unit_html)
    assert 'href="zyy/former/index.html"' in unit_html
    former = tree.html("archives/units/zyy/former/index.md")
    assert 'href="../../../yide/qian-qi.html"' in former and 'href="../../../lianzheng/qian-qi.html"' in former
    assert "共 2 项" in former and "钱七 人民医院" in text_of(former)  # qian-qi's current unit


def test_only_confirmed_pledges_enter_an_archive(tree: Tree) -> None:
    in_archives = {fv.id for a in tree.archives.archives for ay in a.years for fv in ay.pledges}
    confirmed = {fv.id for fv in tree.site.forms.values() if fv.type == "personal" and fv.status == CONFIRMED}
    assert in_archives == confirmed
    assert tree.site.forms["li-si-2010"].status == "公示中"
    li = tree.arc(ARCHIVE_ETHICS, "li-si")
    assert [ay.year for ay in li.years] == [2009]
    assert "li-si-2010" not in tree.html(li.path) and "2010年度公示中的承诺" not in tree.html(li.path)


def test_withdrawn_pledge_is_kept_with_its_note_and_is_a_to_do(tree: Tree) -> None:
    arc = tree.arc(ARCHIVE_CADRE, "wang-wu")
    (ay,) = arc.years
    assert ay.year == 2009 and ay.pledges == [] and [fv.id for fv in ay.withdrawn] == ["wang-wu-2009"]
    text = text_of(tree.html(arc.path))
    assert "已撤回" in text and "2009年6月5日撤回，理由：岗位职权填写不全，重新填报" in text
    assert "本年度没有经党政班子确认的个人承诺表" in text
    todo = [(t.person.id, t.year, t.reason, t.detail) for t in tree.archives.todo]
    assert ("wang-wu", 2009, A.NO_PLEDGE, "承诺表已于2009年6月5日撤回（岗位职权填写不全，重新填报）") in todo


def test_to_do_lists_assessments_without_a_confirmed_pledge_from_the_campaign_year_on(tree: Tree) -> None:
    assert tree.archives.first_year == 2009
    todo = {(t.person.id, t.year): t for t in tree.archives.todo}
    # qian-qi 2008: before the campaign; zhang-san, li-si, sun-ba, qian-qi 2009: confirmed pledges
    assert set(todo) == {("wang-wu", 2009), ("zhou-jiu", 2009)}
    # in no archive (roles), but the missing pledge is still to be followed up
    assert todo[("zhou-jiu", 2009)].archives == [] and todo[("zhou-jiu", 2009)].detail == "该年度没有已公布的个人承诺表"
    text = text_of(tree.html("archives/todo/index.md"))
    assert "共 2 项" in text and "周九" in text and "王五" in text and "钱七" not in text


def test_ethics_year_shows_grade_veto_text_and_awards(tree: Tree) -> None:
    arc = tree.arc(ARCHIVE_ETHICS, "sun-ba")
    (ay,) = arc.years
    assert ay.grade == "较差" and ay.vetoes == [("YPJC02", VETO_ITEMS["YPJC02"])]
    html = tree.html(arc.path)
    text = text_of(html)
    assert "一票否决情形（直接定为较差）" in text and VETO_ITEMS["YPJC02"] in text
    assert "2009年10月15日 处分 ：收受药品回扣，给予警告处分" in text
    # the confirmed grade is the one ticked box; the person did not agree
    assert re.findall(r'lz-check lz-check--on"><span class="lz-check__box" aria-hidden="true">√</span>([^<]+)<', html) == ["较差", "不同意"]


def test_cadre_year_shows_fulfilment_and_report(tree: Tree) -> None:
    text = text_of(tree.html(A.archive_page(ARCHIVE_CADRE, "qian-qi")))
    for s in ("党员干部廉政档案年度登记表", "践诺情况", "调动前后均履行承诺。", "践诺评价：好", "述职述廉",
              "2009年度述职述廉：按期完成承诺事项。", "2008年9月10日 表扬 ：拒收患者家属红包并登记上交", "纪检监察部门意见"):
        assert s in text
    assert "医德考评登记表" not in text and "确认等次" not in text


def test_indexes_count_by_unit_department_and_year(tree: Tree) -> None:
    idx = text_of(tree.html(A.INDEX_PAGE))
    # unit rows: 廉政 / 医德 / 已调出
    assert "测试市人民医院 3 3" in idx  # zhang-san, zhao-liu, qian-qi / li-si, sun-ba, qian-qi
    assert "测试市中医院 0 0 2" in idx
    assert "2010年度 1 1 2 0" in idx  # qian-qi's 2010 pledge in both archives, no assessment yet
    # 2009: 廉政 zhang-san, qian-qi, wang-wu; 医德 li-si, qian-qi, sun-ba; wang-wu's pledge was withdrawn;
    # grades 良好 li-si and qian-qi, 较差 sun-ba
    assert "2009年度 3 3 5 6 0 2 0 1" in idx
    assert "2008年度 1 1 0 2 1 0 0 0" in idx
    unit = text_of(tree.html(A.unit_index_page("rmyy")))
    assert "内科（3 人）" in unit and "药剂科（1 人）" in unit
    assert "2009年度医德档案（3 人）" in unit
    # the names on a paged listing, by department: each person once, with every archive they have
    people = tree.html("archives/units/rmyy/people/index.md")
    assert "共 5 项" in people  # zhang-san, zhao-liu, qian-qi, li-si, sun-ba
    assert people.count('href="../../../yide/qian-qi.html"') == people.count('href="../../../lianzheng/qian-qi.html"') == 1
    year = text_of(tree.html("archives/years/2009/index.md"))
    assert "共 6 项" in year and "较差（一票否决）" in year


def test_print_page_per_department_and_year(tree: Tree) -> None:
    page = tree.by_path[A.print_page(ARCHIVE_ETHICS, "rmyy", 2009, "nk")]
    assert page.html.count('class="lz-print-section lz-archive-year"') == 3  # li-si, qian-qi, sun-ba
    assert page.title == "人民医院内科 2009年度医务人员医德考评登记表"
    # the mover's 2008 form prints with the unit she was in then
    zyy = tree.by_path[A.print_page(ARCHIVE_ETHICS, "zyy", 2008, None)]
    assert zyy.html.count("lz-print-section") == 1 and "钱七" in zyy.html


def test_no_private_value_on_any_archive_page(tree: Tree) -> None:
    private = [v for v in iter_private_values(tree.content) if len(v) >= 4]
    assert "13900000077" in private and "测试市幸福路77号" in private and "内科护士甲" in private
    pages = [p for p in tree.pages if p.path.startswith("archives/")]
    assert len(pages) > 20
    for p in pages:
        for v in private:
            assert v not in p.html, f"{v} on {p.path}"


def test_future_assessment_is_not_in_the_archive_yet(tmp_path: Path) -> None:
    cfg_path = write_tree(tmp_path / "site")
    (tmp_path / "site/content/assessments/kp-li-si-2010.yml").write_text(
        "person: li-si\nyear: 2010\nfulfilment: 年终考评。\nassessed_on: 2010-12-20\n", encoding="utf-8")
    t = Tree(cfg_path)
    assert [ay.year for ay in t.arc(ARCHIVE_ETHICS, "li-si").years] == [2009]


# ------------------------------------------------------------ assessment checks (exact messages, file and line)

def _assessment(site: Site, name: str, text: str) -> None:
    site.write(f"assessments/{name}.yml", text)


def test_veto_with_a_good_grade_is_an_error(site: Site) -> None:
    _assessment(site, "kp-li-si-2010", """
        person: li-si
        year: 2010
        fulfilment: 履行。
        ethics:
          grade: 良好
          score: 88
          vetoes: [YPJC01]
    """)
    run = site.check()
    assert run.problems == ["content/assessments/kp-li-si-2010.yml:5:10: 错误 [ethics.grade 考评等次] 有一票否决情形（YPJC01），"
                            "等次却为“良好”；应为较差；一票否决情形直接定为较差"]
    assert run.code == 1


def test_deduction_without_a_score_caps_the_grade(site: Site) -> None:
    _assessment(site, "kp-li-si-2010", """
        person: li-si
        year: 2010
        fulfilment: 履行。
        ethics:
          grade: 优秀
          deduction: 16
    """)
    run = site.check()
    assert run.problems == ["content/assessments/kp-li-si-2010.yml:5:10: 错误 [ethics.grade 考评等次] 扣分 16 最高只能评为“一般”，"
                            "填写的是“优秀”；应为“一般”或更低的等次；等次标准见 site_config.yml 的 ethics_thresholds"]
    site.edit("assessments/kp-li-si-2010.yml", "grade: 优秀", "grade: 一般")
    assert site.check().code == 0


def test_thresholds_may_be_listed_in_any_order(site: Site) -> None:
    cfg = site.root / "site_config.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "ethics_thresholds:\n"
                   "  - grade: 一般\n    min_score: 60\n  - grade: 优秀\n    min_score: 84\n  - grade: 良好\n    min_score: 70\n",
                   encoding="utf-8")
    # 85 points is 优秀 under these thresholds, whatever their order
    run = site.check()
    assert run.problems == ["content/assessments/kp-li-si-2009.yml:6:10: 错误 [ethics.grade 考评等次] 得分 85、扣分 5 对应“优秀”，"
                            "填写的是“良好”；应为“优秀”；等次标准见 site_config.yml 的 ethics_thresholds"]


def test_grade_for_default_thresholds_follow_the_standard() -> None:
    # 上高县标准 (DOMAIN.md §3.1): 优秀 ≥90 and no deduction; 良好 ≥80, <15; 一般 ≥60, <25
    assert grade_for(90, 0, DEFAULT_THRESHOLDS) == "优秀"
    assert grade_for(90, 0.5, DEFAULT_THRESHOLDS) == "良好"
    assert grade_for(80, 14, DEFAULT_THRESHOLDS) == "良好"
    assert grade_for(99, 15, DEFAULT_THRESHOLDS) == "一般"
    assert grade_for(60, 24.5, DEFAULT_THRESHOLDS) == "一般"
    assert grade_for(59, 0, DEFAULT_THRESHOLDS) == "较差"
    assert grade_for(95, 30, DEFAULT_THRESHOLDS) == "较差"


def test_one_assessment_per_person_and_year(site: Site) -> None:
    _assessment(site, "kp-zhang-san-2009b", """
        person: zhang-san
        year: 2009
        fulfilment: 重复的一份。
    """)
    run = site.check()
    assert run.problems == ["content/assessments/kp-zhang-san-2009b.yml:2:7: 错误 [year 年度] 2009 年度已有一份年度考评："
                            "content/assessments/kp-zhang-san-2009.yml；应为每年一份；若要更正，请修改原记录，或撤回后再提交"]
    # another year is fine
    site.edit("assessments/kp-zhang-san-2009b.yml", "year: 2009", "year: 2010")
    assert site.check().code == 0


# ------------------------------------------------------------ built sites

@pytest.fixture(scope="module")
def built_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("archives-built")
    return build(write_tree(root / "src"), root / "site", as_of=AS_OF)


def archive_html_files(site_dir: Path) -> Iterator[Path]:
    yield from sorted((site_dir / "archives").rglob("*.html"))


@pytest.mark.slow
def test_built_archive_pages_have_no_private_value_and_are_in_the_nav(built_tree: Path) -> None:
    private = [v for v in iter_private_values(Tree(built_tree.parent / "src/site_config.yml").content) if len(v) >= 4]
    files = list(archive_html_files(built_tree))
    assert len(files) > 20
    for f in files:
        html = f.read_text(encoding="utf-8")
        for v in private:
            assert v not in html, f"{v} in {f}"
    home = (built_tree / "index.html").read_text(encoding="utf-8")
    assert 'href="archives/index.html"' in home


# ------------------------------------------------------------ the sample content (content/)

@pytest.fixture(scope="module")
def sample() -> Tree:
    cfg = config(SAMPLE_CONFIG)
    t = Tree.__new__(Tree)
    result = run_check(cfg)
    assert not result.problems.errors, "\n".join(p.format() for p in result.problems)
    t.content = result.content
    t.site = derive(cfg, result.content, cfg.as_of())
    t.archives = A.derive_archives(t.site)
    return t


def test_sample_everyone_is_in_the_archives_of_their_roles(sample: Tree) -> None:
    people = sample.content.people()
    assert people, "content/ has no people yet"
    for p in people:
        assert sorted(a.kind for a in sample.archives.by_person.get(p.id, [])) == sorted(archives_for(p["roles"])), p.id
    assert any(sample.archives.count(k, sample.archives.archives) for k in A.KINDS)


def test_sample_mover_has_one_archive_with_both_years(sample: Tree) -> None:
    movers = [p for p in sample.content.people()
              if p["unit"] == "rmyy" and any(h["unit"] == "zyy" for h in p.get("history", []))]
    assert movers, "the sample content should have a person who moved from 中医院 to 人民医院"
    for p in movers:
        for arc in sample.archives.by_person[p.id]:
            assert [a.kind for a in sample.archives.by_person[p.id]].count(arc.kind) == 1
            assert arc.moved and "zyy" in arc.former_units
            years = [ay.year for ay in arc.years]
            assert len(years) >= 2 and years == sorted(years, reverse=True), years


def test_sample_unconfirmed_pledges_are_absent(sample: Tree) -> None:
    archived = {fv.id for a in sample.archives.archives for ay in a.years for fv in ay.pledges}
    for fv in sample.site.forms.values():
        if fv.type == "personal":
            assert (fv.id in archived) == (fv.status == CONFIRMED and bool(archives_for(fv.person["roles"]))), fv.id


def test_sample_withdrawn_2009_pledge_with_an_assessment_is_a_to_do(sample: Tree) -> None:
    withdrawn = {fv.person.id for fv in sample.site.forms.values()
                 if fv.type == "personal" and fv.year == 2009 and fv.status == "已撤回"}
    assessed = {a["person"] for a in sample.content.of_type["assessment"] if a["year"] == 2009}
    confirmed = {fv.person.id for fv in sample.site.forms.values()
                 if fv.type == "personal" and fv.year == 2009 and fv.status == CONFIRMED}
    cases = (withdrawn & assessed) - confirmed
    assert cases, "the sample content should have a withdrawn 2009 pledge whose person has a 2009 assessment"
    todo = {(t.person.id, t.year) for t in sample.archives.todo}
    for pid in cases:
        assert (pid, 2009) in todo
    assert all(t.year >= 2009 for t in sample.archives.todo)
    assert any(a["year"] == 2008 for a in sample.content.of_type["assessment"]), "sample should have 2008 assessments"


@pytest.mark.slow
def test_sample_built_archive_pages_have_no_private_value(sample_site: Path, sample: Tree) -> None:
    private = [v for v in iter_private_values(sample.content) if len(v) >= 4]
    assert private
    files = list(archive_html_files(sample_site))
    assert files
    for f in files:
        html = f.read_text(encoding="utf-8")
        for v in private:
            assert v not in html, f"{v} in {f}"
