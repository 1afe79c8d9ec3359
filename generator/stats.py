"""The figures of the statistics page (统计), computed from the derived site
for its as-of date. Pure functions of the site: the same content and as-of
date give the same figures.

Which forms count: a form counts once it is published and still stands, i.e.
its status on the as-of date is 公示中, 待确认 or 已确认. Forms not yet in
publicity (未安排公示, 即将公示) are not published and appear nowhere, even in a
drafts preview; withdrawn forms (已撤回) no longer stand.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from .derive import FORM_SHORT, FormView, Site
from .paths import unit_page
from .publicity import CONFIRMED, OPEN, PENDING
from .records import GRADES, KEY_AREAS, LEVELS, Record

COUNTED = (OPEN, PENDING, CONFIRMED)
FORM_TYPES = ("personal", "department", "unitform")

DONE = "已完成"
UPCOMING = "未到期"
OVERDUE = "逾期未完成"
COMMITMENT_STATES = (DONE, UPCOMING, OVERDUE)

FILED_CONFIRMED = "已确认"
FILED_OPEN = "已公示待确认"  # 公示中 or 待确认
NOT_FILED = "未填报"
FILING_STATES = (FILED_CONFIRMED, FILED_OPEN, NOT_FILED)


@dataclass
class Row:
    label: str
    values: list[int]
    link: str | None = None  # page path of the category (a unit), for the table

    @property
    def total(self) -> int:
        return sum(self.values)


@dataclass
class Figure:
    """One chart and its table: rows (categories) × series, with totals."""

    id: str
    title: str
    head: str  # heading of the category column
    series: tuple[str, ...]
    rows: list[Row]
    note: str = ""

    @property
    def totals(self) -> list[int]:
        return [sum(r.values[i] for r in self.rows) for i in range(len(self.series))]

    @property
    def total(self) -> int:
        return sum(self.totals)


@dataclass
class Commitment:
    form: FormView
    risk_no: int  # 1-based row of the risk in the form (the form page's anchor)
    risk: dict[str, Any]
    item: dict[str, Any]
    state: str
    days_overdue: int

    @property
    def anchor(self) -> str:
        return f"{self.form.id}-risk-{self.risk_no}"


@dataclass
class UnitFiling:
    unit: Record
    expected: list[Record]
    confirmed: list[Record]
    open: list[Record]  # filed, in publicity or awaiting confirmation
    missing: list[Record]
    departments: int
    department_forms: int  # departments with a counted form of the year
    unit_form: FormView | None


@dataclass
class Stats:
    as_of: dt.date
    year: int
    risk_forms: dict[str, int]  # form type -> forms counted for the year
    risk_by_unit: Figure
    risk_by_area: Figure
    risk_by_level: Figure
    risk_by_year: Figure
    filing: Figure
    filings: list[UnitFiling]
    commitments: Figure
    overdue: list[Commitment]
    upcoming: list[Commitment]
    publicity: Figure
    in_publicity: list[FormView]
    ethics: Figure


def counted(site: Site) -> list[FormView]:
    """Published forms that still stand on the as-of date (drafts never count)."""
    return [fv for fv in site.forms.values() if fv.status in COUNTED]


def commitment_state(item: dict[str, Any], as_of: dt.date) -> str:
    """A commitment is overdue the day after its due date when no completion
    is recorded on or before the as-of date."""
    done = item.get("done")
    if done is not None and done <= as_of:
        return DONE
    if item["due"] < as_of:
        return OVERDUE
    return UPCOMING


def compute(site: Site) -> Stats:
    year = site.as_of.year
    units = site.content.units()
    forms = sorted(counted(site), key=lambda fv: (fv.unit_id, fv.type, fv.id))
    of_year = [fv for fv in forms if fv.year == year]

    # -- risk points of the year's counted forms
    by_unit: dict[str, Counter[str]] = defaultdict(Counter)
    by_area: dict[str, Counter[str]] = defaultdict(Counter)
    by_level: dict[str, Counter[str]] = defaultdict(Counter)
    for fv in of_year:
        for r in fv.rec["risks"]:
            by_unit[fv.unit_id][r["level"]] += 1
            by_area[r["key_area"]][r["level"]] += 1
            by_level[r["level"]][fv.type] += 1
    risk_forms = {t: sum(fv.type == t for fv in of_year) for t in FORM_TYPES}
    risk_by_unit = Figure("risk-unit", f"{year}年度风险点：按单位和等级", "单位", LEVELS,
                          [Row(site.unit_name(u.id), [by_unit[u.id][lv] for lv in LEVELS], unit_page(u.id)) for u in units])
    risk_by_area = Figure("risk-area", f"{year}年度风险点：按重点领域和等级", "重点领域", LEVELS,
                          [Row(a, [by_area[a][lv] for lv in LEVELS]) for a in KEY_AREAS])
    risk_by_level = Figure("risk-level", f"{year}年度风险点：按等级和承诺表类型", "风险等级", tuple(FORM_SHORT[t] for t in FORM_TYPES),
                           [Row(lv, [by_level[lv][t] for t in FORM_TYPES]) for lv in LEVELS])
    per_year: dict[int, Counter[str]] = defaultdict(Counter)
    for fv in forms:
        for r in fv.rec["risks"]:
            per_year[fv.year][r["level"]] += 1
    risk_by_year = Figure("risk-year", "历年风险点：按年度和等级", "年度", LEVELS,
                          [Row(f"{y}年度", [per_year[y][lv] for lv in LEVELS]) for y in sorted(per_year)])

    # -- personal forms of the year against the people expected (everyone, by current unit)
    personal: dict[str, FormView] = {}
    for fv in of_year:
        if fv.type == "personal" and fv.person is not None:
            prev = personal.get(fv.person.id)
            if prev is None or (fv.status == CONFIRMED and prev.status != CONFIRMED):
                personal[fv.person.id] = fv
    filings: list[UnitFiling] = []
    for u in units:
        expected = sorted(site.people_by_unit.get(u.id, []), key=lambda p: p.id)
        conf = [p for p in expected if p.id in personal and personal[p.id].status == CONFIRMED]
        opened = [p for p in expected if p.id in personal and personal[p.id].status != CONFIRMED]
        missing = [p for p in expected if p.id not in personal]
        depts = {fv.department["id"] for fv in of_year if fv.type == "department" and fv.unit_id == u.id and fv.department}
        uforms = [fv for fv in of_year if fv.type == "unitform" and fv.unit_id == u.id]
        filings.append(UnitFiling(u, expected, conf, opened, missing, len(u.get("departments", [])),
                                  len(depts), uforms[0] if uforms else None))
    filing = Figure("filing", f"{year}年度个人承诺表：应填人数与填报情况", "单位", FILING_STATES,
                    [Row(site.unit_name(f.unit.id), [len(f.confirmed), len(f.open), len(f.missing)], unit_page(f.unit.id))
                     for f in filings])

    # -- next-step commitments of counted unit forms (every year: a late promise stays late)
    items: list[Commitment] = []
    for fv in forms:
        if fv.type != "unitform":
            continue
        for i, r in enumerate(fv.rec["risks"], 1):
            for c in r.get("commitments", []):
                state = commitment_state(c, site.as_of)
                late = (site.as_of - c["due"]).days if state == OVERDUE else 0
                items.append(Commitment(fv, i, r, c, state, late))
    per_unit: dict[str, Counter[str]] = defaultdict(Counter)
    for c in items:
        per_unit[c.form.unit_id][c.state] += 1
    commitments = Figure("commitments", "下一步防控措施承诺：按单位和完成情况", "单位", COMMITMENT_STATES,
                         [Row(site.unit_name(u.id), [per_unit[u.id][s] for s in COMMITMENT_STATES], unit_page(u.id)) for u in units])
    overdue = sorted((c for c in items if c.state == OVERDUE), key=lambda c: (c.item["due"], c.form.unit_id, c.form.id, c.risk_no))
    upcoming = sorted((c for c in items if c.state == UPCOMING), key=lambda c: (c.item["due"], c.form.unit_id, c.form.id, c.risk_no))

    # -- publicity: open windows and forms awaiting confirmation, every year
    in_pub = sorted((fv for fv in forms if fv.status in (OPEN, PENDING)),
                    key=lambda fv: (fv.status != OPEN, fv.window.closes if fv.window else site.as_of, fv.unit_id, fv.id))
    pub_unit: dict[str, Counter[str]] = defaultdict(Counter)
    for fv in in_pub:
        pub_unit[fv.unit_id][fv.status] += 1
    publicity = Figure("publicity", "公示中与待确认的承诺表：按单位", "单位", (OPEN, PENDING),
                       [Row(site.unit_name(u.id), [pub_unit[u.id][OPEN], pub_unit[u.id][PENDING]], unit_page(u.id)) for u in units])

    # -- medical-ethics grades per year (annual assessments)
    grades: dict[int, Counter[str]] = defaultdict(Counter)
    for a in site.content.of_type["assessment"]:
        eth = a.get("ethics")
        if eth:
            grades[int(a["year"])][eth["grade"]] += 1
    ethics = Figure("ethics", "医德考评等次分布：按年度", "年度", GRADES,
                    [Row(f"{y}年度", [grades[y][g] for g in GRADES]) for y in sorted(grades)])

    return Stats(site.as_of, year, risk_forms, risk_by_unit, risk_by_area, risk_by_level, risk_by_year, filing, filings,
                 commitments, overdue, upcoming, publicity, in_pub, ethics)


def days_since_close(fv: FormView, as_of: dt.date) -> int:
    return (as_of - fv.window.closes).days if fv.window else 0
