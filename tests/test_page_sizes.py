"""Record pages stay small (issue 3: at most 25 KB of HTML each): what grows
with the number of people or forms is paged or capped, and QR codes are files."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

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


BIG_UNIT_DEPARTMENTS = 60


@pytest.fixture(scope="module")
def synth_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """450 synthetic people in 3 units: units of more than 10 open forms and a
    people listing of more than one page (200 rows a page); the unit with the
    most departments padded to 60 (a large hospital's count)."""
    root = tmp_path_factory.mktemp("sizes-synth")
    generate(root, 450)
    units = [(yaml.safe_load(p.read_text(encoding="utf-8")), p) for p in sorted((root / "content" / "units").glob("*.yml"))]
    data, path = max(units, key=lambda u: len(u[0].get("departments") or []))
    depts = data.setdefault("departments", [])
    kinds = ("职能科室", "临床科室", "医技科室")
    depts += [{"id": f"pad-{i:02d}", "name": f"第{i}病区护理单元", "kind": kinds[i % 3]}
              for i in range(BIG_UNIT_DEPARTMENTS - len(depts))]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
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


def test_unit_page_of_60_departments_fits_25_kb_and_links_each_department(synth_site: tuple[Path, Path]) -> None:
    conf, site = synth_site
    unit = next(u for u in run_check(config(conf)).content.units() if len(u.get("departments", [])) == BIG_UNIT_DEPARTMENTS)
    page = site / f"units/{unit.id}.html"
    assert page.stat().st_size <= LIMIT, page.stat().st_size
    part = section(page.read_text(encoding="utf-8"), "departments")
    assert f"科室（{BIG_UNIT_DEPARTMENTS} 个）" in part
    linked = re.findall(rf'<a href="{unit.id}/([a-z0-9-]+)\.html">', part)
    assert linked == [d["id"] for kind in ("职能科室", "临床科室", "医技科室", "其他")
                      for d in unit["departments"] if (d.get("kind") or "其他") == kind]
    assert "forms/" not in part  # a department's forms are on its own page
    for d in unit["departments"][:3] + unit["departments"][-3:]:
        assert (site / f"units/{unit.id}/{d['id']}.html").exists()


def test_no_record_page_of_the_sample_exceeds_25_kb(sample_site: Path) -> None:
    """The shipped sample has richer records than the synthetic ones (its
    flows carry longer risk texts and more branches)."""
    sizes = measure(sample_site, LIMIT)
    over = {kind: (s["over"], s["max_page"], s["max_kb"]) for kind, s in sizes.items() if kind != "other" and s["over"]}
    assert not over, f"record pages above {LIMIT // 1024} KB: {over}"
