"""Which records a page read while it was rendered (memo.py keeps pages whose
records did not change).

`current` is the set being filled, or None outside a page (loading,
checking): reading a record's content (records.Record) or anything derived
for a form (derive.FormView) adds the ids it came from.
"""
from __future__ import annotations

from typing import Callable

current: set[str] | None = None
# Turn on and off what notes reads at a cost to every attribute access
# (derive.FormView): nothing is paid while no page is tracked.
SWITCHES: list[Callable[[bool], None]] = []


def track(on: bool) -> None:
    """Note reads into a new set from now on, or stop noting them."""
    global current
    current = set() if on else None
    for switch in SWITCHES:
        switch(on)


def add(ids: "set[str] | frozenset[str] | tuple[str, ...]") -> None:
    """Note reads done earlier, on the page's behalf (what a view derived for
    several pages at once records where it came from)."""
    if current is not None:
        current.update(ids)


class Capture:
    """`with Capture() as got:` notes the reads inside into `got` instead of
    the page's set; nothing is noted when no page is being tracked."""

    def __enter__(self) -> set[str]:
        global current
        self._outer = current
        self._got: set[str] = set()
        current = self._got if self._outer is not None else None
        return self._got

    def __exit__(self, *exc: object) -> None:
        global current
        current = self._outer
