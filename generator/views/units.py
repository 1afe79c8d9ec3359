"""Unit and department pages, and each unit's print-all page."""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from markupsafe import Markup

from ..derive import FormView, Site
from ..paths import department_page, form_page, unit_page, unit_print_page
from ..render import Page, Renderer
from .forms import form_html


def latest_form_lookup(site: Site):  # type: ignore[no-untyped-def]
    def latest(pid: str) -> FormView | None:
        forms = [fv for fv in site.by_person.get(pid, []) if site.shown(fv)]
        return forms[0] if forms else None  # by_person is sorted newest year first
    return latest


def pages(site: Site, r: Renderer) -> Iterable[Page]:
    r.env.globals["latest_form"] = latest_form_lookup(site)
    # print_unit.html shows each form as its own page does: rendered once for
    # both (views.forms), in the process that renders the print page
    r.env.globals["form_html"] = lambda fv: Markup(form_html(r, fv))
    for u in site.content.units():
        forms = [fv for fv in site.by_unit.get(u.id, []) if site.shown(fv)]
        dept_forms: dict[str, list[FormView]] = defaultdict(list)
        for fv in forms:
            if fv.type == "department" and fv.department:
                dept_forms[fv.department["id"]].append(fv)
        path = unit_page(u.id)
        yield Page(path, u["name"], r.render(path, "unit.html", source=u.path, unit=u,
                                             unit_forms=[fv for fv in forms if fv.type == "unitform"], dept_forms=dept_forms,
                                             people=site.people_by_unit.get(u.id, []), flows=site.flows_by_unit.get(u.id, []),
                                             rules=site.rules_by_unit.get(u.id, [])),
                   source=u.path, meta={"pagefind": True, "kind": "单位", "unit": u.id})
        for d in u.get("departments", []):
            dpath = department_page(u.id, d["id"])
            yield Page(dpath, f"{site.unit_name(u.id)}{d['name']}",
                       r.render(dpath, "department.html", source=u.path, unit=u, dept=d, forms=dept_forms.get(d["id"], []),
                                people=site.members.get((u.id, d["id"]), [])),
                       source=u.path, meta={"pagefind": True, "kind": "科室", "unit": u.id})
        ppath = unit_print_page(u.id)
        printable = sorted(forms, key=lambda fv: (fv.year, {"unitform": 0, "department": 1, "personal": 2}[fv.type], fv.id))
        for fv in printable:
            r.groups[form_page(fv.id)] = ppath
        yield Page(ppath, f"{u['name']}承诺表汇总打印", r.render(ppath, "print_unit.html", source=u.path, unit=u, forms=printable),
                   source=u.path, meta={"print_footer": f"{u['name']} · 截至 {site.as_of.isoformat()}"})
