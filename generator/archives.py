"""Derive the two personal archives (一人一档) from roles, forms and assessments.

A person's roles decide which archives they have (records.archives_for): the
cadre integrity archive (党员干部廉政档案), the medical ethics archive
(医务人员医德档案), or both. Each archive holds, year by year, the person's
CONFIRMED personal pledges (withdrawn ones are kept with their note; pledges
still in publicity or awaiting confirmation are not part of an archive) and
the yearly assessment. A person who moved keeps one archive; each year
records where the person was.

Everything is a pure function of the derived Site (records, as-of, drafts).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from . import reads
from .derive import FormView, Site
from .publicity import CONFIRMED, WITHDRAWN
from .records import ARCHIVE_CADRE, ARCHIVE_ETHICS, VETO_ITEMS, Record, archives_for

KINDS = (ARCHIVE_CADRE, ARCHIVE_ETHICS)
SLUG = {ARCHIVE_CADRE: "lianzheng", ARCHIVE_ETHICS: "yide"}
SHORT = {ARCHIVE_CADRE: "廉政档案", ARCHIVE_ETHICS: "医德档案"}
# The yearly page of each archive, after the paper forms (DOMAIN.md §3.2, §3.4).
YEAR_FORM = {ARCHIVE_CADRE: "党员干部廉政档案年度登记表", ARCHIVE_ETHICS: "医务人员医德考评登记表"}

NO_PLEDGE = "有年度考评，但没有已确认的个人承诺表"


def archive_page(kind: str, person_id: str) -> str:
    return f"archives/{SLUG[kind]}/{person_id}.md"


def unit_index_page(unit_id: str) -> str:
    return f"archives/units/{unit_id}.md"


def year_index_base(year: int) -> str:
    return f"archives/years/{year}"


TODO_BASE = "archives/todo"
INDEX_PAGE = "archives/index.md"


def print_page(kind: str, unit_id: str, year: int, dept_id: str | None) -> str:
    """One department's yearly forms (people without a department: the unit's).
    Department ids are free text, hence the prefix: no id can collide with `unit`."""
    leaf = f"dept-{dept_id}" if dept_id else "unit"
    return f"archives/print/{SLUG[kind]}/{unit_id}/{year}/{leaf}.md"


@dataclass(frozen=True)
class Post:
    """Where a person was: unit, department and post."""

    unit_id: str
    department_id: str | None
    post: str | None


@dataclass
class Move:
    """One line of the archive's 任职经历: a former position or the current one."""

    post: Post
    start: dt.date | None
    end: dt.date | None  # None: the current position
    source: str  # "history", "form" (only known from a form filed there) or "current"
    years: tuple[int, ...] = ()  # for "form": the years of the forms filed there


@dataclass
class ArchiveYear:
    year: int
    post: Post  # where the person was at the end of the year
    pledges: list[FormView] = field(default_factory=list)  # confirmed, the only ones that count
    withdrawn: list[FormView] = field(default_factory=list)
    assessment: Record | None = None
    before_campaign: bool = False

    @property
    def grade(self) -> str:
        """The ethics grade, or "" when there is none."""
        eth = self.assessment.get("ethics") if self.assessment else None
        return str(eth["grade"]) if eth else ""

    @property
    def vetoes(self) -> list[tuple[str, str]]:
        eth = self.assessment.get("ethics") if self.assessment else None
        return [(code, VETO_ITEMS[code]) for code in (eth or {}).get("vetoes", [])]


@dataclass
class Archive:
    kind: str
    person: Record
    years: list[ArchiveYear]  # newest first
    moves: list[Move]  # oldest first, the current position last
    # the records read to derive the person's archives (reads.py), while a build tracks reads
    sources: frozenset[str] = frozenset()

    @property
    def path(self) -> str:
        return archive_page(self.kind, self.person.id)

    @property
    def moved(self) -> bool:
        return len({m.post.unit_id for m in self.moves}) > 1

    @property
    def former_units(self) -> list[str]:
        cur = self.person["unit"]
        out: list[str] = []
        for m in self.moves:
            if m.post.unit_id != cur and m.post.unit_id not in out:
                out.append(m.post.unit_id)
        return out

    def year(self, y: int) -> ArchiveYear | None:
        for ay in self.years:
            if ay.year == y:
                return ay
        return None


@dataclass
class ToDo:
    """A person-year the supervision office must follow up."""

    person: Record
    year: int
    post: Post
    archives: list[str]
    reason: str
    detail: str


@dataclass
class Archives:
    first_year: int | None  # the campaign's first year: pledges exist from then on
    archives: list[Archive] = field(default_factory=list)
    by_person: dict[str, list[Archive]] = field(default_factory=lambda: defaultdict(list))
    by_unit: dict[str, list[Archive]] = field(default_factory=lambda: defaultdict(list))  # current unit
    former_by_unit: dict[str, list[Archive]] = field(default_factory=lambda: defaultdict(list))
    by_department: dict[tuple[str, str | None], list[Archive]] = field(default_factory=lambda: defaultdict(list))
    by_year: dict[int, list[tuple[Archive, ArchiveYear]]] = field(default_factory=lambda: defaultdict(list))
    # (kind, unit, department or None, year) → the archive years kept there: the print pages
    by_position: dict[tuple[str, str, str | None, int], list[tuple[Archive, ArchiveYear]]] = field(
        default_factory=lambda: defaultdict(list))
    todo: list[ToDo] = field(default_factory=list)

    def get(self, kind: str, person_id: str) -> Archive | None:
        for a in self.by_person.get(person_id, []):
            if a.kind == kind:
                return a
        return None

    def count(self, kind: str, archives: list[Archive]) -> int:
        return sum(a.kind == kind for a in archives)


def campaign_first_year(site: Site) -> int | None:
    camp = site.content.campaign
    if camp is None:
        return None
    dates = [ph["starts"] for ph in camp.get("phases", [])]
    if camp.get("issued_on"):
        dates.append(camp["issued_on"])
    return min(dates).year if dates else None


def current_post(person: Record) -> Post:
    return Post(person["unit"], person.get("department"), person.get("post"))


def post_at_year_end(person: Record, year: int, forms: list[FormView]) -> Post:
    """The position held at the end of `year`: from the person's history when it
    covers that day, else from a form filed that year, else the current one."""
    end = dt.date(year, 12, 31)
    for h in sorted(person.get("history", []), key=lambda h: h["end"]):
        if h["end"] >= end and (h.get("start") is None or h["start"] <= end):
            return Post(h["unit"], h.get("department"), h.get("post"))
    if forms and not person.get("history"):
        # No history to go by: the form filed that year is the best evidence.
        return form_post(forms[0])
    return current_post(person)


def form_post(fv: FormView) -> Post:
    return Post(fv.unit_id, fv.department["id"] if fv.department else None, fv.post)


def moves_of(person: Record, forms: list[FormView]) -> list[Move]:
    out = [Move(Post(h["unit"], h.get("department"), h.get("post")), h.get("start"), h["end"], "history")
           for h in sorted(person.get("history", []), key=lambda h: h["end"])]
    known = {m.post.unit_id for m in out} | {person["unit"]}
    # A form filed at a unit the history does not mention still shows the move.
    other: dict[str, list[int]] = defaultdict(list)
    for fv in forms:
        if fv.unit_id and fv.unit_id not in known:
            other[fv.unit_id].append(fv.year)
    for uid, years in sorted(other.items(), key=lambda kv: (min(kv[1]), kv[0])):
        out.append(Move(Post(uid, None, None), None, None, "form", tuple(sorted(set(years)))))
    out.append(Move(current_post(person), None, None, "current"))
    return out


def assessment_shown(a: Record, as_of: dt.date) -> bool:
    """An assessment dated after the as-of date is not done yet on that day."""
    on = a.get("assessed_on")
    return on is None or on <= as_of


def derive_archives(site: Site) -> Archives:
    first = campaign_first_year(site)
    out = Archives(first)
    assessments: dict[str, dict[int, Record]] = defaultdict(dict)
    for a in sorted(site.content.of_type["assessment"], key=lambda a: a.id):
        if assessment_shown(a, site.as_of):
            assessments[a["person"]].setdefault(int(a["year"]), a)  # check refuses a second one
    for person in sorted(site.content.people(), key=lambda p: (p["unit"], p.get("department") or "", p.id)):
        with reads.Capture() as read:
            _derive_person(site, out, person, assessments.get(person.id, {}))
        for arc in out.by_person.get(person.id, []):
            arc.sources = frozenset(read)
    out.todo.sort(key=lambda t: (-t.year, t.post.unit_id, t.post.department_id or "", t.person.id))
    return out


def _derive_person(site: Site, out: Archives, person: Record, mine: dict[int, Record]) -> None:
    """One person's archives and to-dos, added to `out`; `mine`: their assessments by year."""
    first = out.first_year
    kinds = archives_for(person.get("roles", []))
    forms = [fv for fv in site.by_person.get(person.id, []) if fv.type == "personal" and site.shown(fv)]
    confirmed = [fv for fv in forms if fv.status == CONFIRMED]
    withdrawn = [fv for fv in forms if fv.status == WITHDRAWN]
    years = sorted({fv.year for fv in confirmed} | {fv.year for fv in withdrawn} | set(mine), reverse=True)
    moves = moves_of(person, confirmed + withdrawn)
    for y in sorted(mine, reverse=True):
        if first is None or y < first:
            continue  # assessments before the campaign predate pledges
        if any(fv.year == y for fv in confirmed):
            continue
        same_year = [fv for fv in forms if fv.year == y]
        out.todo.append(ToDo(person, y, post_at_year_end(person, y, same_year), kinds, NO_PLEDGE, todo_detail(same_year)))
    for kind in kinds:
        ays = []
        for y in years:
            yc = [fv for fv in confirmed if fv.year == y]
            yw = [fv for fv in withdrawn if fv.year == y]
            ays.append(ArchiveYear(y, post_at_year_end(person, y, yc or yw), yc, yw, mine.get(y),
                                   first is not None and y < first))
        arc = Archive(kind, person, ays, moves)
        out.archives.append(arc)
        out.by_person[person.id].append(arc)
        out.by_unit[person["unit"]].append(arc)
        out.by_department[(person["unit"], person.get("department"))].append(arc)
        for uid in arc.former_units:
            out.former_by_unit[uid].append(arc)
        for ay in ays:
            out.by_year[ay.year].append((arc, ay))
            out.by_position[(kind, ay.post.unit_id, ay.post.department_id, ay.year)].append((arc, ay))


def todo_detail(forms: list[FormView]) -> str:
    if not forms:
        return "该年度没有已公布的个人承诺表"
    parts = []
    for fv in forms:
        if fv.status == WITHDRAWN:
            wd: dict[str, Any] = fv.rec["withdrawal"]
            parts.append(f"承诺表已于{cn(wd['on'])}撤回（{wd['reason']}）")
        else:
            parts.append(f"承诺表{fv.status}")
    return "；".join(parts)


def cn(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"
