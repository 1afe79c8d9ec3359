"""Golden tests: record pages of the mini fixture site, rendered, compared with
stored expectations. Regenerate after an intended change with `make golden`
(pytest tests/test_golden.py --update-golden) and review the diff."""
from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from generator.check import run_check
from generator.derive import derive
from generator.render import render_site
from support.sites import config

MINI = Path(__file__).parent / "fixtures" / "mini" / "site_config.yml"
GOLDEN = Path(__file__).parent / "golden" / "mini"
RECORD_PREFIXES = ("forms/", "people/", "units/", "rules/", "flows/")


def rendered() -> dict[str, str]:
    cfg = config(MINI)
    result = run_check(cfg)
    assert not result.problems.errors
    pages, problems = render_site(derive(cfg, result.content, cfg.as_of()))
    assert not problems, [p.format() for p in problems]
    return {p.path[:-3] + ".html": p.html + "\n" for p in pages if p.path.startswith(RECORD_PREFIXES)}


def test_record_pages_match_golden(request: pytest.FixtureRequest) -> None:
    pages = rendered()
    if request.config.getoption("--update-golden"):
        for old in GOLDEN.rglob("*.html"):
            old.unlink()
        for path, html in pages.items():
            target = GOLDEN / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(html, encoding="utf-8")
        pytest.skip("golden files regenerated")
    stored = {str(p.relative_to(GOLDEN)): p.read_text(encoding="utf-8") for p in GOLDEN.rglob("*.html")}
    assert sorted(stored) == sorted(pages), "pages added or removed: run `make golden` and review"
    for path, html in pages.items():
        if stored[path] != html:
            diff = "".join(difflib.unified_diff(stored[path].splitlines(True), html.splitlines(True), f"golden/{path}", "rendered", n=1))
            pytest.fail(f"{path} differs from its golden file (run `make golden` if intended):\n{diff[:4000]}")
