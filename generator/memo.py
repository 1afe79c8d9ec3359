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


def records_in(value: Any, out: dict[int, Record]) -> None:
    """Every record reachable from a template context (through lists, dicts
    and dataclasses such as FormView)."""
    if isinstance(value, Record):
        out.setdefault(id(value), value)
    elif isinstance(value, (list, tuple)):
        for v in value:
            records_in(v, out)
    elif isinstance(value, dict):
        for v in value.values():
            records_in(v, out)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            records_in(getattr(value, f.name), out)


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


class FragmentMemo:
    def __init__(self, folder: Path, base: str, by_id: dict[str, list[Any]]) -> None:
        self.folder = folder
        self.base = base
        self.by_id = by_id  # record id → every record with that id (of any type)
        self.used: set[str] = set()
        self.hits = 0

    def key(self, what: Any, ctx: Any) -> str | None:
        """The key of a page or fragment (`what`: its path and template) rendered from `ctx`."""
        found: dict[int, Record] = {}
        records_in(ctx, found)
        ids = sorted({s for rec in found.values() for s in strings(rec.data) if _ID.fullmatch(s)})
        refs = [(s, self.by_id.get(s, [])) for s in ids]
        buf = io.BytesIO()
        pickler = pickle.Pickler(buf, protocol=5)
        # no memo: equal values pickle to equal bytes whether or not they are
        # one object (records read back from loadcache share differently)
        pickler.fast = True
        try:
            pickler.dump((what, ctx, refs))
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
