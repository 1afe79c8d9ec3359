"""Progress of a long stage: a count in shared memory, which the stage's
forked workers add to, said every EVERY_S seconds by a thread of the process
that waits for them. A stage shorter than that says nothing (the sample site);
rendering 50,000 people takes minutes, and a clerk should see it moving."""
from __future__ import annotations

import multiprocessing
import sys
import threading
from typing import Any, Callable

EVERY_S = 10.0


def say(msg: str) -> None:
    """A progress line, on the standard error."""
    print(msg, file=sys.stderr, flush=True)


class Ticker:
    def __init__(self, say: Callable[[str], None] | None, line: Callable[[int], str]) -> None:
        self.say = say
        self.line = line
        self.every = EVERY_S
        # inherited by forked workers; none when nobody listens (a check inside a test)
        self.count: Any = multiprocessing.get_context("fork").Value("q", 0) if say is not None else None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, n: int = 1) -> None:
        if self.count is not None:
            with self.count.get_lock():
                self.count.value += n

    def __enter__(self) -> "Ticker":
        if self.say is not None:
            self._thread = threading.Thread(target=self._run, name="progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        # The first line comes EVERY_S after the start: the stages fork their
        # workers at once, never while this thread holds stderr's lock.
        while not self._stop.wait(self.every):
            self.say(self.line(self.count.value))  # type: ignore[misc]
