"""Parsed records kept between runs (generator/loadcache.py): a check that
reads them back reports exactly what a check that parses everything reports,
and a file whose bytes changed is parsed again, whatever its size and time."""
from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from generator import loadcache
from generator.check import CheckResult, run_check
from generator.fields import may_hold_private, strip_private
from generator.records import Record
from support.sites import config, copy_tree

MINI = Path(__file__).parent / "fixtures" / "mini" / "site_config.yml"
BROKEN = Path(__file__).parent / "broken"
PERSON = Path("people") / "zhang-san.yml"
BROKEN_NAMES = ("gbk.yml", "yaml-syntax.yml", "unknown-top-level.yml", "tabs.yml", "empty.yml", "bom.yml")


@pytest.fixture(autouse=True)
def synchronous(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loadcache, "DETACHED", False)


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    conf = copy_tree(MINI, tmp_path / "proj")
    people = conf.parent / "content" / "people"
    for name in BROKEN_NAMES:
        shutil.copy(BROKEN / name, people / name.replace(".yml", "-x.yml"))  # bad input is cached as well
    return conf


def check(conf: Path, cache: Path | None) -> CheckResult:
    return run_check(config(conf), cache=cache)


def masked(r: Record) -> dict[str, Any]:
    """A record's data as the cache keeps it: private values masked."""
    return strip_private(r.rtype.shape, r.data, loadcache.PRIVATE_MASK) if may_hold_private(r.rtype.shape) else r.data


def same(a: CheckResult, b: CheckResult) -> None:
    assert [p.format() for p in a.problems] == [p.format() for p in b.problems]
    assert [(r.type, r.id, r.path, masked(r), r.body) for r in a.content.records] == \
           [(r.type, r.id, r.path, masked(r), r.body) for r in b.content.records]
    assert a.files == b.files


def test_cached_check_reports_what_a_full_check_reports(proj: Path, tmp_path: Path) -> None:
    clean = check(proj, None)
    assert clean.problems.errors  # the broken files
    first = check(proj, tmp_path / "cache")
    assert first.cached == 0
    second = check(proj, tmp_path / "cache")
    # all but campaign.md (read by the checker, not the loader) and the six
    # broken files: people files with problems are parsed again each time
    # (a message might quote a private value)
    assert second.cached == second.files - 1 - len(BROKEN_NAMES)
    same(clean, first)
    same(clean, second)


def test_a_changed_file_is_parsed_again_even_with_the_same_size_and_time(proj: Path, tmp_path: Path) -> None:
    check(proj, tmp_path / "cache")
    path = proj.parent / "content" / PERSON
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    assert "张三" in text
    path.write_text(text.replace("张三", "李四", 1), encoding="utf-8")  # same length in UTF-8
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    warm = check(proj, tmp_path / "cache")
    same(check(proj, None), warm)
    assert {r.id: r.data["name"] for r in warm.content.people()}["zhang-san"] == "李四"


def test_added_and_removed_files(proj: Path, tmp_path: Path) -> None:
    check(proj, tmp_path / "cache")
    people = proj.parent / "content" / "people"
    (people / "wang-wu.yml").unlink()
    shutil.copy(BROKEN / "nul.yml", people / "nul-x.yml")
    same(check(proj, None), check(proj, tmp_path / "cache"))


def test_cache_of_other_code_or_damaged_is_not_used(proj: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    check(proj, tmp_path / "cache")
    monkeypatch.setattr(loadcache, "_KEY", "another version of the generator")
    assert check(proj, tmp_path / "cache").cached == 0
    for f in (tmp_path / "cache").glob("records-*.pickle"):
        f.write_bytes(pickle.dumps({"key": loadcache.code_key(), "files": {str(PERSON): "not an entry"}})[:40])
    got = check(proj, tmp_path / "cache")
    assert got.cached == 0
    same(check(proj, None), got)


def test_check_command_writes_the_cache_in_the_background_and_reads_it_back(proj: Path) -> None:
    cmd = [sys.executable, "-m", "generator", "check", "--config", str(proj)]
    first = subprocess.run(cmd, capture_output=True, text=True)
    assert "沿用" not in first.stderr
    pickles = proj.parent / "build" / ".cache"
    for _ in range(100):  # written by a detached process after the command returned
        if list(pickles.glob("records-*.pickle")):
            break
        time.sleep(0.1)
    second = subprocess.run(cmd, capture_output=True, text=True)
    assert "个文件未变，沿用上次的解析结果" in second.stderr
    assert first.returncode == second.returncode == 1
    assert first.stderr.splitlines()[:-1] == second.stderr.splitlines()[:-1]  # all but the time
    third = subprocess.run(cmd + ["--no-cache"], capture_output=True, text=True)
    assert "沿用" not in third.stderr and third.stderr.splitlines()[:-1] == first.stderr.splitlines()[:-1]


def test_cache_holds_no_private_value(proj: Path, tmp_path: Path) -> None:
    """The cache lies beside the built site: the phone numbers of the
    fixture's people are masked in it, and the check still sees them."""
    people = proj.parent / "content" / "people"
    text = (people / "li-si.yml").read_text(encoding="utf-8")
    (people / "li-si.yml").write_text(text + "phone: 13912345678\n", encoding="utf-8")
    (people / "bad-phone.yml").write_text(text.replace("李四", "王五五") + "phone: [1391234567899999]\n", encoding="utf-8")
    clean = check(proj, None)
    assert any("bad-phone.yml" in p.format() for p in clean.problems)  # a list where a phone number goes
    check(proj, tmp_path / "cache")
    warm = check(proj, tmp_path / "cache")
    assert warm.cached > 0
    blob = b"".join(f.read_bytes() for f in (tmp_path / "cache").glob("records-*.pickle"))
    for value in ("13912345678", "320900197501010000", "1391234567899999"):
        assert value.encode() not in blob
    assert {r.id: r.data.get("phone") for r in warm.content.people()}["li-si"] == loadcache.PRIVATE_MASK
    same(clean, warm)
