"""Long stages say how far they are (generator/ticker.py): rendering, the
engine and the search index, every EVERY_S seconds (here: every few ms, so
that the small fixture's stages are long enough to be heard)."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from generator import search, ticker
from generator.build import build_site
from support.sites import config, copy_tree

MINI = Path(__file__).parent / "fixtures" / "mini" / "site_config.yml"


def counts(lines: list[str], head: str) -> list[tuple[int, int | None]]:
    got = []
    for line in lines:
        m = re.fullmatch(re.escape(head) + r"(\d+)(?:/(\d+))?(?: 个页面| 个分片)? …", line)
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
