"""Search in Chromium against the built sample site on localhost: real Chinese
queries (Pagefind 1.5 segments queries with Intl.Segmenter and the index with
jieba: upstream issue 1237), filters, the no-results message, private values
and drafts, the header box and links to search.html?q=… under a sub-path.

Expected records are worked out from the content itself, so the tests follow
the sample content as it grows.
"""
from __future__ import annotations

import datetime as dt
import re
import textwrap
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlencode, urlsplit

import pytest

from generator.check import run_check
from generator.derive import STATUS_CLASS, Site, derive
from generator.search import fragments
from support.browser import watched_page
from support.serve import serve
from support.sites import SAMPLE_CONFIG, build, config, copy_tree

pytestmark = pytest.mark.browser

SUBPATH = "/lianzheng/"
DONE = """() => { const s = document.querySelector('[data-lz-search-status]');
  return s && /^(找到|没有)/.test(s.textContent.trim()); }"""
HITS = """els => els.map(e => ({href: e.querySelector('a').getAttribute('href'), title: e.querySelector('a').textContent,
  meta: e.querySelector('.lz-hit__meta').textContent,
  parts: [...e.querySelectorAll('.lz-hit__meta > span:not(.lz-status)')].map(x => x.textContent), excerpt: e.querySelector('.lz-hit__excerpt').innerHTML,
  status: e.querySelector('.lz-status')?.className}))"""


@dataclass
class Result:
    status: str
    hits: list[dict[str, str]]

    @property
    def paths(self) -> list[str]:
        """Result links as site paths (forms/x.html), whatever the sub-path."""
        return [urlsplit(h["href"]).path.split(SUBPATH.rstrip("/"), 1)[-1].lstrip("/") for h in self.hits]


@pytest.fixture(scope="module")
def derived() -> Site:
    cfg = config(SAMPLE_CONFIG)
    return derive(cfg, run_check(cfg).content, cfg.as_of())


@pytest.fixture(scope="module")
def base(sample_site: Path) -> Iterator[str]:
    with serve(sample_site) as url:
        yield url


def search(context: Any, base: str, query: str, **filters: str) -> Result:
    page, watch = watched_page(context)
    page.goto(f"{base}search.html?{urlencode({'q': query, **filters})}")
    page.wait_for_function(DONE)
    res = Result(page.locator("[data-lz-search-status]").inner_text(), page.eval_on_selector_all(".lz-hit", HITS))
    assert watch.foreign == [] and watch.dialogs == []
    assert [m for m in watch.console if "error" in m.lower()] == []
    page.close()
    return res


def risk_text(fv: Any) -> str:
    return " ".join(str(r.get(k) or "") for r in fv.rec["risks"] for k in ("point", "manifestation"))


def unique_by(records: list[Any], key: str) -> list[Any]:
    """Records whose `key` value is unique and not part of another's."""
    values = [str(r[key]) for r in records]
    return [r for r in records if sum(str(r[key]) in v for v in values) == 1]


# ------------------------------------------------------------------ ranking


@pytest.mark.parametrize("query", ["回扣", "红包", "收受回扣", "招标"])
def test_risk_words_find_the_forms_that_name_them_first(query: str, derived: Site, browser_context: Any, base: str) -> None:
    words = ["收受", "回扣"] if query == "收受回扣" else [query]
    expected = {f"forms/{fv.id}.html" for fv in derived.forms.values()
                if fv.published and all(w in risk_text(fv) for w in words)}
    expected |= {f"rules/{r.id}.html" for r in derived.content.of_type["rule"] if all(w in r["title"] for w in words)}
    assert expected, f"the sample should have published records naming {query}"
    res = search(browser_context, base, query)
    assert res.status.startswith("找到"), res.status
    assert res.paths[0] in expected, (res.paths[:5], sorted(expected)[:10])
    # every shown result carries the words, highlighted in its excerpt or its title
    for h in res.hits:
        assert all(w in h["title"] or f"<mark>{w}</mark>" in h["excerpt"] or w in re.sub("</?mark>", "", h["excerpt"])
                   for w in words), h


def test_full_name_finds_the_person_first(derived: Site, browser_context: Any, base: str) -> None:
    people = unique_by(sorted(derived.content.people(), key=lambda p: p.id), "name")
    assert people
    for p in people[:2]:
        res = search(browser_context, base, p["name"])
        assert res.paths[0] == f"people/{p.id}.html", (p["name"], res.paths[:5])
        assert res.hits[0]["title"] == p["name"]


def test_unit_name_finds_the_unit_first(derived: Site, browser_context: Any, base: str) -> None:
    units = unique_by(derived.content.units(), "name")
    assert units
    u = units[-1]
    res = search(browser_context, base, u["name"])
    assert res.paths[0] == f"units/{u.id}.html", (u["name"], res.paths[:5])


def test_rule_title_finds_the_rule_first(derived: Site, browser_context: Any, base: str) -> None:
    rules = unique_by(sorted(derived.content.of_type["rule"], key=lambda r: r.id), "title")
    assert rules
    for r in (rules[0], rules[-1]):
        res = search(browser_context, base, r["title"])
        assert res.paths[0] == f"rules/{r.id}.html", (r["title"], res.paths[:5])


def test_results_show_title_unit_type_status_and_highlight(derived: Site, browser_context: Any, base: str) -> None:
    res = search(browser_context, base, "回扣")
    forms = [h for h, path in zip(res.hits, res.paths) if path.startswith("forms/")]
    assert forms
    fv = derived.forms[Path(res.paths[res.hits.index(forms[0])]).stem]
    h = forms[0]
    assert h["title"] == fv.title
    for shown in (derived.unit_name(fv.unit_id), fv.status, {"personal": "个人承诺表", "department": "科室承诺表", "unitform": "单位承诺表"}[fv.type]):
        assert shown in h["meta"], (shown, h["meta"])
    assert "<mark>回扣</mark>" in h["excerpt"]
    assert h["status"] == f"lz-status lz-status--{STATUS_CLASS[fv.status]}"  # in the site's colours


# ------------------------------------------------------------------ filters and messages


def found(page: Any) -> int:
    m = re.match(r"找到 (\d+) 条", page.locator("[data-lz-search-status]").inner_text())
    return int(m.group(1)) if m else 0


def test_unit_filter_narrows_results_to_that_unit(browser_context: Any, base: str) -> None:
    page, watch = watched_page(browser_context)
    page.goto(f"{base}search.html?{urlencode({'q': '回扣'})}")
    page.wait_for_function(DONE)
    total = found(page)
    units = Counter(h["parts"][1] for h in page.eval_on_selector_all(".lz-hit", HITS) if len(h["parts"]) > 1)
    assert len(units) >= 2, f"回扣 should be found in several units: {units}"
    unit = units.most_common(1)[0][0]
    page.select_option("select[name='单位']", unit)  # keyboard-operable native select
    page.wait_for_function("() => /筛选/.test(document.querySelector('[data-lz-search-status]').textContent)")
    after = page.eval_on_selector_all(".lz-hit", HITS)
    assert 0 < found(page) < total
    assert all(h["parts"][1] == unit for h in after), [h["parts"] for h in after]
    assert "%E5%8D%95%E4%BD%8D=" in page.url  # 单位=…: the filtered search can be linked to
    assert watch.foreign == []
    res = search(browser_context, base, "回扣", **{"单位": unit})  # the same filter from a link
    assert res.hits and all(h["parts"][1] == unit for h in res.hits)
    assert len(res.hits) == min(found(page), 10)


def test_nonsense_shows_a_clear_message(browser_context: Any, base: str) -> None:
    for q in ("zxqvbnm", "龘靐齉"):
        res = search(browser_context, base, q)
        assert res.hits == []
        assert res.status.startswith(f"没有找到与“{q}”相关的已公布记录"), res.status


def test_private_values_find_nothing(derived: Site, browser_context: Any, base: str) -> None:
    phones = [p["phone"] for p in derived.content.people() if p.get("phone")]
    ids = [p["id_number"] for p in derived.content.people() if p.get("id_number")]
    assert phones, "the sample should carry phone numbers to prove this"
    for value in [phones[0], *ids[:1]]:
        res = search(browser_context, base, str(value))
        assert res.hits == [], (value, res.paths[:5])
        assert res.status.startswith("没有找到")


# ------------------------------------------------------------------ drafts

PROBE = "蓝鲸专项经费"


def draft_form(person: Any, opens: dt.date) -> str:
    return textwrap.dedent(f"""\
        person: {person.id}
        year: {opens.year}
        duties: 负责专项经费管理。
        powers: 专项经费审核权。
        risks:
          - point: 私设小金库套取{PROBE}
            manifestation: 虚列支出
            category: 岗位职责
            key_area: 财务管理
            level: 高
            measures:
              - 经费支出集体审核
        pledge: 本人承诺不私设小金库。
        signed_on: {opens.isoformat()}
        publicity:
          opens: {opens.isoformat()}
        """)


def test_draft_text_is_never_indexed(derived: Site, tmp_path: Path, browser_context: Any) -> None:
    conf = copy_tree(SAMPLE_CONFIG, tmp_path / "proj")
    have = {(fv.person.id, fv.year) for fv in derived.forms.values() if fv.person}
    opens = derived.as_of + dt.timedelta(days=30)
    person = next(p for p in sorted(derived.content.people(), key=lambda p: p.id) if (p.id, opens.year) not in have)
    probe = tmp_path / "proj" / "content" / "forms" / "personal" / "zz-draft-probe.yml"
    probe.write_text(draft_form(person, opens), encoding="utf-8")
    site = build(conf, tmp_path / "site", drafts=True)
    page = (site / "forms" / "zz-draft-probe.html").read_text(encoding="utf-8")
    assert PROBE in page and "草稿预览" in page  # the draft is built, and shows the text …
    assert all(PROBE not in str(f["content"]) and "zz-draft-probe" not in str(f["url"]) for f in fragments(site))
    with serve(site) as url:  # … but search never finds it
        for q in (PROBE, f'"{PROBE}"', "私设小金库"):
            res = search(browser_context, url, q)
            assert "forms/zz-draft-probe.html" not in res.paths, (q, res.paths)
        assert search(browser_context, url, f'"{PROBE}"').hits == []


# ------------------------------------------------------------------ entry points, sub-path


def test_header_box_on_a_record_page_under_a_subpath(derived: Site, sample_site: Path, browser_context: Any) -> None:
    fv = next(fv for fv in sorted(derived.forms.values(), key=lambda f: f.id) if fv.published)
    with serve(sample_site, SUBPATH) as url:
        page, watch = watched_page(browser_context)
        page.goto(f"{url}forms/{fv.id}.html")
        page.keyboard.press("/")  # keyboard shortcut to the header box
        assert page.evaluate("document.activeElement.id") == "lz-hsearch-q"
        page.keyboard.type("回扣")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(re.escape(SUBPATH) + r"search\.html\?q="))
        page.wait_for_function(DONE)
        links = page.eval_on_selector_all(".lz-hit a", "els => els.map(a => a.getAttribute('href'))")
        assert links and all(urlsplit(h).path.startswith(SUBPATH) for h in links), links[:3]
        assert page.locator("#lz-search-q").input_value() == "回扣"
        # the first result opens, under the sub-path
        page.locator(".lz-hit a").first.click()
        page.wait_for_load_state()
        assert urlsplit(page.url).path.startswith(SUBPATH) and page.locator("[data-pagefind-body]").count() == 1
        assert watch.foreign == []


def header_done(page: Any, query: str) -> None:
    """Wait until the header box's panel shows the results of `query`."""
    page.wait_for_selector(f".lz-hsearch__panel[data-lz-query='{query}']:not([hidden])")


def header_hits(page: Any) -> list[str]:
    return [urlsplit(h).path.lstrip("/") for h in page.eval_on_selector_all(".lz-hsearch__hit a", "els => els.map(a => a.getAttribute('href'))")]


def test_header_box_shows_the_first_results_as_you_type(derived: Site, base: str, browser_context: Any) -> None:
    fv = next(fv for fv in sorted(derived.forms.values(), key=lambda f: f.id) if fv.published)
    full = search(browser_context, base, "回扣")
    page, watch = watched_page(browser_context)
    page.goto(f"{base}forms/{fv.id}.html")
    panel = page.locator(".lz-hsearch__panel")
    assert panel.is_hidden()  # nothing shown until the reader types
    page.fill("#lz-hsearch-q", "回扣")
    header_done(page, "回扣")
    # the same query and order as the results page, its first five
    assert header_hits(page) == full.paths[:5]
    status = page.locator(".lz-hsearch__status").inner_text()
    assert re.fullmatch(r"找到 \d+ 条结果，以下是前 5 条。", status), status
    assert page.locator(".lz-hsearch__hit mark").count() >= 5  # highlighted excerpts
    # each result's 状态 in the site's colours, on both
    pills = "els => els.map(e => [e.textContent, e.className])"
    shown = page.eval_on_selector_all(".lz-hsearch__hit .lz-status", pills)
    assert shown and all(cls == f"lz-status lz-status--{STATUS_CLASS[text]}" for text, cls in shown), shown
    assert page.get_attribute("#lz-hsearch-q", "aria-controls") == "lz-hsearch-panel"
    # keyboard: down into the results and on to the link to the results page, up and back to the box
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement === document.querySelector('.lz-hsearch__hit a')")
    for _ in range(5):
        page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.classList.contains('lz-hsearch__all')")
    for _ in range(6):
        page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "lz-hsearch-q"
    page.keyboard.press("Escape")
    assert panel.is_hidden()
    # typing again opens it; an empty box closes it
    page.fill("#lz-hsearch-q", "红包")
    header_done(page, "红包")
    assert header_hits(page) == search(browser_context, base, "红包").paths[:5]
    page.fill("#lz-hsearch-q", "")
    assert panel.is_hidden()
    # the last link opens the full results, with filters
    page.fill("#lz-hsearch-q", "回扣")
    header_done(page, "回扣")
    page.locator(".lz-hsearch__all").click()
    page.wait_for_url(re.compile(r"search\.html\?q=%E5%9B%9E%E6%89%A3$"))
    page.wait_for_function(DONE)
    assert page.locator("#lz-search-q").input_value() == "回扣"
    assert watch.foreign == [] and [m for m in watch.console if "error" in m.lower()] == []


def test_no_search_while_an_input_method_composes(base: str, browser_context: Any) -> None:
    """Chinese is typed through an input method: its pinyin is not searched,
    the chosen characters are (Chromium's own IME events, over CDP)."""
    page, watch = watched_page(browser_context)
    page.goto(f"{base}index.html")
    page.focus("#lz-hsearch-q")
    cdp = page.context.new_cdp_session(page)
    for text in ("h", "hui", "huikou"):
        cdp.send("Input.imeSetComposition", {"text": text, "selectionStart": len(text), "selectionEnd": len(text)})
    page.wait_for_timeout(400)
    assert page.locator(".lz-hsearch__panel").is_hidden()
    assert page.locator("#lz-hsearch-q").input_value() == "huikou"  # composing
    cdp.send("Input.insertText", {"text": "回扣"})  # the characters chosen
    header_done(page, "回扣")
    assert page.locator(".lz-hsearch__hit").count() == 5
    # the results page, the same
    page.goto(f"{base}search.html")
    page.wait_for_function("() => window.lzSearch && window.lzSearch.pf")
    page.focus("#lz-search-q")
    cdp = page.context.new_cdp_session(page)
    for text in ("h", "hong", "hongbao"):
        cdp.send("Input.imeSetComposition", {"text": text, "selectionStart": len(text), "selectionEnd": len(text)})
    page.wait_for_timeout(600)  # longer than the page's pause after typing
    assert "q=" not in page.url and page.locator(".lz-hit").count() == 0
    cdp.send("Input.insertText", {"text": "红包"})
    page.wait_for_url(re.compile(r"search\.html\?q=%E7%BA%A2%E5%8C%85$"))
    page.wait_for_function(DONE)
    assert page.locator(".lz-hit").count() > 0
    assert watch.foreign == []


def test_index_loads_only_once_the_header_box_is_pointed_at(base: str, browser_context: Any) -> None:
    page, watch = watched_page(browser_context)
    asked: list[str] = []
    page.on("request", lambda r: asked.append(urlsplit(r.url).path))
    page.goto(f"{base}index.html")
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    assert not [a for a in asked if "/pagefind/" in a]  # a reader who does not search downloads no index
    with page.expect_request(re.compile(r"/pagefind/lz-search\.json"), timeout=5000):
        page.hover("#lz-hsearch-q")  # before any click: the index loads while the pointer moves on
    assert watch.foreign == []


def test_header_box_says_when_nothing_is_found(base: str, browser_context: Any) -> None:
    page, watch = watched_page(browser_context)
    page.goto(f"{base}index.html")
    page.fill("#lz-hsearch-q", "鸵鸟火山蛋糕")
    header_done(page, "鸵鸟火山蛋糕")
    assert page.locator(".lz-hsearch__status").inner_text() == "没有找到与“鸵鸟火山蛋糕”相关的已公布记录。"
    assert page.locator(".lz-hsearch__hit").count() == 0
    assert page.locator(".lz-hsearch__all").inner_text().startswith("打开检索页")
    # a click elsewhere closes the panel
    page.mouse.click(5, 400)
    assert page.locator(".lz-hsearch__panel").is_hidden()
    assert watch.foreign == []


def test_link_to_search_page_under_a_subpath(derived: Site, sample_site: Path, browser_context: Any) -> None:
    unit = derived.content.units()[0]
    with serve(sample_site, SUBPATH) as url:
        res = search(browser_context, url, unit["name"])
        assert res.paths and res.paths[0] == f"units/{unit.id}.html"
        assert all(urlsplit(h["href"]).path.startswith(SUBPATH) for h in res.hits)


def test_search_page_typing_updates_results_and_address(browser_context: Any, base: str) -> None:
    page, _ = watched_page(browser_context)
    page.goto(base + "search.html")
    page.wait_for_function("() => /请输入/.test(document.querySelector('[data-lz-search-status]').textContent)")
    page.locator("#lz-search-q").fill("红包")
    page.wait_for_function(DONE)
    assert page.locator(".lz-hit").count() > 0
    assert "q=%E7%BA%A2%E5%8C%85" in page.url
    assert page.locator("[data-lz-search-status]").get_attribute("role") == "status"  # announced to screen readers


def test_more_results_with_the_keyboard(browser_context: Any, base: str) -> None:
    page, _ = watched_page(browser_context)
    page.goto(f"{base}search.html?{urlencode({'q': '回扣'})}")
    page.wait_for_function(DONE)
    assert found(page) > 10 and page.locator(".lz-hit").count() == 10
    more = page.locator("[data-lz-search-more]")
    more.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('.lz-hit').length > 10")
    # focus moves to the first of the new results, so reading goes on from there
    assert page.evaluate("document.activeElement === document.querySelectorAll('.lz-hit a')[10]")
