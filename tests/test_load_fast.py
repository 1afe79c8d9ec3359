"""The loader's fast path and parallel load give exactly what the full
validator and a single process give: the same data for files with nothing to
report, the same problems (text, order, positions) for the rest."""
from __future__ import annotations

import io
import random
import shutil
from pathlib import Path

import pytest
import yaml

from bench.synth import generate
from generator import load
from generator.check import run_check
from generator.config import load_config
from generator.load import Validator, _compose_text, record_type_for, split_front_matter, valid_data

MINI = Path(__file__).parent / "fixtures" / "mini"
BROKEN = Path(__file__).parent / "broken"

# values that exercise every scalar kind's edge: nulls, quoting, numbers, dates, enums, refs, controls
VALUES = ["", "~", "null", '""', "''", "  ", "x", "12", "1.5", "-3", "1e3", "0x10", "１２", "true", "no", "是",
          "2009-02-30", "2009-5-1", "2009年5月1日", "9999-01-01", "17:30", "25:00", "高", "一级", "A", "[]", "{}",
          "[a, b]", "{a: 1}", "nobody-123", "AB", '"a\\u202eb"', '"a\\x07"', "|\n  block", "&a x", "*a"]


def _mutants(text: str, rng: random.Random, n: int) -> list[str]:
    lines = text.split("\n")
    out = []
    for _ in range(n):
        ls = list(lines)
        i = rng.randrange(len(ls))
        op = rng.randrange(4)
        if op == 0 and ":" in ls[i]:
            ls[i] = ls[i].split(":")[0] + ": " + rng.choice(VALUES)
        elif op == 1:
            ls.insert(i, ls[i])
        elif op == 2:
            del ls[i]
        else:
            ls[i] = ls[i].replace("  ", "   ", 1)
        out.append("\n".join(ls))
    return out


def _compare(rel: str, text: str) -> str:
    rtype = record_type_for(rel)
    assert rtype is not None
    if rtype.markdown:
        text, _, _, problem = split_front_matter(text, rel)
        if problem:
            return "front matter"
    try:
        node = _compose_text(text)
    except yaml.YAMLError:
        return "syntax"
    if node is None:
        return "empty"
    fast = valid_data(node, rtype.shape)
    v = Validator(rel)
    full = v.shape(node, rtype.shape, "")
    if fast is None:
        assert v.problems, f"{rel}: the fast path gave up on a file with nothing to report:\n{text}"
        return "reported"
    assert not v.problems, f"{rel}: the fast path accepted a file with problems {v.problems[:2]}:\n{text}"
    assert fast == full, rel
    return "same"


def test_fast_path_equals_the_validator_on_fixtures_and_their_mutants() -> None:
    rng = random.Random(20090504)
    seen: dict[str, int] = {}
    files = [(p.relative_to(MINI / "content").as_posix(), p) for p in sorted((MINI / "content").rglob("*"))
             if p.suffix in (".yml", ".md") and record_type_for(p.relative_to(MINI / "content").as_posix())]
    files += [(f"units/{p.name}", p) for p in sorted(BROKEN.glob("*.yml"))]
    for rel, path in files:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            continue
        for t in [text, *_mutants(text, rng, 40)]:
            kind = _compare(rel, t)
            seen[kind] = seen.get(kind, 0) + 1
    # both branches were exercised, many times
    assert seen["same"] > 100 and seen["reported"] > 100, seen


def test_alias_bomb_is_left_to_the_validator() -> None:
    text = (BROKEN / "billion-laughs.yml").read_text(encoding="utf-8")
    node = _compose_text(text)
    assert valid_data(node, record_type_for("units/x.yml").shape) is None  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def mutated_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic site above the parallel threshold, a third of its files damaged."""
    root = tmp_path_factory.mktemp("fastload")
    generate(root, people=400, seed=3)
    rng = random.Random(4)
    files = sorted(p for p in (root / "content").rglob("*") if p.suffix in (".yml", ".md") and p.name != "campaign.yml")
    assert len(files) >= load.PARALLEL_MIN_FILES
    for p in files:
        if rng.random() < 0.3:
            p.write_text(_mutants(p.read_text(encoding="utf-8"), rng, 1)[0], encoding="utf-8")
    shutil.rmtree(root / "content" / "people" / "wsj")  # dangling references everywhere
    return root


def _report(config: Path) -> tuple[str, list[tuple[object, ...]]]:
    cfg, _ = load_config(config)
    assert cfg is not None
    result = run_check(cfg)
    out = io.StringIO()
    result.problems.report(out, files=result.files)
    return out.getvalue(), [(r.type, r.id, r.path, r.data, r.body) for r in result.content.records]


def test_parallel_fast_check_equals_single_process_full_validation(mutated_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast_report, fast_records = _report(mutated_site / "site_config.yml")
    monkeypatch.setattr(load, "valid_data", lambda node, shape: None)
    monkeypatch.setattr(load, "PARALLEL_MIN_FILES", 10**9)
    full_report, full_records = _report(mutated_site / "site_config.yml")
    assert fast_report.count("\n") > 300  # plenty of problems of every kind
    assert fast_report == full_report
    assert fast_records == full_records


def test_workers_send_chunks_back_through_a_wide_pipe() -> None:
    """A chunk of records (~0.5 MB pickled) fits the result pipe, so a worker
    does not wait for the loading main process to read each 64 KB."""
    import fcntl
    from concurrent.futures import ProcessPoolExecutor

    from generator.load import _widen_result_pipe

    with ProcessPoolExecutor(max_workers=1) as pool:
        _widen_result_pipe(pool)
        size = fcntl.fcntl(pool._result_queue._writer.fileno(), getattr(fcntl, "F_GETPIPE_SZ", 1032))  # type: ignore[attr-defined]
        assert pool.submit(sum, [1, 2]).result() == 3
    assert size >= 1 << 20
