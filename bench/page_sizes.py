"""HTML size of a built site's record pages, per kind: count, average, largest,
and how many exceed the limit (issue 3: at most 25 KB a record page).

    python bench/page_sizes.py build/site [--limit-kb 25] [--top 5] [--json]

Listings, print pages and the board are not record pages: they are paged or
printed whole, and are reported apart ("other pages") for information."""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

LIMIT = 25 * 1024

# kind → path pattern (relative to the site, "/" separators), in report order
KINDS: dict[str, re.Pattern[str]] = {
    "forms": re.compile(r"forms/[^/]+\.html"),
    "people": re.compile(r"people/[^/]+\.html"),
    "units": re.compile(r"units/[^/]+\.html"),
    "departments": re.compile(r"units/[^/]+/[^/]+\.html"),
    "rules": re.compile(r"rules/[^/]+\.html"),
    "flows": re.compile(r"flows/[^/]+\.html"),
    "archives": re.compile(r"archives/(?:lianzheng|yide)/[^/]+\.html"),  # one person's archive
}


def kind_of(rel: str) -> str | None:
    for kind, pattern in KINDS.items():
        if pattern.fullmatch(rel):
            return kind
    return None


def measure(site: Path, limit: int = LIMIT, top: int = 3) -> dict[str, Any]:
    """{kind: {count, avg_kb, max_kb, max_page, over}} for record pages, and
    "other" for every other HTML page (the largest few named)."""
    sizes: dict[str, list[tuple[int, str]]] = {k: [] for k in KINDS}
    other: list[tuple[int, str]] = []
    root = str(site)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in ("assets", "pagefind")]
        for name in filenames:
            if not name.endswith(".html"):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            size = os.path.getsize(path)
            kind = kind_of(rel)
            (sizes[kind] if kind else other).append((size, rel))
    out: dict[str, Any] = {}
    for kind, got in list(sizes.items()) + [("other", other)]:
        got.sort(reverse=True)
        n = len(got)
        out[kind] = {
            "count": n,
            "avg_kb": round(sum(s for s, _ in got) / n / 1024, 1) if n else 0.0,
            "max_kb": round(got[0][0] / 1024, 1) if n else 0.0,
            "max_page": got[0][1] if n else "",
            "over": sum(s > limit for s, _ in got),
            "largest": [[rel, round(s / 1024, 1)] for s, rel in got[:top]],
        }
    return out


def report(sizes: dict[str, Any], limit: int = LIMIT) -> str:
    lines = [f"{'kind':<12} {'pages':>6} {'avg KB':>7} {'max KB':>7} {f'>{limit // 1024} KB':>7}  largest"]
    for kind, s in sizes.items():
        label = "other pages" if kind == "other" else kind
        lines.append(f"{label:<12} {s['count']:>6} {s['avg_kb']:>7.1f} {s['max_kb']:>7.1f} {s['over']:>7}  {s['max_page']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Record page HTML sizes of a built site, per kind")
    ap.add_argument("site", type=Path, help="the built site folder, e.g. build/site")
    ap.add_argument("--limit-kb", type=int, default=LIMIT // 1024, help="size a record page should not exceed (default 25)")
    ap.add_argument("--top", type=int, default=3, help="largest pages listed per kind in --json (default 3)")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = ap.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"{args.site}: not a built site (no index.html)", file=sys.stderr)
        return 2
    limit = args.limit_kb * 1024
    sizes = measure(args.site, limit, args.top)
    print(json.dumps(sizes, ensure_ascii=False, indent=1) if args.json else report(sizes, limit))
    over = sum(s["over"] for k, s in sizes.items() if k != "other")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
