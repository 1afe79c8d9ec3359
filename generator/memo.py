"""Rendered forms kept between builds of one work folder.

A pledge form's HTML is two fifths of a build's rendering (10,000 people:
16,000 forms, 13 of 30 seconds of CPU), and after a few confirmations all but
a handful come out the same. So the form fragment (views/forms.py: the form
on its own page and on its unit's print page) is kept under a key made of
everything it is rendered from:

- the generator's code and PyYAML (loadcache.code_key), the templates, the
  site's configuration, the as-of date and whether drafts are shown;
- the form as derived (FormView: its record, status, publicity window, title,
  and the unit and person records it names), pickled;
- for every string in the form's record, every record with that id, or none:
  the people, rules and units it refers to by id (a name shown for an id,
  or the id itself when no such record exists).

form.html reads nothing else (its macros look records up by ids found in the
form, and its publicity helpers read the form, the configuration and the
as-of date); a page that would read more must not use a key. A key that
cannot be made (a value pickle refuses) renders as without the memo.
"""
from __future__ import annotations

import hashlib
import io
import os
import pickle
from pathlib import Path
from typing import Any, Iterator

from .loadcache import code_key

VERSION = 2
THEME_TEMPLATES = Path(__file__).resolve().parent.parent / "theme" / "templates"

# (the nonce of its link placeholders, html with them, links: (target, anchor, is a file),
#  files the fragment links: path → text)
Fragment = tuple[str, str, list[tuple[str, str, bool]], dict[str, str]]


def base_key(cfg_data: dict[str, Any], as_of: Any, drafts: bool) -> str:
    h = hashlib.sha256(f"{VERSION}\0{code_key()}\0".encode())
    for p in sorted(THEME_TEMPLATES.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(THEME_TEMPLATES).as_posix().encode() + b"\0" + p.read_bytes())
    h.update(pickle.dumps((cfg_data, as_of, drafts), protocol=5))
    return h.hexdigest()


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

    def form_key(self, fv: Any) -> str | None:
        refs = [(s, self.by_id.get(s, [])) for s in sorted(set(strings(fv.rec.data)))]
        buf = io.BytesIO()
        pickler = pickle.Pickler(buf, protocol=5)
        # no memo: equal values pickle to equal bytes whether or not they are
        # one object (records read back from loadcache share differently)
        pickler.fast = True
        try:
            pickler.dump((fv, refs))
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
