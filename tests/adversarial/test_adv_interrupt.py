"""Interrupted and concurrent runs: a build or a publish killed (SIGKILL) at
random points leaves the previous site and every edition intact and
`verify --all` passing; what a killed run leaves behind is cleaned up by the
next run; two builds at once both leave a valid site.

Runs are real processes on the mini fixture. Kill points are drawn from the
measured length of an uninterrupted run (the seed is printed), so they cover
start-up, checks, rendering, MkDocs, Pagefind, hashing and the swaps.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.editions import id_key
from support.reproducible import compare_trees
from tests.conftest import MINI

ROOT = Path(__file__).resolve().parents[2]
KILLS = 50  # runs interrupted, builds and publishes alternating
MAX_RUNS = 90  # a run that finishes before its kill point counts as a run, not a kill
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1"}


def command(conf: Path, *argv: str) -> list[str]:
    return [sys.executable, "-m", "generator", "--config", str(conf), *argv]


def run(conf: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    p = subprocess.run(command(conf, *argv), capture_output=True, text=True, timeout=300, env=ENV)
    assert "Traceback" not in p.stderr, p.stderr
    return p


def timed(conf: Path, *argv: str) -> float:
    t = time.monotonic()
    p = run(conf, *argv)
    assert p.returncode == 0, p.stderr
    return time.monotonic() - t


def start(conf: Path, *argv: str) -> subprocess.Popen[bytes]:
    # its own process group: Pagefind, a child, dies with it as on a power cut
    return subprocess.Popen(command(conf, *argv), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV,
                            start_new_session=True)


def kill_after(p: subprocess.Popen[bytes], delay: float) -> bool:
    """SIGKILL the run after `delay` seconds unless it ended; True if killed."""
    try:
        p.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        return True


def same_site(reference: Path, site: Path) -> list[str]:
    """compare_trees, except theme assets copied verbatim from theme/: another
    engineer may be editing them in the working tree while this test runs."""
    return [d for d in compare_trees(reference, site) if not d.split(": ", 1)[-1].startswith("assets/")]


def leftovers(root: Path) -> list[str]:
    """Temporary folders and links a run leaves while it works."""
    build, archive = root / "build", root / "archive"
    found = [p for p in build.glob(".site-*")] + [p for p in archive.glob(".tmp-*")] + [p for p in (archive / "site").glob(".*.tmp-*")]
    return sorted(str(p.relative_to(root)) for p in found)


def public_site_ok(archive: Path) -> None:
    current = archive / "site" / "current"
    assert (current / "index.html").is_file(), "archive/site/current does not lead to a site"
    versions = json.loads((archive / "site" / "versions.json").read_text(encoding="utf-8"))
    ids = sorted(p.name for p in (archive / "editions").iterdir())
    assert {v["version"] for v in versions} <= set(ids)
    assert os.readlink(current) in ids


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(MINI, root)
    return root / "site_config.yml"


def test_killed_builds_and_publishes_leave_site_and_editions_intact(project: Path, tmp_path: Path) -> None:
    root = project.parent
    site = root / "build" / "site"
    archive = root / "archive"
    build_s = timed(project, "build")
    reference = tmp_path / "reference"
    shutil.copytree(site, reference)
    publish_s = timed(project, "publish", "--note", "初版")
    seed = int(os.environ.get("LZ_KILL_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    # kill points spread over a whole run; a run that finishes first shortens
    # the span (the machine got faster), so that the kills keep coming
    span = {"build": build_s, "publish": publish_s}
    killed = {"build": 0, "publish": 0}
    t0 = time.monotonic()
    runs = 0
    while sum(killed.values()) < KILLS and runs < MAX_RUNS:
        what = "build" if runs % 2 == 0 else "publish"
        argv = ("build",) if what == "build" else ("publish", "--note", f"第 {runs} 次")
        delay = rng.uniform(0.0, span[what])
        began = time.monotonic()
        if kill_after(start(project, *argv), delay):
            killed[what] += 1
        else:
            span[what] = min(span[what], time.monotonic() - began)
        where = f"seed {seed}, run {runs} ({what}, kill point {delay:.2f} s)"
        runs += 1
        # the site is the previous one or the new one, never a mixture or nothing
        assert same_site(reference, site) == [], where
        public_site_ok(archive)
    elapsed = time.monotonic() - t0
    print(f"\n{runs} runs, {sum(killed.values())} killed ({killed}), seed {seed}, {elapsed:.0f} s")
    assert sum(killed.values()) >= KILLS

    # the next runs succeed and clean up what the killed ones left
    for argv in (("build",), ("publish", "--note", "终版")):
        p = run(project, *argv)
        assert p.returncode == 0, p.stderr
    assert leftovers(root) == []
    assert same_site(reference, site) == []
    public_site_ok(archive)
    ids = sorted((p.name for p in (archive / "editions").iterdir()), key=id_key)
    assert os.readlink(archive / "site" / "current") == ids[-1]
    p = run(project, "verify", "--all")
    assert p.returncode == 0, p.stdout + p.stderr
    assert f"共校验 {len(ids)} 个版本：{len(ids)} 个完整无误" in p.stdout


def test_two_builds_at_once_both_leave_a_valid_site(project: Path, tmp_path: Path) -> None:
    root = project.parent
    site = root / "build" / "site"
    assert run(project, "build").returncode == 0
    reference = tmp_path / "reference"
    shutil.copytree(site, reference)
    for _ in range(2):
        procs = [subprocess.Popen(command(project, "build"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
                 for _ in range(2)]
        results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]  # type: ignore[union-attr]
        for code, err in results:
            assert "Traceback" not in err
            assert code == 0, err  # both may finish: the swap is atomic
        assert same_site(reference, site) == []
        assert leftovers(root) == []


def test_a_build_and_a_publish_at_once(project: Path) -> None:
    root = project.parent
    procs = [subprocess.Popen(command(project, *argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
             for argv in (("build",), ("publish", "--note", "同时"), ("publish", "--note", "又一个"))]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]  # type: ignore[union-attr]
    assert results[0][0] == 0, results[0][1]
    publishes = results[1:]
    assert all("Traceback" not in err for _, err in results)
    # the archive is locked: a second publish at the same moment is refused with a clear message
    assert sorted(code for code, _ in publishes) in ([0, 0], [0, 2])
    for code, err in publishes:
        if code == 2:
            assert "另一个发布正在进行" in err
    assert run(project, "verify", "--all").returncode == 0
    public_site_ok(root / "archive")


def test_what_a_killed_run_left_is_removed_by_the_next(project: Path) -> None:
    root = project.parent
    assert run(project, "publish", "--note", "初版").returncode == 0
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a pid that no longer runs
    build = root / "build"
    stale = [build / f".site-staging-{dead.pid}-abc123", build / f".site-old-{dead.pid}"]
    live = build / f".site-staging-{os.getpid()}-running"  # a build still at work: left alone
    for d in [*stale, live]:
        (d / "site").mkdir(parents=True)
    tmp_edition = root / "archive" / ".tmp-2009-07-01.9"
    (tmp_edition / "site").mkdir(parents=True)
    link = root / "archive" / "site" / f".current.tmp-{dead.pid}"
    link.symlink_to("2009-07-01.1")
    for argv in (("build",), ("publish", "--note", "再版")):
        p = run(project, *argv)
        assert p.returncode == 0, p.stderr
    assert [d for d in stale if d.exists()] == []
    assert live.is_dir()
    assert not tmp_edition.exists() and not link.is_symlink()
    assert run(project, "verify", "--all").returncode == 0
