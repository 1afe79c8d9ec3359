"""Stage 6 on a rebuild: index only the pages whose record content changed.

A full index of 10,000 people costs Pagefind half a minute (27,000 pages); a
republish after a handful of confirmations changes a few dozen of them. So
the engine's work folder keeps the last full index (search/bundle/, hard
links to its files, which nothing rewrites) and what it holds of each page
(search/state.json: shard, Pagefind page id, filter values, the file it was
made from and a digest of the record content Pagefind read). A later build
of that work folder

- links the kept bundle into the new site, without the page text (fragment
  files) of pages that changed or are gone;
- indexes the pages whose record content differs from the kept index (new
  or changed: the overlay) into one more shard;
- lists in lz-search.json the kept pages the overlay replaces or that are
  gone ("hide"): search.js drops them from results.

Search then finds exactly the current pages. What differs from a clean
build: a replaced page's words stay in the kept shard's word lists (they
find nothing: their pages are hidden), and a page of the overlay is ranked
with its own shard's word statistics. The overlay holds every page changed
since the last full index, so it grows from build to build; past
OVERLAY_MAX pages (or when Pagefind or how we call it changed) the build
indexes everything again and keeps that. Sites of one shard are always
indexed whole: a few seconds, and the bundle stays byte-reproducible.

An edition (editions.py) may reuse a kept index only if an edition already
published holds it (its data/site/pagefind): the edition's report/search.json
names that edition and the overlay, and `rebuild` takes the kept shards from
there, so the rebuilt site equals the published one as before.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import search
from .problems import Problems
from .search import BUNDLE_DIR, WORDS_FILE, Entry, IndexFailed, IndexStats, content_digest, shard_dir, slim_body
from .ticker import say
from .workdir import link_tree, scan

if TYPE_CHECKING:
    from .build import BuildContext

FOLDER = "search"  # in the engine's work folder
STATE = "state.json"
VERSION = 1
OVERLAY_MAX = 1000  # pages changed since the last full index that one overlay shard may hold


@dataclass
class Base:
    """A full index kept for later builds."""

    bundle: Path
    shards: int
    entries: dict[str, Entry]  # page → where the index holds it
    digests: dict[str, str]  # page → digest of its record content when indexed
    idents: dict[str, list[int]]  # page → size, mtime and inode of the file indexed
    edition: str | None  # the edition that published this index, if built for one


def index_key() -> str | None:
    """What a full index depends on besides the pages; None without Pagefind."""
    try:
        exe = search.binary()
        st = exe.stat()
    except (ImportError, OSError):
        return None
    parts = [VERSION, str(exe), st.st_size, st.st_mtime_ns, search.LANGUAGE, list(search.EXCLUDE_SELECTORS),
             search._SLIM_HEAD.decode(), search.SHARD_PAGES, search.MAX_SHARDS]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()


def load_base(folder: Path, key: str) -> Base | None:
    try:
        data = json.loads((folder / STATE).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("key") != key or not (folder / "bundle" / WORDS_FILE).is_file():
            return None
        pages: dict[str, list[Any]] = data["pages"]
        return Base(folder / "bundle", int(data["shards"]),
                    {u: Entry(v[0], v[1], v[4]) for u, v in pages.items() if v[1]},
                    {u: v[2] for u, v in pages.items()}, {u: v[3] for u, v in pages.items()}, data.get("edition"))
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def _ident(path: Path) -> list[int]:
    st = os.stat(path)
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def save_base(folder: Path, site_dir: Path, stats: IndexStats, key: str, edition: str | None) -> None:
    """Keep the full index just made (its files hard-linked) for the next build,
    replacing the kept one in one step; a failure costs the next build time only."""
    tmp = folder.with_name(f".{folder.name}.tmp-{os.getpid()}")
    old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        link_tree(site_dir / BUNDLE_DIR, tmp / "bundle")
        pages = {}
        for url, digest in stats.digests.items():
            e = stats.entries.get(url)
            pages[url] = [e.shard, e.id, digest, _ident(site_dir / url), e.filters] if e else [-1, "", digest, _ident(site_dir / url), {}]
        state = {"version": VERSION, "key": key, "shards": stats.shards, "edition": edition, "pages": pages}
        (tmp / STATE).write_text(json.dumps(state, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        if folder.exists():
            os.rename(folder, old)
        os.rename(tmp, folder)
    except OSError:
        pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)


def changes(site_dir: Path, urls: list[str], base: Base) -> tuple[list[str], list[str], dict[str, list[int]]]:
    """The pages to index again (new, or record content changed) and the kept
    pages to hide (gone, or no longer indexed). A page whose file is the one
    the kept index read is not read again; the third result: pages read whose
    record content is still the one indexed, with the identity of their file
    now (refresh_idents)."""
    changed: list[str] = []
    gone: list[str] = []
    same: dict[str, list[int]] = {}
    for url in urls:
        path = site_dir / url
        try:
            ident = _ident(path)
            if base.idents.get(url) == ident:
                continue
            slim = slim_body(path.read_bytes())
        except OSError:
            slim = None
        if base.digests.get(url) == content_digest(slim):
            if slim is not None:
                same[url] = ident
            continue
        (changed if slim is not None else gone).append(url)
    current = set(urls)
    gone += [u for u in base.digests if u not in current]
    return changed, sorted(gone), same


def refresh_idents(folder: Path, same: dict[str, list[int]]) -> None:
    """Record in the kept state the files now holding pages whose record
    content is unchanged: after a clean engine run rewrote every page, each
    later build would otherwise read all of them again (10,000 people:
    27,000 files, 3 s). A failure costs the next build that time only."""
    try:
        path = folder / STATE
        data = json.loads(path.read_text(encoding="utf-8"))
        pages: dict[str, list[Any]] = data["pages"]
        for url, ident in same.items():
            if url in pages:
                pages[url][3] = ident
        tmp = path.with_name(f".{STATE}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, path)
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        pass


def overlay(site_dir: Path, base: Base, changed: list[str], replaced: set[str]) -> tuple[IndexStats, set[str]]:
    """The kept index, less the `replaced` page ids, plus `changed` indexed
    into one more shard; returns the statistics and the ids hidden."""
    t = time.perf_counter()
    bundle = site_dir / BUNDLE_DIR
    n = base.shards
    digests: dict[str, str] = {}
    out = ""
    words: dict[str, int] = {}
    entries: dict[str, Entry] = {}
    if changed:
        digests, out, read = search.index_into(site_dir, [(shard_dir(bundle, n), changed)], then=lambda _: search.index_words(site_dir, [n]))
        words, _, entries = read[0]
    # an overlay page whose fragment equals the kept one (only excluded text
    # changed) has the same id: both stay, search.js shows the page once
    hidden = replaced - {e.id for e in entries.values()}
    keep = {rel: v for rel, v in scan(base.bundle).items()
            if rel != WORDS_FILE and not (rel.endswith(".pf_fragment") and Path(rel).stem in hidden)}
    link_tree(base.bundle, bundle, keep)
    about = json.loads((base.bundle / WORDS_FILE).read_text(encoding="utf-8"))
    for w, mask in zip(about["words"], about.get("masks") or [1] * len(about["words"])):
        words[w] = words.get(w, 0) | mask
    filters: dict[str, set[str]] = {}
    for e in [*(e for e in base.entries.values() if e.id not in replaced), *entries.values()]:
        for k, vs in e.filters.items():
            filters.setdefault(k, set()).update(vs)
    shards = n + 1 if changed else n
    search.write_about(site_dir, shards, dict(sorted(words.items())), {k: sorted(v) for k, v in sorted(filters.items())}, hidden)
    # the bundle is what was linked plus the new shard and the word list: no second scan of 28,000 files
    files = dict(keep)
    if changed:
        top = shard_dir(bundle, n).relative_to(bundle).as_posix()
        files.update((f"{top}/{rel}", v) for rel, v in scan(shard_dir(bundle, n)).items())
    st = (bundle / WORDS_FILE).stat()
    files[WORDS_FILE] = [st.st_size, st.st_mtime_ns, st.st_ino]
    return search.index_stats(bundle, out, time.perf_counter() - t, digests, entries, shards, files), hidden


def _published(edition: Any, base_edition: str | None) -> bool:
    """A kept index may serve an edition only if an earlier edition published it."""
    archive = getattr(edition, "archive", None)
    earlier = {h.id for h in edition.history[:-1]}
    return (base_edition is not None and base_edition in earlier and archive is not None
            and (Path(archive) / base_edition / "data" / "site" / BUNDLE_DIR / WORDS_FILE).is_file())


def update_index(ctx: "BuildContext", urls: list[str]) -> tuple[IndexStats, dict[str, Any]]:
    """Index the staged site: from the kept index where it serves, else in
    full (kept for the next build). Returns the statistics and the plan an
    edition records (report/search.json)."""
    edition = ctx.site.edition
    recorded = getattr(edition, "search", None)
    if recorded and recorded.get("base"):  # `rebuild` of an edition published on a kept index
        return _from_record(ctx.site_dir, urls, recorded, Path(edition.archive))
    key = index_key()
    folder = ctx.work / FOLDER if ctx.work is not None and recorded is None else None
    base = load_base(folder, key) if folder is not None and key else None
    if base is not None and (base.edition is not None if edition is None else not _published(edition, base.edition)):
        base = None
    if base is not None and base.shards >= 2:
        changed, gone, same = changes(ctx.site_dir, urls, base)
        if same and folder is not None:
            refresh_idents(folder, same)
        if len(changed) + len(gone) <= OVERLAY_MAX:
            replaced = {base.entries[u].id for u in (*changed, *gone) if u in base.entries}
            stats, hidden = overlay(ctx.site_dir, base, changed, replaced)
            return stats, {"base": base.edition, "overlay": changed, "hidden": sorted(hidden), "replaced": sorted(replaced)}
    stats = search.run_pagefind(ctx.site_dir, urls, progress=say)
    if folder is not None and key:
        save_base(folder, ctx.site_dir, stats, key, edition.id if edition is not None else None)
    return stats, {"base": None}


def _from_record(site_dir: Path, urls: list[str], recorded: dict[str, Any], archive: Path) -> tuple[IndexStats, dict[str, Any]]:
    """An edition's index made again as its publish made it: the shards of the
    edition that published the kept index, and the same overlay."""
    eid = str(recorded["base"])
    site = archive / eid / "data" / "site"
    if not (site / BUNDLE_DIR / WORDS_FILE).is_file():
        raise IndexFailed(f"版本 {eid} 的检索索引缺失，本版本的检索索引由它与新增页面合成，无法按原样重建",
                          f"请核对版本库中 editions/{eid}/data/site/{BUNDLE_DIR}/ 是否完整（verify 可检查）")
    about = json.loads((site / BUNDLE_DIR / WORDS_FILE).read_text(encoding="utf-8"))
    _, _, entries = search.index_words(site)
    base = Base(site / BUNDLE_DIR, len(about["shards"]) + 1, entries, {}, {}, eid)
    stats, hidden = overlay(site_dir, base, list(recorded["overlay"]), set(recorded["replaced"]))
    return stats, {**recorded, "hidden": sorted(hidden)}


def index_site(ctx: "BuildContext") -> None:
    """POST_STEP: index the staged site; an indexing failure fails the build
    (the old site stays in place)."""
    from .build import BuildFailed

    say("正在建立全文检索索引 …")
    urls = [p.url for p in ctx.pages if p.meta.get("pagefind") and not p.meta.get("draft")]
    try:
        stats, plan = update_index(ctx, urls)
    except IndexFailed as e:
        raise BuildFailed(Problems([e.problem])) from e
    ctx.index_plan = plan
    ctx.timings["index"] = stats.seconds
    size = f"{stats.bytes / 2**20:.1f} MB（{stats.seconds:.1f} 秒）"
    if plan.get("overlay") is None:
        say(f"检索索引：{stats.pages} 个页面，{size}")
    else:
        say(f"检索索引：沿用上次的全量索引，重新索引有变化的 {len(plan['overlay'])} 个页面，"
            f"隐藏 {len(plan['hidden'])} 个旧页面，共 {size}")
