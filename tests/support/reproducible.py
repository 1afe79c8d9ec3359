"""Comparing two builds byte for byte, with Pagefind's known exception.

Pagefind 1.5.2 writes its filter indexes from a Rust HashMap whose iteration
order is randomised per process (upstream issue 638: fragments are stable
since 1.3, "filter/metadata indexes" still change). So pagefind/filter/*.pf_filter
(named by their content hash), pagefind/pagefind.<lang>_<hash>.pf_meta (which
names them) and pagefind-entry.json (which names the meta file) differ between
two runs on the same input; everything else must be byte-identical. For those
files we check they hold the same bytes up to order.
"""
from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

UNSTABLE_PREFIXES = ("pagefind/filter/", "pagefind/pagefind.")
UNSTABLE_FILES = {"pagefind/pagefind-entry.json"}


def unstable(rel: str) -> bool:
    return rel in UNSTABLE_FILES or (rel.startswith(UNSTABLE_PREFIXES) and rel.endswith((".pf_filter", ".pf_meta")))


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
    na = [Path(k).stem for k in fa if k.startswith("pagefind/filter/")]
    nb = [Path(k).stem for k in fb if k.startswith("pagefind/filter/")]
    for group in ("pagefind/filter/", "pagefind/pagefind."):
        pa = sorted(_fingerprint(fa[k].read_bytes(), na) for k in fa if unstable(k) and k.startswith(group))
        pb = sorted(_fingerprint(fb[k].read_bytes(), nb) for k in fb if unstable(k) and k.startswith(group))
        if pa != pb:
            out.append(f"Pagefind {group}* differ in content, not only in order")
    ea, eb = (json.loads(x[k].read_text()) if k in x else {} for x, k in ((fa, "pagefind/pagefind-entry.json"), (fb, "pagefind/pagefind-entry.json")))
    for lang in set(ea.get("languages", {})) | set(eb.get("languages", {})):
        if ea["languages"].get(lang, {}).get("page_count") != eb["languages"].get(lang, {}).get("page_count"):
            out.append(f"Pagefind page count differs for {lang}")
    return out
