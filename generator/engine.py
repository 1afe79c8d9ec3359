"""The MkDocs boundary: the only module that knows about MkDocs and Material.

It writes the generated pages as a docs folder plus an mkdocs.yml, and runs the
engine as a library. A move to another engine that reads mkdocs.yml touches
only this module.
"""
from __future__ import annotations

import hashlib
import html
import json
import logging
import multiprocessing
import os
import re
import shutil
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Collection, Iterable

import yaml

from .render import THEME, Page
from .ticker import Ticker, say

ASSETS = ("assets/site.css", "assets/site.js")
HOOKS = Path(__file__).resolve().parent / "mkdocs_hooks.py"


def css_string(text: str) -> str:
    """Contents of a CSS string literal: everything but letters, digits and
    CJK as hex escapes, so no quote or angle bracket reaches the style block."""
    return "".join(c if (c.isalnum() and c not in "\\") or c == " " else f"\\{ord(c):x} " for c in text)


def html_text(text: str) -> str:
    """Text for a place where Material prints a string as HTML: its templates
    are not autoescaped, so the site name, the footer and every page and nav
    title (record text, config values) are escaped here, once."""
    return html.escape(text, quote=True)


def front_matter(page: Page) -> str:
    meta: dict[str, Any] = {"title": html_text(page.title), "hide": ["toc"]}
    meta.update({k: v for k, v in page.meta.items() if v not in (None, False, "")})
    if meta.get("print_footer"):
        meta["print_footer_css"] = css_string(str(meta["print_footer"]))
    # JSON is valid YAML and escapes every value safely
    return "---\n" + "\n".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in meta.items()) + "\n---\n\n"


def page_source(page: Page) -> str:
    return front_matter(page) + page.html + "\n"


def write_docs(pages: Iterable[Page], docs: Path) -> int:
    """Write pages, keeping files whose text did not change (and their mtime,
    so a dirty engine run can skip them)."""
    written = 0
    wanted: set[Path] = set()
    for page in pages:
        target = docs / page.path
        wanted.add(target)
        text = page_source(page)
        try:
            if target.read_text(encoding="utf-8") == text:
                continue
        except (FileNotFoundError, UnicodeDecodeError):
            pass
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written += 1
    assets = docs / "assets"
    if assets.exists():
        shutil.rmtree(assets)
    shutil.copytree(THEME / "assets", assets)
    for path in docs.rglob("*.md"):
        if path not in wanted:
            path.unlink()
    return written


def fingerprint(config_text: str) -> str:
    """Everything besides a page's own text that shapes its HTML: the engine
    config (navigation, site name, footer, version selector), the theme
    overrides, this module and the versions of the engine's packages. Equal
    fingerprints and equal page texts give equal pages."""
    from importlib import metadata

    h = hashlib.sha256()
    h.update(config_text.encode("utf-8") + b"\0")
    h.update(Path(__file__).read_bytes() + b"\0")
    h.update(HOOKS.read_bytes() + b"\0")
    for name in ("mkdocs", "mkdocs-material", "Markdown", "Jinja2", "MarkupSafe", "PyYAML", "pymdown-extensions"):
        try:
            h.update(f"{name}=={metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}==\0".encode())
    h.update(sys.version.encode() + b"\0")
    overrides = THEME / "overrides"
    for path in sorted(overrides.rglob("*")):
        if path.is_file():
            h.update(path.relative_to(overrides).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def mkdocs_config(site_name: str, nav: list[tuple[str, str]], footer: str, docs_dir: Path, site_dir: Path,
                  versioned: bool = False) -> dict[str, Any]:
    extra: dict[str, Any] = {"generator": False}
    if versioned:
        # Material's version selector reads ../versions.json beside the editions;
        # any edition not aliased "current" shows the outdated banner.
        extra["version"] = {"provider": "mike", "default": "current"}
    return {
        "site_name": html_text(site_name),
        "docs_dir": str(docs_dir),
        "site_dir": str(site_dir),
        "use_directory_urls": False,  # plain files: works from any static server, sub-path or disk
        "strict": False,
        "theme": {
            "name": "material",
            "language": "zh",
            "custom_dir": str(THEME / "overrides"),
            "font": False,  # no Google Fonts: the intranet has no internet
            "features": ["navigation.top", "content.tooltips"],
            "palette": {"scheme": "default", "primary": "custom", "accent": "custom"},  # colours in site.css (contrast-checked)
            "icon": {"logo": "material/shield-check-outline"},
        },
        "plugins": [],  # Material's search plugin off: Pagefind replaces it
        "hooks": [str(HOOKS)],  # white space between tags squeezed (mkdocs_hooks.py)
        "extra_css": [ASSETS[0], "assets/archive.css", "assets/flow.css", "assets/stats.css"],  # archive.css: the archives' yearly forms
        "extra_javascript": [ASSETS[1], "assets/comment.js"],  # comment.js: hides comment links after the window closes
        "extra": extra,
        "copyright": html_text(footer),
        "nav": [{html_text(label): path} for label, path in nav],
        "not_in_nav": "/*",
        "validation": {"nav": {"omitted_files": "ignore", "not_found": "warn"}, "links": {"not_found": "warn"}},
    }


def config_text(cfg: dict[str, Any]) -> str:
    return yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False)


def write_config(cfg: dict[str, Any], path: Path) -> None:
    path.write_text(config_text(cfg), encoding="utf-8")


# Material's bundle can load scripts from CDNs (a ResizeObserver polyfill on old
# browsers, mermaid when a diagram is present) and call the GitHub or GitLab API
# when a repository is configured. The intranet has no internet: point them nowhere.
FOREIGN_SCRIPT_PREFIXES = ("https://unpkg.com/", "https://api.github.com/", "https://${e}/api/v4/")
UNUSED_ASSETS = ("assets/javascripts/lunr", "assets/javascripts/workers")  # Material's own search, replaced by Pagefind


def offline_assets(site_dir: Path) -> None:
    for rel in UNUSED_ASSETS:
        shutil.rmtree(site_dir / rel, ignore_errors=True)
    for js in (site_dir / "assets" / "javascripts").glob("bundle.*.js*"):
        if js.suffix == ".map":
            js.unlink()  # source maps name the theme's sources; nothing needs them offline
            continue
        text = js.read_text(encoding="utf-8")
        patched = text
        for prefix in FOREIGN_SCRIPT_PREFIXES:
            patched = patched.replace(prefix, "data:text/javascript,//")
        patched = re.sub(r"\n?//# sourceMappingURL=\S+\s*$", "\n", patched)
        if patched != text:
            js.write_text(patched, encoding="utf-8")


def run_mkdocs(config_file: Path, dirty: bool = False) -> None:
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    cfg = load_config(config_file=str(config_file))
    cfg.plugins.on_startup(command="build", dirty=dirty)
    try:
        build(cfg, dirty=dirty)
    finally:
        cfg.plugins.on_shutdown()
    offline_assets(Path(cfg["site_dir"]))


# ------------------------------------------------------------------ our engine run
#
# The same build as `mkdocs build` (the same Files, navigation, theme, template
# context and plugin events, hence the same bytes: tests/test_perf_engine.py
# compares the two), with three differences that make a province-size site
# affordable:
#   - a page whose Markdown source is nothing but raw HTML blocks (every page we
#     generate) is not parsed by Python-Markdown: Markdown would hand the same
#     text back after two passes of html.parser (three quarters of MkDocs' time);
#   - pages are built by 2 worker processes, and each page is dropped from memory
#     once written (MkDocs keeps every page's HTML until the end);
#   - given `only`, just those pages (and pages whose output is missing) are
#     built again; stale outputs are removed. Unchanged outputs stay as they were.
# Every output file is written to a new file and renamed into place, never
# rewritten in place: finished sites share unchanged files with the engine's work
# folder by hard links (build.py), and must never change under a reader.

PROCESSES = max(1, min(2, os.cpu_count() or 1))
MIN_PAGES_PER_PROCESS = 400  # below this, forking costs more than it saves
_CHUNK = 48  # pages per task: big enough to amortise the hand-off, small enough to balance

# Our pages are raw HTML: Python-Markdown would hand such a document back
# unchanged (stripped) after two passes of html.parser, which are three quarters
# of MkDocs' time. A page goes to the theme as it is when nothing in it is
# something Markdown rewrites: whitespace it normalises (tabs, carriage
# returns), its placeholder characters, code fences (found before HTML blocks),
# elements whose content it treats specially, and any line that does not start
# with a tag (text outside an HTML block, a blank line, preformatted text).
# Anything else goes through Markdown. strict_plain_html() checks the
# structure fully (each line-starting element at depth 0 is block-level and
# closes at the end of a line); tests run it over every page of the fixture and
# synthetic sites, and compare the whole site with `mkdocs build`.
_MARKDOWN_SENSITIVE = ("\t", "\r", "\x02", "\x03", "```", "~~~", "<!", "<?")
_SPECIAL_ELEMENT = re.compile(r"<(?i:script|style|pre|textarea)\b")
_FIRST_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)")
_TAG = re.compile(r"""<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(/?)>""")
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
# Python-Markdown's block-level elements (markdown.Markdown().block_level_elements)
_BLOCK = frozenset("""address article aside blockquote body canvas center colgroup dd details div dl dt fieldset
    figcaption figure footer form group h1 h2 h3 h4 h5 h6 header hgroup hr html iframe legend li main map math menu
    nav noscript object ol option output p pre progress script section style summary table tbody td textarea tfoot th
    thead tr ul video""".split())


def plain_html(text: str) -> bool:
    """Whether the page can skip Markdown (see above): string scans, about
    0.07 ms for a page of 10 KB (the theme takes 1 ms to wrap it)."""
    text = text.strip("\n")
    m = _FIRST_TAG.match(text)
    if not m or m.group(1).lower() not in _BLOCK or not text.endswith(">"):
        return False
    if any(s in text for s in _MARKDOWN_SENSITIVE) or text.count("\n") != text.count("\n<"):
        return False
    return not _SPECIAL_ELEMENT.search(text)


def strict_plain_html(text: str) -> bool:
    """plain_html, and the structure Markdown needs to keep the text as it is:
    block-level elements, each starting a line and closing at the end of one,
    no text between them. A scan of every tag: for tests."""
    if not plain_html(text):
        return False
    text = text.strip("\n")
    depth = 0
    pos = 0
    for m in _TAG.finditer(text):
        between = text[pos:m.start()]
        if "<" in between:
            return False  # a '<' that does not start a tag
        if depth == 0:
            if between.strip("\n") or (m.start() > 0 and text[m.start() - 1] != "\n"):
                return False  # text outside the blocks, or a block not at the start of a line
            if m.group(1) or m.group(2).lower() not in _BLOCK:
                return False
        name = m.group(2).lower()
        if m.group(1):
            depth -= 1
            if depth < 0:
                return False
            if depth == 0 and not text.startswith("\n", m.end()) and m.end() != len(text):
                return False  # text after a block on its closing line
        elif not m.group(4) and name not in _VOID:
            depth += 1
        elif depth == 0 and not text.startswith("\n", m.end()) and m.end() != len(text):
            return False
        pos = m.end()
    return depth == 0 and not text[pos:].strip("\n") and "<" not in text[pos:]


@dataclass
class EngineStats:
    pages: int = 0  # documentation pages in the site
    built: int = 0  # pages rendered this run
    markdown: int = 0  # pages that needed Python-Markdown
    removed: int = 0  # stale output files removed
    processes: int = 1
    clean: bool = True
    outputs: list[str] = field(default_factory=list)  # paths (relative to site_dir) rendered this run


@dataclass
class _Job:
    config: Any
    files: Any
    nav: Any
    env: Any
    docs: list[Any]  # documentation Files, in MkDocs' order
    done: Ticker | None = None  # pages built so far, for progress


_JOB: _Job | None = None  # the job of this run; forked workers inherit it


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write to a new file and rename it over `path`: a file shared by hard
    link with a finished site or an edition is replaced, never rewritten."""
    path = str(path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{os.path.dirname(path)}/.{os.path.basename(path)}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _render_page(job: _Job, page: Any) -> bool:
    """MkDocs' _populate_page and _build_page for one page; returns whether
    Markdown was needed. The page's text is dropped afterwards."""
    from mkdocs.commands.build import get_context
    from mkdocs.structure.toc import get_toc

    config, files = job.config, job.files
    config._current_page = page
    try:
        if page.markdown is None:  # nav pages were read before the workers started
            _populate(job, page)
        needed_markdown = bool(getattr(page, "_lz_markdown", False))
        context = get_context(job.nav, job.docs, config, page)
        template = job.env.get_template(page.meta.get("template", "main.html"))
        context = config.plugins.on_page_context(context, page=page, config=config, nav=job.nav)
        page.active = True
        try:
            output = template.render(context)
        finally:
            page.active = False
        output = config.plugins.on_post_page(output, page=page, config=config)
        if output.strip():
            write_atomic(page.file.abs_dest_path, output.encode("utf-8", errors="xmlcharrefreplace"))
        if id(page) not in _NAV_PAGES:
            page.markdown = page.content = None  # keep memory flat: each page is written once
            page.toc = get_toc([])
        return needed_markdown
    except Exception as e:
        logging.getLogger("mkdocs.commands.build").error(f"Error building page '{page.file.src_uri}': {e}")
        raise
    finally:
        config._current_page = None


_NAV_PAGES: set[int] = set()  # id() of the nav pages: every page's template shows them


_MEMO: dict[tuple[str, str, tuple[str, ...]], str] = {}


def block_memo(name: str, page: Any, caller: Any) -> str:
    """A block of Material's page template (theme/overrides/main.html: the
    navigation sidebars, footer, config and scripts) for a page: the same for
    every page that is not itself in the navigation, has no table of contents
    and sits in the same folder (URLs are relative to it), so each is rendered
    once per folder: together, half of Material's time for a record page."""
    if page is None or id(page) in _NAV_PAGES or page.toc or page.is_homepage:
        return str(caller())
    hide = page.meta.get("hide") if isinstance(page.meta, dict) else None
    key = (name, os.path.dirname(page.url), tuple(hide) if isinstance(hide, list) else (repr(hide),))
    html = _MEMO.get(key)
    if html is None:
        html = _MEMO[key] = str(caller())
    return html


def _populate(job: _Job, page: Any) -> None:
    from mkdocs.structure.toc import get_toc

    config, files = job.config, job.files
    page = config.plugins.on_pre_page(page, config=config, files=files)
    page.read_source(config)
    page.markdown = config.plugins.on_page_markdown(page.markdown, page=page, config=config, files=files)
    if plain_html(page.markdown):
        page.content = page.markdown.strip()
        page.toc = get_toc([])
        page._title_from_render = None
        page.present_anchor_ids = set()
        page.links_to_anchors = {}
        page._lz_markdown = False
    else:
        page.render(config, files)
        page._lz_markdown = True
    page.content = config.plugins.on_page_content(page.content, page=page, config=config, files=files)


def _build_chunk(indices: list[int]) -> tuple[int, int]:
    assert _JOB is not None
    md = 0
    for i in indices:
        md += _render_page(_JOB, _JOB.docs[i].page)
        if _JOB.done is not None:
            _JOB.done.add()
    return len(indices), md


def _static_bytes(file: Any) -> bytes | None:
    """What the site holds for a static file: Material's bundle without the
    URLs of foreign services; None for files the offline site leaves out."""
    dest = file.dest_uri
    if any(dest == d or dest.startswith(d + "/") for d in UNUSED_ASSETS):
        return None
    is_bundle = dest.startswith("assets/javascripts/bundle.")
    if is_bundle and dest.endswith(".map"):
        return None  # source maps name the theme's sources; nothing needs them offline
    content = file._content
    if content is None:
        with open(file.abs_src_path, "rb") as f:
            data = f.read()
    else:
        data = content.encode("utf-8") if isinstance(content, str) else content
    if is_bundle and dest.endswith(".js"):
        text = data.decode("utf-8")
        for prefix in FOREIGN_SCRIPT_PREFIXES:
            text = text.replace(prefix, "data:text/javascript,//")
        text = re.sub(r"\n?//# sourceMappingURL=\S+\s*$", "\n", text)
        data = text.encode("utf-8")
    return data


def _same_bytes(path: str, data: bytes) -> bool:
    try:
        if os.path.getsize(path) != len(data):
            return False
        with open(path, "rb") as f:
            return f.read() == data
    except OSError:
        return False


def _theme_template(name: str, job: _Job) -> list[str]:
    """MkDocs' _build_theme_template (sitemap.xml and its .gz, 404.html), written atomically."""
    import gzip
    import io

    from jinja2.exceptions import TemplateNotFound
    from mkdocs import utils
    from mkdocs.commands.build import _build_template

    try:
        template = job.env.get_template(name)
    except TemplateNotFound:
        return []
    output = _build_template(name, template, job.files, job.config, job.nav)
    if not output.strip():
        return []
    path = os.path.join(job.config.site_dir, name)
    write_atomic(path, output.encode("utf-8"))
    written = [name]
    if name == "sitemap.xml":
        buf = io.BytesIO()
        timestamp = utils.get_build_timestamp(pages=[f.page for f in job.files.documentation_pages() if f.page is not None])
        with gzip.GzipFile(fileobj=buf, filename=f"{path}.gz", mode="wb", mtime=timestamp) as gz:
            gz.write(output.encode("utf-8"))
        write_atomic(f"{path}.gz", buf.getvalue())
        written.append(name + ".gz")
    return written


APART_PAGES = 100_000  # pages from which run_engine() runs the engine in a process of its own


def run_engine(config_file: Path, only: Collection[str] | None, pages: int,
               progress: Callable[[str], None] | None = None) -> EngineStats:
    """build_html(), for a big site in a fresh process: the engine's workers
    are forked from the process that runs it, and this one holds every
    record and page of the site (50,000 people: 1.7 GB), which each worker
    would count again; a fresh process holds MkDocs' own structures only
    (and says its progress on the standard error it shares)."""
    if pages < APART_PAGES:
        return build_html(config_file, only, progress=progress)
    sys.stdout.flush()
    sys.stderr.flush()
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(build_html, config_file, None if only is None else sorted(only), PROCESSES,
                           say if progress is not None else None).result()


def build_html(config_file: Path, only: Collection[str] | None = None, processes: int = PROCESSES,
               progress: Callable[[str], None] | None = None) -> EngineStats:
    """Build the site described by `config_file`. With `only` (source paths
    under docs_dir), an earlier complete build is in site_dir: only those
    pages, and pages whose output is missing, are rendered again. `progress`
    is told the pages done so far every few seconds (ticker.py)."""
    global _JOB
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs import utils
    from mkdocs.config import load_config
    from mkdocs.structure.files import InclusionLevel, get_files, set_exclusions
    from mkdocs.structure import pages as mk_pages
    from mkdocs.structure.nav import get_navigation
    from mkdocs.structure.pages import Page as MkPage

    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    cfg = load_config(config_file=str(config_file))
    dirty = only is not None
    cfg.plugins.on_startup(command="build", dirty=dirty)
    stats = EngineStats(clean=not dirty)
    # Every page's date, read once: MkDocs reads SOURCE_DATE_EPOCH and formats
    # it for each page it knows (10,000 people: 39,000 pages, 0.3 s)
    build_date = utils.get_build_date()
    mk_pages.get_build_date = lambda: build_date  # type: ignore[attr-defined]
    try:
        config = cfg.plugins.on_config(cfg)
        config.plugins.on_pre_build(config=config)
        if not dirty:
            utils.clean_directory(config.site_dir)  # keeps hidden entries at the top: a killed run's temp file too
            for name in os.listdir(config.site_dir) if os.path.isdir(config.site_dir) else ():
                if _LEFTOVER.fullmatch(name):
                    os.unlink(os.path.join(config.site_dir, name))
        files = get_files(config)
        env = config.theme.get_env()
        files.add_files_from_theme(env, config)
        files = config.plugins.on_files(files, config=config)
        set_exclusions(files, config)
        nav = get_navigation(files, config)
        nav = config.plugins.on_nav(nav, config=config, files=files)
        docs = list(files.documentation_pages(inclusion=InclusionLevel.is_included))
        for f in docs:
            if f.page is None:
                MkPage(None, f, config)
        job = _Job(config, files, nav, env, docs)
        # Every page's navigation shows the nav pages: read them before forking
        _NAV_PAGES.clear()
        _NAV_PAGES.update(id(p) for p in nav.pages)
        for page in nav.pages:
            _populate(job, page)
        env = config.plugins.on_env(env, config=config, files=files)
        env.globals["lz_memo"] = block_memo
        _MEMO.clear()
        job.env = env

        site_dir = config.site_dir
        expected: set[str] = set()
        for f in files:
            if f.is_documentation_page() or not f.inclusion.is_included():
                continue
            data = _static_bytes(f)
            if data is None:
                continue
            expected.add(f.abs_dest_path)
            if not _same_bytes(f.abs_dest_path, data):
                write_atomic(f.abs_dest_path, data)
        todo = []
        wanted = set(only or ())
        for i, f in enumerate(docs):
            expected.add(f.abs_dest_path)
            if not dirty or f.src_uri in wanted or not os.path.isfile(f.abs_dest_path):
                todo.append(i)
        stats.pages = len(docs)
        stats.built = len(todo)
        stats.outputs = [os.path.relpath(docs[i].abs_dest_path, site_dir) for i in todo]

        n = max(1, min(processes, len(todo) // MIN_PAGES_PER_PROCESS))
        stats.processes = n
        with Ticker(progress, lambda k: f"MkDocs 正在生成 HTML：已完成 {k}/{len(todo)} 个页面 …") as job.done:
            _JOB = job
            try:
                if n == 1:
                    done = [_build_chunk(todo)]
                else:
                    chunks = [todo[k:k + _CHUNK] for k in range(0, len(todo), _CHUNK)]
                    # biggest first is unknowable cheaply; interleaving spreads the big
                    # pages (print pages, the board) of each section over both workers
                    ctx = multiprocessing.get_context("fork")
                    sys.stdout.flush()
                    sys.stderr.flush()
                    with ProcessPoolExecutor(max_workers=n, mp_context=ctx) as pool:
                        done = list(pool.map(_build_chunk, chunks))
            finally:
                _JOB = None
        stats.markdown = sum(md for _, md in done)

        for name in config.theme.static_templates:
            for rel in _theme_template(name, job):
                expected.add(os.path.join(site_dir, rel))
        if dirty:
            stats.removed = _remove_unexpected(site_dir, expected)
        config.plugins.on_post_build(config=config)
    except Exception as e:
        cfg.plugins.on_build_error(error=e)
        raise
    finally:
        mk_pages.get_build_date = utils.get_build_date  # type: ignore[attr-defined]
        cfg.plugins.on_shutdown()
        _NAV_PAGES.clear()
    return stats


# what write_atomic leaves when its process is killed between writing and renaming
_LEFTOVER = re.compile(r"\..+\.\d+\.tmp")


def _remove_unexpected(site_dir: str, expected: set[str]) -> int:
    """Remove files no page or static file produces any more (records deleted
    since the last build), temp files of a killed run, and folders left
    empty; other hidden entries stay, as with MkDocs' clean_directory."""
    removed = 0
    folders = []
    for dirpath, dirnames, filenames in os.walk(site_dir):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        folders.append(dirpath)
        for name in filenames:
            path = os.path.join(dirpath, name)
            if (not name.startswith(".") or _LEFTOVER.fullmatch(name)) and path not in expected:
                os.unlink(path)
                removed += 1
    for dirpath in reversed(folders):
        if dirpath != site_dir and not os.listdir(dirpath):
            os.rmdir(dirpath)
    return removed
