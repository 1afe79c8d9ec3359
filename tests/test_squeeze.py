"""White space between tags is squeezed out of every page (generator/mkdocs_hooks.py):
pages are ~2.5 KB smaller and read exactly the same."""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.build import build_site
from generator.mkdocs_hooks import _RUN, kept, squeeze
from support.serve import serve
from support.sites import config

MINI = Path(__file__).parent / "fixtures" / "mini" / "site_config.yml"
AS_OF = dt.date(2009, 7, 1)


def test_squeeze_cuts_runs_with_line_breaks_between_tags_only() -> None:
    html = ("<div>\n    <p>a  b</p>\n\n  <span>x</span> <b>y</b>\n</div>"
            "<pre>\n  <b>keep</b>\n\n  </pre><textarea>\n\n <i></textarea>"
            "<script>\nvar s = '>\n\n  <';\n</script>\n   <p>z</p>")
    assert squeeze(html) == ("<div>\n<p>a  b</p>\n<span>x</span> <b>y</b>\n</div>"
                             "<pre>\n  <b>keep</b>\n\n  </pre><textarea>\n\n <i></textarea>"
                             "<script>\nvar s = '>\n\n  <';\n</script>\n<p>z</p>")
    assert squeeze(squeeze(html)) == squeeze(html)


_PIECES = ["<p>", "</p>", "<b>", "</b>", "<pre>", "</pre>", "<pre class=x>", "<script>", "</script>", "<textarea>",
           "</textarea>", "<preview>", ">", "<", "\n", " ", "  \n  ", "\t", "a", "字"]


def _reference(html: str) -> str:
    """The plain definition: every run between tags, unless inside a kept block."""
    blocks = kept(html)
    return _RUN.sub(lambda m: m.group(0) if any(a <= m.start() < b - 1 for a, b in blocks) else ">\n<", html)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_squeeze_equals_the_plain_definition(html: str) -> None:
    assert squeeze(html) == _reference(html)


def test_built_pages_are_squeezed_and_read_the_same_as_unsqueezed(tmp_path: Path, browser_context: Any) -> None:
    """The same pages built by `mkdocs build` without the hook: every page is
    larger, and Chromium reads the same text (innerText) off both."""
    cache = tmp_path / "cache"
    build_site(config(MINI), AS_OF, tmp_path / "out", progress=lambda _m: None, cache=cache)
    conf = yaml.safe_load((cache / "mkdocs.yml").read_text(encoding="utf-8"))
    assert conf.pop("hooks")
    conf["site_dir"] = str(tmp_path / "plain")
    (cache / "plain.yml").write_text(yaml.safe_dump(conf, allow_unicode=True), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(cache / "plain.yml")], check=True)
    ours, plain = tmp_path / "out", tmp_path / "plain"
    pages = sorted(p.relative_to(plain).as_posix() for p in plain.rglob("*.html"))
    assert len(pages) > 20
    for rel in pages:
        a, b = (ours / rel).read_text(encoding="utf-8"), (plain / rel).read_text(encoding="utf-8")
        assert len(a) < len(b) and not re.search(r">\s*\n\s*\n\s*<", a.split("<pre")[0]), rel
    sample = [p for p in pages if p.split("/")[0] in ("index.html", "forms", "units", "flows", "rules", "archives", "lists")]
    page = browser_context.new_page()
    with serve(ours) as base_a, serve(plain) as base_b:
        for rel in sample[::3]:
            texts = []
            for base in (base_a, base_b):
                page.goto(base + rel)
                texts.append(page.evaluate("document.body.innerText"))
            assert texts[0] == texts[1], rel
