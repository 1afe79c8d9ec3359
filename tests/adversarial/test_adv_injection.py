"""Hostile text in every text field of every record type, in rule and campaign
Markdown, in site_config.yml and in an edition's note: built, published and
exported, it must come out inert everywhere (pages, print views, flow SVGs,
archive pages, the board, Pagefind's index, editions, spreadsheets) and
refused values must be refused with a clear message.

The corpus is generated from records.py (tests/adversarial/hostile.py), so a
field added there is covered without touching this file.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest

from adversarial.hostile import (JINJA_PRODUCT, MARK, PAYLOADS, TAIL, Corpus, fill, output_files, plant, read_any,
                                 scan_markup, text_fields)
from generator.load import record_type_for
from support.browser import watched_page
from support.serve import serve
from tests.conftest import PROBLEM_RE, run_cli

NOTE_MARK = f"{MARK}-9001"
NOTE = fill(TAIL, NOTE_MARK) + ' "></script><script>alert("' + NOTE_MARK + '")</script>'


@dataclass
class Hostile:
    corpus: Corpus
    site: Path  # build/site
    archive: Path
    xlsx: Path
    csvs: list[Path]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    root = tmp_path_factory.mktemp("hostile") / "site"
    corpus = plant(root)
    corpus.placed[NOTE_MARK] = ("publish --note", "")
    conf = str(corpus.config)
    for argv in (("build",), ("publish", "--note", NOTE), ("export", "--out", str(root / "out" / "表.xlsx")),
                 ("export", "--format", "csv", "--out", str(root / "out" / "表.csv"))):
        run = run_cli("--config", conf, *argv)
        assert run.code == 0, f"{argv}: {run.err}"
        assert "Traceback" not in run.err
    return Hostile(corpus, root / "build" / "site", root / "archive", root / "out" / "表.xlsx",
                   sorted((root / "out").glob("表-*.csv")))


def all_outputs(h: Hostile) -> list[Path]:
    return output_files(h.site) + output_files(h.archive) + [h.xlsx, *h.csvs]


# ------------------------------------------------------------------ the corpus itself


def test_corpus_covers_every_text_field_of_every_record_type(hostile: Hostile) -> None:
    c = hostile.corpus
    reached = {(record_type_for(f).name, re.sub(r"\.\d+", "", kp))  # type: ignore[union-attr]
               for f, kp in [*c.placed.values(), *[(f, kp) for f, kp, _ in c.refused], *c.coupled]
               if record_type_for(f) is not None}
    # a refused block (a confirmation the form cannot have) covers the fields inside it
    covered = {(t, p) for t, p in text_fields() if any(t == rt and (p == kp or p.startswith(kp + ".")) for rt, kp in reached)}
    assert text_fields() - covered == set()
    rendered = {re.sub(r"\.\d+", "", kp) for f, kp in c.placed.values()}
    assert len(rendered) > 60, "most fields must take the hostile text and be rendered, not be refused"
    used = {PAYLOADS[int(m.split("-")[1]) % len(PAYLOADS)][0] for m in c.placed}
    assert used == {name for name, _ in PAYLOADS}, "every payload is planted in some rendered field"


def test_refused_hostile_values_name_file_line_and_field(hostile: Hostile) -> None:
    assert hostile.corpus.refused, "ids (department ids, references) must refuse hostile text"
    for file, keypath, line in hostile.corpus.refused:
        m = PROBLEM_RE.match(line)
        assert m, line
        assert m["path"].endswith("content/" + file) and int(m["line"]) > 0 and m["field"], line
    refused = {(f, kp) for f, kp, _ in hostile.corpus.refused}
    assert ("units/rmyy.yml", "departments.1.id") in refused  # an id that becomes a page path


# ------------------------------------------------------------------ every output file


def test_no_output_file_holds_live_markup(hostile: Hostile) -> None:
    """Pages, print views, SVG flowcharts, archive and edition pages: no
    script, event handler, script URL or frame made from the corpus; no
    template evaluated anywhere (spreadsheets and the search index included)."""
    findings = []
    scanned = 0
    for p in all_outputs(hostile):
        text = read_any(p)
        if p.suffix in (".html", ".svg", ".xml"):
            scanned += 1
            found = scan_markup(text)
        else:
            found = ["template text was evaluated (1337*1337 printed)"] if JINJA_PRODUCT in text else []
        findings += [f"{p}: {f}  <- {hostile.corpus.origin(f)}" for f in found]
    assert scanned > 60
    assert findings == []


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("script", "style") and self.skip > 0

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def page_text(p: Path) -> str:
    t = _Text()
    t.feed(p.read_text(encoding="utf-8"))
    return "".join(t.parts)


def test_hostile_text_is_shown_as_text(hostile: Hostile) -> None:
    """Inert, not dropped: the tags of a name, a title, a pledge, a risk point
    and the site name read as literal text."""
    site = hostile.site
    texts = {p.relative_to(site).as_posix(): page_text(p) for p in site.rglob("*.html")}
    wanted = [("people/zhang-san.yml", "name"), ("units/rmyy.yml", "name"), ("rules/rmyy-ypcg.md", "title"),
              ("forms/personal/li-si-2009.yml", "pledge"), ("forms/personal/li-si-2009.yml", "risks.1.point"),
              ("flows/rmyy-ypcg-flow.yml", "steps.2.risks.1.point"), ("site_config.yml", "site_name")]
    markers = {where: m for m, where in hostile.corpus.placed.items()}
    for where in wanted:
        literal = fill('<script>console.log("{m}")</script>', markers[where])
        shown = [path for path, text in texts.items() if literal in text]
        assert shown, f"{where}: its text is shown on no page"
    home = texts["index.html"]
    assert JINJA_PRODUCT not in home and "{{ 1337*1337 }}" in texts["people/zhang-san.html"]


FORMULAS = [t for name, t in PAYLOADS if name.startswith("formula")]


def formula_value(planter: Any, kp: str, f: Any) -> str:
    """Every text field starts like a spreadsheet formula."""
    return fill(FORMULAS[planter.n % len(FORMULAS)], f"{MARK}-{planter.n}")


@pytest.fixture(scope="module")
def formulas(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    root = tmp_path_factory.mktemp("formulas") / "site"
    corpus = plant(root, make=formula_value)
    out = root / "out"
    for argv in (("export", "--out", str(out / "表.xlsx")), ("export", "--format", "csv", "--out", str(out / "表.csv"))):
        run = run_cli("--config", str(corpus.config), *argv)
        assert run.code == 0, run.err
    return out / "表.xlsx", sorted(out.glob("表-*.csv"))


def test_markdown_bodies_render_as_html_with_the_hostile_parts_as_text(hostile: Hostile) -> None:
    """A rule document and the campaign text: their Markdown becomes headings,
    paragraphs and links; the raw HTML in them reads as text; unsafe links go nowhere."""
    markers = {where: m for m, where in hostile.corpus.placed.items()}
    for rel, page in (("rules/rmyy-ypcg.md", "rules/rmyy-ypcg.html"), ("campaign.md", "campaign.html")):
        m = markers[(rel, "正文")]
        html = (hostile.site / page).read_text(encoding="utf-8")
        assert f"<h2>恶意内容测试 {m}</h2>" in html, page
        assert "<h1>药品采购操作规程</h1>" in html or page == "campaign.html"
        text = page_text(hostile.site / page)
        assert fill('<script>console.log("{m}")</script>', m) in text
        assert fill("<div onclick=\"console.log('{m}')\"", m) in text
        assert '>普通链接</a>' in html and 'href="#"' in html
        assert f"http://evil.example/{m}.png" not in html.replace(f'<span>外部图片</span>', "")


@pytest.mark.parametrize("which", ["hostile", "formulas"])
def test_spreadsheets_hold_no_formula(request: pytest.FixtureRequest, which: str) -> None:
    if which == "hostile":
        h: Hostile = request.getfixturevalue("hostile")
        xlsx, csvs = h.xlsx, h.csvs
    else:
        xlsx, csvs = request.getfixturevalue("formulas")
    wb = openpyxl.load_workbook(xlsx)
    hostile_cells = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate}: {cell.value!r}"
                if isinstance(cell.value, str) and MARK in cell.value:
                    hostile_cells += 1
    assert hostile_cells > 10
    starts = ("=", "+", "-", "@", "\t", "\r")
    formula_like = 0
    for p in csvs:
        with p.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                for value in row:
                    assert not value.startswith(starts), f"{p.name}: {value[:60]!r}"
                    formula_like += value.startswith("'") and value[1:].startswith(starts)
    if which == "formulas":
        assert formula_like > 10, "text starting like a formula is exported, guarded"


def test_published_edition_verifies(hostile: Hostile) -> None:
    run = run_cli("--config", str(hostile.corpus.config), "verify", "--all")
    assert run.code == 0, run.err
    editions_page = hostile.archive / "site" / "current" / "editions.html"
    assert fill('<script>console.log("{m}")</script>', NOTE_MARK) in page_text(editions_page)


# ------------------------------------------------------------------ in Chromium

DOM_CHECK = """() => {
  const out = [];
  const live = /PWNED|alert\\(|console\\.log\\(/;
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const n = a.name.toLowerCase(), v = a.value;
      if (n.includes('pwned')) out.push('attribute named from content: ' + n);
      if (n.startsWith('on') && live.test(v)) out.push(el.tagName + ' ' + n + '=' + v.slice(0, 80));
      if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'srcdoc'].includes(n)
          && /^\\s*(javascript|vbscript|data):/i.test(v) && /PWNED/.test(v)) out.push(el.tagName + ' ' + n + '=' + v.slice(0, 80));
    }
    if (el.tagName === 'SCRIPT' && /PWNED/.test(el.textContent)) out.push('script: ' + el.textContent.slice(0, 80));
    if (['IFRAME', 'FRAME', 'OBJECT', 'EMBED', 'BASE'].includes(el.tagName)) out.push(el.tagName + ' element');
  }
  return out;
}"""


def _visit(context: Any, url: str, media: str = "screen") -> tuple[list[str], list[str]]:
    page, watch = watched_page(context)
    page.emulate_media(media=media)
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    page.goto(url, wait_until="load")
    page.wait_for_timeout(50)  # let deferred scripts and onload handlers fire
    moved = [u for u in navigations if u.split("#")[0] != url]
    dom = [] if moved else page.evaluate(DOM_CHECK)
    page.close()
    ran = [m for m in watch.console if MARK in m] + [f"dialog: {d}" for d in watch.dialogs] + [f"request: {u}" for u in watch.foreign]
    return ran + [f"navigated to {u}" for u in moved], dom


@pytest.mark.browser
def test_no_script_runs_on_any_page(hostile: Hostile, browser_context: Any) -> None:
    """Every page of the hostile site (print views in print media) and the
    edition's pages: no console marker, no dialog, no request to another host,
    nothing live in the DOM as Chromium parsed it."""
    pages = sorted(p.relative_to(hostile.site).as_posix() for p in hostile.site.rglob("*.html"))
    bad: list[str] = []
    with serve(hostile.site) as base:
        for rel in pages:
            ran, dom = _visit(browser_context, base + quote(rel), "print" if rel.startswith("print/") else "screen")
            bad += [f"{rel}: {x}  <- {hostile.corpus.origin(x)}" for x in ran + dom]
    edition = hostile.archive / "site"
    with serve(edition) as base:
        # (its index.html only redirects to current/)
        for rel in ("current/index.html", "current/editions.html", "current/people/zhang-san.html"):
            ran, dom = _visit(browser_context, base + rel)
            bad += [f"edition {rel}: {x}" for x in ran + dom]
    assert len(pages) > 40
    assert bad == []


@pytest.mark.browser
@pytest.mark.parametrize("query", ["onerror", "console"])
def test_search_excerpts_are_inert(hostile: Hostile, browser_context: Any, query: str) -> None:
    with serve(hostile.site) as base:
        page, watch = watched_page(browser_context)
        page.goto(f"{base}search.html?q={query}")
        page.wait_for_function("""() => { const s = document.querySelector('[data-lz-search-status]');
            return s && /^(找到|没有)/.test(s.textContent.trim()); }""")
        page.wait_for_timeout(100)
        excerpts = page.eval_on_selector_all(".lz-hit__excerpt", "els => els.map(e => e.innerHTML)")
        tags = page.eval_on_selector_all(".lz-hit__excerpt *, .lz-hit a *", "els => els.map(e => e.tagName)")
        titles = page.eval_on_selector_all(".lz-hit a", "els => els.map(e => e.textContent)")
        dom = page.evaluate(DOM_CHECK)
        page.close()
    assert excerpts, f"searching {query!r} finds the planted text"
    assert any("&lt;" in e for e in excerpts), "the planted tags show as text in excerpts"
    assert set(tags) <= {"MARK"}
    assert any(MARK in t for t in titles) or any(MARK in e for e in excerpts)
    assert dom == []
    assert [m for m in watch.console if MARK in m] == [] and watch.dialogs == [] and watch.foreign == []

