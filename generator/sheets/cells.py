"""What a spreadsheet cell holds versus what a record field holds.

Cells arrive as str, int, float, date, datetime or time depending on the
program that saved them; the import turns each into the text the YAML loader
would have seen, so the one Validator judges both. References travel as
“名称（编号）”, which people can read and pick from a list.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..fields import Field
from ..index import Content

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXCEL_EPOCH = dt.date(1899, 12, 30)
# Excel serial numbers of 2000-01-01 and 2100-12-31: a bare number in a date
# field inside this range is a date cell that lost its format.
SERIAL_MIN, SERIAL_MAX = 36526, 73415
TRAILING_ID = re.compile(r"[（(]\s*([a-z0-9][a-z0-9-]{0,63})\s*[)）]\s*$")


def clean(value: Any) -> Any:
    """A cell's value with Windows line ends undone; None when blank."""
    if isinstance(value, str):
        value = value.replace("_x000D_", "").replace("\r\n", "\n").replace("\r", "\n")
        return value if value.strip() else None
    return value


def cell_text(value: Any, f: Field) -> str | None:
    """The text a YAML file would hold for this cell, judged by the field's kind."""
    value = clean(value)
    if value is None:
        return None
    kind = f.kind
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if kind == "time":
            return f"{value.hour:02d}:{value.minute:02d}"
        if kind == "date" or (value.hour, value.minute, value.second) == (0, 0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return f"{value.hour:02d}:{value.minute:02d}"
    if isinstance(value, (int, float)):
        if kind == "date" and SERIAL_MIN <= value <= SERIAL_MAX:
            return (EXCEL_EPOCH + dt.timedelta(days=int(value))).isoformat()
        if kind == "time" and 0 <= value < 1:
            minutes = round(value * 1440)
            return f"{minutes // 60:02d}:{minutes % 60:02d}"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return f"{value:.15g}" if isinstance(value, float) else str(value)
    return str(value)


def guard_formula(text: str) -> str:
    """CSV has no cell types: a leading apostrophe keeps text from running as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def unguard_formula(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


class Names:
    """Readable names of referenced records, and the way back to ids."""

    def __init__(self, content: Content) -> None:
        self.c = content

    def name(self, rid: str) -> str | None:
        r = self.c.by_id.get(rid)
        if r is None:
            return None
        return r.get("name") or r.get("title")

    def label(self, rid: str) -> str:
        name = self.name(rid)
        return f"{name}（{rid}）" if name else rid

    def department_label(self, unit_id: str | None, dept_id: str) -> str:
        d = self.c.department(unit_id, dept_id) if unit_id else None
        return f"{d['name']}（{dept_id}）" if d else dept_id

    def resolve(self, text: str, types: tuple[str, ...]) -> str:
        """“名称（编号）”, a bare id or a unique name → the id; anything else
        is returned unchanged for the Validator and the checks to judge."""
        s = text.strip()
        r = self.c.by_id.get(s)
        if r is not None and r.type in types:
            return s
        named = self._named(s, types)
        if len(named) == 1:
            return named[0]
        m = TRAILING_ID.search(s)
        if m:
            return m.group(1)
        return s

    def namesakes(self, text: str, types: tuple[str, ...]) -> list[str]:
        """“名称（编号）” of every record so named, when a bare name is ambiguous."""
        named = self._named(text.strip(), types)
        return [self.label(rid) for rid in sorted(named)] if len(named) > 1 else []

    def _named(self, s: str, types: tuple[str, ...]) -> list[str]:
        """Ids of the records of these types whose name, title or short name is s."""
        return [x.id for t in types for x in self.c.of_type[t] if s in (x.get("name"), x.get("title"), x.get("short_name"))]

    def resolve_department(self, text: str, unit_id: str | None) -> str:
        s = text.strip()
        u = self.c.get(unit_id, "unit") if unit_id else None
        depts = u.get("departments", []) if u else []
        if any(d["id"] == s for d in depts):
            return s
        named = [d["id"] for d in depts if d["name"] == s]
        if len(named) == 1:
            return named[0]
        m = TRAILING_ID.search(s)
        if m:
            return m.group(1)
        return s
