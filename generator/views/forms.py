"""One page per shown pledge form, in the layout of the official form."""
from __future__ import annotations

from typing import Iterable

from ..derive import Site
from ..paths import form_page
from ..render import Page, Renderer


def pages(site: Site, r: Renderer) -> Iterable[Page]:
    for fv in site.visible_forms():
        path = form_page(fv.id)
        yield Page(path, fv.title, r.render(path, "form.html", source=fv.rec.path, fv=fv), source=fv.rec.path,
                   meta={"pagefind": True, "kind": "承诺表", "unit": fv.unit_id, "status": fv.status,
                         "print_footer": f"记录编号 {fv.id} · 状态截至 {site.as_of.isoformat()}", "draft": not fv.published})
