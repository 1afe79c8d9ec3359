"""Stage 6: the full-text search index, built by Pagefind on the staged site.

Only the *extended* Pagefind binary segments unspaced Chinese (the plain one
finds nothing for 回扣 or 招标), so we run the one shipped in the pinned
`pagefind_bin_extended` wheel: no download at build time, no network.

Pages opt in with `data-pagefind-body` (theme/overrides/main.html, driven by
page meta `pagefind`); drafts never carry it, so with --drafts they stay out.
Filters, result metadata and weights come from theme/templates/_search_meta.html.

Big sites are indexed in shards: Pagefind 1.5's search time grows with the
square of the pages holding a word (10,454 pages with 回扣: 3.6 s), so pages
are split by a hash of their path into shards of about SHARD_PAGES pages,
indexed by parallel Pagefind processes (also a tenth of the memory), and
merged again in the browser (Pagefind's mergeIndex): the same search then
takes about a tenth. A shard that lacks a query word would answer with its
nearest word instead (Pagefind's fallback), so lz-search.json says which
shards hold each word and search.js asks only those.

A later build of the same work folder indexes only the pages that changed,
into one more shard, on top of the last full index (reindex.py).
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, TypeVar

from .derive import STATUS_CLASS
from .problems import ERROR, Problem, Problems
from .ticker import Ticker
from .workdir import scan

if TYPE_CHECKING:
    from .build import BuildContext

BUNDLE_DIR = "pagefind"  # relative to the site root; search.js loads BUNDLE_DIR/pagefind.js
SHARD_PAGES = 2000  # pages per shard; shard n > 0 lives in BUNDLE_DIR/s<n>/
MAX_SHARDS = 30  # search.js keeps a shard set in a 32-bit mask
LANGUAGE = "zh"  # one index for the whole site, whatever a page's <html lang> says
TIMEOUT_S = 600

# Page chrome inside record content that must not match or show in excerpts:
# buttons and links that are not printed either (print, comment form),
# the print footer, screen-reader-only table captions ("表头信息"), column
# headings ("序号 风险点 表现形式 …"), and a form's publicity dates and
# step-by-step history (签署承诺, 开始公示 … on every form: a third of a form's
# words, none worth finding it by; the comments received stay searchable).
EXCLUDE_SELECTORS = (".lz-noprint", ".lz-print-footer", "[data-lz-print]", ".lz-sr", "thead", ".lz-publicity",
                     ".lz-history")

# Pagefind's ready-made UIs: the site uses its own small UI on pagefind.js
# (theme/assets/search.js), so these are not shipped.
UNUSED_UI = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
             "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")
# A merged shard only serves its index files: the code comes from the first.
SHARD_UNUSED = ("pagefind.js", "pagefind-worker.js", "wasm.unknown.pagefind")

# The index's own Chinese words, for query segmentation in the browser (search.js):
# Pagefind 1.5 splits queries with the browser's Intl.Segmenter, which often
# cuts differently from the jieba segmentation used at index time (upstream
# issue 1237: 陈晓红 → 陈|晓红 against 陈晓红, 中医院 against 中医|院), and a query
# word that is not an index word finds nothing. search.js instead splits a
# query into words of this list, so every query word is one Pagefind knows.
# The file also lists the shards and every filter value (the results page
# builds its filters from it without loading Pagefind's filter chunks).
WORDS_FILE = "lz-search.json"
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD_EDGE = re.compile(r"^[^\w]+|[^\w]+$")

# Filter names as the reader sees them, in the order the results page shows them.
FILTERS = ("类别", "单位", "科室", "表类", "年度", "公示状态", "风险等级", "重点领域", "档案")


@dataclass(frozen=True)
class IndexStats:
    pages: int
    words: int
    filters: int
    seconds: float
    bytes: int
    files: int
    # what the index holds, for the next build's incremental index (reindex.py)
    digests: dict[str, str] = field(default_factory=dict)  # page → digest of the record content indexed
    entries: dict[str, "Entry"] = field(default_factory=dict)  # page → where the index holds it
    shards: int = 1


@dataclass(frozen=True)
class Entry:
    """One indexed page: its shard, Pagefind's page id (the name of its
    fragment file, and result.id in the browser) and its filter values."""

    shard: int
    id: str
    filters: dict[str, list[str]]


def binary() -> Path:
    """The extended Pagefind executable inside the installed wheel."""
    from pagefind_bin_extended import get_executable  # type: ignore[import-untyped]

    return Path(get_executable())


BODY = "data-pagefind-body"
_BODY = BODY.encode()
_SLIM_HEAD = b'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title></title></head><body>'
_SLIM_TAIL = b"</body></html>"


def slim_body(html: bytes) -> bytes | None:
    """The record content of a page as Pagefind gets it (see slim_copies),
    None for a page without data-pagefind-body. Bytes in, bytes out: the
    markers are ASCII (with plain os calls, the slim copies of 10,000
    people's 27,392 pages take 1.2-1.6 s of CPU instead of 4.1-4.8 s)."""
    at = html.find(_BODY)
    if at < 0:
        return None
    start = html.rfind(b"<", 0, at)
    end = html.find(b"</article>", at)
    return _SLIM_HEAD + html[start:end if end > 0 else len(html)] + _SLIM_TAIL


def content_digest(slim: bytes | None) -> str:
    return hashlib.sha1(slim or b"").hexdigest()


def slim_copies(site_dir: Path, paths: Iterable[str], dest: Path) -> dict[str, str]:
    """Copy the record content of each page (its data-pagefind-body element,
    up to the end of Material's <article>) to `dest`, at the same path.
    Pagefind then parses a fifth of the bytes: the header, navigation and
    footer of every page are Material's, never indexed, yet cost it a quarter
    of its time. Pages without the attribute (drafts) are left out. Returns
    the digest of what each page gave (reindex.py compares them)."""
    digests: dict[str, str] = {}
    # plain strings and os calls, one makedirs per folder (see slim_body)
    site_s, dest_s = os.fspath(site_dir), os.fspath(dest)
    made: set[str] = set()
    for rel in paths:
        try:
            with open(os.path.join(site_s, rel), "rb") as f:
                slim = slim_body(f.read())
        except FileNotFoundError:
            continue
        digests[rel] = content_digest(slim)
        if slim is None:
            continue
        target = os.path.join(dest_s, rel)
        parent = os.path.dirname(target)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        with open(target, "wb") as f:
            f.write(slim)
    return digests


def marked_pages(site_dir: Path) -> list[str]:
    """Every page of a built site that carries data-pagefind-body."""
    bundle = site_dir / BUNDLE_DIR
    return sorted(str(p.relative_to(site_dir)) for p in site_dir.rglob("*.html")
                  if not p.is_relative_to(bundle) and BODY.encode() in p.read_bytes())


def shards_of(paths: Iterable[str]) -> list[list[str]]:
    """Pages split into shards of about SHARD_PAGES by a hash of the path:
    the same page always lands in the same shard of a site of a given size."""
    paths = sorted(set(paths))
    n = min(MAX_SHARDS, max(1, -(-len(paths) // SHARD_PAGES)))
    out: list[list[str]] = [[] for _ in range(n)]
    for p in paths:
        out[int(hashlib.sha1(p.encode("utf-8")).hexdigest()[:8], 16) % n].append(p)
    return out


def shard_dir(bundle: Path, n: int) -> Path:
    return bundle if n == 0 else bundle / f"s{n}"


def run_pagefind(site_dir: Path, paths: Iterable[str] | None = None, progress: Callable[[str], None] | None = None) -> IndexStats:
    """Index the record pages `paths` (relative to site_dir; default: every
    page marked data-pagefind-body) into site_dir/pagefind. Raises
    IndexFailed with a Chinese message when Pagefind is missing or fails.
    `progress` is told the shards done every few seconds."""
    t = time.perf_counter()
    bundle = (site_dir / BUNDLE_DIR).resolve()
    shards = shards_of(marked_pages(site_dir) if paths is None else paths)
    digests, out, read = index_into(site_dir, [(shard_dir(bundle, n), pages) for n, pages in enumerate(shards)], progress,
                                    then=lambda n: index_words(site_dir, [n]))
    words: dict[str, int] = {}
    filters: dict[str, set[str]] = {}
    entries: dict[str, Entry] = {}
    for shard_words, shard_filters, shard_entries in read:
        for w, mask in shard_words.items():
            words[w] = words.get(w, 0) | mask
        for k, vs in shard_filters.items():
            filters.setdefault(k, set()).update(vs)
        entries.update(shard_entries)
    write_about(site_dir, len(shards), dict(sorted(words.items())), {k: sorted(v) for k, v in sorted(filters.items())})
    return index_stats(bundle, out, time.perf_counter() - t, digests, entries, len(shards))


def index_stats(bundle: Path, out: str, seconds: float, digests: dict[str, str], entries: dict[str, Entry], shards: int,
                files: dict[str, list[int]] | None = None) -> IndexStats:
    """`files`: the bundle's files (scan()) when the caller has them already."""
    if files is None:
        files = scan(bundle)  # os.scandir: pathlib's rglob and stat took 0.3 s for the 28,000 files of 10,000 people
    return IndexStats(pages=_count(out, "pages"), words=_count(out, "words"), filters=_count(out, "filters"),
                      seconds=seconds, bytes=sum(size for size, _, _ in files.values()), files=len(files),
                      digests=digests, entries=entries, shards=shards)


T = TypeVar("T")


def index_into(site_dir: Path, jobs: list[tuple[Path, list[str]]], progress: Callable[[str], None] | None = None,
               then: Callable[[int], T] | None = None) -> tuple[dict[str, str], str, list[T]]:
    """Run Pagefind on the pages of each job (output folder, pages), one
    process per core at a time; returns the digest of each page's record
    content, Pagefind's output and, with `then`, what then(job number)
    returned after the job's Pagefind run. Only the bundle's root folder
    keeps Pagefind's code: a shard's folder serves its index files.

    Each job makes its slim copies, runs Pagefind and calls `then` in a
    thread of its own: this process's Python work for one shard (one
    thread at a time) overlaps the other shard's Pagefind process. Done
    before and after all the shards, it left a core idle (10,000 people:
    12 s; the index now takes 4 s less)."""
    try:
        exe = binary()
    except (ImportError, FileNotFoundError) as e:
        raise IndexFailed("找不到 Pagefind 扩展版程序（pagefind_bin_extended）",
                          "请在虚拟环境中安装 requirements.txt 中固定版本的依赖后重试") from e
    with tempfile.TemporaryDirectory(prefix=".search-input-", dir=site_dir.parent) as tmp:
        def job(n: int) -> tuple[dict[str, str], subprocess.CompletedProcess[str], T | None]:
            output, pages = jobs[n]
            src = Path(tmp) / f"s{n}"
            src.mkdir()
            digests = slim_copies(site_dir, pages, src)
            proc = _run([str(exe), "--site", str(src), "--output-path", str(output),
                         "--force-language", LANGUAGE, "--keep-index-url",
                         "--exclude-selectors", ", ".join(EXCLUDE_SELECTORS)])
            shutil.rmtree(src, ignore_errors=True)  # read by Pagefind: no longer needed
            done.add()
            return digests, proc, then(n) if then is not None and proc.returncode == 0 else None

        # one job per core at a time
        with Ticker(progress, lambda k: f"检索索引：已完成 {k}/{len(jobs)} 个分片 …") as done, \
                ThreadPoolExecutor(max_workers=max(1, min(len(jobs), os.cpu_count() or 1))) as pool:
            results = list(pool.map(job, range(len(jobs))))
    for _, proc, _ in results:
        if proc.returncode != 0:
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
            raise IndexFailed(f"Pagefind 建立检索索引失败（退出码 {proc.returncode}）：{tail}", "生成器内部错误，请报告")
    for output, _ in jobs:
        for name in UNUSED_UI + (() if output.name == BUNDLE_DIR else SHARD_UNUSED):
            (output / name).unlink(missing_ok=True)
    digests: dict[str, str] = {}
    for got, _, _ in results:
        digests.update(got)
    return digests, "\n".join(proc.stdout for _, proc, _ in results), [r for _, _, r in results if r is not None]


def _run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise IndexFailed(f"无法运行 Pagefind：{e}", "请检查 pagefind_bin_extended 是否完整安装") from e


def _count(output: str, noun: str) -> int:
    """Pagefind's summary lines read 'Indexed 18 pages'."""
    total = 0
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "Indexed" and parts[2] == noun and parts[1].isdigit():
            total += int(parts[1])
    return total


class IndexFailed(Exception):
    def __init__(self, found: str, hint: str) -> None:
        super().__init__(found)
        self.problem = Problem(BUNDLE_DIR, 0, 0, ERROR, "", "检索索引", found, hint=hint)


def index_site(ctx: "BuildContext") -> None:
    """POST_STEP: index the staged site; an indexing failure fails the build
    (the old site stays in place)."""
    from .build import BuildFailed

    print("正在建立全文检索索引 …", file=sys.stderr, flush=True)
    try:
        stats = run_pagefind(ctx.site_dir, [p.url for p in ctx.pages if p.meta.get("pagefind") and not p.meta.get("draft")])
    except IndexFailed as e:
        raise BuildFailed(Problems([e.problem])) from e
    ctx.timings["index"] = stats.seconds
    print(f"检索索引：{stats.pages} 个页面，{stats.bytes / 2**20:.1f} MB（{stats.seconds:.1f} 秒）", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ reading the bundle back


def _fragment_files(site_dir: Path) -> list[Path]:
    return sorted((site_dir / BUNDLE_DIR).rglob("fragment/*.pf_fragment"))


def index_words(site_dir: Path, shards: Iterable[int] | None = None, skip: frozenset[str] = frozenset()
                ) -> tuple[dict[str, int], dict[str, list[str]], dict[str, Entry]]:
    """The distinct Chinese words of the index, as Pagefind segmented them
    (it marks word boundaries in the stored page text with zero-width
    spaces), each with the bit mask of the shards holding it, every value
    of every filter, and every page's entry. `shards`: those to read
    (default: all); pages whose id is in `skip` are passed over."""
    bundle = site_dir / BUNDLE_DIR
    words: dict[str, int] = {}
    filters: dict[str, set[str]] = {}
    entries: dict[str, Entry] = {}
    if shards is None:
        shards = range(MAX_SHARDS + 1)
    for n in shards:
        if not (shard_dir(bundle, n) / "fragment").is_dir():
            break
        raw: set[str] = set()
        for path in (shard_dir(bundle, n) / "fragment").glob("*.pf_fragment"):
            if path.stem in skip:
                continue
            frag = _decode(path)
            raw.update(str(frag["content"]).replace("\u200b", " ").split())  # C-speed splits; Chinese tokens picked below
            values = {k: list(v) for k, v in dict(frag.get("filters") or {}).items()}  # type: ignore[call-overload]
            for key, vs in values.items():
                filters.setdefault(key, set()).update(vs)
            entries[str(frag["url"]).lstrip("/")] = Entry(n, path.stem, values)
        for t in raw:  # few distinct tokens: tidy them once
            if not _HAN.search(t):
                continue
            w = _WORD_EDGE.sub("", t).lower()
            if _HAN.search(w):
                words[w] = words.get(w, 0) | (1 << n)
    return dict(sorted(words.items())), {k: sorted(v) for k, v in sorted(filters.items())}, entries


def write_about(site_dir: Path, shards: int, words: dict[str, int], filters: dict[str, list[str]],
                hide: Iterable[str] = ()) -> None:
    """lz-search.json: the shards, the filter values, the index words (with
    the shards holding each), the CSS class of each 状态 and the pages search.js must not show (hide:
    pages of an earlier full index replaced since, see reindex.py)."""
    data: dict[str, object] = {"shards": [f"s{n}/" for n in range(1, shards)], "filters": filters, "words": list(words),
                               "statusClass": STATUS_CLASS}  # how a result's 状态 shows (the status colours)
    if shards > 1:  # which shards hold each word (bit n: shard n), so a query skips the others
        data["masks"] = list(words.values())
    hidden = sorted(hide)
    if hidden:
        data["hide"] = hidden
    (site_dir / BUNDLE_DIR / WORDS_FILE).write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")),
                                                    encoding="utf-8")


def _decode(path: Path) -> dict[str, object]:
    data = gzip.decompress(path.read_bytes())
    if data.startswith(b"pagefind_dcd"):
        data = data[len(b"pagefind_dcd"):]
    return json.loads(data)  # type: ignore[no-any-return]


def fragments(site_dir: Path) -> Iterator[dict[str, object]]:
    """Every indexed page as Pagefind stored it (url, content, meta, filters):
    what a reader of the site can retrieve through search."""
    seen: set[str] = set()
    for path in _fragment_files(site_dir):
        if path.stem in seen:
            continue
        seen.add(path.stem)
        frag = _decode(path)
        # Pagefind marks its word boundaries with zero-width spaces
        frag["content"] = str(frag.get("content", "")).replace("\u200b", "")
        yield frag
