"""The fast paths of the build give exactly what the plain ones give: our
engine run against `mkdocs build`, pages that skip Markdown against Markdown,
rendering and the engine in 2 processes against one."""
from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from mkdocs.utils import meta

from generator import engine, render
from generator.build import build_site
from generator.check import run_check
from generator.derive import derive
from generator.engine import page_source, plain_html, strict_plain_html
from generator.render import render_site
from support.reproducible import compare_trees
from support.sites import SAMPLE_CONFIG, config, copy_tree

MINI = Path(__file__).parent / "fixtures" / "mini" / "site_config.yml"
AS_OF = dt.date(2009, 7, 1)


def quiet(_msg: str) -> None:
    pass


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_engine_builds_the_same_bytes_as_mkdocs(tmp_path: Path) -> None:
    """Our engine run (no Markdown for raw-HTML pages, blocks rendered once per
    folder, outputs written by rename) against MkDocs' own build command on
    the same docs/ and mkdocs.yml."""
    cache = tmp_path / "cache"
    build_site(config(MINI), AS_OF, tmp_path / "out", progress=quiet, cache=cache)
    ours = files(cache / "site")
    engine.run_mkdocs(cache / "mkdocs.yml")  # MkDocs' build(), into the same site_dir
    assert files(cache / "site") == ours


def test_every_generated_page_skips_markdown_exactly() -> None:
    """Every page of the sample and fixture sites passes the strict structure
    check, and Markdown returns each of them unchanged."""
    md_pages = 0
    for conf_path in (SAMPLE_CONFIG, MINI):
        cfg = config(conf_path)
        pages, problems = render_site(derive(cfg, run_check(cfg).content, cfg.as_of(None)))
        assert not problems
        for page in pages:
            text, _ = meta.get_data(page_source(page))
            if not plain_html(text):
                md_pages += 1
                continue
            assert strict_plain_html(text), page.path
            assert _markdown(text) == text.strip(), page.path
    assert md_pages == 0


def _markdown(text: str) -> str:
    """What MkDocs' Page.render gives with the default extensions."""
    return markdown.Markdown(extensions=["toc", "tables", "fenced_code"]).convert(text)


@pytest.mark.parametrize("text", [
    "<div>\tx</div>",  # a tab: Markdown expands it
    "<div>a</div>\ntext at the top level",
    "<div>a</div>\n\n<div>b</div>",  # a blank line
    "<div>\n```\ncode\n```\n</div>",
    "<div><!-- c --></div>",
    "<div><pre>a\n  b</pre></div>",
    "<span>inline first</span>",
    "plain text",
    "<div>a</div>\r\n<div>b</div>",
    "<div>\x02</div>",
])
def test_texts_markdown_would_change_go_through_markdown(text: str) -> None:
    assert not plain_html(text)


# Random documents of block-level elements holding escaped text (any
# characters, Markdown syntax included), inline markup and attributes.
_words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12).map(lambda s: str(escape(s)))
_inline = st.recursive(_words, lambda inner: st.tuples(st.sampled_from(["a", "strong", "span", "em"]), inner)
                       .map(lambda t: f'<{t[0]} class="c">{t[1]}</{t[0]}>'), max_leaves=4)
_block = st.recursive(
    st.lists(_inline, max_size=3).map("".join).map(lambda s: f"<p>{s}</p>"),
    lambda inner: st.tuples(st.sampled_from(["div", "section", "table", "ul", "details"]), st.lists(inner, min_size=1, max_size=3),
                            st.booleans()).map(lambda t: f"<{t[0]}>" + ("\n" if t[2] else "").join(t[1]) + f"</{t[0]}>"),
    max_leaves=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_block, min_size=1, max_size=3).map("\n".join))
def test_documents_that_skip_markdown_are_what_markdown_returns(doc: str) -> None:
    if plain_html(doc):
        assert _markdown(doc) == doc.strip()


def test_two_processes_build_what_one_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rendering and the engine in 2 forked processes (forced on the small
    fixture) give the same site as in one."""
    conf = copy_tree(MINI, tmp_path / "proj")
    build_site(config(conf), AS_OF, tmp_path / "one", progress=quiet, cache=None)
    monkeypatch.setattr(render, "MIN_PAGES_FOR_WORKERS", 0)
    monkeypatch.setattr(engine, "MIN_PAGES_PER_PROCESS", 1)
    ctx = build_site(config(conf), AS_OF, tmp_path / "two", progress=quiet, cache=tmp_path / "cache")
    assert ctx.engine.processes == 2
    assert compare_trees(tmp_path / "one", tmp_path / "two") == []
    docs = tmp_path / "cache" / "docs"
    one_docs = tmp_path / "docs-one"
    shutil.copytree(docs, one_docs)
    # the sources the workers wrote are the pages one process renders
    cfg = config(conf)
    pages, _ = render_site(derive(cfg, run_check(cfg).content, AS_OF))
    for page in pages:
        assert (docs / page.path).read_text(encoding="utf-8") == page_source(page), page.path
    assert {p.relative_to(docs).as_posix() for p in docs.rglob("*.md")} == {p.path for p in pages}


def test_a_view_rendering_a_page_under_another_path_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a worker, a page whose HTML came from a render() of another path
    would be empty: render_pages says so instead of writing an empty page."""
    from generator.views import rules

    real = rules.pages

    def misnamed(site, r):  # type: ignore[no-untyped-def]
        for page in real(site, r):
            if page.path.startswith("rules/"):
                page.html = r.render("rules/other-" + page.path[6:], "rule.html", rule=site.content.get(page.path[6:-3], "rule"),
                                     body="", cited=[])
            yield page

    monkeypatch.setattr(rules, "pages", misnamed)
    monkeypatch.setattr(render, "MIN_PAGES_FOR_WORKERS", 0)
    cfg = config(MINI)
    site = derive(cfg, run_check(cfg).content, AS_OF)
    with pytest.raises(Exception, match="rendered under a different path"):
        render.render_pages(site, lambda page: None, processes=2)


def test_relative_urls_match_posixpath() -> None:
    import posixpath
    from urllib.parse import quote

    paths = ["index.md", "units/rmyy.md", "units/rmyy/yjk.md", "forms/a.md", "lists/forms/2009/page-2.md", "units.md",
             "units/rmyy/rmyy.md", "print/rmyy.md", "archives/lianzheng/x.md", "中文/页.md"]
    for a in paths:
        for b in paths:
            want = quote(posixpath.relpath(b[:-3] + ".html", posixpath.dirname(a[:-3] + ".html") or "."))
            assert render.relative_url(a, b) == want, (a, b)
            assert render.relative_url(a, b, "x") == want + "#x"


def test_work_folder_paths_are_the_engine_config() -> None:
    """The config written for the engine names the work folder's docs/ and
    site/: what the bench's MkDocs-alone comparison builds from."""
    conf = engine.mkdocs_config("站", [("首页", "index.md")], "页脚", Path("/w/docs"), Path("/w/site"))
    assert conf["docs_dir"] == "/w/docs" and conf["site_dir"] == "/w/site"
    assert os.path.basename(conf["theme"]["custom_dir"]) == "overrides"
