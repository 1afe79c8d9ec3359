"""Stage 6: the full-text search index, built by Pagefind on the staged site.

Only the *extended* Pagefind binary segments unspaced Chinese (the plain one
finds nothing for 回扣 or 招标), so we run the one shipped in the pinned
`pagefind_bin_extended` wheel: no download at build time, no network.

Pages opt in with `data-pagefind-body` (theme/overrides/main.html, driven by
page meta `pagefind`); drafts never carry it, so with --drafts they stay out.
Filters, result metadata and weights come from theme/templates/_search_meta.html.
"""
from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from .problems import ERROR, Problem, Problems

if TYPE_CHECKING:
    from .build import BuildContext

BUNDLE_DIR = "pagefind"  # relative to the site root; search.js loads BUNDLE_DIR/pagefind.js
LANGUAGE = "zh"  # one index for the whole site, whatever a page's <html lang> says
TIMEOUT_S = 600

# Page chrome inside record content that must not match or show in excerpts:
# buttons and links that are not printed either (print, comment form),
# the print footer, screen-reader-only table captions ("表头信息"), and a
# form's step-by-step history (签署承诺, 开始公示 … on every form: a quarter
# of a form's words, none worth finding it by).
EXCLUDE_SELECTORS = (".lz-noprint", ".lz-print-footer", "[data-lz-print]", ".lz-sr", ".lz-history")

# Pagefind's ready-made UIs: the site uses its own small UI on pagefind.js
# (theme/assets/search.js), so these are not shipped.
UNUSED_UI = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
             "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")

# The index's own Chinese words, for query segmentation in the browser (search.js):
# Pagefind 1.5 splits queries with the browser's Intl.Segmenter, which often
# cuts differently from the jieba segmentation used at index time (upstream
# issue 1237: 陈晓红 → 陈|晓红 against 陈晓红, 中医院 against 中医|院), and a query
# word that is not an index word finds nothing. search.js instead splits a
# query into words of this list, so every query word is one Pagefind knows.
WORDS_FILE = "lz-words.json"
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


def binary() -> Path:
    """The extended Pagefind executable inside the installed wheel."""
    from pagefind_bin_extended import get_executable  # type: ignore[import-untyped]

    return Path(get_executable())


def page_glob(paths: Iterable[str]) -> str:
    """A Pagefind --glob for the folders (and top-level files) holding the
    pages to index: Pagefind then does not even parse the listing, print and
    archive pages, which carry no data-pagefind-body (a third of its time)."""
    parts = sorted({p.split("/", 1)[0] + "/**/*.html" if "/" in p else p for p in paths})
    return "{" + ",".join(parts) + "}" if parts else "**/*.html"


def run_pagefind(site_dir: Path, glob: str | None = None) -> IndexStats:
    """Index `site_dir` in place (bundle in site_dir/pagefind). Raises
    IndexFailed with a Chinese message when Pagefind is missing or fails."""
    try:
        exe = binary()
    except (ImportError, FileNotFoundError) as e:
        raise IndexFailed("找不到 Pagefind 扩展版程序（pagefind_bin_extended）",
                          "请在虚拟环境中安装 requirements.txt 中固定版本的依赖后重试") from e
    cmd = [str(exe), "--site", str(site_dir), "--output-subdir", BUNDLE_DIR,
           "--force-language", LANGUAGE, "--keep-index-url", "--exclude-selectors", ", ".join(EXCLUDE_SELECTORS)]
    if glob:
        cmd += ["--glob", glob]
    t = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise IndexFailed(f"无法运行 Pagefind：{e}", "请检查 pagefind_bin_extended 是否完整安装") from e
    seconds = time.perf_counter() - t
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
        raise IndexFailed(f"Pagefind 建立检索索引失败（退出码 {proc.returncode}）：{tail}", "生成器内部错误，请报告")
    out = proc.stdout
    bundle = site_dir / BUNDLE_DIR
    for name in UNUSED_UI:
        (bundle / name).unlink(missing_ok=True)
    write_words(site_dir)
    files = [p for p in bundle.rglob("*") if p.is_file()]
    return IndexStats(pages=_count(out, "pages"), words=_count(out, "words"), filters=_count(out, "filters"),
                      seconds=seconds, bytes=sum(p.stat().st_size for p in files), files=len(files))


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
        stats = run_pagefind(ctx.site_dir, page_glob(p.url for p in ctx.pages if p.meta.get("pagefind") and not p.meta.get("draft")))
    except IndexFailed as e:
        raise BuildFailed(Problems([e.problem])) from e
    ctx.timings["index"] = stats.seconds
    ctx.timings["index_bytes"] = float(stats.bytes)
    ctx.timings["index_pages"] = float(stats.pages)


# ------------------------------------------------------------------ reading the bundle back


def index_words(site_dir: Path) -> list[str]:
    """The distinct Chinese words of the index, as Pagefind segmented them
    (it marks word boundaries in the stored page text with zero-width spaces)."""
    words: set[str] = set()
    for path in (site_dir / BUNDLE_DIR / "fragment").glob("*.pf_fragment"):
        text = _decode(path)["content"]
        for token in re.split(r"[\u200b\s]+", str(text)):
            token = _WORD_EDGE.sub("", token)
            if token and _HAN.search(token):
                words.add(token.lower())
    return sorted(words)


def write_words(site_dir: Path) -> None:
    (site_dir / BUNDLE_DIR / WORDS_FILE).write_text(
        json.dumps(index_words(site_dir), ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _decode(path: Path) -> dict[str, object]:
    data = gzip.decompress(path.read_bytes())
    if data.startswith(b"pagefind_dcd"):
        data = data[len(b"pagefind_dcd"):]
    return json.loads(data)  # type: ignore[no-any-return]


def fragments(site_dir: Path) -> Iterator[dict[str, object]]:
    """Every indexed page as Pagefind stored it (url, content, meta, filters):
    what a reader of the site can retrieve through search."""
    for path in sorted((site_dir / BUNDLE_DIR / "fragment").glob("*.pf_fragment")):
        frag = _decode(path)
        # Pagefind marks its word boundaries with zero-width spaces
        frag["content"] = str(frag.get("content", "")).replace("\u200b", "")
        yield frag
