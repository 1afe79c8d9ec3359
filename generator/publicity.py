"""Publicity windows and the lifecycle status derived from them.

Status is never typed by hand: it follows from the window, the confirmation,
the withdrawal and the as-of date.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any, Iterable
from urllib.parse import quote
from zoneinfo import ZoneInfo

NONE = "未安排公示"
SCHEDULED = "即将公示"
OPEN = "公示中"
PENDING = "待确认"
CONFIRMED = "已确认"
WITHDRAWN = "已撤回"
STATUSES = (NONE, SCHEDULED, OPEN, PENDING, CONFIRMED, WITHDRAWN)
# Forms in these states are not published: they appear nowhere but in --drafts.
UNPUBLISHED = frozenset({NONE, SCHEDULED})


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()  # make-up working days on weekends

    @classmethod
    def from_config(cls, publicity: dict[str, Any]) -> "Calendar":
        return cls(frozenset(publicity.get("holidays") or ()), frozenset(publicity.get("workdays") or ()))

    def is_working(self, d: dt.date) -> bool:
        if d in self.workdays:
            return True
        return d.weekday() < 5 and d not in self.holidays

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The last day of a window of n working days starting on `start`
        (the opening day counts when it is a working day)."""
        # thousands of forms open on the same few days: count once per start
        return _add_working_days(self, start, n)

    def _count_working_days(self, start: dt.date, n: int) -> dt.date:
        d = start
        while not self.is_working(d):
            d += dt.timedelta(days=1)
        counted = 1
        while counted < n:
            d += dt.timedelta(days=1)
            if self.is_working(d):
                counted += 1
        return d


_add_working_days = functools.lru_cache(maxsize=4096)(Calendar._count_working_days)


@dataclass(frozen=True)
class Window:
    opens: dt.date
    closes: dt.date  # last day of the window
    closes_at: str | None  # "HH:MM" on the closing day, None for end of day
    derived: bool  # closing date computed from working days

    def close_moment(self, tz: ZoneInfo) -> dt.datetime:
        if self.closes_at:
            h, m = (int(x) for x in self.closes_at.split(":"))
            return dt.datetime(self.closes.year, self.closes.month, self.closes.day, h, m, tzinfo=tz)
        nxt = self.closes + dt.timedelta(days=1)
        return dt.datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz)

    def close_text(self) -> str:
        when = f"{self.closes.year}年{self.closes.month}月{self.closes.day}日"
        return f"{when} {self.closes_at} 截止" if self.closes_at else f"{when} 24 时截止（当日结束）"


def window_of(publicity: dict[str, Any] | None, cal: Calendar, default_days: int) -> Window | None:
    if not publicity or "opens" not in publicity:
        return None
    opens = publicity["opens"]
    if publicity.get("closes"):
        return Window(opens, publicity["closes"], publicity.get("closes_at"), False)
    days = int(publicity.get("working_days") or default_days)
    return Window(opens, cal.add_working_days(opens, days), publicity.get("closes_at"), True)


def status_of(form: dict[str, Any], window: Window | None, as_of: dt.date) -> str:
    """Status on the as-of date. A window closing at a time of day on the
    as-of date counts as open for the static page; the page's script hides the
    comment link after the exact moment."""
    w = form.get("withdrawal")
    if w and w["on"] <= as_of:
        return WITHDRAWN
    c = form.get("confirmation")
    if c and c["on"] <= as_of:
        return CONFIRMED
    if window is None:
        return NONE
    if as_of < window.opens:
        return SCHEDULED
    if as_of <= window.closes:
        return OPEN
    return PENDING


def working_days_left(window: Window, as_of: dt.date, cal: Calendar) -> int:
    """Working days left in an open window, the as-of day included."""
    n = 0
    d = max(as_of, window.opens)
    while d <= window.closes:
        if cal.is_working(d):
            n += 1
        d += dt.timedelta(days=1)
    return n


def feedback_counts(feedback: Iterable[dict[str, Any]]) -> dict[str, int]:
    out = {"total": 0, "采纳": 0, "部分采纳": 0, "不采纳": 0, "未处理": 0}
    for c in feedback:
        out["total"] += 1
        out[c.get("disposition") or "未处理"] += 1
    return out


# ---------------------------------------------------------------- moments

def open_moment(window: Window, tz: ZoneInfo) -> dt.datetime:
    """A window opens at the start of its opening day in the site's time zone."""
    return dt.datetime(window.opens.year, window.opens.month, window.opens.day, tzinfo=tz)


def closes_iso(window: Window, tz: ZoneInfo) -> str:
    """The closing moment as an ISO timestamp with offset, for the page's script."""
    return window.close_moment(tz).isoformat()


def is_open_at(window: Window, moment: dt.datetime, tz: ZoneInfo) -> bool:
    return open_moment(window, tz) <= moment < window.close_moment(tz)


def confirmable_on(window: Window, on: dt.date) -> bool:
    """Whether a confirmation dated `on` comes after the window. A window closing
    at a time of day may be confirmed later that same day; one closing at the end
    of its day only from the next day (the same rule as check.py)."""
    return on > window.closes or (on == window.closes and bool(window.closes_at))


# ---------------------------------------------------------------- comment link

def comment_link(template: str | None, record_id: str, title: str, unit: str) -> str:
    """The comment form's URL for one record: each placeholder's value is
    percent-encoded (UTF-8), so that it survives any query string or mailto."""
    if not template:
        return ""
    values = {"id": record_id, "title": title, "unit": unit}
    out = template
    for key, value in values.items():
        out = out.replace("{" + key + "}", quote(value, safe=""))
    return out


# ---------------------------------------------------------------- history

@dataclass(frozen=True)
class Event:
    on: dt.date
    label: str
    text: str
    kind: str  # css modifier: signed | opened | comment | closed | confirmed | withdrawn


def history(form: dict[str, Any], window: Window | None, as_of: dt.date) -> list[Event]:
    """What has happened to a form by the as-of date, oldest first."""
    events: list[Event] = []
    if form.get("signed_on"):
        events.append(Event(form["signed_on"], "签署承诺", "", "signed"))
    if window is not None:
        if window.opens <= as_of:
            where = (form.get("publicity") or {}).get("where")
            events.append(Event(window.opens, "开始公示", f"公示地点：{where}" if where else "", "opened"))
        if window.closes < as_of:
            # comments are shown once the window has closed, never while it runs
            received: dict[dt.date, int] = {}
            for c in (form.get("publicity") or {}).get("feedback") or ():
                received[c["received"]] = received.get(c["received"], 0) + 1
            for day in sorted(received):
                events.append(Event(day, "收到意见", f"{received[day]} 条", "comment"))
            events.append(Event(window.closes, "公示期满", window.close_text(), "closed"))
    c = form.get("confirmation")
    if c and c["on"] <= as_of:
        events.append(Event(c["on"], "辨识确认", c["by"], "confirmed"))
    w = form.get("withdrawal")
    if w and w["on"] <= as_of:
        events.append(Event(w["on"], "撤回", w["reason"], "withdrawn"))
    order = {"signed": 0, "opened": 1, "comment": 2, "closed": 3, "confirmed": 4, "withdrawn": 5}
    return sorted(events, key=lambda e: (e.on, order[e.kind]))
