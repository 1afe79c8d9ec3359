"""The publicity board and the publicity block of record, unit and home pages,
built for as-of dates before, during and after the windows; in Chromium, the
comment link disappears at the closing moment without a rebuild."""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import segno

from support.browser import watched_page
from support.serve import serve
from support.sites import build

from .conftest import MINI

PERSONAL = """\
person: {person}
year: 2009
duties: 岗位职责。
powers: 岗位职权。
risks:
  - point: 风险点
    manifestation: 表现形式
    category: 岗位职责
    key_area: 财务管理
    level: 中
    measures: [防范措施]
pledge: 承诺。
signed_on: 2009-05-04
"""
# At 2009-05-26: zhang-san-2009, rmyy-2009, rmyy-yjk-2009 and li-si-2009 (mini fixture) are open;
# wang-wu-2009 is scheduled, zhao-liu-2009 awaits confirmation, rmyy-nk-2009 was confirmed.
EXTRA = {
    "forms/personal/wang-wu-2009.yml": PERSONAL.format(person="wang-wu") + "publicity:\n  opens: 2009-06-02\n",
    "forms/personal/zhao-liu-2009.yml": PERSONAL.format(person="zhao-liu") + """\
publicity:
  opens: 2009-05-11
  closes: 2009-05-15
  feedback:
    - received: 2009-05-12
      channel: 意见箱
      summary: 建议补充报销审核的风险点。
      disposition: 不采纳
      reason: 已列入单位承诺表。
      commenter: 职工丙某某
    - received: 2009-05-13
      channel: 电话
      summary: 尚未处理的意见。
""",
    "forms/department/rmyy-nk-2009.yml": """\
unit: rmyy
department: nk
year: 2009
risks:
  - point: 处方把关不严
    manifestation: 大处方
    category: 业务流程
    key_area: 药械材使用
    level: 中
    measures: [处方点评]
pledge: 内科承诺合理用药。
signed_on: 2009-05-04
publicity:
  opens: 2009-05-05
  closes: 2009-05-08
confirmation:
  by: 人民医院党政班子
  on: 2009-05-12
""",
}
DURING = dt.date(2009, 5, 26)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("board") / "src"
    shutil.copytree(MINI, root)
    for rel, text in EXTRA.items():
        (root / "content" / rel).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def during(tree: Path) -> Path:
    return build(tree / "site_config.yml", tree.parent / "during", as_of=DURING)


@pytest.fixture(scope="module")
def later(tree: Path) -> Path:
    return build(tree / "site_config.yml", tree.parent / "later", as_of=dt.date(2009, 6, 10))


def html(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def section(page: str, anchor: str) -> str:
    """The HTML from the heading with this id to the next h2."""
    start = page.index(f'id="{anchor}"')
    end = page.find("<h2", start)
    return page[start: end if end != -1 else len(page)]


def test_board_lists_open_windows_by_unit_soonest_closing_first(during: Path) -> None:
    board = section(html(during, "board.html"), "open")
    assert "正在公示（4 份）" in board
    assert board.count('class="lz-board__unit"') == 1 and 'id="open-rmyy"' in board
    ids = re.findall(r'<li class="lz-board__item" id="open-([a-z0-9-]+)"', board)
    assert ids == ["zhang-san-2009", "rmyy-2009", "rmyy-yjk-2009", "li-si-2009"]
    assert "2009年5月27日 17:30 截止" in board and "2009年6月1日 24 时截止（当日结束）" in board
    assert board.count("data-lz-comment-link") == 4


def test_scheduled_windows_are_announced_by_title_and_date_only(during: Path) -> None:
    part = section(html(during, "board.html"), "scheduled")
    item = re.search(r"<li>(.*?)</li>", part, re.S)
    assert item is not None
    assert item.group(1) == '王五 2009年度个人廉政风险和自我防范承诺表 <span class="lz-muted">2009年6月2日开始公示</span>'
    assert not (during / "forms" / "wang-wu-2009.html").exists()
    assert "wang-wu-2009" not in "".join(f.read_text(encoding="utf-8") for f in during.rglob("*.html"))


def test_pending_and_recent_confirmations(during: Path) -> None:
    page = html(during, "board.html")
    pending = section(page, "pending")
    assert "公示期满、待辨识确认（1 份）" in pending
    row = re.search(r"<tr><td><a [^>]*>赵六 [^<]*</a></td>(.*?)</tr>", pending)
    assert row is not None
    assert re.findall(r"<td>([^<]*)</td>", row.group(1))[-3:] == ["2009年5月15日 24 时截止（当日结束）", "2", "1"]
    confirmed = section(page, "confirmed")
    assert "人民医院药剂科" not in confirmed and "人民医院内科 2009年度科（处）室廉政风险和防控承诺表" in confirmed
    assert "人民医院党政班子 2009年5月12日确认" in confirmed


def test_board_lists_the_comment_channels_from_the_config(during: Path) -> None:
    channels = section(html(during, "board.html"), "channels")
    assert "<th scope=\"row\">受理部门</th><td>测试市卫生局监察室</td>" in channels
    assert "<th scope=\"row\">监督电话</th><td>0515-80000000</td>" in channels


def test_board_is_in_the_nav_and_the_home_page_links_to_it(during: Path) -> None:
    home = html(during, "index.html")
    assert '<a href="board.html">公示栏</a>' in section(home, "open")
    assert re.search(r'href="board.html"[^>]*>\s*公示栏', home)  # the navigation


def test_open_record_page_has_the_comment_link_closing_moment_and_qr(during: Path) -> None:
    page = html(during, "forms/zhang-san-2009.html")
    box = re.search(r'<div class="lz-comment" data-lz-closes="([^"]+)">', page)
    assert box is not None and box.group(1) == "2009-05-27T17:30:00+08:00"
    href = re.search(r'<a class="[^"]*lz-comment__link" href="([^"]+)"', page)
    assert href is not None
    url = href.group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(url).query) == {"record": ["zhang-san-2009"], "title": ["张三 2009年度个人廉政风险和自我防范承诺表"],
                                             "unit": ["测试市人民医院"]}
    assert "截至 2009年5月26日，还剩 <strong>2</strong> 个工作日（含当日）" in page
    assert "收到意见" not in page  # comments are not shown while the window runs
    # the QR code is a file of the site (not inline SVG): the code of exactly this link
    img = re.search(r'<figure class="lz-qr"><img src="(\.\./qr/[0-9a-f]{64}\.svg)" alt="意见表二维码" width="120" height="120">', page)
    assert img is not None and 'stroke="#000"' not in page
    expected = io.BytesIO()
    segno.make(url, error="m", micro=False).save(expected, kind="svg", scale=1, border=2, omitsize=True, xmldecl=False,
                                                 svgclass=None, lineclass=None, dark="#000", light="#fff")
    assert (during / "forms" / img.group(1)).read_bytes() == expected.getvalue() + b"\n"
    # the unit's print page shows the same form with the same code, linked from its own folder
    assert f'<img src="{img.group(1)}" alt="意见表二维码"' in html(during, "print/rmyy.html")


def test_lists_show_the_comment_link_without_a_qr_code(during: Path) -> None:
    board = html(during, "board.html")
    assert board.count("lz-comment--compact") == board.count("data-lz-comment-link") == 4
    for page in (board, html(during, "units/rmyy.html")):
        assert "lz-qr" not in page and "二维码" not in page and "qr/" not in page


def test_qr_files_are_the_codes_of_open_forms_only(during: Path, later: Path) -> None:
    assert len(list((during / "qr").glob("*.svg"))) == 4  # one per open form
    assert not (later / "qr").exists()  # no window open: no code


def test_the_unit_page_lists_open_forms_closing_soonest_first(during: Path, later: Path) -> None:
    page = section(html(during, "units/rmyy.html"), "open")
    assert "正在公示（4 份）" in page
    assert re.findall(r'<li data-lz-closes="[^"]+"><a href="../forms/([a-z0-9-]+).html">', page) == [
        "zhang-san-2009", "rmyy-2009", "rmyy-yjk-2009", "li-si-2009"]
    assert "2009年5月27日 17:30 截止，还剩 2 个工作日" in page
    assert '<a href="../board.html#open-rmyy">公示栏</a>' in page and "另有" not in page
    assert "data-lz-comment-link" not in page  # the comment link is on the form's page and the board
    assert 'id="open"' not in html(later, "units/rmyy.html")
    assert "data-lz-comment-link" not in html(later, "board.html")


def test_closed_record_shows_feedback_counts_and_handled_comments_only(during: Path) -> None:
    page = html(during, "forms/zhao-liu-2009.html")
    assert "data-lz-comment-link" not in page
    assert "<th scope=\"row\">收到意见</th><td>2 条：不采纳 1 条；正在处理 1 条</td>" in page
    table = section(page, "zhao-liu-2009-feedback")
    assert "建议补充报销审核的风险点。" in table and "已列入单位承诺表。" in table and "不采纳" in table
    assert "尚未处理的意见" not in page
    assert "职工丙某某" not in page


def test_confirmed_record_shows_its_history(later: Path) -> None:
    page = html(later, "forms/zhang-san-2009.html")
    events = re.findall(r'<li class="lz-history__item lz-history__item--(\w+)"><span class="lz-phase__when">([^<]+)</span>'
                        r"<strong>([^<]+)</strong>", page)
    assert events == [
        ("signed", "2009年5月20日", "签署承诺"), ("opened", "2009年5月21日", "开始公示"),
        ("comment", "2009年5月22日", "收到意见"), ("closed", "2009年5月27日", "公示期满"),
        ("confirmed", "2009年5月27日", "辨识确认"),
    ]
    assert "人民医院党政班子于2009年5月27日确认" in page
    assert "建议公开采购计划。" in page and "匿名职工" not in page


@pytest.mark.parametrize(("as_of", "status", "visible"), [
    (dt.date(2009, 5, 24), "即将公示", False),  # before: not published at all
    (dt.date(2009, 5, 25), "公示中", True),  # opening day
    (dt.date(2009, 6, 1), "公示中", True),  # closing day (after a holiday and a make-up Sunday)
    (dt.date(2009, 6, 2), "已确认", True),  # confirmed the day after
])
def test_a_record_before_during_and_after_its_window(tree: Path, tmp_path: Path, as_of: dt.date, status: str, visible: bool) -> None:
    out = build(tree / "site_config.yml", tmp_path / "out", as_of=as_of)
    page = out / "forms" / "li-si-2009.html"
    assert page.exists() == visible
    if visible:
        text = page.read_text(encoding="utf-8")
        assert f'lz-status--{ {"公示中": "open", "已确认": "confirmed"}[status] }">{status}</span>' in text
        assert ("data-lz-comment-link" in text) == (status == "公示中")


# ------------------------------------------------------------ in the browser

def comment_state(page: Any) -> tuple[bool, bool]:
    link = page.locator("#form-zhang-san-2009 [data-lz-comment-link]")
    closed = page.locator("#form-zhang-san-2009 [data-lz-comment-closed]")
    return link.is_visible(), closed.is_visible()


@pytest.mark.browser
def test_the_comment_link_hides_itself_after_the_closing_moment(during: Path, browser_context: Any) -> None:
    with serve(during) as base:
        page, watch = watched_page(browser_context)
        # one minute before 17:30 Beijing time, in a browser whose own zone is UTC
        page.clock.install(time=dt.datetime(2009, 5, 27, 9, 29, tzinfo=dt.timezone.utc))
        page.goto(base + "forms/zhang-san-2009.html")
        assert comment_state(page) == (True, False)
        href = page.locator("#form-zhang-san-2009 [data-lz-comment-link]").get_attribute("href")
        assert "record=zhang-san-2009" in href
        assert "title=%E5%BC%A0%E4%B8%89%202009" in href  # 张三 2009…, percent-encoded UTF-8
        # the page stays open across the closing moment: the link goes without a reload
        page.clock.run_for(61_000)
        assert comment_state(page) == (False, True)
        assert not page.locator("#form-zhang-san-2009 .lz-comment__when").is_visible()  # no stale "days left"
        assert not watch.console and not watch.foreign
        page.close()


@pytest.mark.browser
def test_a_page_opened_after_the_closing_moment_shows_no_link(during: Path, browser_context: Any) -> None:
    with serve(during) as base:
        page, _ = watched_page(browser_context)
        page.clock.install(time=dt.datetime(2009, 5, 27, 17, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))))
        page.goto(base + "board.html")
        link = page.locator("#open-zhang-san-2009 [data-lz-comment-link]")
        assert not link.is_visible()
        assert page.locator("#open-zhang-san-2009 [data-lz-comment-closed]").is_visible()
        # the others close at midnight: still open
        assert page.locator("#open-li-si-2009 [data-lz-comment-link]").is_visible()
        page.close()


@pytest.mark.browser
@pytest.mark.parametrize("path", ["board.html", "forms/zhang-san-2009.html", "forms/zhao-liu-2009.html"])
def test_publicity_markup_has_no_serious_accessibility_violations(during: Path, browser_context: Any, path: str) -> None:
    axe = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
    with serve(during) as base:
        page = browser_context.new_page()
        page.clock.install(time=dt.datetime(2009, 5, 26, 2, 0, tzinfo=dt.timezone.utc))
        page.goto(base + path)
        page.add_script_tag(path=str(axe))
        # our own blocks only; colour contrast of the shared palette is test_a11y.py's concern
        result = page.evaluate("""async () => await axe.run(
            {include: [['.lz-board'], ['.lz-publicity'], ['.lz-comment'], ['.lz-feedback'], ['.lz-history']]},
            {resultTypes: ['violations'], rules: {'color-contrast': {enabled: false}}})""")
        page.close()
    bad = [(v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:3])
           for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, bad


def test_qr_code_cache_is_used_and_holds_what_segno_wrote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A clean build of 10,000 people makes 1,700 codes at 5 ms each: the
    second build must read them from the cache, byte for byte the same."""
    import segno

    from generator.views.board import qr_file

    url = "https://yijian.example.gov.cn/form?record=zhang-san-2009&title=%E5%BC%A0%E4%B8%89"
    made = qr_file(url, tmp_path)
    assert [p.name for p in tmp_path.rglob("*.svg")] == [made.path.split("/")[-1]]

    def no_segno(*args: object, **kwargs: object) -> None:
        raise AssertionError("segno called although the code is cached")

    monkeypatch.setattr(segno, "make", no_segno)
    assert qr_file(url, tmp_path) == made
    cached = next(tmp_path.rglob("*.svg"))
    cached.write_text(made.svg[: len(made.svg) // 2], encoding="utf-8")  # cut short: not trusted
    with pytest.raises(AssertionError, match="segno called"):
        qr_file(url, tmp_path)
