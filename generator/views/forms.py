"""One page per shown pledge form, in the layout of the official form."""
from __future__ import annotations

from typing import Iterable

from ..derive import FormView, Site
from ..paths import form_page
from ..render import Page, Renderer


def form_fragment_key(fv: FormView) -> str:
    return f"form:{fv.id}"


def form_html(r: Renderer, fv: FormView) -> str:
    """A form as its page shows it, for another page (the unit's print page)."""
    return r.fragment(form_fragment_key(fv), "form.html", fv=fv)


def pages(site: Site, r: Renderer) -> Iterable[Page]:
    for fv in site.visible_forms():
        path = form_page(fv.id)
        # the same HTML as its unit's print page shows (views.units): rendered once
        yield Page(path, fv.title, r.page(path, form_fragment_key(fv), "form.html", source=fv.rec.path, memo=True, fv=fv), source=fv.rec.path,
                   meta={"pagefind": True, "kind": "承诺表", "unit": fv.unit_id, "status": fv.status,
                         "print_footer": f"记录编号 {fv.id} · 状态截至 {site.as_of.isoformat()}", "draft": not fv.published})
