"""Stage 3: derive what the views show from checked records and the as-of date.

Everything here is a pure function of (records, config, as-of, drafts): the
same inputs give the same site, byte for byte.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from . import reads
from .config import Config
from .index import Content
from .publicity import (CONFIRMED, OPEN, PENDING, SCHEDULED, UNPUBLISHED, WITHDRAWN, Calendar, Window,
                        status_of, window_of, working_days_left)
from .records import FORM_RECORD_TYPES, Record, archives_for

FORM_LABELS = {t.name: t.label for t in FORM_RECORD_TYPES}
FORM_SHORT = {"personal": "个人承诺表", "department": "科室承诺表", "unitform": "单位承诺表"}
FORM_ORDER = {"unitform": 0, "department": 1, "personal": 2}


@dataclass
class FormView:
    rec: Record
    status: str
    window: Window | None
    unit: Record | None
    department: dict[str, Any] | None
    person: Record | None
    post: str | None
    title: str
    days_left: int = 0

    def __post_init__(self) -> None:
        # what every field is derived from, besides the as-of date and the config
        got = object.__getattribute__
        self._sources = tuple(r.id for r in (got(self, "rec"), got(self, "unit"), got(self, "person")) if r is not None)

    @property
    def id(self) -> str:
        return self.rec.id

    @property
    def type(self) -> str:
        return self.rec.type

    @property
    def year(self) -> int:
        return int(self.rec["year"])

    @property
    def published(self) -> bool:
        return self.status not in UNPUBLISHED

    @property
    def unit_id(self) -> str:
        return self.unit.id if self.unit else ""


def _noting_getattribute(self: FormView, name: str) -> Any:
    if reads.current is not None:
        reads.current.update(object.__getattribute__(self, "_sources"))
    return object.__getattribute__(self, name)


def _note_form_reads(on: bool) -> None:
    """FormView.__getattribute__ notes the records behind every field, only while reads are tracked."""
    if on:
        FormView.__getattribute__ = _noting_getattribute  # type: ignore[method-assign]
    elif "__getattribute__" in FormView.__dict__:
        del FormView.__getattribute__


reads.SWITCHES.append(_note_form_reads)


@dataclass
class Site:
    cfg: Config
    content: Content
    as_of: dt.date
    drafts: bool
    calendar: Calendar
    forms: dict[str, FormView] = field(default_factory=dict)  # every form, published or not
    by_unit: dict[str, list[FormView]] = field(default_factory=lambda: defaultdict(list))
    by_department: dict[tuple[str, str], list[FormView]] = field(default_factory=lambda: defaultdict(list))
    by_person: dict[str, list[FormView]] = field(default_factory=lambda: defaultdict(list))
    members: dict[tuple[str, str], list[Record]] = field(default_factory=lambda: defaultdict(list))
    people_by_unit: dict[str, list[Record]] = field(default_factory=lambda: defaultdict(list))
    rules_by_unit: dict[str, list[Record]] = field(default_factory=lambda: defaultdict(list))
    flows_by_unit: dict[str, list[Record]] = field(default_factory=lambda: defaultdict(list))
    edition: Any = None  # editions.EditionBuild when publishing

    def shown(self, fv: FormView) -> bool:
        """Whether a form gets a page: published, or any form in a drafts preview."""
        return fv.published or self.drafts

    def visible_forms(self) -> list[FormView]:
        return [fv for fv in self.forms.values() if self.shown(fv)]

    def unit_name(self, unit_id: str | None) -> str:
        u = self.content.get(unit_id, "unit")
        return (u.get("short_name") or u["name"]) if u else (unit_id or "")

    def department_name(self, unit_id: str | None, dept_id: str | None) -> str:
        d = self.content.department(unit_id or "", dept_id)
        return d["name"] if d else (dept_id or "")

    def archives(self, person: Record) -> list[str]:
        return archives_for(person.get("roles", []))

    @property
    def tz_name(self) -> str:
        return str(self.cfg.get("timezone"))


def form_title(site_content: Content, rec: Record, unit: Record | None, dept: dict[str, Any] | None, person: Record | None) -> str:
    year = rec["year"]
    uname = (unit.get("short_name") or unit["name"]) if unit else ""
    if rec.type == "personal":
        who = person["name"] if person else rec["person"]
        return f"{who} {year}年度个人廉政风险和自我防范承诺表"
    if rec.type == "department":
        dname = dept["name"] if dept else rec["department"]
        return f"{uname}{dname} {year}年度科（处）室廉政风险和防控承诺表"
    return f"{unit['name'] if unit else ''} {year}年度单位（部门）廉政风险和防控承诺表"


def derive(cfg: Config, content: Content, as_of: dt.date, drafts: bool = False) -> Site:
    cal = Calendar.from_config(cfg.publicity)
    site = Site(cfg, content, as_of, drafts, cal)
    for rec in content.forms():
        unit_id = content.form_unit(rec)
        unit = content.get(unit_id, "unit")
        dept_id = content.form_department(rec)
        dept = content.department(unit_id or "", dept_id)
        person = content.get(rec.get("person"), "person")
        w = window_of(rec.get("publicity"), cal, cfg.working_days)
        status = status_of(rec.data, w, as_of)
        fv = FormView(rec, status, w, unit, dept, person, content.form_post(rec), form_title(content, rec, unit, dept, person))
        if status == OPEN and w is not None:
            fv.days_left = working_days_left(w, as_of, cal)
        site.forms[rec.id] = fv
    for fv in sorted(site.forms.values(), key=form_sort_key):
        site.by_unit[fv.unit_id].append(fv)
        if fv.department is not None:
            site.by_department[(fv.unit_id, fv.department["id"])].append(fv)
        if fv.person is not None:
            site.by_person[fv.person.id].append(fv)
    for p in sorted(content.people(), key=lambda p: p.id):
        site.people_by_unit[p["unit"]].append(p)
        if p.get("department"):
            site.members[(p["unit"], p["department"])].append(p)
    for r in sorted(content.of_type["rule"], key=lambda r: (r["kind"], r["effective"], r.id)):
        site.rules_by_unit[r["unit"]].append(r)
    for f in sorted(content.of_type["flow"], key=lambda f: f.id):
        site.flows_by_unit[f["unit"]].append(f)
    return site


def form_sort_key(fv: FormView) -> tuple[Any, ...]:
    return (-fv.year, FORM_ORDER[fv.type], fv.unit_id, fv.department["id"] if fv.department else "", fv.title, fv.id)


STATUS_CLASS = {OPEN: "open", PENDING: "pending", CONFIRMED: "confirmed", WITHDRAWN: "withdrawn", SCHEDULED: "scheduled"}
