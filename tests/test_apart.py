"""apart.py: work in a forked process, its value or its exception fetched later."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from generator.apart import Apart


def test_the_value_comes_back_from_the_child(tmp_path: Path) -> None:
    here = os.getpid()
    job = Apart(lambda: {"pid": os.getpid(), "files": list(range(1000))}, tmp_path)
    got = job.result()
    assert got["pid"] != here and got["files"] == list(range(1000))
    assert job.result() is got  # asked again: the same value, no second wait
    assert list(tmp_path.iterdir()) == []


def test_the_childs_exception_is_raised_here(tmp_path: Path) -> None:
    def fails() -> None:
        raise OSError(28, "No space left on device")

    job = Apart(fails, tmp_path)
    with pytest.raises(OSError, match="No space left"):
        job.result()
    assert list(tmp_path.iterdir()) == []


def test_a_child_that_dies_is_an_error_not_a_hang(tmp_path: Path) -> None:
    job = Apart(lambda: os._exit(3), tmp_path)
    with pytest.raises(RuntimeError, match="子进程异常退出"):
        job.result()


def gone(pid: int) -> bool:
    """Ended and reaped: no process of that id any more."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_cancel_stops_the_child_at_once(tmp_path: Path) -> None:
    marker, started = tmp_path / "done", tmp_path / "pid"

    def slow() -> None:
        started.write_text(str(os.getpid()))
        time.sleep(30)
        marker.write_text("x")

    job = Apart(slow, tmp_path)
    while not started.is_file() or not started.read_text():
        time.sleep(0.01)
    job.cancel()  # at once, not after 30 s: the suite would be that much slower
    assert not marker.exists()
    assert gone(int(started.read_text()))
