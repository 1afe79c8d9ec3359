"""A big site's index comes in shards (generator/search.py), merged again in
the browser: searching the shards finds the same pages as one index."""
from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from generator import search
from support.search_results import found
from support.serve import serve
from support.sites import build

MINI = Path(__file__).parent / "fixtures" / "mini" / "site_config.yml"
QUERIES = ("回扣", "药品采购", "张三", "人民医院", "卫生局")


def test_pages_go_to_shards_by_path_and_always_the_same_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_PAGES", 3)
    paths = [f"forms/f{i}.html" for i in range(10)]
    shards = search.shards_of(paths)
    assert len(shards) == 4 and sorted(p for s in shards for p in s) == sorted(paths)
    assert search.shards_of(reversed(paths)) == shards


@pytest.mark.browser
def test_sharded_index_finds_what_one_index_finds(tmp_path: Path, chromium: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    one = build(MINI, tmp_path / "one")
    monkeypatch.setattr(search, "SHARD_PAGES", 6)
    many = build(MINI, tmp_path / "many")
    shards = sorted(p.name for p in (many / search.BUNDLE_DIR).glob("s*") if p.is_dir())
    assert len(shards) >= 3, shards
    assert not (many / search.BUNDLE_DIR / shards[0] / "pagefind.js").exists()  # code comes from the first shard
    expected = found(one, chromium, QUERIES)
    assert all(expected[q] for q in QUERIES)
    assert found(many, chromium, QUERIES) == expected
    # the site ships every indexed page once, across the shards
    assert sorted(f["url"] for f in search.fragments(many)) == sorted(f["url"] for f in search.fragments(one))


@pytest.mark.browser
def test_person_name_first_in_a_sharded_index(tmp_path: Path, chromium: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_PAGES", 6)
    site = build(MINI, tmp_path / "site")
    with serve(site) as base:
        page = chromium.new_page()
        page.goto(f"{base}search.html?q={quote('张三')}")
        page.wait_for_function("() => document.querySelectorAll('.lz-hit').length > 0")
        assert page.locator(".lz-hit a").first.get_attribute("href").endswith("/people/zhang-san.html")
        page.close()
