"""Drafts to record files: validate each form with the loader's own Validator
and the cross-record checks of check.py, then write clean YAML.

Each cell becomes a YAML node whose position is the cell's number in a
registry, so every problem the Validator reports maps back to its cell; the
cross-record checks report key paths, mapped back the same way. A file with
any error writes nothing; other files of the same run still import.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..check import Checker
from ..config import Config
from ..fields import Field, Shape, strip_private
from ..index import Content
from ..load import ID_RE, Validator, content_files, load_content, record_type_for
from ..problems import ERROR, WARNING, Problem
from ..records import Record
from .cells import Names, cell_text
from .layout import DEPARTMENT_FIELDS
from .workbook import Cell, Draft, Group, Node, Seq, SheetProblem, Source, has_data

STR_TAG = "tag:yaml.org,2002:str"
MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"


class _Builder:
    """A draft as a YAML node tree, for the Validator."""

    def __init__(self, names: Names, unit: str | None) -> None:
        self.names = names
        self.unit = unit  # for department names
        self.cells: list[Cell] = []  # node line n is cells[n - 1]
        self.paths: dict[str, Cell] = {}
        self.hints: dict[int, str] = {}  # node line -> a hint for the Validator's message there

    def _mark(self, cell: Cell) -> yaml.Mark:
        self.cells.append(cell)
        return yaml.Mark("", 0, len(self.cells) - 1, 0, None, None)

    def mapping(self, shape: Shape, g: Group, path: str) -> yaml.MappingNode:
        pairs = []
        self.paths[path] = g.anchor
        for f in shape.fields:
            v = g.items.get(f.key)
            if v is None or (not f.required and not has_data(v)):
                continue  # an untouched optional block or list is simply absent
            kp = f"{path}.{f.key}" if path else f.key
            anchor = v if isinstance(v, Cell) else v.anchor
            m = self._mark(anchor)
            pairs.append((yaml.ScalarNode(STR_TAG, f.key, m, m), self.node(shape, f, v, kp)))
        m = self._mark(g.anchor)
        return yaml.MappingNode(MAP_TAG, pairs, m, m)

    def node(self, shape: Shape, f: Field, v: Node, kp: str) -> yaml.Node:
        if f.kind == "shape" and f.shape is not None and isinstance(v, Group):
            return self.mapping(f.shape, v, kp)
        if f.kind == "list" and f.item is not None and isinstance(v, Seq):
            self.paths[kp] = v.anchor
            items: list[yaml.Node] = []
            for i, el in enumerate(v.items, 1):
                if isinstance(el, Group) and f.item.shape is not None:
                    items.append(self.mapping(f.item.shape, el, f"{kp}.{i}"))
                elif isinstance(el, Cell):
                    items.append(self.scalar(shape, f.item, el, f"{kp}.{i}"))
            m = self._mark(v.anchor)
            return yaml.SequenceNode(SEQ_TAG, items, m, m)
        assert isinstance(v, Cell), (kp, v)
        return self.scalar(shape, f, v, kp)

    def scalar(self, shape: Shape, f: Field, cell: Cell, kp: str) -> yaml.ScalarNode:
        self.paths[kp] = cell
        text = cell_text(cell.value, f)
        hint = ""
        if text is not None and f.kind == "ref":
            same = self.names.namesakes(text, f.ref)
            if same:
                hint = f"同名的有 {'、'.join(same)}；请写“名称（编号）”或从下拉列表中选择"
            text = self.names.resolve(text, f.ref)
        elif text is not None and (shape.name, f.key) in DEPARTMENT_FIELDS:
            text = self.names.resolve_department(text, self.unit)
        m = self._mark(cell)
        if hint:
            self.hints[len(self.cells)] = hint
        # quoted: a cell holding “null” or “yes” is that text, not YAML's reading of it
        if text is None:
            return yaml.ScalarNode(STR_TAG, "", m, m, style=None)
        return yaml.ScalarNode(STR_TAG, text, m, m, style='"' if f.kind != "bool" else None)

    def cell_for(self, keypath: str) -> Cell | None:
        parts = keypath.split(".") if keypath else []
        while parts:
            c = self.paths.get(".".join(parts))
            if c is not None:
                return c
            parts.pop()
        return self.paths.get("")


@dataclass
class Candidate:
    source: Source
    draft: Draft
    builder: _Builder
    record: Record
    replaces: str | None = None  # existing file (relative to content/) that --force replaces
    failed: bool = False


@dataclass
class Outcome:
    source: Source
    written: list[str] = field(default_factory=list)  # paths relative to the project

    @property
    def ok(self) -> bool:
        return self.source.errors == 0 and bool(self.source.drafts)


class _ImportChecker(Checker):
    """check.py's cross-record checks, reporting on the imported forms' cells."""

    def __init__(self, cfg: Config, content: Content, root: Path, prefix: str, broken: dict[str, str],
                 candidates: dict[int, Candidate]) -> None:
        super().__init__(cfg, content, root, prefix, broken)
        self.candidates = candidates
        self.found: list[tuple[Candidate, SheetProblem]] = []

    def add(self, rec: Record, key: str, label: str, found: str, expected: str = "", hint: str = "", severity: str = ERROR) -> None:
        cand = self.candidates.get(id(rec))
        if cand is None:
            return  # a problem of the content folder itself: `check` reports it
        cell = cand.builder.cell_for(key)
        p = Problem(cand.source.where(cell), 0, 0, severity, key, label, found, expected, hint)
        self.found.append((cand, SheetProblem(cell, p)))


class Intake:
    def __init__(self, cfg: Config, force: bool = False) -> None:
        self.cfg = cfg
        self.force = force
        self.root = cfg.content_dir
        self.prefix = cfg.display(self.root) + "/"
        loaded = load_content(self.root, self.prefix)
        self.loaded = loaded
        self.content_errors = sum(1 for p in loaded.problems if p.is_error)
        self.existing = Content(loaded.records)
        self.names = Names(self.existing)
        self.files: dict[str, str] = {}  # record id -> file relative to content/, broken files included
        for rel in content_files(self.root):
            rt = record_type_for(rel)
            if rt is not None:
                self.files.setdefault("campaign" if rt.name == "campaign" else rel.rsplit("/", 1)[-1].rsplit(".", 1)[0], rel)
        self.candidates: list[Candidate] = []

    # ------------------------------------------------------------ one form
    def add(self, src: Source) -> None:
        for d in src.drafts:
            cand = self._validate(src, d)
            if cand is not None:
                self.candidates.append(cand)

    def _unit_of(self, d: Draft) -> str | None:
        """The form's unit, for reading department names: its unit cell, or
        the unit of the person a personal form belongs to."""
        for key, rtype in (("unit", "unit"), ("person", "person")):
            cell = d.root.items.get(key)
            if isinstance(cell, Cell) and not cell.blank:
                rid = self.names.resolve(str(cell.value), (rtype,))
                if rtype == "unit":
                    return rid
                p = self.existing.get(rid, "person")
                return p.get("unit") if p else None
        return None

    def _validate(self, src: Source, d: Draft) -> Candidate | None:
        rt = d.layout.rtype
        b = _Builder(self.names, self._unit_of(d))
        node = b.mapping(rt.shape, d.root, "")
        v = Validator(src.shown)
        data = v.shape(node, rt.shape, "")
        before = src.errors
        for p in v.problems:
            cell = b.cells[p.line - 1] if 1 <= p.line <= len(b.cells) else d.root.anchor
            hint = b.hints.get(p.line) or p.hint
            src.problems.append(SheetProblem(cell, Problem(src.where(cell), 0, 0, p.severity, p.key, p.label, p.found, p.expected, hint)))
        if src.errors > before or not isinstance(data, dict):
            return None
        if d.id_cell is not None:
            rid = str(cell_text(d.id_cell.value, Field("", "", "", "str")) or "").strip()
            where = d.id_cell
        else:
            rid = d.layout.make_id(data)
            where = b.cell_for("person" if rt.name == "personal" else "department" if rt.name == "department" else "unit")
        if not ID_RE.match(rid):
            src.add(where, f"“{rid}”不能作为记录编号", "小写字母、数字和连字符组成，以字母或数字开头，不超过 64 个字符",
                    "" if d.id_cell is not None else f"记录编号由{d.layout.id_rule.split('，')[0]}生成；请检查这些编号",
                    label="记录编号")
            return None
        unit = data.get("unit") or self._unit_of(d) or "_"
        rel = f"{rt.folder}/{data['year']}/{unit}/{rid}.yml"
        replaces = None
        old = self.files.get(rid)
        if old is None and (self.root / rel).exists():
            old = rel
        if old is not None:
            old_type = record_type_for(old)
            if not self.force:
                src.add(where, f"记录编号“{rid}”已存在：{self.prefix}{old}，未覆盖", "",
                        "确需用本表替换原记录，请加 --force", label="记录编号")
                return None
            if old_type is None or old_type.name != rt.name:
                src.add(where, f"记录编号“{rid}”已用于{old_type.label if old_type else '其他文件'}：{self.prefix}{old}",
                        f"{rt.label}的记录编号", "--force 只能替换同一种承诺表", label="记录编号")
                return None
            rel, replaces = old, old
            before_rec = self.existing.get(rid, rt.name)
            kept = keep_private(rt.shape, data, before_rec.data) if before_rec else 0
            if kept:
                src.add(where, f"保留了原记录 {self.prefix}{old} 中的 {kept} 项保密字段", "",
                        "导出的表不含保密字段（如意见提出人），替换时沿用原值", severity=WARNING, label="记录编号")
        return Candidate(src, d, b, Record(rt.name, rid, rel, data), replaces)

    # ------------------------------------------------------------ all forms
    def cross_check(self) -> None:
        """check.py over the content plus the new forms; a source with an error
        drops out and the rest are checked again, until nothing changes."""
        while True:
            live = [c for c in self.candidates if not c.failed and c.source.errors == 0]
            replaced = {c.record.id for c in live if c.replaces}
            records = [r for r in self.existing.records if r.id not in replaced] + [c.record for c in live]
            checker = _ImportChecker(self.cfg, Content(records), self.root, self.prefix, self.loaded.broken,
                                     {id(c.record): c for c in live})
            checker.run()
            failing = {id(c.source) for c, p in checker.found if p.problem.is_error}
            if not failing:
                for c, p in checker.found:
                    c.source.problems.append(p)
                return
            for c, p in checker.found:
                if id(c.source) in failing:
                    c.source.problems.append(p)
            for c in live:
                if id(c.source) in failing:
                    c.failed = True

    def write(self, sources: list[Source]) -> list[Outcome]:
        out: list[Outcome] = []
        for src in sources:
            o = Outcome(src)
            if o.ok:
                for c in self.candidates:
                    if c.source is src:
                        target = self.root / c.record.path
                        write_atomic(target, record_yaml(c.record.rtype.shape, c.record.data))
                        o.written.append(self.cfg.display(target))
            out.append(o)
        return out


def keep_private(shape: Shape, new: dict[str, Any], old: dict[str, Any]) -> int:
    """Carry private values of a replaced record into its replacement where the
    replacement has none: an export leaves them out, a round trip must not
    lose them. List items are matched on all their public fields."""
    kept = 0
    for f in shape.fields:
        nv, ov = new.get(f.key), old.get(f.key)
        if ov is None:
            continue
        if f.private:
            if nv is None:
                new[f.key] = ov
                kept += 1
        elif f.kind == "shape" and f.shape is not None and isinstance(nv, dict):
            kept += keep_private(f.shape, nv, ov)
        elif f.kind == "list" and f.item is not None and f.item.shape is not None and isinstance(nv, list):
            item = f.item.shape
            for el in nv:
                match = next((o for o in ov if strip_private(item, o) == strip_private(item, el)), None)
                if match is not None:
                    kept += keep_private(item, el, match)
    return kept


def write_atomic(target: Path, data: bytes | str) -> None:
    """Write via a temporary file and a rename: a reader never sees half a file."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    # a dot file: load.content_files skips it if a crash leaves it behind
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- YAML out


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # "  - item" under its key, as people write it


def _represent_str(dumper: yaml.SafeDumper, s: str) -> yaml.ScalarNode:
    return dumper.represent_scalar(STR_TAG, s, style="|" if "\n" in s else None)


_Dumper.add_representer(str, _represent_str)
# YAML 1.1 reads on/off/yes/no as booleans, so PyYAML would quote the key
# `on:`; the loader reads every scalar as text for its field, so write them plain.
_Dumper.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in rs if tag != "tag:yaml.org,2002:bool"]
    for ch, rs in yaml.SafeDumper.yaml_implicit_resolvers.items()
}


def _ordered(shape: Shape, data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in shape.fields:
        if f.key not in data:
            continue
        v = data[f.key]
        if f.kind == "shape" and f.shape is not None:
            v = _ordered(f.shape, v)
        elif f.kind == "list" and f.item is not None and f.item.shape is not None:
            v = [_ordered(f.item.shape, el) for el in v]
        out[f.key] = v
    return out


def record_yaml(shape: Shape, data: dict[str, Any]) -> str:
    """A record as clean YAML: fields in declaration order, no comments."""
    return yaml.dump(_ordered(shape, data), Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=10**6)
