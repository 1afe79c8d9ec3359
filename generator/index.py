"""Lookups over the loaded records, shared by the checks and every view."""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable

from .records import FORM_TYPE_NAMES, Record


class Content:
    def __init__(self, records: Iterable[Record]) -> None:
        self.records: list[Record] = list(records)
        self.by_id: dict[str, Record] = {}
        self.of_type: dict[str, list[Record]] = defaultdict(list)
        for r in self.records:
            self.by_id.setdefault(r.id, r)
            self.of_type[r.type].append(r)

    @property
    def campaign(self) -> Record | None:
        c = self.of_type.get("campaign")
        return c[0] if c else None

    def units(self) -> list[Record]:
        return sorted(self.of_type["unit"], key=lambda u: (u.get("order", 999), u.id))

    def people(self) -> list[Record]:
        return self.of_type["person"]

    def forms(self) -> list[Record]:
        return [r for t in ("unitform", "department", "personal") for r in self.of_type[t]]

    def get(self, rid: str | None, rtype: str | None = None) -> Record | None:
        if not rid:
            return None
        r = self.by_id.get(rid)
        if r is None or (rtype and r.type != rtype):
            return None
        return r

    def department(self, unit_id: str, dept_id: str | None) -> dict[str, Any] | None:
        u = self.get(unit_id, "unit")
        if u is None or not dept_id:
            return None
        for d in u.get("departments", []):
            if d["id"] == dept_id:
                return d
        return None

    def unit_chain(self, unit_id: str) -> list[str]:
        """The unit and its ancestors, nearest first (cycle-safe)."""
        out: list[str] = []
        cur: str | None = unit_id
        while cur and cur not in out:
            out.append(cur)
            u = self.get(cur, "unit")
            cur = u.get("parent") if u else None
        return out

    def form_unit(self, form: Record) -> str | None:
        """The unit a form belongs to (a personal form may default to the person's)."""
        if form.get("unit"):
            return form["unit"]
        if form.type == "personal":
            p = self.get(form.get("person"), "person")
            return p.get("unit") if p else None
        return None

    def form_department(self, form: Record) -> str | None:
        if form.get("department"):
            return form["department"]
        if form.type == "personal" and not form.get("unit"):
            p = self.get(form.get("person"), "person")
            return p.get("department") if p else None
        return None

    def form_post(self, form: Record) -> str | None:
        if form.get("post"):
            return form["post"]
        p = self.get(form.get("person"), "person")
        return p.get("post") if p else None


def is_form(r: Record) -> bool:
    return r.type in FORM_TYPE_NAMES
