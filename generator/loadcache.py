"""Parsed records kept between runs: a check reads back the records of files
whose bytes it has parsed before instead of parsing them again.

What load.load_file gives for a file (its record and its problems) depends
only on the file's path, the path shown in messages, its bytes and the code.
So the cache keeps each file's result under a digest of the bytes that were
parsed (load_file hands them over), one pickle per content folder:

    build/.cache/records-<digest of folder and shown prefix>.pickle

A file is served from the cache only when its bytes now have that digest
(every file is read, which costs a tenth of parsing it); any change to the
generator's code, PyYAML or Python drops the whole cache. Links are never
cached (what they point at is checked each time). The cache lies beside the
built site: it holds no private value (PRIVATE_MASK stands in for each), and
a file of a type that can hold one is not cached while it has problems (a
message may quote the value).

Writing the pickle (a second at 10,000 people) is left to a detached
process: the check does not wait for it, and a run that finds no cache, a
damaged one or one being written parses everything, as without a cache.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
from pathlib import Path
from typing import Any

import yaml

from .problems import Problem

# rel → (digest of the bytes parsed, the record as a tuple of its fields or None, problems)
Entry = tuple[bytes, "tuple[Any, ...] | None", list[Problem]]
DETACHED = True  # tests set False to write before the check returns

_KEY: str | None = None


def code_key() -> str:
    """Of everything that shapes what load_file returns."""
    global _KEY
    if _KEY is None:
        h = hashlib.sha256(f"{yaml.__version__}\0{sys.version}\0{pickle.HIGHEST_PROTOCOL}\0".encode())
        pkg = Path(__file__).resolve().parent
        for p in sorted(pkg.rglob("*.py")):
            h.update(p.relative_to(pkg).as_posix().encode() + b"\0" + p.read_bytes())
        _KEY = h.hexdigest()
    return _KEY


# What a private field holds in a cached record: the cache lies beside the
# built site, so it never holds a phone or ID number. Nothing that reads
# records from a check shows private values; were it to, it would show this.
PRIVATE_MASK = "（保密字段：解析缓存中不保存）"


def digest(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=16).digest()


def file_digest(path: str) -> bytes | None:
    try:  # os calls: a third of the time of open() for 45,000 small files
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        return digest(b"".join(chunks))
    except OSError:
        return None
    finally:
        os.close(fd)


class LoadCache:
    def __init__(self, folder: Path, root: Path, prefix: str) -> None:
        name = hashlib.sha256(f"{os.path.realpath(root)}\0{prefix}".encode()).hexdigest()[:16]
        self.path = folder / f"records-{name}.pickle"

    def read(self) -> dict[str, Entry]:
        """The cached results, or nothing when there is no usable cache."""
        try:
            with open(self.path, "rb") as f:
                data = pickle.load(f)
            if isinstance(data, dict) and data.get("key") == code_key() and isinstance(data.get("files"), dict):
                return data["files"]  # type: ignore[no-any-return]
        except Exception:  # a damaged or foreign file is no cache: parse everything
            pass
        return {}

    def write(self, files: dict[str, Entry]) -> None:
        """Replace the cache with `files`, in a detached process (see above)."""
        if not DETACHED:
            self._write(files)
            return
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            pid = os.fork()
        except OSError:
            return  # no process to spare: the next run parses again
        if pid:
            os.waitpid(pid, 0)  # the child leaves at once; its own child writes
            return
        try:  # pragma: no cover (a forked process; coverage does not follow it)
            if os.fork() == 0:
                try:
                    self._write(files)
                finally:
                    os._exit(0)
        finally:
            os._exit(0)

    def _write(self, files: dict[str, Entry]) -> None:
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as f:
                pickle.dump({"key": code_key(), "files": files}, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except OSError:
            try:
                tmp.unlink()
            except OSError:
                pass
