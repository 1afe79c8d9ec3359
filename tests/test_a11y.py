"""axe-core (from the npm registry) in Chromium: no serious or critical
violations on the home page, a form page, listing pages and a flow page (its
risk markers are links inside the diagram), and the header search box with
its results open."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from support.serve import serve

pytestmark = pytest.mark.browser
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"


def first_form(site: Path) -> str:
    return "forms/" + sorted(p.name for p in (site / "forms").glob("*.html"))[0]


@pytest.mark.parametrize("which", ["index.html", "form", "lists/forms/index.html", "lists/people/index.html", "flows/wsj-flow-xzcf.html",
                                   "header-results"])
def test_no_serious_accessibility_violations(which: str, sample_site: Path, browser_context: Any) -> None:
    path = first_form(sample_site) if which == "form" else which
    with serve(sample_site) as base:
        page = browser_context.new_page()
        page.goto(base + ("index.html" if which == "header-results" else path))
        if which == "header-results":
            page.fill("#lz-hsearch-q", "回扣")
            page.wait_for_selector(".lz-hsearch__hit")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [(v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:3])
           for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, bad
