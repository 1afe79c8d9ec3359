"""Stage 4: render every page body from Jinja templates in theme/templates.

Pages are gathered in memory first (nothing is written here); links between
pages are real relative links and are checked before anything is written.
"""
from __future__ import annotations

import importlib
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, Undefined, select_autoescape
from markupsafe import Markup

from .derive import FORM_LABELS, FORM_SHORT, STATUS_CLASS, Site
from .problems import ERROR, Problem

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

    @property
    def url(self) -> str:
        return self.path[:-3] + ".html"


class Renderer:
    def __init__(self, site: Site) -> None:
        self.site = site
        self.env = Environment(
            loader=FileSystemLoader(str(THEME / "templates")),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=Undefined,  # optional fields are simply absent from record data
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        self.env.globals.update(site=site, FORM_LABELS=FORM_LABELS, FORM_SHORT=FORM_SHORT, STATUS_CLASS=STATUS_CLASS)
        from .views.board import template_globals  # comment link, QR code, feedback, history (publicity)

        self.env.globals.update(template_globals(site))
        self.env.filters.update(cn_date=cn_date, nl2br=nl2br)
        self.current = ""
        self.links: list[tuple[str, str, str]] = []  # (from page, to page, source file)
        self._source = ""

    def render(self, page_path: str, template: str, source: str = "", **ctx: Any) -> str:
        self.current = page_path
        self._source = source
        self.env.globals["link"] = self.link
        self.env.globals["asset"] = self.asset
        html = self.env.get_template(template).render(page_path=page_path, **ctx)
        # Python-Markdown ends a raw HTML block at a blank line: keep none.
        return re.sub(r"\n\s*\n", "\n", html).strip()

    def link(self, target: str, anchor: str = "") -> str:
        """Relative URL from the page being rendered to another page's source path."""
        self.links.append((self.current, target, self._source))
        frm = posixpath.dirname(self.current[:-3] + ".html")
        rel = posixpath.relpath(target[:-3] + ".html", frm or ".")
        return quote(rel) + (f"#{anchor}" if anchor else "")

    def asset(self, target: str) -> str:
        frm = posixpath.dirname(self.current)
        return quote(posixpath.relpath(target, frm or "."))


def cn_date(d: Any) -> str:
    if d is None or d == "":
        return ""
    return f"{d.year}年{d.month}月{d.day}日"


def nl2br(text: str | None) -> Markup:
    from markupsafe import escape

    if not text:
        return Markup("")
    return Markup("<br>".join(escape(line) for line in str(text).split("\n")))


def render_site(site: Site) -> tuple[list[Page], list[Problem]]:
    r = Renderer(site)
    pages: list[Page] = []
    for name in VIEWS:
        mod = importlib.import_module(f".{name}", __package__)
        view: Callable[[Site, Renderer], Iterable[Page]] = mod.pages
        pages.extend(view(site, r))
    return pages, check_links(pages, r.links, site.cfg.display(site.cfg.content_dir) + "/")


def check_links(pages: list[Page], links: list[tuple[str, str, str]], prefix: str = "") -> list[Problem]:
    have = {p.path for p in pages}
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
