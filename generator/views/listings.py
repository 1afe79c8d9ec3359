"""Listing pages: units, people and forms by type and by year, paged so that
each page stays small with thousands of rows."""
from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

from markupsafe import Markup, escape

from ..derive import FORM_SHORT, STATUS_CLASS, FormView, Site
from ..paths import LISTING_PAGE_SIZE, form_page, listing_page, person_page, unit_page
from ..render import Page, Renderer


def paged(r: Renderer, base: str, heading: str, columns: Sequence[str], rows: list[Callable[[], list[Any]]],
          nav: tuple[str, int] | None = None, intro: str = "", siblings: Sequence[tuple[str, str]] = (),
          keys: Sequence[Any] | None = None) -> Iterable[Page]:
    """Pages base/index.md, base/page-2.md …; rows are rendered lazily so that
    links are made from the page they appear on. `keys`, one per row: what
    the view worked out for the row beforehand (the id of its record, and any
    value a row shows that it does not read itself); a page may then be kept
    from the last build while its rows' keys and records are unchanged (memo.py)."""
    total = len(rows)
    n_pages = max(1, -(-total // LISTING_PAGE_SIZE))
    for n in range(1, n_pages + 1):
        path = listing_page(base, n)
        r.current = path
        if not r.owns(path):  # another worker of render_pages renders this page: skip making its rows
            yield Page(path, heading if n == 1 else f"{heading}（第 {n} 页）", r.render(path, "listing.html"), nav=nav if n == 1 else None)
            continue
        # made while the template runs: not at all for a page kept from the last build
        chunk = (make() for make in rows[(n - 1) * LISTING_PAGE_SIZE: n * LISTING_PAGE_SIZE])
        sib = [{"label": label, "path": p, "current": p == listing_page(base, 1)} for label, p in siblings]
        shape = None if keys is None else (heading, intro, columns, total, n_pages, siblings,
                                            keys[(n - 1) * LISTING_PAGE_SIZE: n * LISTING_PAGE_SIZE])
        html = r.render(path, "listing.html", memo=keys is not None, shape=shape, heading=heading, intro=intro, columns=columns,
                        rows=chunk, total=total, pages=n_pages, page_no=n, pager=lambda k: listing_page(base, k), siblings=sib)
        yield Page(path, heading if n == 1 else f"{heading}（第 {n} 页）", html, nav=nav if n == 1 else None)


def a(r: Renderer, target: str, text: str) -> Markup:
    # Markup('<a href="{}">{}</a>').format(...), without string.Formatter (a third of a listing's time)
    return Markup(f'<a href="{escape(r.link(target))}">{escape(text)}</a>')


def status_cell(fv: FormView) -> Markup:
    return Markup('<span class="lz-status lz-status--{}">{}</span>').format(STATUS_CLASS.get(fv.status, "none"), fv.status)


def form_rows(site: Site, r: Renderer, forms: list[FormView]) -> list[Callable[[], list[Any]]]:
    return [(lambda fv=fv: [a(r, form_page(fv.id), fv.title), FORM_SHORT[fv.type], a(r, unit_page(fv.unit_id), site.unit_name(fv.unit_id)),
                            fv.year, status_cell(fv)]) for fv in forms]


FORM_COLUMNS = ("承诺表", "类型", "单位", "年度", "状态")
TYPE_LISTS = (("personal", "个人承诺表"), ("department", "科室承诺表"), ("unitform", "单位承诺表"))


def pages(site: Site, r: Renderer) -> Iterable[Page]:
    forms = site.visible_forms()
    unit_rows = []
    unit_keys = []
    for u in site.content.units():
        mine = [fv for fv in site.by_unit.get(u.id, []) if site.shown(fv)]
        unit_rows.append(lambda u=u, mine=mine: [a(r, unit_page(u.id), u["name"]), u["kind"], len(site.people_by_unit.get(u.id, [])),
                                                 len(u.get("departments", [])), len(mine)])
        unit_keys.append((u.id, len(mine)))
    yield from paged(r, "lists/units", "单位", ("单位", "类别", "人员", "科室", "已公布承诺表"), unit_rows, nav=("单位", 10), keys=unit_keys)

    people = sorted(site.content.people(), key=lambda p: (p["unit"], p.get("department", ""), p.id))
    people_rows = [(lambda p=p: [a(r, person_page(p.id), p["name"]), a(r, unit_page(p["unit"]), site.unit_name(p["unit"])),
                                 site.department_name(p["unit"], p.get("department")), p["post"], "、".join(site.archives(p))]) for p in people]
    yield from paged(r, "lists/people", "人员", ("姓名", "单位", "科室", "职务/岗位", "档案"), people_rows, nav=("人员", 20),
                     keys=[p.id for p in people])

    years = sorted({fv.year for fv in forms}, reverse=True)
    siblings = [("全部", listing_page("lists/forms", 1))] + [(label, listing_page(f"lists/forms/{t}", 1)) for t, label in TYPE_LISTS] + \
               [(f"{y}年度", listing_page(f"lists/forms/{y}", 1)) for y in years]
    yield from paged(r, "lists/forms", "承诺表", FORM_COLUMNS, form_rows(site, r, forms), nav=("承诺表", 30),
                     intro="已公布的个人、科室和单位承诺表（未到公示期的不公布）。", siblings=siblings, keys=[fv.id for fv in forms])
    for t, label in TYPE_LISTS:
        mine = [fv for fv in forms if fv.type == t]
        yield from paged(r, f"lists/forms/{t}", label, FORM_COLUMNS, form_rows(site, r, mine), siblings=siblings, keys=[fv.id for fv in mine])
    for y in years:
        mine = [fv for fv in forms if fv.year == y]
        yield from paged(r, f"lists/forms/{y}", f"{y}年度承诺表", FORM_COLUMNS, form_rows(site, r, mine), siblings=siblings,
                         keys=[fv.id for fv in mine])
