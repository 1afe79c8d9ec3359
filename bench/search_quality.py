"""Search quality and speed on the sample site, in Chromium, through the
site's own search page (theme/assets/search.js on the Pagefind index the
site ships): recall@10 and MRR over bench/search_queries.yml, and the time
to first result.

    python bench/search_quality.py                  # build the sample site, run every query
    python bench/search_quality.py --site build/site --show 5
    python bench/search_quality.py --latency --site DIR   # time to first result only (any site)

recall@10 of a query: relevant records among the first 10 results, over
min(10, number of relevant records). MRR: mean of 1/rank of the first
relevant result (0 when none is in the first 10).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
for p in (REPO, REPO / "tests"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import yaml  # noqa: E402

from generator.check import run_check  # noqa: E402
from generator.config import load_config  # noqa: E402
from generator.derive import Site, derive  # noqa: E402
from generator.search import marked_pages  # noqa: E402,F401  (bench/run.py uses it)
from support.browser import launch  # noqa: E402
from support.serve import serve  # noqa: E402

QUERIES = HERE / "search_queries.yml"
SAMPLE_CONFIG = REPO / "site_config.yml"
TOP = 10
READY = "() => window.lzSearch && window.lzSearch.pf && window.lzSearch.splitter"
RUN = """async ([q, k]) => { const r = await window.lzSearch.query(q, null);
  if (!r) return {variants: [], urls: [], titles: []};
  const top = r.results.slice(0, k); const data = await Promise.all(top.map(x => x.data()));
  return {variants: r.variants, total: r.results.length, urls: data.map(d => d.url), titles: data.map(d => d.meta.title || '')}; }"""
FIRST = """() => { const s = document.querySelector('[data-lz-search-status]');
  return s && /^(找到|没有)/.test(s.textContent.trim()); }"""


@dataclass
class Query:
    q: str
    relevant: set[str]
    why: str = ""
    rank: int = 0  # of the first relevant result, 0 = not in the first TOP
    recall: float = 0.0
    top: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    variants: list[str] = field(default_factory=list)
    total: int = 0


def risk_text(fv: Any) -> str:
    return " ".join(str(r.get(k) or "") for r in fv.rec["risks"] for k in ("point", "manifestation"))


def load_queries(site: Site, site_dir: Path, path: Path = QUERIES) -> list[Query]:
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    out: list[Query] = []
    for it in items:
        rel = {str(p) for p in it.get("expect", [])}
        words = it.get("risk") or []
        if words:
            rel |= {f"forms/{fv.id}" for fv in site.forms.values()
                    if fv.published and all(w in risk_text(fv) for w in words)
                    and (not it.get("unit") or fv.unit_id == it["unit"])}
        missing = [p for p in rel if not (site_dir / f"{p}.html").is_file()]
        if not rel or missing:
            raise SystemExit(f"{path}: “{it['q']}” 的期望记录不存在于站点中：{missing or '（空）'}")
        out.append(Query(str(it["q"]), rel, str(it.get("why", ""))))
    return out


def derived_sample(config: Path) -> Site:
    cfg, probs = load_config(config)
    if cfg is None:
        raise SystemExit("\n".join(p.format() for p in probs))
    return derive(cfg, run_check(cfg).content, cfg.as_of())


def build_sample(out: Path) -> Path:
    from generator.build import build_site

    cfg, _ = load_config(SAMPLE_CONFIG)
    assert cfg is not None
    build_site(cfg, cfg.as_of(), out, progress=lambda m: print(m, file=sys.stderr))
    return out


def run_queries(site_dir: Path, queries: list[Query], ranking: dict[str, Any] | None = None) -> None:
    from playwright.sync_api import sync_playwright

    with serve(site_dir) as base, sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()
        page.goto(base + "search.html")
        page.wait_for_function(READY)
        if ranking is not None:  # try other weights than the site's (tuning)
            page.evaluate("r => window.lzSearch.pf.options({ranking: r})", ranking)
        for q in queries:
            r = page.evaluate(RUN, [q.q, TOP])
            q.variants, q.total, q.titles = r["variants"], r.get("total", 0), r["titles"]
            q.top = [u.lstrip("/").removesuffix(".html") for u in r["urls"]]
            hits = [i for i, u in enumerate(q.top) if u in q.relevant]
            q.rank = hits[0] + 1 if hits else 0
            q.recall = len(hits) / min(TOP, len(q.relevant))
        browser.close()


HEADER_DONE = "() => window.lzHeaderSearch && window.lzHeaderSearch.timings.first !== undefined"


def time_to_first_result(site_dir: Path, query: str = "回扣", runs: int = 5) -> dict[str, float]:
    """Fresh browser context per run (cold cache), medians in ms:
    - first_result_ms: a reader on the home page types the query into the
      header box; from the box's first use (the index starts loading then)
      to the first results shown under it;
    - results_page_ms: search.html?q=… opened from a link, from navigation
      start to its first results (the page itself loads meanwhile);
    - next_query_ms: a further query typed on the results page."""
    from urllib.parse import quote

    from playwright.sync_api import sync_playwright

    header: list[float] = []
    cold: list[float] = []
    warm: list[float] = []
    with serve(site_dir) as base, sync_playwright() as p:
        browser = launch(p)
        for _ in range(runs):
            ctx = browser.new_context()
            page = ctx.new_page()
            page.goto(f"{base}index.html")
            page.wait_for_load_state("load")
            page.wait_for_timeout(500)  # the reader looks at the page before searching
            page.focus("#lz-hsearch-q")
            page.fill("#lz-hsearch-q", query)
            page.wait_for_function(HEADER_DONE)
            header.append(page.evaluate("() => { const t = window.lzHeaderSearch.timings; return t.first - t.asked; }"))
            ctx.close()
            ctx = browser.new_context()
            page = ctx.new_page()
            page.goto(f"{base}search.html?q={quote(query)}")
            page.wait_for_function(FIRST)
            cold.append(page.evaluate("window.lzSearch.timings.first"))
            page.evaluate("() => { window.lzSearch.timings.first = undefined; }")
            page.fill("#lz-search-q", "红包")
            page.wait_for_function("() => window.lzSearch.timings.first !== undefined")
            warm.append(page.evaluate("window.lzSearch.timings.last"))
            ctx.close()
        browser.close()
    return {"first_result_ms": round(statistics.median(header), 1), "first_result_ms_max": round(max(header), 1),
            "results_page_ms": round(statistics.median(cold), 1), "next_query_ms": round(statistics.median(warm), 1)}


# Re-index an already built site alone, in a fresh process (bench/run.py, stage "index"):
# argv = site folder, stats file, file listing the pages to index (found beforehand).
REINDEX = ("import json, sys\nfrom pathlib import Path\nfrom generator.search import run_pagefind\n"
           "pages = Path(sys.argv[3]).read_text().split()\n"
           "stats = run_pagefind(Path(sys.argv[1]), pages)\n"
           "keep = ('pages', 'words', 'filters', 'seconds', 'bytes', 'files', 'shards')\n"
           "Path(sys.argv[2]).write_text(json.dumps({k: getattr(stats, k) for k in keep}))")


def code_digest() -> str:
    """Of everything besides the content that shapes a built site: the
    generator, the theme and the pinned dependencies."""
    import hashlib

    h = hashlib.sha256()
    files = [*(REPO / "generator").rglob("*.py"), *(REPO / "theme").rglob("*"), REPO / "requirements.txt"]
    for f in sorted(p for p in files if p.is_file()):
        h.update(f.relative_to(REPO).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def built_site(config: Path, out: Path) -> float | None:
    """Build the site of `config` into `out` once per version of the code
    (kept for later runs); the build's wall time when it was built now."""
    import subprocess
    import time

    stamp = out.with_name(out.name + ".code")
    code = code_digest()
    if (out / "search.html").is_file() and stamp.is_file() and stamp.read_text() == code:
        return None
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "generator", "build", "--config", str(config), "--out", str(out)],
                   cwd=REPO, check=True, capture_output=True)
    stamp.write_text(code)
    return round(time.perf_counter() - t0, 2)


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, n: int) -> str:
    return text + " " * max(0, n - width(text))


def report(queries: list[Query], show: int, quiet: bool = False) -> dict[str, float]:
    recall = statistics.mean(q.recall for q in queries)
    mrr = statistics.mean(1 / q.rank if q.rank else 0.0 for q in queries)
    for q in ([] if quiet else queries):
        mark = "  " if q.rank == 1 else ("~ " if q.rank else "✗ ")
        print(f"{mark}{pad(q.q, 22)} 排名 {q.rank or '-':>2}  recall@10 {q.recall:4.2f}  共 {q.total:>3} 条  {' | '.join(q.variants)}")
        if show and q.rank != 1:
            for u, t in list(zip(q.top, q.titles))[:show]:
                print(f"      {'*' if u in q.relevant else ' '} {u}  {t}")
    print(f"\n{len(queries)} 个检索词：recall@10 = {recall:.3f}，MRR = {mrr:.3f}，"
          f"首位命中 {sum(q.rank == 1 for q in queries)}，前 10 未命中 {sum(q.rank == 0 for q in queries)}")
    return {"queries": len(queries), "recall_at_10": round(recall, 4), "mrr": round(mrr, 4)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--site", type=Path, help="已生成的示例站点（默认：临时生成一次）")
    ap.add_argument("--config", type=Path, default=SAMPLE_CONFIG, help="站点配置（期望记录据此推算）")
    ap.add_argument("--show", type=int, default=3, help="未排第一的检索词显示前几条结果")
    ap.add_argument("--latency", action="store_true", help="只测首个结果的时间")
    ap.add_argument("--json", type=Path, help="把结果写入 JSON 文件")
    ap.add_argument("--ranking", type=json.loads, help='试用其他排序参数（Pagefind ranking，JSON），如 \'{"metaWeights": {"名称": 20}}\'')
    ap.add_argument("--quiet", action="store_true", help="只打印汇总")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="search-quality-") as tmp:
        site_dir = args.site or build_sample(Path(tmp) / "site")
        if args.latency:
            result: dict[str, Any] = time_to_first_result(site_dir)
            print(json.dumps(result, ensure_ascii=False))
        else:
            queries = load_queries(derived_sample(args.config), site_dir)
            run_queries(site_dir, queries, args.ranking)
            result = report(queries, args.show, args.quiet)
            if args.ranking is not None:
                return 0
            result.update(time_to_first_result(site_dir))
            print(f"页头检索框首个结果 {result['first_result_ms']} ms（中位数，冷启动，最长 {result['first_result_ms_max']} ms）；"
                  f"从链接打开检索页到首个结果 {result['results_page_ms']} ms；再检索 {result['next_query_ms']} ms")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
