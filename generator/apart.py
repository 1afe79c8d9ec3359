"""Work done in a forked process while this one goes on, its result fetched later.

A publish's copy of the content folder (editions.copy_content) is
single-threaded Python: run before the build, it held one core while the
other idled (10,000 people: 8-18 s for a first edition, about 1 s later). Forked, it shares the loaded records
with this process (copy on write) and runs beside the build, in the gaps
the build leaves (MkDocs' start, the last render and index workers).
Six alternating first publishes of 10,000 people: 96.7-102.4 s against
98.2-110.6 s copying first. A plain os.fork and a result file, not a
process pool: a pool's thread would be alive in this process while it
forks its render workers.
"""
from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
import tempfile
from pathlib import Path
from typing import Callable, Generic, TypeVar

T = TypeVar("T")

FORKS = hasattr(os, "fork")  # elsewhere the work runs at once, in this process


class Apart(Generic[T]):
    """`run()` in a forked process from now on; result() waits for it and
    returns its value or raises its exception; cancel() stops it. Without
    fork, run() runs here at once."""

    def __init__(self, run: Callable[[], T], folder: Path) -> None:
        self._pid = 0
        self._value: T | None = None
        self._error: BaseException | None = None
        if not FORKS:
            self._value = run()
            return
        fd, name = tempfile.mkstemp(prefix=".apart-", suffix=".pickle", dir=folder)
        os.close(fd)
        self._out = Path(name)
        sys.stdout.flush()
        sys.stderr.flush()
        # The child's collector would otherwise walk, and so copy, every
        # object it shares with this process; they stay frozen there.
        gc.freeze()
        try:
            pid = os.fork()
        except BaseException:
            gc.unfreeze()
            raise
        if pid:
            gc.unfreeze()
            self._pid = pid
            return
        try:  # pragma: no cover (a forked process; coverage does not follow it)
            try:
                got: tuple[str, object] = ("ok", run())
            except BaseException as e:  # handed to the parent, which raises it
                got = ("error", e)
            try:
                data = pickle.dumps(got, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # an exception that does not pickle: its message does
                data = pickle.dumps(("error", RuntimeError(repr(got[1]))))
            with open(self._out, "wb") as f:
                f.write(data)
        finally:
            os._exit(0)

    def result(self) -> T:
        if self._pid:
            pid, self._pid = self._pid, 0
            _, status = os.waitpid(pid, 0)
            try:
                with open(self._out, "rb") as f:
                    kind, got = pickle.load(f)
            except (OSError, EOFError, pickle.UnpicklingError):
                kind, got = "error", RuntimeError(f"子进程异常退出（状态 {status}），未留下结果")
            finally:
                self._out.unlink(missing_ok=True)
            if kind == "ok":
                self._value = got  # type: ignore[assignment]
            else:
                self._error = got if isinstance(got, BaseException) else RuntimeError(str(got))
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]

    def cancel(self) -> None:
        """Stop the work, if it still runs, and wait until it has."""
        if self._pid:
            pid, self._pid = self._pid, 0
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
            self._out.unlink(missing_ok=True)
