"""Shared fixtures.

`site`: a private copy of tests/fixtures/mini (a small, valid content tree with
its site_config.yml) as the working folder, so problems are reported with
paths like content/units/rmyy.yml. Tests patch one file, run the real CLI and
assert on the exact messages.
"""
from __future__ import annotations

import contextlib
import io
import re
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from generator.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini"
BROKEN = Path(__file__).parent / "broken"

# path:line:column: 错误|警告 [key label] text
PROBLEM_RE = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>错误|警告)(?: \[(?P<field>[^\]]+)\])? (?P<text>.+)$")
SUMMARY_RE = re.compile(r"^检查了 (?P<files>\d+) 个文件：(?P<errors>\d+) 个错误，(?P<warnings>\d+) 个警告$")


class Yaml12Loader(yaml.SafeLoader):
    """Reads YAML as editors do (YAML 1.2 core schema), with dates kept as text.

    PyYAML follows YAML 1.1, where `on` is a boolean and 17:30 the integer
    1050; editors, and the JSON Schemas they validate against, see strings."""


Yaml12Loader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("int", r"^[-+]?[0-9]+$", "-+0123456789"),
    ("float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     "-+0123456789."),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
):
    Yaml12Loader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), list(_first))
Yaml12Loader.add_constructor("tag:yaml.org,2002:int", lambda loader, node: int(loader.construct_scalar(node)))
Yaml12Loader.add_constructor("tag:yaml.org,2002:bool", lambda loader, node: loader.construct_scalar(node).lower() == "true")


def read_yaml(text: str) -> object:
    return yaml.load(text, Loader=Yaml12Loader)


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def problems(self) -> list[str]:
        """Every problem line of stderr, in the order printed."""
        return [ln for ln in self.err.splitlines() if PROBLEM_RE.match(ln)]

    @property
    def summary(self) -> tuple[int, int]:
        """(errors, warnings) from the summary line."""
        for ln in self.err.splitlines():
            m = SUMMARY_RE.match(ln)
            if m:
                return int(m["errors"]), int(m["warnings"])
        raise AssertionError(f"no summary line in:\n{self.err}")


def run_cli(*argv: str) -> Run:
    """The real command line, in process, with its exit code and both streams."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as e:  # argparse (--help, bad arguments) and config errors
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    return Run(code, out.getvalue(), err.getvalue())


class Site:
    """A copy of the mini fixture; the current folder while the test runs."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.content = root / "content"

    def path(self, rel: str) -> Path:
        return self.content / rel

    def read(self, rel: str) -> str:
        return self.path(rel).read_text(encoding="utf-8")

    def write(self, rel: str, text: str) -> Path:
        """Write a content file; the text is dedented so tests can indent it."""
        p = self.path(rel)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return p

    def write_bytes(self, rel: str, data: bytes) -> Path:
        p = self.path(rel)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        return p

    def edit(self, rel: str, old: str, new: str) -> None:
        """Replace the one occurrence of `old` in a content file."""
        text = self.read(rel)
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {rel}"
        self.path(rel).write_text(text.replace(old, new), encoding="utf-8")

    def remove(self, rel: str) -> None:
        self.path(rel).unlink()

    def check(self, *args: str) -> Run:
        return run_cli("check", *args)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Site:
    root = tmp_path / "site"
    shutil.copytree(MINI, root)
    monkeypatch.chdir(root)
    return Site(root)
