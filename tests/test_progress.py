"""Long stages say how far they are (generator/ticker.py): reading the
records, rendering, the engine, the search index and hashing, every EVERY_S
seconds (here: every few ms, so that the small fixture's stages, or stages
slowed down to a big site's pace, are long enough to be heard)."""
from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest

from generator import search, ticker
from generator.build import build_site
from support.sites import config, copy_tree

MINI = Path(__file__).parent / "fixtures" / "mini" / "site_config.yml"


def counts(lines: list[str], head: str) -> list[tuple[int, int | None]]:
    got = []
    for line in lines:
        m = re.fullmatch(re.escape(head) + r"(\d+)(?:/(\d+))?(?: 个页面| 个分片| 个文件)? …", line)
        if m:
            got.append((int(m[1]), int(m[2]) if m[2] else None))
    return got


def test_long_stages_say_how_far_they_are(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(ticker, "EVERY_S", 0.002)
    monkeypatch.setattr(search, "SHARD_PAGES", 6)  # several Pagefind processes, as on a big site
    proj = copy_tree(MINI, tmp_path / "proj")
    lines: list[str] = []
    ctx = build_site(config(proj), dt.date(2009, 7, 1), tmp_path / "out", progress=lines.append, cache=None)
    pages = len(ctx.pages)

    rendered = counts(lines, "正在生成页面：已完成 ")
    assert rendered and all(n <= pages for n, _ in rendered)
    assert [n for n, _ in rendered] == sorted(n for n, _ in rendered)
    html = counts(lines, "MkDocs 正在生成 HTML：已完成 ")
    assert html and all(total == pages and n <= total for n, total in html)
    # the index says its progress on the standard error, as its other lines
    shards = counts(capfd.readouterr().err.splitlines(), "检索索引：已完成 ")
    assert shards and all(total is not None and total > 1 and n <= total for n, total in shards)
    # in order, between the stages' own lines
    assert lines.index(next(x for x in lines if x.startswith("正在生成页面"))) < lines.index(next(x for x in lines if x.startswith("已生成")))


def test_a_short_stage_says_nothing(tmp_path: Path) -> None:
    proj = copy_tree(MINI, tmp_path / "proj")
    lines: list[str] = []
    build_site(config(proj), dt.date(2009, 7, 1), tmp_path / "out", progress=lines.append, cache=None)
    assert not [x for x in lines if "已完成" in x]


def test_the_check_says_the_files_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import load
    from generator.check import run_check

    monkeypatch.setattr(ticker, "EVERY_S", 0.002)
    real = load.load_file
    monkeypatch.setattr(load, "load_file", lambda *a, **k: time.sleep(0.002) or real(*a, **k))  # a big site's pace
    lines: list[str] = []
    result = run_check(config(MINI), progress=lines.append)
    read = counts(lines, "正在读取记录：已完成 ")
    assert read and all(total == result.files and n <= total for n, total in read)
    assert [n for n, _ in read] == sorted(n for n, _ in read)


def test_hashing_says_the_files_done(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import editions

    paths = []
    for i in range(2 * editions._HASH_CHUNK + 5):
        f = tmp_path / f"{i}.txt"
        f.write_text(f"文件 {i}\n", encoding="utf-8")
        paths.append(str(f))
    expected = editions._hash_files(paths)
    monkeypatch.setattr(ticker, "EVERY_S", 0.002)
    monkeypatch.setattr(editions, "_hash_files", _slow_hash)  # a big edition's pace
    lines: list[str] = []
    assert editions.hash_files(paths, 2, lines.append) == expected
    done = counts(lines, "正在计算校验值：已完成 ")
    assert done and all(total == len(paths) and n <= total for n, total in done)


def _slow_hash(part: list[str]) -> list[list[str]]:
    """editions._hash_files, slowly; at module level: the pool sends it to its workers by name."""
    from generator.editions import hash_file

    time.sleep(0.05)
    return [hash_file(p) for p in part]
