"""The build pipeline: check → derive → render → engine → (index) → swap in.

Nothing is written to the output folder until everything has succeeded: the
site is built in a staging folder beside it and swapped in at the end.
"""
from __future__ import annotations

import ctypes
import datetime as dt
import glob
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .check import CheckResult, run_check
from .config import Config
from .derive import Site, derive
from .engine import THEME, config_text, fingerprint, mkdocs_config, page_source, run_engine
from .memo import Memo, record_digests, site_key
from .problems import ERROR, Problem, Problems
from .render import Page, render_pages
from .reindex import index_site
from .ticker import say
from .workdir import Workdir, link_tree, scan, sync_tree

# Steps run on the staged site after the engine (search indexing registers here).
# The staged site's files are hard links to the engine's work folder: a step
# adds files or replaces them (write a new file, rename it over the old one),
# and never rewrites a file in place.
POST_STEPS: list[Callable[["BuildContext"], None]] = [index_site]

AUTO = "auto"  # build_site(cache=AUTO): the work folder beside the output, <out parent>/.cache/<out name>


@dataclass
class BuildContext:
    cfg: Config
    site: Site
    pages: list[Page]  # every page, without its HTML (that is in the engine's docs/)
    staging: Path  # holds site/
    timings: dict[str, float] = field(default_factory=dict)
    engine: Any = None  # engine.EngineStats of this build
    work: Path | None = None  # the engine's work folder, when kept between builds
    index_plan: dict[str, Any] | None = None  # how the search index was made (reindex.py), for editions

    @property
    def site_dir(self) -> Path:
        return self.staging / "site"


class BuildFailed(Exception):
    def __init__(self, problems: Problems, files: int | None = None) -> None:
        super().__init__("build failed")
        self.problems = problems
        self.files = files


def nav_of(pages: list[Page]) -> list[tuple[str, str]]:
    return [(p.nav[0], p.path) for p in sorted((p for p in pages if p.nav), key=lambda p: (p.nav[1], p.path))]  # type: ignore[index]


def source_epoch(as_of: dt.date) -> str:
    # MkDocs stamps the sitemap with the build time unless told otherwise:
    # pin it to the as-of date so that the same inputs give the same bytes.
    return str(int(dt.datetime(as_of.year, as_of.month, as_of.day, tzinfo=dt.timezone.utc).timestamp()))


# Every page carries it (theme/overrides/main.html): a folder whose index.html
# has it is a site this tool built, and may be replaced by a new build.
SITE_MARK = '<meta name="generator" content="lianzheng-site">'


def output_problem(cfg: Config, out: Path) -> Problem | None:
    """Why `out` must not be replaced by a new site, if it must not: the swap
    deletes the old folder, so it has to be an earlier build or empty."""
    shown = cfg.display(out)

    def bad(found: str, hint: str) -> Problem:
        return Problem(shown, 0, 0, ERROR, "", "输出目录", found, hint=hint)

    for inner, what in ((cfg.root, "配置文件"), (cfg.content_dir, "内容目录"), (cfg.archive_dir, "版本库")):
        if inner == out or out in inner.parents:
            return bad(f"输出目录 {shown} 包含{what}，生成站点时会把它整个替换掉", "请指定单独的输出目录，如 build/site")
    if cfg.content_dir in out.parents:
        return bad(f"输出目录 {shown} 在内容目录之中：生成的页面会被当作记录文件读取", "请指定内容目录以外的输出目录，如 build/site")
    if out.exists() and not out.is_dir():
        return bad(f"{shown} 已存在，且不是文件夹", "请指定一个文件夹作为输出目录")
    if out.is_dir() and any(out.iterdir()):
        try:
            ours = SITE_MARK in (out / "index.html").read_text(encoding="utf-8", errors="replace")
        except OSError:
            ours = False
        if not ours:
            return bad(f"输出目录 {shown} 已存在，且不是本工具生成的站点：生成时其中的文件会被删除",
                       "请指定新的或空的文件夹；确要替换时，请先自行移走它")
    return None


_STAGE_NAMES = (("check", "检查"), ("render", "生成页面"), ("write", "写出"), ("mkdocs", "HTML"), ("stage", "暂存"),
                ("index", "检索索引"))


def stage_times(timings: dict[str, float]) -> str:
    """Where a build's time went, for the closing progress line."""
    return "，".join(f"{name} {timings[key]:.1f}" for key, name in _STAGE_NAMES if key in timings)


def cache_for(out: Path, drafts: bool) -> Path:
    return out.parent / ".cache" / (out.name + ("-drafts" if drafts else ""))


def build_site(cfg: Config, as_of: dt.date, out: Path, drafts: bool = False, checked: CheckResult | None = None,
               progress: Callable[[str], None] = say, edition: Any = None, cache: Path | str | None = AUTO) -> BuildContext:
    """Check, render and build the site into `out`, replaced in one step at the end.

    `cache` is the engine's work folder, kept between builds (default: beside
    the output, see workdir.py); None builds everything from scratch in a
    temporary folder."""
    t0 = time.perf_counter()
    out = out.resolve()
    problem = output_problem(cfg, out)
    if problem:
        raise BuildFailed(Problems([problem]))
    parsed = out.parent / ".cache" if cache == AUTO else (Path(cache).parent if cache else None)  # loadcache.py
    result = checked or run_check(cfg, cache=parsed, progress=progress)
    # by record id for the kept pages (memo.py); the digests by path are read by an edition's copy
    # only, before this (50,000 people: 30 MB each render worker would count)
    digests = record_digests(result.content.records, result.digests) if result.digests else None
    result.digests = None
    if result.problems.errors:
        raise BuildFailed(result.problems, result.files)
    if result.problems:
        result.problems.report(sys.stderr, files=result.files)
    timings = {"check": time.perf_counter() - t0}
    progress(f"检查通过：{result.files} 个文件")

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(out)
        # the pid in the name: a later build removes the folder if this process was killed
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-staging-{os.getpid()}-", dir=out.parent))
    except OSError as e:
        blocker = next((p for p in reversed(out.parents) if p.exists() and not p.is_dir()), None)
        found = (f"路径中的 {cfg.display(blocker)} 是文件，不是文件夹" if blocker else
                 f"无法在 {cfg.display(out.parent)} 中创建输出目录（{e.strerror}）")
        raise BuildFailed(Problems([Problem(cfg.display(out), 0, 0, ERROR, "", "输出目录", found,
                                            hint="检查 site_config.yml 的 output 或 --out，以及目录权限")])) from None
    try:
        ctx = _build_staged(cfg, as_of, out, drafts, result, digests, progress, edition, cache, staging, timings)
        swap_in(ctx.site_dir, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    timings["total"] = time.perf_counter() - t0
    progress(f"站点已生成：{cfg.display(out)}/（用时 {timings['total']:.1f} 秒：{stage_times(timings)}）")
    return ctx


def _build_staged(cfg: Config, as_of: dt.date, out: Path, drafts: bool, result: CheckResult, digests: dict[str, bytes] | None,
                  progress: Callable[[str], None], edition: Any, cache: Path | str | None, staging: Path,
                  timings: dict[str, float]) -> BuildContext:
    """Derive, render and run the engine in its work folder; link the result into staging/site
    and run the POST_STEPS on it. `digests`: of each record's file, by id, when the
    check had them (pages are then kept from the last build, memo.py)."""
    work_dir = cache_for(out, drafts) if cache == AUTO else (Path(cache) if cache else None)
    try:
        work = Workdir.open(work_dir, staging)
    except OSError:
        work = Workdir.open(None, staging)
    try:
        t = time.perf_counter()
        site = derive(cfg, result.content, as_of, drafts)
        site.edition = edition
        state = work.state()
        memo = None
        if work.persistent and digests is not None:
            memo = Memo(work.root, site_key(site, cfg.path.read_bytes(), THEME), digests, (state or {}).get("docs") or {})

        def write(page: Page) -> tuple[str, bool]:
            if page.kept is not None:  # its source and files are in docs/ as the last build wrote them
                return page.kept, False
            for path, text in page.files.items():  # the engine copies them to site/ as they are
                work.write_doc(path, text)
            r = work.write_doc(page.path, page_source(page))
            return r.digest, r.written

        # the QR codes are shared by every work folder beside this one (site, drafts, edition)
        pages, docs, problems = render_pages(site, write, cache_dir=work.root.parent if work.persistent else None, progress=progress,
                                             memo=memo)
        if problems:
            raise BuildFailed(Problems(problems))
        kept = sum(p.kept is not None for p in pages)
        timings["render"] = time.perf_counter() - t
        progress(f"已生成 {len(pages)} 个页面（状态截至 {as_of.isoformat()}{'，含草稿预览' if drafts else ''}"
                 f"{f'；{kept} 个页面所用的记录未变，沿用上次的结果' if kept else ''}）")

        t = time.perf_counter()
        ctx = BuildContext(cfg, site, pages, staging, timings, work=work.root if work.persistent else None)
        digests = {p.path: d for p, (d, _) in zip(pages, docs)}
        work.prune_docs(set(digests) | {f for p in pages for f in p.files})
        sync_tree(THEME / "assets", work.docs / "assets")
        conf = mkdocs_config(cfg.get("site_name"), nav_of(pages), cfg.get("footer") or cfg.get("bureau"), work.docs, work.site,
                             versioned=edition is not None)
        text = config_text(conf)
        if not work.config_file.is_file() or work.config_file.read_text(encoding="utf-8") != text:
            work.config_file.write_text(text, encoding="utf-8")
        fp = fingerprint(text)
        only = changed_pages(state, fp, pages, digests, docs, work.site)
        timings["write"] = time.perf_counter() - t

        t = time.perf_counter()
        progress("MkDocs 正在生成 HTML …" if only is None else f"MkDocs 正在更新 HTML（{len(only)} 个页面有变化）…")
        os.environ["SOURCE_DATE_EPOCH"] = source_epoch(as_of)
        work.invalidate()  # from here until commit() the folder is not trusted
        if memo is not None:
            memo.old = {}  # the workers wrote what the next build needs: free it before the engine runs
        ctx.engine = run_engine(work.config_file, only, len(pages), progress)
        outputs = scan(work.site)
        work.commit(fp, digests, outputs)
        timings["mkdocs"] = time.perf_counter() - t
        t = time.perf_counter()
        link_tree(work.site, ctx.site_dir, outputs)
        timings["stage"] = time.perf_counter() - t
        for step in POST_STEPS:  # while the work folder is ours: the search index keeps its state there
            step(ctx)
        return ctx
    finally:
        work.close()


def changed_pages(state: dict[str, Any] | None, fp: str, pages: list[Page], digests: dict[str, str],
                  docs: list[tuple[str, bool]], site_dir: Path) -> set[str] | None:
    """The pages the engine must render again, or None for a clean build: a
    page whose text differs from the one its output was built from, whose
    source file had to be rewritten, or whose output is not the file the last
    build wrote (missing, changed or replaced since)."""
    if state is None or state.get("fingerprint") != fp:
        return None
    old_docs: dict[str, str] = state.get("docs") or {}
    old_out: dict[str, list[int]] = state.get("outputs") or {}
    now = scan(site_dir) if site_dir.is_dir() else {}
    if not now:
        return None
    only = set()
    for page, (digest, written) in zip(pages, docs):
        html = page.url
        if written or old_docs.get(page.path) != digest or html not in old_out or now.get(html) != old_out[html]:
            only.add(page.path)
    return only


_LEFTOVER = re.compile(r"\.(?P<name>.+)-(?:staging|old)-(?P<pid>\d+)(?:-\w+)?")


def clean_stale(out: Path) -> None:
    """Remove the staging and old folders of builds of `out` that were killed
    (their process is gone); those of a build still running are left alone."""
    for p in out.parent.glob(f".{glob.escape(out.name)}-*-*"):
        m = _LEFTOVER.fullmatch(p.name)
        if m and m["name"] == out.name and not _alive(int(m["pid"])):
            shutil.rmtree(p, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def swap_in(new: Path, out: Path) -> None:
    """Replace `out` by `new` in one step where the kernel allows it."""
    if out.exists() and _exchange(new, out):
        shutil.rmtree(new, ignore_errors=True)
        return
    old = out.with_name(f".{out.name}-old-{os.getpid()}")
    if out.exists():
        os.rename(out, old)
    os.rename(new, out)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """renameat2(RENAME_EXCHANGE): atomic swap of two directories on Linux."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0
