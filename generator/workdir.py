"""The engine's work folder, kept between builds: docs/, mkdocs.yml and site/
of the last successful build, so that a rebuild writes only the pages whose
text changed and the engine renders only those.

    build/.cache/site/            one folder per output (and -drafts, edition)
        docs/  mkdocs.yml  site/
        state.json                written last, after a complete engine run
    build/.cache/qr/              QR codes by URL (views/board.py), shared
    build/.cache/strip/           content files without private values, by digest (editions.py)
    build/.cache/edition-hashes.json   digests of edition files (editions.py)

state.json says what site/ was built from: a fingerprint of everything besides
the page texts that shapes every page (engine config, theme overrides, engine
code and versions), the digest of every page's text, and the size, mtime and
inode of every output file. A build trusts site/ only when state.json exists,
the fingerprint matches and the outputs are as recorded; it removes state.json
before the engine touches site/, so a build that crashes or fails leaves a
folder the next build does not trust (it builds clean).

One build at a time uses a work folder (a lock); a second, concurrent build
works in a private folder it deletes afterwards. A work folder that cannot be
created costs time, never the build.
"""
from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STATE = "state.json"
VERSION = 1


@dataclass
class DocResult:
    digest: str  # of the page's source text
    written: bool  # the file on disk differed and was written


class Workdir:
    def __init__(self, root: Path, persistent: bool, lock_fd: int | None = None) -> None:
        self.root = root
        self.persistent = persistent
        self._lock_fd = lock_fd

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def site(self) -> Path:
        return self.root / "site"

    @property
    def config_file(self) -> Path:
        return self.root / "mkdocs.yml"

    @classmethod
    def open(cls, cache: Path | None, scratch: Path) -> "Workdir":
        """The work folder `cache`, locked for this build; a private folder
        under `scratch` when there is no cache or another build holds it."""
        if cache is not None:
            try:
                cache.mkdir(parents=True, exist_ok=True)
                fd = os.open(cache.parent / f"{cache.name}.lock", os.O_CREAT | os.O_RDWR, 0o644)
            except OSError:
                fd = None
            if fd is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return cls(cache, True, fd)
                except OSError as e:
                    os.close(fd)
                    if e.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
        root = Path(tempfile.mkdtemp(prefix=f".work-{os.getpid()}-", dir=scratch))
        return cls(root, False)

    def close(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
        if not self.persistent:
            shutil.rmtree(self.root, ignore_errors=True)

    # -------------------------------------------------------------- state

    def state(self) -> dict[str, Any] | None:
        """What site/ was built from, if a complete build left it."""
        if not self.persistent:
            return None
        try:
            data = json.loads((self.root / STATE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("version") != VERSION:
            return None
        return data

    def invalidate(self) -> None:
        """Called before the engine touches site/: until commit(), nothing in
        this folder is trusted."""
        try:
            (self.root / STATE).unlink()
        except FileNotFoundError:
            pass

    def commit(self, fingerprint: str, digests: dict[str, str], outputs: dict[str, list[int]]) -> None:
        if not self.persistent:
            return
        data = {"version": VERSION, "fingerprint": fingerprint, "docs": digests, "outputs": outputs}
        tmp = self.root / f".{STATE}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, self.root / STATE)

    # -------------------------------------------------------------- docs

    def write_doc(self, path: str, text: str) -> DocResult:
        """Write a page's source unless the file already holds exactly this text."""
        data = text.encode("utf-8")
        target = self.docs / path
        written = not same_bytes(target, data)
        if written:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return DocResult(hashlib.sha1(data).hexdigest(), written)

    def prune_docs(self, wanted: set[str], keep: str = "assets") -> int:
        """Remove page sources no page produces any more (and emptied folders)."""
        removed = 0
        folders = []
        for dirpath, dirnames, filenames in os.walk(self.docs):
            rel = os.path.relpath(dirpath, self.docs)
            if rel == ".":
                dirnames[:] = [d for d in dirnames if d != keep]
            folders.append(dirpath)
            for name in filenames:
                relpath = name if rel == "." else f"{rel}/{name}".replace(os.sep, "/")
                if relpath not in wanted:
                    os.unlink(os.path.join(dirpath, name))
                    removed += 1
        for dirpath in reversed(folders[1:]):
            if not os.listdir(dirpath):
                os.rmdir(dirpath)
        return removed


def same_bytes(path: Path | str, data: bytes) -> bool:
    try:
        if os.path.getsize(path) != len(data):
            return False
        with open(path, "rb") as f:
            return f.read() == data
    except OSError:
        return False


def sync_tree(src: Path, dest: Path) -> None:
    """Make dest a copy of src, writing only files whose bytes differ."""
    wanted = set()
    for dirpath, _, filenames in os.walk(src):
        for name in filenames:
            s = Path(dirpath) / name
            rel = s.relative_to(src)
            wanted.add(rel)
            data = s.read_bytes()
            d = dest / rel
            if not same_bytes(d, data):
                d.parent.mkdir(parents=True, exist_ok=True)
                d.write_bytes(data)
    if dest.exists():
        for d in sorted(dest.rglob("*"), reverse=True):
            rel = d.relative_to(dest)
            if d.is_file() and rel not in wanted:
                d.unlink()
            elif d.is_dir() and not any(d.iterdir()):
                d.rmdir()


def scan(site: Path) -> dict[str, list[int]]:
    """Every file under site/: relative path → [size, mtime_ns, inode]."""
    out: dict[str, list[int]] = {}
    root = str(site)
    stack = [root]
    while stack:
        top = stack.pop()
        with os.scandir(top) as it:
            for e in it:
                if e.is_dir(follow_symlinks=False):
                    stack.append(e.path)
                else:
                    st = e.stat(follow_symlinks=False)
                    out[e.path[len(root) + 1:]] = [st.st_size, st.st_mtime_ns, st.st_ino]
    return out


def link_tree(src: Path, dest: Path, files: dict[str, list[int]] | None = None) -> bool:
    """Fill dest with hard links to every file of src (a copy where links are
    impossible, e.g. another file system). Returns whether it linked."""
    files = scan(src) if files is None else files
    made: set[str] = set()
    linking = True
    for rel in sorted(files):
        parent = os.path.dirname(rel)
        if parent not in made:
            os.makedirs(os.path.join(dest, parent), exist_ok=True)
            made.add(parent)
        s, d = os.path.join(src, rel), os.path.join(dest, rel)
        if linking:
            try:
                os.link(s, d)
                continue
            except OSError as e:
                if e.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                    raise
                linking = False
        shutil.copy2(s, d)
    return linking
