"""What the site's own search (search.js on Pagefind) finds, in Chromium."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from support.serve import serve

RESULTS = """async (q) => { await window.lzSearch.ready; const r = await window.lzSearch.query(q, null);
  const d = await Promise.all(r.results.map(x => x.data())); return d.map(x => x.url).sort(); }"""


def found(site: Path, chromium: Any, queries: Iterable[str]) -> dict[str, list[str]]:
    """The URLs each query finds on the results page of a served site; no
    console error or warning and no failed request on the way."""
    with serve(site) as base:
        ctx = chromium.new_context()
        page = ctx.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
        page.on("requestfailed", lambda r: errors.append(r.url))
        page.goto(base + "search.html")
        page.wait_for_function("() => window.lzSearch && window.lzSearch.pf")
        out = {q: page.evaluate(RESULTS, q) for q in queries}
        ctx.close()
    assert errors == []
    return out
