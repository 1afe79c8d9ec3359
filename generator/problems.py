"""Problems found in records or configuration, reported all at once."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Iterable, TextIO

ERROR = "错误"
WARNING = "警告"
_STATED = ("应", "须", "需", "在", "先", "仅", "每个")
# Found text echoes keys, values and file names: a line break in one of them
# must not split a problem over two lines (one problem, one line), nor may a
# terminal escape sequence or a bidirectional override in a file name recolour
# or reorder what the clerk reads. All are shown escaped, as \x1b or \u202e.
_ONE_LINE = {ord(c): c.encode("unicode_escape").decode("ascii")
             for c in [chr(i) for i in (*range(0x00, 0x09), *range(0x0a, 0x20), *range(0x7f, 0xa0))]
             + list("\u2028\u2029\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")}


@dataclass(frozen=True)
class Problem:
    path: str  # file as the user knows it (relative to the project when possible)
    line: int  # 1-based; 0 when unknown
    column: int  # 1-based; 0 when unknown
    severity: str  # ERROR | WARNING
    key: str  # dotted key path, e.g. risks.2.level
    label: str  # Chinese label of the field
    found: str  # what was found
    expected: str = ""  # what was expected
    hint: str = ""

    def format(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}"
        field = ""
        if self.key or self.label:
            field = " [" + " ".join(x for x in (self.key, self.label) if x) + "]"
        text = self.found
        if self.expected:
            # an expectation phrased as a whole requirement needs no "应为"
            text += "；" + self.expected if self.expected.startswith(_STATED) else "；应为" + self.expected
        if self.hint:
            text += "；" + self.hint
        return f"{where}: {self.severity}{field} {text}".translate(_ONE_LINE)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.key)


class Problems(list):  # type: ignore[type-arg]
    """A list of Problem with counting helpers."""

    @property
    def errors(self) -> int:
        return sum(1 for p in self if p.is_error)

    @property
    def warnings(self) -> int:
        return sum(1 for p in self if not p.is_error)

    def fails(self, strict: bool = False) -> bool:
        return self.errors > 0 or (strict and self.warnings > 0)

    def report(self, out: TextIO | None = None, files: int | None = None) -> None:
        out = out or sys.stderr
        for p in sorted(self, key=Problem.sort_key):
            print(p.format(), file=out)
        summary = f"检查完毕：{self.errors} 个错误，{self.warnings} 个警告"
        if files is not None:
            summary = f"检查了 {files} 个文件：{self.errors} 个错误，{self.warnings} 个警告"
        print(summary, file=out)


def collect(items: Iterable[Problem]) -> Problems:
    out = Problems()
    out.extend(items)
    return out


class UserError(Exception):
    """A problem the user can fix, reported as one clear message (no traceback)."""
