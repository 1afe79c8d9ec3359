"""Comparing two builds byte for byte, with Pagefind's known exception.

Pagefind 1.5.2 writes its filter indexes from a Rust HashMap whose iteration
order is randomised per process (upstream issue 638: fragments are stable
since 1.3, "filter/metadata indexes" still change). So pagefind/filter/*.pf_filter
(named by their content hash), pagefind/pagefind.<lang>_<hash>.pf_meta (which
names them) and pagefind-entry.json (which names the meta file), in the
bundle's root and in each shard's folder, differ between two runs on the same
input; everything else must be byte-identical. For those
files we check they hold the same bytes up to order.
"""
from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from pathlib import Path

# in the bundle's root or a shard's folder (pagefind/s<n>/, generator/search.py)
UNSTABLE = re.compile(r"pagefind/(?:s\d+/)?(?:filter/[^/]+\.pf_filter|pagefind\.[^/]+\.pf_meta|pagefind-entry\.json)")


def unstable(rel: str) -> bool:
    return UNSTABLE.fullmatch(rel) is not None


def _folder(rel: str) -> str:
    """The bundle folder of an unstable file and its kind: pagefind/s1/filter/, pagefind/s1/pagefind. …"""
    head, _, name = rel.rpartition("/")
    return head + "/" + ("pagefind." if name.startswith("pagefind.") else "")


def _fingerprint(data: bytes, names: list[str]) -> tuple[int, tuple[tuple[int, int], ...]]:
    raw = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    for name in names:  # the meta file names the filter files by their (varying) hashes
        raw = raw.replace(name.encode(), b"#" * len(name))
    return len(raw), tuple(sorted(Counter(raw).items()))


def compare_trees(a: Path, b: Path) -> list[str]:
    """Differences between two built sites, beyond Pagefind's documented reordering."""
    fa = {p.relative_to(a).as_posix(): p for p in a.rglob("*") if p.is_file()}
    fb = {p.relative_to(b).as_posix(): p for p in b.rglob("*") if p.is_file()}
    stable_a = {k for k in fa if not unstable(k)}
    stable_b = {k for k in fb if not unstable(k)}
    out = [f"only in first: {k}" for k in sorted(stable_a - stable_b)] + [f"only in second: {k}" for k in sorted(stable_b - stable_a)]
    out += [f"differs: {k}" for k in sorted(stable_a & stable_b) if fa[k].read_bytes() != fb[k].read_bytes()]
    na = [Path(k).stem for k in fa if "/filter/" in k]
    nb = [Path(k).stem for k in fb if "/filter/" in k]
    groups = {_folder(k) for k in fa if unstable(k) and not k.endswith(".json")} | \
             {_folder(k) for k in fb if unstable(k) and not k.endswith(".json")}
    for group in sorted(groups):
        pa = sorted(_fingerprint(fa[k].read_bytes(), na) for k in fa if unstable(k) and _folder(k) == group)
        pb = sorted(_fingerprint(fb[k].read_bytes(), nb) for k in fb if unstable(k) and _folder(k) == group)
        if pa != pb:
            out.append(f"Pagefind {group}* differ in content, not only in order")
    for entry in sorted({k for k in (*fa, *fb) if k.endswith("pagefind-entry.json")}):
        ea, eb = (json.loads(x[entry].read_text()) if entry in x else {} for x in (fa, fb))
        for lang in set(ea.get("languages", {})) | set(eb.get("languages", {})):
            if ea.get("languages", {}).get(lang, {}).get("page_count") != eb.get("languages", {}).get(lang, {}).get("page_count"):
                out.append(f"Pagefind page count differs for {lang} in {entry}")
    return out
