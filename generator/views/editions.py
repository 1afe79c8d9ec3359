"""The 版本记录 page of a published edition: every edition up to this one."""
from __future__ import annotations

from typing import Iterable

from ..changes import from_json
from ..derive import Site
from ..render import Page, Renderer


def pages(site: Site, r: Renderer) -> Iterable[Page]:
    if site.edition is None:
        return
    history = list(reversed(site.edition.history))
    rows = [{"info": e, "changes": from_json(e.changes)} for e in history]
    yield Page("editions.md", "版本记录", r.render("editions.md", "editions.html", rows=rows, current=site.edition.id),
               nav=("版本记录", 90))
