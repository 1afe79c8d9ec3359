"""The two personal archives: one page per person per archive, indexes by unit,
department and year, the supervision office's to-do list, and yearly
registration forms printable per department."""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, Callable, Iterable

from markupsafe import Markup, escape

from .. import archives as A
from .. import reads
from ..derive import Site
from ..paths import listing_page, person_page, unit_page
from ..records import GRADES
from ..render import Page, Renderer
from .listings import a, paged

NAV = ("档案", 40)


def pages(site: Site, r: Renderer) -> Iterable[Page]:
    arcs = A.derive_archives(site)
    r.env.globals.update(archive_page=A.archive_page, archive_short=A.SHORT, archive_year_form=A.YEAR_FORM,
                         archive_unit_page=A.unit_index_page, archive_print_page=A.print_page, GRADES=GRADES)
    yield from person_archives(site, r, arcs)
    yield index(site, r, arcs)
    yield from unit_indexes(site, r, arcs)
    yield from year_indexes(site, r, arcs)
    yield from todo(site, r, arcs)
    yield from print_pages(site, r, arcs)


def person_archives(site: Site, r: Renderer, arcs: A.Archives) -> Iterable[Page]:
    for arc in arcs.archives:
        p = arc.person
        others = [o for o in arcs.by_person[p.id] if o is not arc]
        reads.add(arc.sources)  # what the archive was derived from (its first year is in memo.site_key)
        yield Page(arc.path, f"{p['name']}·{A.SHORT[arc.kind]}",
                   r.render(arc.path, "archive.html", source=p.path, memo=True, arc=arc, others=others, first_year=arcs.first_year),
                   source=p.path, meta={"kind": "档案", "unit": p["unit"]})


def year_counts(arcs: A.Archives) -> list[dict[str, Any]]:
    rows = []
    for y in sorted(arcs.by_year, reverse=True):
        entries = arcs.by_year[y]
        grades = Counter(ay.grade for arc, ay in entries if arc.kind == A.ARCHIVE_ETHICS and ay.grade)
        rows.append({
            "year": y, "path": listing_page(A.year_index_base(y), 1),
            "cadre": sum(arc.kind == A.ARCHIVE_CADRE for arc, _ in entries),
            "ethics": sum(arc.kind == A.ARCHIVE_ETHICS for arc, _ in entries),
            "pledges": sum(len(ay.pledges) for _, ay in entries),
            "assessed": sum(ay.assessment is not None for _, ay in entries),
            "grades": [grades.get(g, 0) for g in GRADES],
        })
    return rows


def index(site: Site, r: Renderer, arcs: A.Archives) -> Page:
    units = []
    for u in site.content.units():
        mine = arcs.by_unit.get(u.id, [])
        former = arcs.former_by_unit.get(u.id, [])
        if mine or former:
            units.append({"id": u.id, "name": u["name"], "cadre": arcs.count(A.ARCHIVE_CADRE, mine),
                          "ethics": arcs.count(A.ARCHIVE_ETHICS, mine), "former": len({x.person.id for x in former})})
    totals = {k: sum(x.kind == k for x in arcs.archives) for k in A.KINDS}
    html = r.render(A.INDEX_PAGE, "archive_index.html", units=units, years=year_counts(arcs), totals=totals,
                    todo=len(arcs.todo), todo_path=listing_page(A.TODO_BASE, 1), first_year=arcs.first_year)
    return Page(A.INDEX_PAGE, "廉政档案与医德档案", html, nav=NAV, meta={"kind": "档案"})


def unit_indexes(site: Site, r: Renderer, arcs: A.Archives) -> Iterable[Page]:
    # (unit, department) → [(kind, year)] of the print pages, built once: linear in their number
    prints: dict[tuple[str, str | None], list[tuple[str, int]]] = defaultdict(list)
    for kind, uid, did, year in sorted(arcs.by_position, key=lambda k: (A.KINDS.index(k[0]), -k[3])):
        prints[(uid, did)].append((kind, year))
    for u in site.content.units():
        mine = arcs.by_unit.get(u.id, [])
        dept_ids = [d["id"] for d in u.get("departments", [])]
        # departments known only from past years (history) still get their print links
        extra = sorted({did for (uid, did) in prints if uid == u.id and did is not None and did not in dept_ids})
        groups = []
        for did in dept_ids + [None] + extra:
            people = _people(arcs.by_department.get((u.id, did), []))
            links = [{"kind": kind, "year": y, "path": A.print_page(kind, u.id, y, did), "n": len(arcs.by_position[(kind, u.id, did, y)])}
                     for kind, y in prints.get((u.id, did), [])]
            if people or links:
                groups.append({"id": did, "name": site.department_name(u.id, did) if did else "未分科室", "people": people, "prints": links})
        path = A.unit_index_page(u.id)
        former = _people(arcs.former_by_unit.get(u.id, []))
        members = [row for g in groups for row in g["people"]]
        html = r.render(path, "archive_unit.html", source=u.path, unit=u, groups=groups, former=former,
                        people_path=listing_page(unit_people_base(u.id), 1) if members else "",
                        former_path=listing_page(unit_former_base(u.id), 1) if former else "",
                        cadre=arcs.count(A.ARCHIVE_CADRE, mine), ethics=arcs.count(A.ARCHIVE_ETHICS, mine))
        yield Page(path, f"{u['name']}·档案", html, source=u.path, meta={"kind": "档案", "unit": u.id})
        # the names on paged listings: a hospital's index would otherwise grow with its staff (~90 KB at 500 people)
        back = [(f"{u['name']}·档案", path)]
        if members:
            rows = [(lambda row=row, g=g: [row["person"]["name"], g["name"], row["person"].get("post") or "",
                                           _archive_links(r, row), _years(row)]) for g in groups for row in g["people"]]
            yield from paged(r, unit_people_base(u.id), f"{u['name']}·档案人员", ("姓名", "科室", "职务/岗位", "档案", "年度"), rows,
                             intro="按科室排列；各科室的年度登记表见本单位档案页。",
                             siblings=back + [("档案人员", listing_page(unit_people_base(u.id), 1))])
        if former:
            rows = [(lambda row=row: [row["person"]["name"], site.unit_name(row["person"]["unit"]), _archive_links(r, row)])
                    for row in former]
            yield from paged(r, unit_former_base(u.id), f"{u['name']}·已调出人员的档案", ("姓名", "现单位", "档案"), rows,
                             intro="调出人员的档案随人转移，在本单位期间的记录仍在其档案中。",
                             siblings=back + [("已调出", listing_page(unit_former_base(u.id), 1))])


def unit_people_base(unit_id: str) -> str:
    return f"archives/units/{unit_id}/people"


def unit_former_base(unit_id: str) -> str:
    return f"archives/units/{unit_id}/former"


def _archive_links(r: Renderer, row: dict[str, Any]) -> Markup:
    links = Markup("、").join(a(r, arc.path, A.SHORT[arc.kind]) for arc in row["archives"])
    return links + Markup(' <span class="lz-muted">（有调动）</span>') if row["archives"][0].moved else links


def _years(row: dict[str, Any]) -> str:
    return "、".join(str(ay.year) for ay in row["archives"][0].years) or "—"


def _people(archives: list[A.Archive]) -> list[dict[str, Any]]:
    """One row per person, with each of their archives in this list."""
    rows: dict[str, dict[str, Any]] = {}
    for arc in archives:
        row = rows.setdefault(arc.person.id, {"person": arc.person, "archives": []})
        row["archives"].append(arc)
    return sorted(rows.values(), key=lambda row: (row["person"].get("department") or "", row["person"].id))


def year_indexes(site: Site, r: Renderer, arcs: A.Archives) -> Iterable[Page]:
    years = sorted(arcs.by_year, reverse=True)
    siblings = [(f"{y}年度", listing_page(A.year_index_base(y), 1)) for y in years] + [("待办", listing_page(A.TODO_BASE, 1))]
    columns = ("姓名", "档案", "单位（当年）", "科室（当年）", "已确认承诺", "年度考评", "等次/践诺评价")
    for y in years:
        entries = sorted(arcs.by_year[y], key=lambda e: (e[1].post.unit_id, e[1].post.department_id or "", e[0].person.id, e[0].kind))
        rows: list[Callable[[], list[Any]]] = [
            (lambda arc=arc, ay=ay: reads.add(arc.sources) or [  # the row shows what was derived for the person
                Markup(f'<a href="{escape(r.link(arc.path, f"y{ay.year}"))}">{escape(arc.person["name"])}</a>'),
                A.SHORT[arc.kind], a(r, unit_page(ay.post.unit_id), site.unit_name(ay.post.unit_id)),
                site.department_name(ay.post.unit_id, ay.post.department_id), len(ay.pledges),
                "有" if ay.assessment else "—", _result(arc, ay)]) for arc, ay in entries]
        before = f"（{arcs.first_year}年专项工作开展前，尚无承诺表）" if arcs.first_year and y < arcs.first_year else ""
        yield from paged(r, A.year_index_base(y), f"{y}年度档案", columns, rows, siblings=siblings,
                         intro=f"{y}年度归入档案的已确认个人承诺表与年度考评{before}。",
                         keys=[(arc.kind, arc.person.id) for arc, _ in entries])


def _result(arc: A.Archive, ay: A.ArchiveYear) -> str:
    if ay.assessment is None:
        return ""
    if arc.kind == A.ARCHIVE_ETHICS and ay.grade:
        return ay.grade + ("（一票否决）" if ay.vetoes else "")
    return str(ay.assessment.get("fulfilment_grade") or "")


def todo(site: Site, r: Renderer, arcs: A.Archives) -> Iterable[Page]:
    years = sorted(arcs.by_year, reverse=True)
    siblings = [(f"{y}年度", listing_page(A.year_index_base(y), 1)) for y in years] + [("待办", listing_page(A.TODO_BASE, 1))]
    rows: list[Callable[[], list[Any]]] = [
        (lambda t=t: [t.year, a(r, person_page(t.person.id), t.person["name"]),
                      a(r, unit_page(t.post.unit_id), site.unit_name(t.post.unit_id)),
                      Markup("、").join(a(r, A.archive_page(k, t.person.id), A.SHORT[k]) for k in t.archives) if t.archives else "—（不归档）",
                      t.detail]) for t in arcs.todo]
    first = f"自{arcs.first_year}年（专项工作开展之年）起，" if arcs.first_year else ""
    yield from paged(r, A.TODO_BASE, "档案待办", ("年度", "姓名", "单位（当年）", "档案", "该年度的承诺表"), rows, siblings=siblings,
                     intro=f"{first}有年度考评却没有经党政班子确认的个人承诺表的人员，由监察室跟进补办；只有已确认的承诺表才归入档案。")


def print_pages(site: Site, r: Renderer, arcs: A.Archives) -> Iterable[Page]:
    for (kind, uid, did, year), entries in sorted(arcs.by_position.items(), key=lambda kv: (kv[0][1], kv[0][2] or "", kv[0][3], kv[0][0])):
        path = A.print_page(kind, uid, year, did)
        dname = site.department_name(uid, did) if did else ""
        title = f"{site.unit_name(uid)}{dname} {year}年度{A.YEAR_FORM[kind]}"
        entries = sorted(entries, key=lambda e: e[0].person.id)
        for arc, _ in entries:
            reads.add(arc.sources)
        # which person-years are kept at this position: worked out for every page at once (A.derive_archives)
        shape = [(arc.kind, arc.person.id, ay.year) for arc, ay in entries]
        html = r.render(path, "archive_print.html", source=site.content.get(uid, "unit").path if site.content.get(uid, "unit") else "",
                        memo=True, shape=shape, kind=kind, unit_id=uid, dept_id=did, year=year, entries=entries, title=title)
        # No print_footer: a fixed footer lands on top of the form from the second sheet on (Chromium).
        yield Page(path, title, html, meta={"kind": "档案打印"})
