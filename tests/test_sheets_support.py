"""Shared fixtures and helpers of the spreadsheet tests (test_sheets_*.py).

`sheets`: a private copy of tests/fixtures/sheets (a valid content tree with
confirmed and open forms) as the working folder. Workbooks are filled the way
a clerk would: by finding a printed label and typing into the cell beside it.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from generator.load import load_content

from .conftest import FIXTURES, Run, run_cli

SHEETS = FIXTURES / "sheets"
SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) 未安装：bash tests/setup-browser.sh")


class Sheets:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.content = root / "content"

    def run(self, *argv: str) -> Run:
        return run_cli(*argv)

    def files(self) -> dict[str, bytes]:
        """Every file of the content folder, for "nothing was written" checks."""
        return {p.relative_to(self.content).as_posix(): p.read_bytes() for p in sorted(self.content.rglob("*")) if p.is_file()}

    def records(self) -> dict[str, dict[str, Any]]:
        """Validated data of every form, by id."""
        loaded = load_content(self.content)
        assert not [p for p in loaded.problems if p.is_error], [p.format() for p in loaded.problems]
        return {r.id: r.data for r in loaded.records if r.type in ("personal", "department", "unitform")}

    def drop_forms(self) -> None:
        shutil.rmtree(self.content / "forms")

    def template(self, form: str, *extra: str) -> openpyxl.Workbook:
        out = self.root / f"{form}-template.xlsx"
        run = self.run("template", form, "--out", str(out), "--force", *extra)
        assert run.code == 0, run.err
        return openpyxl.load_workbook(out)


@pytest.fixture
def sheets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Sheets:
    root = tmp_path / "site"
    shutil.copytree(SHEETS, root)
    monkeypatch.chdir(root)
    return Sheets(root)


def label_cell(ws: Any, label: str) -> Any:
    for row in ws.iter_rows():
        for c in row:
            if c.value == label:
                return c
    raise KeyError(label)


def value_cell(ws: Any, label: str) -> Any:
    """The cell a clerk types into: right of the label's (merged) box."""
    c = label_cell(ws, label)
    end = c.column
    for m in ws.merged_cells.ranges:
        if m.min_row == c.row and m.min_col == c.column:
            end = m.max_col
    return ws.cell(c.row, end + 1)


def fill(ws: Any, label: str, value: Any) -> str:
    cell = value_cell(ws, label)
    cell.value = value
    return cell.coordinate


class Table:
    """The risk (or comment) table of a template sheet, addressed by printed header."""

    def __init__(self, ws: Any, first_label: str) -> None:
        self.ws = ws
        hdr = label_cell(ws, first_label).row
        self.cols: dict[str, int] = {}
        for r in (hdr, hdr + 1):
            for c in range(1, ws.max_column + 1):
                v = ws.cell(r, c).value
                if isinstance(v, str) and v not in self.cols:
                    self.cols[v] = c
        two = any(m.min_row == hdr and m.max_row == hdr + 1 for m in ws.merged_cells.ranges)  # a two-row header
        self.start = hdr + (2 if two else 1)

    def put(self, i: int, **values: Any) -> None:
        """Row i (0-based) of the table; keys are printed labels."""
        for label, v in values.items():
            cell = self.ws.cell(self.start + i, self.cols[label], v)
            if isinstance(v, str) and v.startswith("="):
                cell.data_type = "s"  # typed with a leading apostrophe: text, not a formula

    def ref(self, i: int, label: str) -> str:
        return self.ws.cell(self.start + i, self.cols[label]).coordinate


def resave(path: Path, outdir: Path, fmt: str = "xlsx") -> Path:
    """The workbook opened and saved again by LibreOffice, headless (pdf and
    csv too; csv in UTF-8, the first sheet only)."""
    outdir.mkdir(parents=True, exist_ok=True)
    # one profile per test process: made once (slow), never shared between parallel workers
    profile = Path(tempfile.gettempdir()) / f"lianzheng-lo-profile-{os.getpid()}"
    subprocess.run([SOFFICE or "soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76" if fmt == "csv" else fmt,
                    "--outdir", str(outdir), str(path)], check=True, capture_output=True, timeout=120)
    out = outdir / (path.stem + "." + fmt)
    assert out.exists(), f"LibreOffice did not write {out}"
    return out


def yaml_of(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))
