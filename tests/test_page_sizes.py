"""Record pages stay small (issue 3: at most 25 KB of HTML each): what grows
with the number of people or forms is paged or capped, and QR codes are files."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bench.page_sizes import KINDS, LIMIT, measure
from bench.synth import generate
from generator.check import run_check
from support.sites import build, config

from .conftest import MINI


def html(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def mini_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("sizes-mini")
    shutil.copytree(MINI, root / "src")
    conf = root / "src" / "site_config.yml"
    return conf, build(conf, root / "site")


@pytest.fixture(scope="module")
def synth_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """450 synthetic people in 3 units: units of more than 10 open forms and a
    people listing of more than one page (200 rows a page)."""
    root = tmp_path_factory.mktemp("sizes-synth")
    generate(root, 450)
    conf = root / "site_config.yml"
    return conf, build(conf, root / "site")


def listing_names(site: Path, first: str) -> list[str]:
    """The people linked from every page of a paged listing (its pager names the pages)."""
    text = html(site, first)
    base = first.rsplit("/", 1)[0]
    pager = re.search(r'<nav class="lz-pager.*?</nav>', text, re.S)
    pages = [first] + ([f"{base}/{p}" for p in re.findall(r'href="(page-\d+\.html)"', pager.group(0))] if pager else [])
    names: list[str] = []
    for rel in pages:
        table = html(site, rel)
        table = table[table.index('id="lz-listing"'):]
        names += re.findall(r'href="(?:\.\./)+people/([a-z0-9-]+)\.html"', table[:table.index("</table>")])
    return names


@pytest.mark.parametrize("which", ["mini", "synth"])
def test_unit_page_links_a_listing_of_every_person_of_the_unit(which: str, request: pytest.FixtureRequest) -> None:
    conf, site = request.getfixturevalue(f"{which}_site")
    people = config(conf)
    by_unit: dict[str, list[str]] = {}
    for p in run_check(people).content.people():
        by_unit.setdefault(p["unit"], []).append(p.id)
    paged = 0
    for uid, expected in by_unit.items():
        page = html(site, f"units/{uid}.html")
        part = section(page, "people")
        assert "<tr>" not in part  # no inline table of people
        assert f"人员（{len(expected)} 人）" in part
        assert f'<a href="../lists/units/{uid}/people/index.html">本单位人员名单</a>' in part
        assert sorted(listing_names(site, f"lists/units/{uid}/people/index.html")) == sorted(expected), uid
        paged += (site / f"lists/units/{uid}/people/page-2.html").exists()
    assert which == "mini" or paged, "the synthetic site should have a listing of more than one page"


def section(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    end = page.find("<h2", start)
    return page[start: end if end != -1 else len(page)]


def test_unit_page_shows_ten_open_forms_and_sends_to_the_board_for_the_rest(synth_site: tuple[Path, Path]) -> None:
    site = synth_site[1]
    capped = 0
    for unit in (site / "units").glob("*.html"):
        page = unit.read_text(encoding="utf-8")
        if 'id="open"' not in page:
            continue
        part = section(page, "open")
        total = int(re.search(r"正在公示（(\d+) 份）", part).group(1))  # type: ignore[union-attr]
        shown = part.count("<li data-lz-closes=")
        assert shown == min(total, 10)
        if total > 10:
            capped += 1
            assert f'另有 {total - 10} 份，见<a href="../board.html#open-{unit.stem}">公示栏</a>' in part
            assert f'id="open-{unit.stem}"' in html(site, "board.html")
        closes = re.findall(r'<li data-lz-closes="([^"]+)"', part)
        assert closes == sorted(closes)  # closing soonest first
    assert capped, "the synthetic site should have a unit with more than 10 open forms"


def test_listings_are_not_in_the_nav(synth_site: tuple[Path, Path]) -> None:
    nav = html(synth_site[1], "index.html")
    nav = nav[nav.index('<nav class="md-nav md-nav--primary"'):]
    nav = nav[:nav.index("</nav>")]
    assert not re.search(r"lists/units/[^/\"]+/people", nav) and "qr/" not in nav


def test_no_record_page_of_a_larger_site_exceeds_25_kb(synth_site: tuple[Path, Path]) -> None:
    sizes = measure(synth_site[1], LIMIT)
    for kind in KINDS:
        assert sizes[kind]["count"] > 0, kind
    over = {kind: (s["over"], s["max_page"], s["max_kb"]) for kind, s in sizes.items()
            if kind not in ("other", "flows") and s["over"]}
    assert not over, f"record pages above {LIMIT // 1024} KB: {over}"


def test_flow_pages_fit_25_kb(synth_site: tuple[Path, Path]) -> None:
    # the diagram marks risks with numbered links to the table, not cards of their text
    sizes = measure(synth_site[1], LIMIT)["flows"]
    assert sizes["count"] > 0 and sizes["over"] == 0, sizes
