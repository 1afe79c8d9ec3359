"""Rendered pages and forms kept between builds of one work folder.

Most of a build's rendering is pages of one record each: 10,000 people have
16,000 forms, 10,000 person pages and 11,500 archive pages (30 s of CPU), and
after a few confirmations all but a handful come out the same. So the views
of those pages (views/forms.py, people.py, archives.py) let the renderer keep
their HTML under a key made of everything it is rendered from:

- the generator's code, PyYAML, Jinja2, MarkupSafe and segno, the templates,
  the site's configuration, the as-of date and whether drafts are shown;
- the page's path and template, and its template context (the form as
  derived, the person and their forms, the archive with its years), pickled:
  with every record it holds and every value derived from records;
- for every string in those records that could be a record id, every record
  with that id, or none: the people, units and rules a page names by id
  (their names are shown, or the id itself when no such record exists).

The templates of those pages read nothing else: their macros and helpers
look records up by ids found in the context, and otherwise read the
configuration and the as-of date. A page that would read more must not be
kept. A key that cannot be made (a value pickle refuses) renders as without.
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import pickle
import re
from importlib import metadata
from pathlib import Path
from typing import Any, Iterator

from .fields import ID_PATTERN
from .loadcache import code_key
from .records import Record

VERSION = 3

# (the nonce of its link placeholders, html with them, links: (target, anchor, is a file),
#  files the fragment links: path → text)
Fragment = tuple[str, str, list[tuple[str, str, bool]], dict[str, str]]


def base_key(templates: Path, cfg_data: dict[str, Any], as_of: Any, drafts: bool) -> str:
    """Of what every kept page depends on; `templates`: the folder the renderer loads them from."""
    h = hashlib.sha256(f"{VERSION}\0{code_key()}\0".encode())
    for dist in ("jinja2", "markupsafe", "segno"):  # the template engine, escaping, the QR codes pages link
        h.update(f"{dist}=={metadata.version(dist)}\0".encode())
    for p in sorted(templates.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(templates).as_posix().encode() + b"\0" + p.read_bytes())
    h.update(pickle.dumps((cfg_data, as_of, drafts), protocol=5))
    return h.hexdigest()


_ID = re.compile(ID_PATTERN)


def strings(value: Any) -> Iterator[str]:
    """Every string in a record's data (keys too)."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            yield v
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)


def _record(type_: str, id_: str, path: str, digest: bytes) -> None:
    """What a record stands for in a key (never called: keys are not unpickled)."""


class _Keyer(pickle.Pickler):
    """Pickles a template context for its key: a record whose file digest is
    known as that digest (a record is its file), and without the memo, so
    that equal values give equal bytes whether or not they are one object
    (records read back from loadcache share differently)."""

    def __init__(self, buf: io.BytesIO, digests: dict[str, bytes]) -> None:
        super().__init__(buf, protocol=5)
        self.fast = True
        self.digests = digests

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is Record:
            d = self.digests.get(obj.path)
            if d is not None:
                return _record, (obj.type, obj.id, obj.path, d)
        elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            # its class and field values: what copyreg's default reduction says, in a third of the time
            return type(obj), tuple(getattr(obj, f.name) for f in dataclasses.fields(obj))
        return NotImplemented


class FragmentMemo:
    def __init__(self, folder: Path, base: str, by_id: dict[str, list[Any]], digests: dict[str, bytes] | None = None) -> None:
        self.folder = folder
        self.base = base
        self.by_id = by_id  # record id → every record with that id (of any type)
        self.digests = digests or {}  # record path → digest of its file
        self.used: set[str] = set()
        self.hits = 0
        self._ids: dict[int, frozenset[str]] = {}  # id(record) → the strings in it that could be record ids
        self._held: dict[int, tuple[Record, ...]] = {}  # id(dataclass value, e.g. FormView) → the records it holds

    def _ids_in(self, rec: Record) -> frozenset[str]:
        got = self._ids.get(id(rec))
        if got is None:
            got = self._ids[id(rec)] = frozenset(s for s in strings(rec.data) if _ID.fullmatch(s))
        return got

    def _records(self, value: Any, out: dict[int, Record]) -> None:
        """records_in(), with the records of each dataclass value (a FormView
        is in many contexts) found once."""
        if isinstance(value, Record):
            out.setdefault(id(value), value)
        elif isinstance(value, (list, tuple)):
            for v in value:
                self._records(v, out)
        elif isinstance(value, dict):
            for v in value.values():
                self._records(v, out)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            held = self._held.get(id(value))
            if held is None:
                mine: dict[int, Record] = {}
                for f in dataclasses.fields(value):
                    self._records(getattr(value, f.name), mine)
                held = self._held[id(value)] = tuple(mine.values())
            for rec in held:
                out.setdefault(id(rec), rec)

    def key(self, what: Any, ctx: Any) -> str | None:
        """The key of a page or fragment (`what`: its path and template) rendered from `ctx`."""
        found: dict[int, Record] = {}
        self._records(ctx, found)
        ids: set[str] = set()
        for rec in found.values():
            ids |= self._ids_in(rec)
        refs = [(s, self.by_id.get(s, [])) for s in sorted(ids)]
        buf = io.BytesIO()
        try:
            _Keyer(buf, self.digests).dump((what, ctx, refs))
        except (pickle.PicklingError, TypeError, AttributeError, ValueError, RecursionError):
            return None
        return hashlib.sha256(self.base.encode() + buf.getvalue()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def get(self, key: str) -> Fragment | None:
        try:
            with open(self._path(key), "rb") as f:
                got = pickle.load(f)
        except Exception:  # missing, cut short or foreign: render it
            return None
        self.used.add(key)
        self.hits += 1
        return got  # type: ignore[no-any-return]

    def put(self, key: str, fragment: Fragment) -> None:
        path = self._path(key)
        tmp = path.with_name(f".{key}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as f:
                pickle.dump(fragment, f, protocol=5)
            os.replace(tmp, path)  # a reader sees the whole file or none
            self.used.add(key)
        except OSError:
            tmp.unlink(missing_ok=True)


def prune(folder: Path, used: set[str]) -> int:
    """Remove the fragments this build did not use (of forms changed or gone)."""
    removed = 0
    try:
        subdirs = list(os.scandir(folder))
    except OSError:
        return 0
    for d in subdirs:
        if not d.is_dir():
            continue
        for e in os.scandir(d.path):
            if e.name not in used:
                try:
                    os.unlink(e.path)
                    removed += 1
                except OSError:
                    pass
    return removed
