"""Unit and department pages, and each unit's print-all page."""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable

from markupsafe import Markup

from .. import reads
from ..derive import FormView, Site
from ..memo import lines, read_digests, shape_key
from ..paths import department_page, form_page, listing_page, person_page, unit_page, unit_print_page
from ..publicity import OPEN
from ..records import Record
from ..render import Page, Renderer
from .board import close_key
from .forms import form_html
from .listings import a, paged, status_cell

# A unit page is a record page (at most 25 KB): it shows this many of the
# unit's open forms, closing soonest first; the board lists them all.
OPEN_ON_UNIT_PAGE = 10
PEOPLE_COLUMNS = ("姓名", "科室", "职务/岗位", "档案", "最新个人承诺表")
DEPARTMENT_KINDS = ("职能科室", "临床科室", "医技科室", "其他")  # the unit page's order of department groups


def people_listing(u_id: str) -> str:
    """Base of the paged listing of a unit's people (its first page is <base>/index.md)."""
    return f"lists/units/{u_id}/people"


def latest_form_lookup(site: Site):  # type: ignore[no-untyped-def]
    def latest(pid: str) -> FormView | None:
        forms = [fv for fv in site.by_person.get(pid, []) if site.shown(fv)]
        return forms[0] if forms else None  # by_person is sorted newest year first
    return latest


def pages(site: Site, r: Renderer) -> Iterable[Page]:
    r.env.globals["latest_form"] = latest_form_lookup(site)
    # print_unit.html shows each form as its own page does: rendered once for
    # both (views.forms), in the process that renders the print page, or
    # taken over from the last build's print page where the form is unchanged
    last = LastPrint(r)
    r.env.globals["form_html"] = lambda fv: Markup(last.section(fv) or form_html(r, fv))
    for u in site.content.units():
        forms = [fv for fv in site.by_unit.get(u.id, []) if site.shown(fv)]
        dept_forms: dict[str, list[FormView]] = defaultdict(list)
        for fv in forms:
            if fv.type == "department" and fv.department:
                dept_forms[fv.department["id"]].append(fv)
        dept_groups: dict[str, list[dict[str, Any]]] = {}
        for d in u.get("departments", []):
            dept_groups.setdefault(d.get("kind") or "其他", []).append(d)
        path = unit_page(u.id)
        people = site.people_by_unit.get(u.id, [])
        opened = sorted((fv for fv in site.by_unit.get(u.id, []) if fv.status == OPEN and fv.window), key=lambda fv: close_key(site, fv))
        yield Page(path, u["name"], r.render(path, "unit.html", source=u.path, unit=u,
                                             unit_forms=[fv for fv in forms if fv.type == "unitform"],
                                             dept_groups=sorted(dept_groups.items(), key=lambda kv: (DEPARTMENT_KINDS + (kv[0],)).index(kv[0])),
                                             people=people, people_path=listing_page(people_listing(u.id), 1),
                                             open_forms=opened[:OPEN_ON_UNIT_PAGE], open_total=len(opened),
                                             flows=site.flows_by_unit.get(u.id, []), rules=site.rules_by_unit.get(u.id, [])),
                   source=u.path, meta={"pagefind": True, "kind": "单位", "unit": u.id})
        if people:
            yield from people_pages(site, r, u, people)
        for d in u.get("departments", []):
            dpath = department_page(u.id, d["id"])
            dforms, members = dept_forms.get(d["id"], []), site.members.get((u.id, d["id"]), [])
            reads.add((u.id,))  # `d` is the unit's data
            yield Page(dpath, f"{site.unit_name(u.id)}{d['name']}",
                       r.render(dpath, "department.html", source=u.path, memo=True,
                                shape=([fv.id for fv in dforms], [p.id for p in members]),  # worked out with the unit page
                                unit=u, dept=d, forms=dforms, people=members),
                       source=u.path, meta={"pagefind": True, "kind": "科室", "unit": u.id})
        ppath = unit_print_page(u.id)
        printable = sorted(forms, key=lambda fv: (fv.year, {"unitform": 0, "department": 1, "personal": 2}[fv.type], fv.id))
        for fv in printable:
            r.groups[form_page(fv.id)] = ppath
        yield Page(ppath, f"{u['name']}承诺表汇总打印", r.render(ppath, "print_unit.html", source=u.path, memo=True, unit=u, forms=printable),
                   source=u.path, meta={"print_footer": f"{u['name']} · 截至 {site.as_of.isoformat()}"})


class LastPrint:
    """A unit's print page rendered again (one of its forms changed) takes
    each other form's HTML from the page the last build wrote (the section
    print_unit.html marks with the form's id) instead of rendering it again
    (about 1 ms a form: a hospital's page holds a thousand at 10,000 people).

    A form's HTML is taken over only when it would come out the same: its
    own page is kept (memo.py: none of the records it read changed since),
    the print page was rendered last under the same key with those records
    as they are now, and it ships no file (a comment QR code, which the
    page would have to write). The page's reads and links are noted as if
    the form had been rendered."""

    START, END = '<section class="lz-print-section" data-lz-form="', "</section>"

    def __init__(self, r: Renderer) -> None:
        self.r = r
        self.page = ""  # the print page the sections below come from
        self.sections: dict[str, str] = {}
        self.digests: dict[str, bytes] = {}
        self.links: list[str] = []

    def section(self, fv: FormView) -> str | None:
        r, memo = self.r, self.r.memo
        if memo is None or reads.current is None:
            return None
        if self.page != r.current:
            self._read(r.current)
        text = self.sections.get(fv.id)
        if text is None:
            return None
        e = memo.reusable(form_page(fv.id), shape_key(None))
        if e is None or e.files:
            return None
        ids = lines(e.ids)
        if any(self.digests.get(rid, b"") != memo.digests.get(rid) for rid in ids):
            return None
        reads.add(tuple(ids))
        if self.links:  # the page's links as the last build checked them, once
            r.relink(self.links)
            self.links = []
        return text

    def _read(self, page: str) -> None:
        self.page, self.sections, self.digests, self.links = page, {}, {}, []
        got = self.r.memo.last_source(page) if self.r.memo is not None else None
        if got is None:
            return
        text, e = got
        self.digests, self.links = read_digests(e), lines(e.links)
        at = text.find(self.START)
        while at >= 0:
            head = at + len(self.START)
            body = text.find('">', head)
            if body < 0:
                break
            fid = text[head:body]
            body += 3 if text.startswith('">\n', body) else 2
            end = self._close(text, body)
            if end < 0:
                break
            self.sections[fid] = text[body:end]
            at = text.find(self.START, end)

    def _close(self, text: str, start: int) -> int:
        """Where the section whose content starts at `start` closes: the first
        </section> with as many sections opened as closed before it."""
        end = text.find(self.END, start)
        while end >= 0 and text.count("<section", start, end) != text.count(self.END, start, end):
            end = text.find(self.END, end + len(self.END))
        return end


def people_pages(site: Site, r: Renderer, u: Record, people: list[Record]) -> Iterable[Page]:
    """The unit's people, paged like the other listings (out of the nav): the
    unit page links here instead of listing hundreds of rows."""
    latest = latest_form_lookup(site)

    def row(p: Record) -> list[Any]:
        fv = latest(p.id)
        return [a(r, person_page(p.id), p["name"]), site.department_name(u.id, p.get("department")) if p.get("department") else "",
                p["post"], "、".join(site.archives(p)), Markup("{}年 ").format(fv.year) + status_cell(fv) if fv else ""]

    ordered = sorted(people, key=lambda p: (p.get("department") or "", p.id))
    yield from paged(r, people_listing(u.id), f"{u['name']}人员", PEOPLE_COLUMNS, [(lambda p=p: row(p)) for p in ordered],
                     intro=f"{u['name']}的全部人员，按科室排列；各科室人数见单位页面。", keys=[p.id for p in ordered],
                     siblings=[(u["name"], unit_page(u.id)), ("人员名单", listing_page(people_listing(u.id), 1))])
