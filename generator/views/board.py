"""The publicity board (公示栏) and the publicity helpers every template uses:
the comment link with its QR code and closing moment, the feedback summary and
a form's history."""
from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import segno

from .. import qrmask
from ..derive import FormView, Site
from ..publicity import (CONFIRMED, OPEN, PENDING, SCHEDULED, Event, closes_iso, comment_link, feedback_counts,
                         history)
from ..render import Page, Renderer

BOARD_PAGE = "board.md"
RECENT_CONFIRMED = 20


@dataclass(frozen=True)
class CommentBox:
    """What the page shows while a window is open."""

    url: str  # empty when the site has no comment form
    closes_iso: str  # the moment the script hides the link
    close_text: str
    end_of_day: bool  # closes at the end of its closing day (no closes_at)
    days_left: int


@dataclass(frozen=True)
class Feedback:
    total: int
    handled: list[dict[str, Any]]  # public fields only: never the commenter
    unhandled: int
    counts: dict[str, int]


QR_FOLDER = "qr"  # the site's QR code files, beside the pages (docs/qr/<key>.svg)


@dataclass(frozen=True)
class QrFile:
    """A QR code as a file of the site: printed notices show it as an image,
    so a page carries a link to it instead of ~9 KB of path data."""

    path: str  # under docs/, e.g. "qr/<sha256>.svg"
    svg: str  # the file's text


def qr_file(url: str, cache: Path | None = None) -> QrFile:
    """The SVG file of a URL's QR code, named by the hash of segno's version,
    these options and the URL: the same URL gives the same file in every build.

    A code takes segno 13 ms, 4 with its mask chosen by qrmask.py (the same
    code): a site of 10,000 people has 1,700 open forms. With `cache` (a
    folder), each code is kept in a file under the same name, so it is
    computed once; the file holds exactly what segno wrote."""
    key = hashlib.sha256(f"{segno.__version__}\0m\0file,scale=1,border=2\0{url}".encode("utf-8")).hexdigest()
    site_path = f"{QR_FOLDER}/{key}.svg"
    path = cache / key[:2] / f"{key}.svg" if cache else None
    if path is not None:
        try:
            svg = path.read_text(encoding="utf-8")
            if svg.startswith("<svg ") and svg.rstrip("\n").endswith("</svg>"):  # a whole file, not one cut short
                return QrFile(site_path, svg)
        except (OSError, UnicodeDecodeError):
            pass
    # a viewBox and no fixed size: the page's <img> sizes it
    buf = io.BytesIO()
    qrmask.make(url, error="m", micro=False).save(buf, kind="svg", scale=1, border=2, omitsize=True, xmldecl=False, svgns=True,
                                                 svgclass=None, lineclass=None, dark="#000", light="#fff")
    svg = buf.getvalue().decode("utf-8") + "\n"
    if path is not None:
        try:  # a new file renamed into place: a reader never sees half a code
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_text(svg, encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs time
    return QrFile(site_path, svg)


class Publicity:
    """Template helpers, computed once per form."""

    def __init__(self, site: Site, qr_cache: Path | None = None) -> None:
        self.site = site
        self.qr_cache = qr_cache
        self.template = site.cfg.publicity.get("comment_url") or ""
        self._boxes: dict[str, CommentBox | None] = {}
        self._qr: dict[str, QrFile] = {}

    def comment(self, fv: FormView) -> CommentBox | None:
        """The comment box of an open form; None once the window has closed."""
        if fv.status != OPEN or fv.window is None:
            return None
        if fv.id not in self._boxes:
            url = comment_link(self.template, fv.id, fv.title, fv.unit["name"] if fv.unit else "")
            w = fv.window
            self._boxes[fv.id] = CommentBox(url, closes_iso(w, self.site.cfg.tz), w.close_text(), not w.closes_at, fv.days_left)
        return self._boxes[fv.id]

    def qr(self, box: CommentBox) -> QrFile:
        """The QR code of a box's link, made only for the pages that show it
        (a form's own page and its print page; lists show the link alone)."""
        got = self._qr.get(box.url)
        if got is None:
            got = self._qr[box.url] = qr_file(box.url, self.qr_cache)
        return got

    def feedback(self, fv: FormView) -> Feedback:
        comments = ((fv.rec.get("publicity") or {}).get("feedback")) or []
        handled = [{k: c.get(k) for k in ("received", "channel", "summary", "disposition", "reason")}
                   for c in comments if c.get("disposition")]
        counts = feedback_counts(comments)
        return Feedback(len(comments), handled, counts["未处理"], counts)

    def history(self, fv: FormView) -> list[Event]:
        return history(fv.rec.data, fv.window, self.site.as_of)

    def closed(self, fv: FormView) -> bool:
        """Whether the window has closed by the as-of date (feedback is shown then)."""
        return fv.window is not None and fv.window.closes < self.site.as_of


def template_globals(site: Site, qr_cache: Path | None = None) -> dict[str, Any]:
    return {"publicity": Publicity(site, qr_cache), "BOARD_PAGE": BOARD_PAGE}


def close_key(site: Site, fv: FormView) -> tuple[Any, ...]:
    assert fv.window is not None
    return (fv.window.close_moment(site.cfg.tz), fv.id)


def board(site: Site) -> dict[str, Any]:
    forms = list(site.forms.values())
    open_forms = sorted((fv for fv in forms if fv.status == OPEN and fv.window), key=lambda fv: close_key(site, fv))
    groups: dict[str, list[FormView]] = {}
    for fv in open_forms:  # soonest closing first, so each unit's first form orders the groups
        groups.setdefault(fv.unit_id, []).append(fv)
    scheduled = sorted((fv for fv in forms if fv.status == SCHEDULED and fv.window), key=lambda fv: (fv.window.opens, fv.title, fv.id))  # type: ignore[union-attr]
    pending = sorted((fv for fv in forms if fv.status == PENDING and fv.window), key=lambda fv: close_key(site, fv))
    confirmed = sorted((fv for fv in forms if fv.status == CONFIRMED), key=lambda fv: (fv.rec["confirmation"]["on"], fv.id),
                       reverse=True)[:RECENT_CONFIRMED]
    return {"groups": list(groups.items()), "open_count": len(open_forms), "scheduled": scheduled, "pending": pending,
            "confirmed": confirmed, "channels": site.cfg.publicity.get("channels") or {}}


def pages(site: Site, r: Renderer) -> Iterable[Page]:
    # board() only where the page is rendered: the other workers of render_pages skip it
    yield Page(BOARD_PAGE, "公示栏", r.render(BOARD_PAGE, "board.html", **board(site)) if r.owns(BOARD_PAGE) else "", nav=("公示栏", 2))
