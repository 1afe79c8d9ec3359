"""The Pagefind index the sample site ships: what is in it and what never is.

Read back from the gzipped fragments (generator.search.fragments), i.e. what
any reader of the site can retrieve through search.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from generator.check import iter_private_values, run_check
from generator.derive import FORM_SHORT, derive
from generator.search import BUNDLE_DIR, fragments
from support.sites import SAMPLE_CONFIG, config

RECORD_PREFIXES = ("/forms/", "/people/", "/units/", "/rules/", "/flows/", "/archives/", "/campaign.html")


@pytest.fixture(scope="module")
def frags(sample_site: Path) -> list[dict]:  # type: ignore[type-arg]
    out = list(fragments(sample_site))
    assert out, "the sample site has no search index"
    return out


@pytest.fixture(scope="module")
def derived():  # type: ignore[no-untyped-def]
    cfg = config(SAMPLE_CONFIG)
    return derive(cfg, run_check(cfg).content, cfg.as_of())


def test_bundle_is_the_extended_one_and_only_pagefind_js(sample_site: Path) -> None:
    bundle = sample_site / BUNDLE_DIR
    assert (bundle / "pagefind.js").is_file()
    assert list(bundle.glob("*.pf_meta")), "no index metadata"
    # the site runs its own UI: Pagefind's ready-made ones are not shipped
    assert not list(bundle.glob("pagefind-*ui*")) and not (bundle / "pagefind-highlight.js").exists()


def test_only_record_pages_are_indexed(frags: list[dict], sample_site: Path) -> None:  # type: ignore[type-arg]
    urls = sorted(str(f["url"]) for f in frags)
    assert [u for u in urls if not u.startswith(RECORD_PREFIXES)] == []
    for u in urls:
        assert (sample_site / u.lstrip("/")).is_file(), u
    assert "/search.html" not in urls and "/index.html" not in urls


def test_page_chrome_stays_out_of_the_index(frags: list[dict]) -> None:  # type: ignore[type-arg]
    footer = str(config(SAMPLE_CONFIG).get("footer"))
    chrome = ("跳转至", "打印本表", "打印本单位全部承诺表", "表头信息", "记录编号", footer)
    hits = [(f["url"], c) for f in frags for c in chrome if c in str(f["content"])]
    assert hits == []


def test_private_values_are_not_in_the_index(frags: list[dict]) -> None:  # type: ignore[type-arg]
    private = sorted({v for v in iter_private_values(run_check(config(SAMPLE_CONFIG)).content) if len(v) >= 4})
    assert private, "the sample content should carry private values to prove this"
    text = "\n".join(f"{f['content']}\n{f.get('meta')}\n{f.get('filters')}" for f in frags)
    assert [v for v in private if v in text] == []


def test_unpublished_forms_are_not_indexed(frags: list[dict], derived) -> None:  # type: ignore[no-untyped-def,type-arg]
    hidden = [fv for fv in derived.forms.values() if not fv.published]
    assert hidden, "the sample should have forms whose window has not opened"
    urls = {f["url"] for f in frags}
    assert [fv.id for fv in hidden if f"/forms/{fv.id}.html" in urls] == []


def test_form_pages_carry_title_and_filters(frags: list[dict], derived) -> None:  # type: ignore[no-untyped-def,type-arg]
    by_url = {f["url"]: f for f in frags}
    shown = [fv for fv in derived.forms.values() if fv.published]
    assert shown
    for fv in shown:
        f = by_url[f"/forms/{fv.id}.html"]
        meta, filters = f["meta"], f["filters"]
        assert meta["title"] == fv.title
        assert meta["状态"] == fv.status and meta["表类"] == FORM_SHORT[fv.type]
        assert filters["单位"] == [derived.unit_name(fv.unit_id)]
        assert filters["表类"] == [FORM_SHORT[fv.type]] and filters["年度"] == [str(fv.year)]
        assert filters["公示状态"] == [fv.status]
        assert set(filters["风险等级"]) == {r["level"] for r in fv.rec["risks"]}
        assert set(filters["重点领域"]) == {r["key_area"] for r in fv.rec["risks"]}
        if fv.type == "personal" and fv.person:
            assert set(filters.get("档案", [])) == set(derived.archives(fv.person))


def test_person_pages_carry_unit_and_archive(frags: list[dict], derived) -> None:  # type: ignore[no-untyped-def,type-arg]
    by_url = {f["url"]: f for f in frags}
    for p in derived.content.people():
        f = by_url[f"/people/{p.id}.html"]
        assert f["meta"]["title"] == p["name"]
        assert f["filters"]["类别"] == ["人员"]
        assert f["filters"]["单位"] == [derived.unit_name(p["unit"])]
        assert set(f["filters"].get("档案", [])) == set(derived.archives(p))
