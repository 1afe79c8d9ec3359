"""A rebuild indexes only the pages whose record content changed
(generator/reindex.py): search must then find exactly what a clean build's
index finds, and an edition built so must rebuild byte for byte."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator import reindex, search
from generator.build import BuildContext, build_site
from generator.editions import Archive, publish, rebuild, verify
from support.reproducible import compare_trees
from support.search_results import found
from support.sites import config, copy_tree

MINI = Path(__file__).parent / "fixtures" / "mini" / "site_config.yml"
AS_OF = dt.date(2009, 7, 1)
FORM = Path("forms") / "personal" / "li-si-2009.yml"
OLD, NEW = "本人承诺合理用药", "本人承诺合理用药并杜绝搭车开药"  # 搭车开药: in no other record of the fixture
QUERIES = ("回扣", "药品采购", "张三", "人民医院", "卫生局", "搭车开药", "合理用药", "红包")


def quiet(_msg: str) -> None:
    pass


@pytest.fixture
def proj(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the mini site, indexed in shards of 6 pages (so that
    it has several, like a big site)."""
    monkeypatch.setattr(search, "SHARD_PAGES", 6)
    return copy_tree(MINI, tmp_path / "proj")


def build(conf: Path, out: Path, cache: Path | None) -> BuildContext:
    return build_site(config(conf), AS_OF, out, progress=quiet, cache=cache)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def visible(site: Path) -> list[str]:
    """Every page search can show, as Pagefind stored it."""
    return sorted(json.dumps(f, ensure_ascii=False, sort_keys=True) for f in search.fragments(site))


def outside_index(a: Path, b: Path) -> list[str]:
    return [d for d in compare_trees(a, b) if "pagefind" not in d.lower()]


@pytest.mark.browser
def test_changed_and_removed_records_search_as_in_a_clean_build(proj: Path, tmp_path: Path, chromium: Any) -> None:
    cache, out = tmp_path / "cache", tmp_path / "out"
    first = build(proj, out, cache)
    assert first.index_plan == {"base": None}
    content = proj.parent / "content"
    edit(content / FORM, OLD, NEW)
    gone = next(p for p in sorted((content / "forms").rglob("*.yml")) if p.name != FORM.name)
    gone.unlink()
    ctx = build(proj, out, cache)
    plan = ctx.index_plan or {}
    assert plan.get("overlay") and "forms/li-si-2009.html" in plan["overlay"]
    assert len(plan["overlay"]) < len(first.pages) / 2  # only what changed was indexed again
    about = json.loads((out / "pagefind" / search.WORDS_FILE).read_text(encoding="utf-8"))
    assert about["hide"] == plan["hidden"] and plan["hidden"]
    for hidden in plan["hidden"]:  # the replaced text is not shipped
        assert not list((out / "pagefind").rglob(f"{hidden}.pf_fragment"))

    clean = tmp_path / "clean"
    build(proj, clean, None)
    assert outside_index(clean, out) == []
    assert visible(out) == visible(clean)
    assert about["filters"] == json.loads((clean / "pagefind" / search.WORDS_FILE).read_text(encoding="utf-8"))["filters"]
    expected = found(clean, chromium, QUERIES)
    assert any("li-si-2009" in u for u in expected["搭车开药"])
    assert found(out, chromium, QUERIES) == expected


def test_unchanged_site_indexes_nothing_and_a_big_change_indexes_all(proj: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    cache, out = tmp_path / "cache", tmp_path / "out"
    build(proj, out, cache)
    kept = json.loads((cache / reindex.FOLDER / reindex.STATE).read_text(encoding="utf-8"))
    shards = sorted(p.name for p in (out / "pagefind").glob("s*"))
    again = build(proj, out, cache)
    assert again.index_plan == {"base": None, "overlay": [], "hidden": [], "replaced": []}
    assert sorted(p.name for p in (out / "pagefind").glob("s*")) == shards  # no overlay shard
    edit(proj.parent / "content" / FORM, OLD, NEW)
    monkeypatch.setattr(reindex, "OVERLAY_MAX", 0)
    ctx = build(proj, out, cache)
    assert ctx.index_plan == {"base": None}  # indexed whole, and kept
    assert json.loads((cache / reindex.FOLDER / reindex.STATE).read_text(encoding="utf-8"))["pages"] != kept["pages"]
    build(proj, tmp_path / "clean", None)
    assert compare_trees(tmp_path / "clean", out) == []


def test_an_overlay_reports_the_size_of_the_bundle_it_made(proj: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """overlay() counts the bundle from what it linked and wrote, without
    listing it again: the same files and bytes as a listing."""
    cache, out = tmp_path / "cache", tmp_path / "out"
    build(proj, out, cache)
    got: list[search.IndexStats] = []
    real = reindex.overlay
    monkeypatch.setattr(reindex, "overlay", lambda *a: (lambda r: got.append(r[0]) or r)(real(*a)))
    for changed in (False, True):
        if changed:
            edit(proj.parent / "content" / FORM, OLD, NEW)
        build(proj, out, cache)
        listed = search.index_stats(out / "pagefind", "", 0.0, {}, {}, 1)
        assert (got[-1].files, got[-1].bytes) == (listed.files, listed.bytes) and listed.files > 10


def test_pages_rewritten_with_the_same_content_are_read_once(proj: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A clean engine run writes every page anew (other files, same text):
    the next build reads each page to see that its record content is the one
    indexed, and records the new files, so the build after reads none."""
    from generator import build as build_mod

    cache, out = tmp_path / "cache", tmp_path / "out"
    build(proj, out, cache)
    read: list[str] = []
    real_slim = reindex.slim_body
    monkeypatch.setattr(reindex, "slim_body", lambda html: read.append(html) or real_slim(html))
    real_fp = build_mod.fingerprint
    monkeypatch.setattr(build_mod, "fingerprint", lambda text: "another engine setup")
    assert build(proj, out, cache).engine.clean  # every page rewritten
    assert read  # and read to compare
    monkeypatch.setattr(build_mod, "fingerprint", real_fp)
    read.clear()
    again = build(proj, out, cache)
    assert again.engine.clean and read  # back to the real fingerprint: rewritten once more
    read.clear()
    assert build(proj, out, cache).index_plan == {"base": None, "overlay": [], "hidden": [], "replaced": []}
    assert read == []  # every page's file is the one recorded
    state = json.loads((cache / reindex.FOLDER / reindex.STATE).read_text(encoding="utf-8"))
    assert all(v[3] == reindex._ident(out / u) for u, v in state["pages"].items())


def test_kept_index_of_another_pagefind_setup_is_not_used(proj: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache, out = tmp_path / "cache", tmp_path / "out"
    build(proj, out, cache)
    edit(proj.parent / "content" / FORM, OLD, NEW)
    monkeypatch.setattr(search, "EXCLUDE_SELECTORS", search.EXCLUDE_SELECTORS + (".nothing",))
    assert build(proj, out, cache).index_plan == {"base": None}


def test_kept_index_with_a_damaged_state_is_not_used(proj: Path, tmp_path: Path) -> None:
    cache, out = tmp_path / "cache", tmp_path / "out"
    build(proj, out, cache)
    (cache / reindex.FOLDER / reindex.STATE).write_text("{\"version\": 1, \"key\"", encoding="utf-8")
    edit(proj.parent / "content" / FORM, OLD, NEW)
    assert build(proj, out, cache).index_plan == {"base": None}
    shutil.rmtree(cache / reindex.FOLDER / "bundle")
    edit(proj.parent / "content" / FORM, NEW, OLD)
    assert build(proj, out, cache).index_plan == {"base": None}


def test_edition_on_a_kept_index_shares_its_files_and_rebuilds_byte_for_byte(proj: Path, tmp_path: Path) -> None:
    cfg = config(proj)
    first = publish(cfg, AS_OF, "首次发布", quiet)
    edit(proj.parent / "content" / FORM, OLD, NEW)
    second = publish(config(proj), AS_OF, "修改后再次发布", quiet)
    archive = Archive(cfg.archive_dir)
    plan = json.loads((archive.path(second.id) / "data" / "report" / "search.json").read_text(encoding="utf-8"))
    assert plan["base"] == first.id and "forms/li-si-2009.html" in plan["overlay"]
    assert json.loads((archive.path(first.id) / "data" / "report" / "search.json").read_text(encoding="utf-8")) == {"base": None}
    # the kept shards are the first edition's files (hard links: written and hashed once)
    a, b = (archive.path(e) / "data" / "site" / "pagefind" for e in (first.id, second.id))
    assert (a / "pagefind.js").stat().st_ino == (b / "pagefind.js").stat().st_ino
    assert verify(archive, second.id) == []
    out = rebuild(archive, second.id, tmp_path / "rebuilt", quiet)
    assert compare_trees(archive.path(second.id) / "data" / "site", out) == []
    out = rebuild(archive, first.id, tmp_path / "rebuilt-first", quiet)
    assert compare_trees(archive.path(first.id) / "data" / "site", out) == []


def test_kept_index_of_an_edition_never_published_is_not_used(proj: Path, tmp_path: Path) -> None:
    cfg = config(proj)

    def boom(step: str) -> None:
        if step == "bag":
            raise RuntimeError("injected")

    with pytest.raises(RuntimeError):
        publish(cfg, AS_OF, "中途失败", quiet, fail_after=boom)
    edit(proj.parent / "content" / FORM, OLD, NEW)
    eid = publish(config(proj), AS_OF, "发布", quiet).id
    archive = Archive(cfg.archive_dir)
    assert json.loads((archive.path(eid) / "data" / "report" / "search.json").read_text(encoding="utf-8")) == {"base": None}
