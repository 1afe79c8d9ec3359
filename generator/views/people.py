"""Person pages: public identity, current pledge, history."""
from __future__ import annotations

from typing import Iterable

from ..derive import Site
from ..paths import person_page
from ..render import Page, Renderer


def pages(site: Site, r: Renderer) -> Iterable[Page]:
    for p in site.content.people():
        forms = [fv for fv in site.by_person.get(p.id, []) if site.shown(fv)]
        current = forms[0] if forms else None
        path = person_page(p.id)
        yield Page(path, p["name"], r.render(path, "person.html", source=p.path, memo=True, person=p, forms=forms, current=current),
                   source=p.path, meta={"pagefind": True, "kind": "人员", "unit": p["unit"]})
