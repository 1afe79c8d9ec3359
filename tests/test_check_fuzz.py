"""Property: whatever is done to a valid record, `check` never crashes. It
reports problems in the documented format (exit 1) or accepts (exit 0)."""
from __future__ import annotations

import random
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import MINI, PROBLEM_RE, SUMMARY_RE, Site, read_yaml, run_cli


RECORD_FILES = sorted(p.relative_to(MINI / "content").as_posix() for p in (MINI / "content").rglob("*")
                      if p.suffix in (".yml", ".md") and p.name != "campaign.md")

# values a clerk (or a broken editor) might put anywhere
TRICKY = st.sampled_from([
    "", " ", "~", "null", "一级", "四级", "高", "2009-02-30", "2009-05-20", "9999-12-31", "0001-01-01", "17:30", "25:61",
    "YPJC01", "rmyy", "zhang-san", "nowhere", "操作规程", "Zhang San", "[", "{", "*a", "&a", "---", "'", '"', "\\", "#",
    ": ", "- ", "\t", "\u202e", "\x00", "\x7f", "٢٠٠٩", "1e309", ".nan", "-0", "0x10", "1_000", "true", "否",
])
JUNK = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20), TRICKY,
              st.dates().map(str)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.one_of(st.text(max_size=8), TRICKY), inner, max_size=3)),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, prefix + (i,))
    return out


def _set(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = data
    for p in path[:-1]:
        parent = parent[p]
    parent[path[-1]] = value
    return data


def _delete(data: Any, path: tuple[Any, ...]) -> Any:
    if not path:
        return None
    parent = data
    for p in path[:-1]:
        parent = parent[p]
    del parent[path[-1]]
    return data


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        data = data[p]
    return data


@st.composite
def mutated_record(draw: st.DrawFn) -> tuple[str, str]:
    """(content-relative path, new text) of one fixture record, mutated."""
    rel = draw(st.sampled_from(RECORD_FILES))
    text = (MINI / "content" / rel).read_text(encoding="utf-8")
    body = ""
    if rel.endswith(".md"):
        _, front, body = text.split("---\n", 2)
        text = front
    data = read_yaml(text)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(["delete", "replace", "insert", "wrap", "rename"]))
        target = _get(data, path)
        if op == "delete":
            data = _delete(data, path)
        elif op == "replace":
            data = _set(data, path, draw(JUNK))
        elif op == "insert" and isinstance(target, dict):
            target[draw(st.one_of(st.text(max_size=10), TRICKY))] = draw(JUNK)
        elif op == "insert" and isinstance(target, list):
            target.insert(draw(st.integers(0, len(target))), draw(JUNK))
        elif op == "wrap":
            data = _set(data, path, draw(st.sampled_from([[target], {"x": target}])))
        elif op == "rename" and isinstance(target, dict) and target:
            old = draw(st.sampled_from(sorted(target, key=str)))
            target[draw(st.one_of(st.text(max_size=10), TRICKY))] = target.pop(old)
    new = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=draw(st.booleans()))
    lines = new.split("\n")
    for _ in range(draw(st.integers(0, 2))):  # text-level damage: duplicate keys, stray characters
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        how = draw(st.sampled_from(["duplicate", "drop", "garble", "keep"]))
        if how == "duplicate":
            lines.insert(i, lines[i])
        elif how == "drop" and lines:
            del lines[i]
        elif how == "garble":
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + draw(st.one_of(st.text(max_size=4), TRICKY)) + lines[i][at:]
    new = "\n".join(lines)
    if rel.endswith(".md"):
        new = "---\n" + new + "\n---\n" + body
    return rel, new


def _assert_reported_cleanly(site: Site) -> None:
    run = run_cli("check")
    assert run.code in (0, 1), run.err
    errors, warnings = run.summary
    assert run.code == (1 if errors else 0)
    for line in run.err.splitlines():
        assert PROBLEM_RE.match(line) or SUMMARY_RE.match(line) or line.startswith("用时 "), line
    assert len(run.problems) == errors + warnings


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutation=mutated_record())
def test_check_never_crashes_on_mutated_records(site: Site, mutation: tuple[str, str]) -> None:
    rel, text = mutation
    original = site.read(rel)
    site.path(rel).write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        _assert_reported_cleanly(site)
    finally:
        site.path(rel).write_text(original, encoding="utf-8")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300), seed=st.integers(0, 2**16))
def test_check_never_crashes_on_random_bytes(site: Site, data: bytes, seed: int) -> None:
    """Raw bytes spliced into a record file: encodings, control characters, half a UTF-8 sequence."""
    rel = random.Random(seed).choice(RECORD_FILES)
    original = site.path(rel).read_bytes()
    at = random.Random(seed).randrange(len(original) + 1)
    site.path(rel).write_bytes(original[:at] + data + original[at:])
    try:
        _assert_reported_cleanly(site)
    finally:
        site.path(rel).write_bytes(original)


def test_mutations_do_reach_the_checks(site: Site) -> None:
    """The fuzzer's round trip of an unmutated record is valid: mutations, not the
    dumping, are what the property exercises."""
    for rel in RECORD_FILES:
        text = site.read(rel)
        if rel.endswith(".md"):
            _, front, body = text.split("---\n", 2)
            site.path(rel).write_text("---\n" + yaml.safe_dump(read_yaml(front), allow_unicode=True,
                                                                sort_keys=False) + "---\n" + body, encoding="utf-8")
        else:
            site.path(rel).write_text(yaml.safe_dump(read_yaml(text), allow_unicode=True,
                                                     sort_keys=False), encoding="utf-8")
    run = run_cli("check")
    assert (run.code, run.problems) == (0, []), run.err


