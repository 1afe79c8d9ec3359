"""Pages kept from the last build: a record page none of whose records changed
is not rendered again, and its source in the engine's work folder stays.

While a page is rendered, every record it reads is noted (reads.py): its
content, or anything derived for a form. What a page shows is a function of
the records it read and of what every page shares (the key below), so a page
whose records all have the digests they had when it was last rendered would
come out the same. The build keeps the source written then, with the links
it checked and the files it shipped.

The key holds what is worked out for all pages at once, which no single page
reads: the code and templates, the config, the as-of date, which records
exist, how derive groups them (by unit, department, person) and in which
order, which forms are shown, which assessment counts for whom. A change
there renders every page again. Only pages a view marks are kept (memo=True
in render.py): pages made from their own records, where whatever the view
worked out beforehand is noted as read (reads.add), passed as the page's
shape (which records it lists, in which order) or is in the key.

    <work folder>/pages-<k>.pickle   the key, then lists of (page path, Entry):
                                     the pages render worker k rendered or kept

An entry is trusted only while the work folder's state (workdir.py) says its
source has the digest recorded here and the file has the size and mtime it
had when written: a build that failed or a file changed by hand renders the
page again.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from .loadcache import code_key

if TYPE_CHECKING:
    from .derive import Site

FILES = "pages-*.pickle"
BATCH = 1000  # entries a worker holds before writing them


@dataclass(frozen=True, slots=True)
class Entry:
    """A page as last rendered, packed in a few strings: 50,000 people have 190,000."""

    ids: str  # the records it read, one id per line
    digests: bytes  # the digest of each one's file, in the same order
    source: str  # the record file its links are reported against
    links: str  # the targets of the links it made (pages and files), each once, one per line
    files: str  # files shipped with the page (QR codes), under docs/, one per line
    doc: str  # digest of the page's source (workdir.DocResult)
    stat: tuple[int, int]  # size and mtime_ns of the source file when written
    shape: str  # shape_key of what the view worked out for the page (render.Renderer.render)


def lines(text: str) -> list[str]:
    return text.split("\n") if text else []


def read_digests(e: Entry) -> dict[str, bytes]:
    """Record id → the digest its file had when the entry's page was rendered."""
    ids = lines(e.ids)
    if not ids or len(e.digests) % len(ids):
        return {}
    w = len(e.digests) // len(ids)  # one hash, one width (loadcache.digest)
    return {rid: e.digests[i * w:(i + 1) * w] for i, rid in enumerate(ids)}


class Memo:
    def __init__(self, root: Path, key: str, digests: dict[str, bytes], trusted: dict[str, str]) -> None:
        self.root = root
        self._docs = os.path.join(root, "docs", "")  # a plain prefix: pathlib's joins cost 0.4 s for 39,000 pages
        self.key = key
        self.digests = digests  # record id → digest of its file now
        self.trusted = trusted  # page path → digest of the source the engine last built (workdir state)
        self.old: dict[str, Entry] = {}
        if trusted:
            for path in sorted(root.glob(FILES)):
                self.old.update(_read(path, key))

    def writer(self, k: int) -> "Writer":
        return Writer(self.root / f"pages-{k}.pickle", self.key)

    def drop_writers_from(self, n: int) -> None:
        """Remove the files of workers k >= n (an earlier build had more)."""
        for path in self.root.glob(FILES):
            if not path.stem.removeprefix("pages-").isdigit() or int(path.stem.removeprefix("pages-")) >= n:
                path.unlink(missing_ok=True)

    def reusable(self, path: str, shape: str) -> Entry | None:
        e = self.old.get(path)
        if e is None or e.shape != shape or self.trusted.get(path) != e.doc:
            return None
        digests = self.digests
        if b"".join(map(digests.get, lines(e.ids), repeat(b""))) != e.digests:
            return None
        try:
            st = os.stat(self._docs + path)
        except OSError:
            return None
        return e if (st.st_size, st.st_mtime_ns) == e.stat else None

    def last_source(self, path: str) -> tuple[str, Entry] | None:
        """The source the last build wrote for a page that is rendered again,
        with its entry, while the file is still the one written then."""
        e = self.old.get(path)
        if e is None or self.trusted.get(path) != e.doc:
            return None
        try:
            with open(self._docs + path, encoding="utf-8") as f:
                st = os.fstat(f.fileno())
                return (f.read(), e) if (st.st_size, st.st_mtime_ns) == e.stat else None
        except (OSError, UnicodeDecodeError):
            return None

    def entry(self, path: str, deps: Iterable[str], links: list[tuple[str, str]], files: Iterable[str], doc: str,
              shape: str) -> Entry | None:
        """The entry of a page just written from its reads, its links (target,
        source file) and files; None (rendered again next time) if a record it
        read has no digest or its links name more than one source file."""
        try:
            st = os.stat(self._docs + path)
        except OSError:
            return None
        ids = sorted(deps)
        digests = [self.digests.get(rid) for rid in ids]
        sources = {source for _, source in links}
        if None in digests or len(sources) > 1:
            return None
        return Entry("\n".join(ids), b"".join(digests), sources.pop() if sources else "",  # type: ignore[arg-type]
                     "\n".join(dict.fromkeys(target for target, _ in links)), "\n".join(files), doc, (st.st_size, st.st_mtime_ns), shape)



def _read(path: Path, key: str) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    try:
        with open(path, "rb") as f:
            if pickle.load(f) != key:
                return {}
            while True:
                try:
                    batch = pickle.load(f)
                except EOFError:
                    return out
                out.update(batch)
    except Exception:  # damaged or foreign: its pages are rendered
        return {}


class Writer:
    """A render worker's entries, written as they come: it holds none (50,000
    people: 190,000 entries), and a file appears whole or not at all."""

    def __init__(self, path: Path, key: str) -> None:
        self.path = path
        self.tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self.batch: list[tuple[str, Entry]] = []
        self.file = None
        try:
            self.file = open(self.tmp, "wb")
            pickle.dump(key, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError:  # no memo: the next build renders these pages
            self.abort()

    def add(self, path: str, entry: Entry) -> None:
        self.batch.append((path, entry))
        if len(self.batch) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self.file is not None and self.batch:
            try:
                pickle.dump(self.batch, self.file, protocol=pickle.HIGHEST_PROTOCOL)
            except OSError:
                self.abort()
        self.batch = []

    def close(self) -> None:
        self._flush()
        if self.file is not None:
            try:
                self.file.close()
                os.replace(self.tmp, self.path)
            except OSError:
                self.abort()
            self.file = None

    def abort(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
        self.tmp.unlink(missing_ok=True)


def shape_key(shape: Any) -> str:
    return "" if shape is None else hashlib.sha1(repr(shape).encode("utf-8")).hexdigest()


def record_digests(records: Iterable[Any], by_path: dict[str, bytes]) -> dict[str, bytes] | None:
    """Record id → digest of its file's bytes (load.Loaded.digests); None when
    some record's file has none (it was not read through the parse cache)."""
    out = {}
    for r in records:
        d = by_path.get(r.path)
        if d is None:
            return None
        out[r.id] = d
    return out


def site_key(site: "Site", cfg_text: bytes, theme: Path) -> str:
    """Of everything every page may depend on that no page reads (see above);
    `theme`: the folder whose templates/ render the pages."""
    from . import reads
    from .archives import assessment_shown, campaign_first_year

    assert reads.current is None  # the key reads every record: nothing to note
    h = hashlib.sha256()

    def put(*parts: Any) -> None:
        h.update(repr(parts).encode("utf-8") + b"\n")

    def ids(items: Iterable[Any]) -> None:  # ids joined: a tenth of the time of repr() of the lists
        h.update("\0".join(x.id for x in items).encode("utf-8") + b"\n")

    put(code_key(), _templates_key(theme / "templates"), cfg_text, site.as_of.isoformat(), site.drafts)
    # in the order load found them (sorted by path)
    h.update("\0".join(f"{r.type}/{r.id}/{r.path}" for r in site.content.records).encode("utf-8") + b"\n")
    ids(site.content.units())
    ids(fv for fv in site.forms.values() if site.shown(fv))
    for groups in (site.by_unit, site.by_department, site.by_person, site.members, site.people_by_unit,
                   site.rules_by_unit, site.flows_by_unit):
        for k in sorted(groups):
            put(k)
            ids(groups[k])
    put(campaign_first_year(site))
    h.update("\0".join(f"{a.id}/{a['person']}/{a['year']}/{assessment_shown(a, site.as_of)}"
                        for a in site.content.of_type["assessment"]).encode("utf-8"))
    return h.hexdigest()


def _templates_key(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(folder).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()
