"""Stage 4: render every page body from Jinja templates in theme/templates.

Pages are gathered in memory first (nothing is written here); links between
pages are real relative links and are checked before anything is written.
"""
from __future__ import annotations

import gc
import importlib
import multiprocessing
import os
import posixpath
import re
import secrets
import sys
import zlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, Undefined, select_autoescape
from markupsafe import Markup

from . import reads
from .derive import FORM_LABELS, FORM_SHORT, STATUS_CLASS, Site
from .memo import Entry, Memo, lines, shape_key
from .problems import ERROR, Problem
from .ticker import Ticker

THEME = Path(__file__).resolve().parent.parent / "theme"

# View modules, each exposing pages(site, renderer) -> Iterable[Page].
# views.flows and views.archives before views.units and views.people: they register
# the lookups (flow_figure, archive_page) that unit and person pages use.
VIEWS = ("views.home", "views.flows", "views.archives", "views.units", "views.people", "views.forms", "views.rules",
         "views.listings", "views.board", "views.editions", "views.search", "views.stats")


@dataclass
class Page:
    path: str  # source path under docs/, e.g. "units/rmyy.md"
    title: str
    html: str  # body HTML, everything escaped
    nav: tuple[str, int] | None = None  # (section, order) for pages in the navigation
    source: str = ""  # record file the page shows, for messages
    meta: dict[str, Any] = field(default_factory=dict)  # front matter for the theme
    # files besides pages that the page links (QR codes): path under docs/ → text
    files: dict[str, str] = field(default_factory=dict)
    # kept from the last build (memo.py): the digest of its source, already in the work folder
    kept: str | None = None

    @property
    def url(self) -> str:
        return self.path[:-3] + ".html"


class Renderer:
    def __init__(self, site: Site, owns: Callable[[str], bool] | None = None, cache_dir: Path | None = None,
                 memo: Memo | None = None) -> None:
        self.site = site
        self.memo = memo
        self.marked: dict[str, str] = {}  # pages rendered with memo=True (→ their shape_key): their reads make an entry
        self.kept: dict[str, Entry] = {}  # pages not rendered: their last build's entry
        # In a worker of render_pages: the pages this process renders (the
        # others get empty HTML and are discarded); None renders every page.
        self._owns = owns
        self.skipped: set[str] = set()  # pages not rendered here since the last page was handed on
        # A page rendered in another page's worker: forms/x.md goes with the
        # unit's print page, which holds the same form (views.units sets it).
        self.groups: dict[str, str] = {}
        self._fragments: dict[str, tuple[str, list[tuple[str, str, bool]], set[str]]] = {}
        self._fragment_links: list[tuple[str, str, bool]] | None = None  # (target, anchor, is a file)
        self.files: dict[str, str] = {}  # every file a rendered page linked: path under docs/ → text
        self._page_files: set[str] = set()  # those linked since the last take_files()
        self._nonce = secrets.token_hex(8)  # link placeholders record text cannot forge
        self._placeholder = re.compile("\x1b" + self._nonce + r":(\d+)\x1b")
        self.env = Environment(
            loader=FileSystemLoader(str(THEME / "templates")),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=Undefined,  # optional fields are simply absent from record data
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            # a build reads each template once: no stat() of its file on every get_template (185,000 at 10,000 people)
            auto_reload=False,
        )
        self.env.globals.update(site=site, FORM_LABELS=FORM_LABELS, FORM_SHORT=FORM_SHORT, STATUS_CLASS=STATUS_CLASS)
        from .views.board import template_globals  # comment link, QR code, feedback, history (publicity)

        self.env.globals.update(template_globals(site, qr_cache=cache_dir / "qr" if cache_dir else None))
        self.env.filters.update(cn_date=cn_date, nl2br=nl2br)
        self.env.globals["file_url"] = self.file_url
        self.current = ""
        self.links: list[tuple[str, str, str]] = []  # (from page, to page or file, source file)
        # one string object per link target: a worker keeps every link until
        # the end (check_links), 216,000 of them at 10,000 people, to 37,000 targets
        self._targets: dict[str, str] = {}
        self._source = ""

    def render(self, page_path: str, template: str, source: str = "", memo: bool = False, shape: Any = None, **ctx: Any) -> str:
        """The page's body HTML. memo=True: the page may be kept from the last
        build (memo.py): only for pages whose view notes what it worked out
        for them beforehand (reads.add) or passes it as `shape`, a value
        whose repr() says which records the page lists in which order."""
        self.current = page_path
        self._source = source
        if not self.owns(page_path):
            self.skipped.add(page_path)
            return ""
        if memo and self._keep(page_path, shape):
            return ""
        self.env.globals["link"] = self.link
        self.env.globals["asset"] = self.asset
        html = self.env.get_template(template).render(page_path=page_path, **ctx)
        # Python-Markdown ends a raw HTML block at a blank line: keep none.
        return re.sub(r"\n\s*\n", "\n", html).strip()

    def _keep(self, page_path: str, shape: Any = None) -> bool:
        if self.memo is None or reads.current is None:  # reads not noted (a view not in NOTED): no entry
            return False
        self.marked[page_path] = shape_key(shape)
        entry = self.memo.reusable(page_path, self.marked[page_path])
        if entry is None:
            return False
        self.kept[page_path] = entry
        return True

    def owns(self, page_path: str) -> bool:
        """Whether this process renders the page (always, outside render_pages' workers)."""
        return self._owns is None or self._owns(self.groups.get(page_path, page_path))

    def link(self, target: str, anchor: str = "") -> str:
        """Relative URL from the page being rendered to another page's source path."""
        target = self.shared(target)
        self.links.append((self.current, target, self._source))
        if self._fragment_links is not None:
            self._fragment_links.append((target, anchor, False))
            return f"\x1b{self._nonce}:{len(self._fragment_links) - 1}\x1b"
        return relative_url(self.current, target, anchor)

    def relink(self, targets: Iterable[str]) -> None:
        """Links the page being rendered made when the last build rendered it,
        noted again for HTML it takes over from that build (views.units)."""
        for target in targets:
            self.links.append((self.current, self.shared(target), self._source))

    def shared(self, target: str) -> str:
        """The one string object this renderer keeps for a link target."""
        return self._targets.setdefault(target, target)

    def file_url(self, path: str, text: str) -> str:
        """Relative URL from the page being rendered to a file the site ships
        beside the pages (path under docs/, e.g. "qr/<key>.svg"), written with
        the page that links it."""
        self.files[path] = text
        if self._fragment_links is not None:
            self._fragment_links.append((path, "", True))
            return f"\x1b{self._nonce}:{len(self._fragment_links) - 1}\x1b"
        self.links.append((self.current, path, self._source))
        self._page_files.add(path)
        return relative_url(self.current, path, file=True)

    def take_files(self) -> dict[str, str]:
        """The files linked by the pages rendered since the last call."""
        got = {path: self.files[path] for path in sorted(self._page_files)}
        self._page_files.clear()
        return got

    def asset(self, target: str) -> str:
        if self._fragment_links is not None:
            raise RuntimeError("asset() in a fragment: its URL depends on the page")
        frm = posixpath.dirname(self.current)
        return quote(posixpath.relpath(target, frm or "."))

    def fragment(self, key: str, template: str, **ctx: Any) -> str:
        """Template output shared by several pages (a form on its own page and
        on its unit's print page): rendered once, with its links left as
        placeholders that place() resolves for the page it appears on."""
        got = self._fragments.get(key)
        if got is None:
            if self._fragment_links is not None:
                raise RuntimeError("a fragment inside a fragment: its links could not be placed")
            self.env.globals["link"] = self.link
            self.env.globals["asset"] = self.asset
            self._fragment_links = []
            try:
                with reads.Capture() as read:  # noted again wherever the fragment is placed
                    html = self.env.get_template(template).render(page_path="", **ctx)
                got = self._fragments[key] = (html, self._fragment_links, read)
            finally:
                self._fragment_links = None
        reads.add(got[2])
        return self.place(got[:2])

    def drop_fragment(self, key: str) -> None:
        self._fragments.pop(key, None)

    def place(self, fragment: tuple[str, list[tuple[str, str, bool]]]) -> str:
        html, links = fragment
        current = self.current
        for target, _, is_file in links:
            if is_file:  # the page that shows the fragment ships the file and its link is checked
                self.links.append((current, target, self._source))
                self._page_files.add(target)
        return self._placeholder.sub(lambda m: relative_url(current, *links[int(m.group(1))]), html)

    def page(self, page_path: str, key: str, template: str, source: str = "", drop: bool = True, memo: bool = False,
             **ctx: Any) -> str:
        """render() of a fragment's own page: the same HTML as render(page_path, template, ...)."""
        self.current = page_path
        self._source = source
        if not self.owns(page_path):
            self.skipped.add(page_path)
            self.drop_fragment(key)
            return ""
        if memo and self._keep(page_path):
            self.drop_fragment(key)
            return ""
        html = self.fragment(key, template, **ctx)
        if drop:
            self.drop_fragment(key)  # its last use: keep memory flat
        return re.sub(r"\n\s*\n", "\n", html).strip()


_SAFE_URL = re.compile(r"[A-Za-z0-9_.~/-]*")


def relative_url(current: str, target: str, anchor: str = "", file: bool = False) -> str:
    """URL of page source `target` from page source `current` (both like
    "units/rmyy.md"): posixpath.relpath of the .html paths, quoted. With
    `file`, target is a file that keeps its name (e.g. "qr/<key>.svg")."""
    to = target if file else target[:-3] + ".html"
    frm = posixpath.dirname(current[:-3] + ".html")
    if not frm:
        rel = to
    elif to.startswith(("/", ".")) or "/." in to or "//" in to or frm.startswith(("/", ".")) or "/." in frm:
        rel = posixpath.relpath(to, frm)
    else:
        a, b = frm.split("/"), to.split("/")
        i = 0
        while i < len(a) and i < len(b) - 1 and a[i] == b[i]:
            i += 1
        rel = "../" * (len(a) - i) + "/".join(b[i:])
    return (rel if _SAFE_URL.fullmatch(rel) else quote(rel)) + (f"#{anchor}" if anchor else "")


def cn_date(d: Any) -> str:
    if d is None or d == "":
        return ""
    return f"{d.year}年{d.month}月{d.day}日"


def nl2br(text: str | None) -> Markup:
    from markupsafe import escape

    if not text:
        return Markup("")
    return Markup("<br>".join(escape(line) for line in str(text).split("\n")))


# The views with pages rendered with memo=True (memo.py): reads are noted
# while they run, with a memo. Any other page is never kept (Renderer._keep).
NOTED = frozenset({"views.archives", "views.units", "views.people", "views.forms", "views.listings"})


def iter_pages(site: Site, r: Renderer) -> Iterator[Page]:
    for name in VIEWS:
        reads.track(r.memo is not None and name in NOTED)
        mod = importlib.import_module(f".{name}", __package__)
        view: Callable[[Site, Renderer], Iterable[Page]] = mod.pages
        yield from view(site, r)


def render_site(site: Site, cache_dir: Path | None = None) -> tuple[list[Page], list[Problem]]:
    r = Renderer(site, cache_dir=cache_dir)
    pages = []
    for page in iter_pages(site, r):
        page.files = r.take_files()
        pages.append(page)
    return pages, check_links(pages, r.links, site.cfg.display(site.cfg.content_dir) + "/", files=r.files)


# ------------------------------------------------------------------ in parallel

PROCESSES = max(1, min(2, os.cpu_count() or 1))
MIN_PAGES_FOR_WORKERS = 1000  # records below which one process renders everything (forking costs ~0.1 s)


def owner(path: str, n: int) -> int:
    """Which of n workers renders the page: spread by a hash of the path, so
    each worker gets a fair share of every kind of page."""
    return zlib.crc32(path.encode("utf-8")) % n


# What the forked workers of render_pages inherit: (site, sink, n, cache_dir, pages done, memo).
_WORK: tuple[Site, Callable[[Page], Any], int, Path | None, Ticker, Memo | None] | None = None

# a worker's pages (with the sink's result), its problems, how many pages it saw
_Share = tuple[list[tuple[int, Page, Any]], list[Problem], int]


def _render_share(k: int) -> _Share:
    """Worker k of n: run every view, render the pages it owns, hand each to
    the sink and keep only what the parent needs (the page without its HTML).
    The links are checked here, against every page path the views yielded."""
    assert _WORK is not None
    site, sink, n, cache_dir, done, memo = _WORK
    r = Renderer(site, owns=(lambda path: owner(path, n) == k) if n > 1 else None, cache_dir=cache_dir, memo=memo)
    mine: list[tuple[int, Page, Any]] = []
    paths: list[str] = []
    # every read between two pages is the later page's: what its view worked out for it, and its template's
    links_from = 0
    entries = memo.writer(k) if memo is not None else None
    try:
        for i, page in enumerate(iter_pages(site, r)):
            read = reads.current
            if read is not None:
                reads.current = set()
            paths.append(page.path)
            links, links_from = r.links[links_from:], len(r.links)
            if not r.owns(page.path):
                r.skipped.clear()
                r.take_files()
                continue
            if r.skipped:  # a render skipped since the last page: this page's HTML came from another path
                raise RuntimeError(f"page {page.path} was rendered under a different path ({', '.join(sorted(r.skipped))}); "
                                   "render it with its own path")
            r.skipped.clear()
            page.files = r.take_files()
            entry = r.kept.pop(page.path, None)
            if entry is not None:  # as the last build wrote it: its links and files as they were
                page.kept = entry.doc
                page.files = dict.fromkeys(lines(entry.files), "")
                r.files.update(page.files)
                r.links.extend(zip(repeat(page.path), map(r.shared, lines(entry.links)), repeat(entry.source)))
                links_from = len(r.links)
            result = sink(page)
            if page.kept is None and memo is not None and page.path in r.marked:
                entry = memo.entry(page.path, read or (), [(to, source) for frm, to, source in links if frm == page.path],
                                   page.files, result[0], r.marked[page.path])
            if entry is not None and entries is not None:
                entries.add(page.path, entry)
            done.add()
            page.html = ""  # written by the sink; the parent needs the rest only
            page.files = dict.fromkeys(page.files, "")  # written too; the parent needs their paths
            mine.append((i, page, result))
        if entries is not None:
            entries.close()
    finally:
        reads.track(False)
        if entries is not None:
            entries.abort()  # no-op once closed
    have = [Page(p, "", "") for p in paths]
    return mine, check_links(have, r.links, site.cfg.display(site.cfg.content_dir) + "/", files=r.files), len(paths)


def render_pages(site: Site, sink: Callable[[Page], Any], processes: int = PROCESSES,
                 cache_dir: Path | None = None, progress: Callable[[str], None] | None = None,
                 memo: Memo | None = None) -> tuple[list[Page], list[Any], list[Problem]]:
    """Render every page and hand each to `sink` (in the worker process that
    rendered it: e.g. write it to disk), in `processes` forked processes.
    Returns the pages in view order without their HTML, the sink's result for
    each, and the problems (broken links, duplicate paths). `progress` is told
    the pages done so far every few seconds (ticker.py).

    With `memo` (memo.py), a page kept from the last build reaches the sink
    with `kept` set and no HTML (its source is in place), and the sink must
    return (digest of the page's source, ...) for every page; each worker
    writes the entries of its pages (memo.Writer)."""
    global _WORK
    n = processes if len(site.content.records) >= MIN_PAGES_FOR_WORKERS else 1
    with Ticker(progress, lambda k: f"正在生成页面：已完成 {k} 个页面 …") as done:
        _WORK = (site, sink, max(1, n), cache_dir, done, memo)
        try:
            shares = _render_shares(n)
        finally:
            _WORK = None
    if memo is not None:
        memo.drop_writers_from(max(1, n))
    return _merge(shares)


def _render_shares(n: int) -> list[_Share]:
    if n <= 1:
        return [_render_share(0)]
    sys.stdout.flush()
    sys.stderr.flush()
    # The workers share the parent's records (copy on write): keep the
    # cyclic collector from walking, and so copying, all of them.
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_render_share, range(n)))
    finally:
        gc.unfreeze()


def _merge(shares: list[_Share]) -> tuple[list[Page], list[Any], list[Problem]]:
    counts = {count for _, _, count in shares}
    if len(counts) != 1:
        raise RuntimeError(f"render workers saw different page lists: {sorted(counts)}")
    merged = sorted((item for mine, _, _ in shares for item in mine), key=lambda item: item[0])
    pages = [page for _, page, _ in merged]
    results = [result for _, _, result in merged]
    problems: list[Problem] = []
    seen: set[str] = set()
    for _, probs, _ in shares:
        for prob in probs:  # each worker found the duplicate paths; links missing from either
            key = prob.format()
            if key not in seen:
                seen.add(key)
                problems.append(prob)
    return pages, results, problems


def check_links(pages: list[Page], links: list[tuple[str, str, str]], prefix: str = "",
                files: dict[str, str] | None = None) -> list[Problem]:
    have = {p.path for p in pages} | set(files or ())
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    seen_paths: dict[str, int] = {}
    for p in pages:
        seen_paths[p.path] = seen_paths.get(p.path, 0) + 1
    for path, n in seen_paths.items():
        if n > 1:
            problems.append(Problem(path, 0, 0, ERROR, "", "", f"页面路径重复（{n} 次）", hint="生成器内部错误，请报告"))
    for frm, to, source in links:
        if to in have or (frm, to) in seen:
            continue
        seen.add((frm, to))
        problems.append(Problem(prefix + source if source else frm, 0, 0, ERROR, "", "链接", f"页面 {frm} 链接到不存在的页面 {to}",
                                hint="被链接的记录可能尚未公示、已被删除或编号有误"))
    return problems
