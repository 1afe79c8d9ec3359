"""Benchmark driver (`make bench`): generated content of several sizes, one
named stage at a time, each run in a fresh process; prints a table and writes
bench/out/results.json.

    python bench/run.py                          # every stage, sizes 1000, 10000 and 50000 (about 1.5 hours)
    python bench/run.py --sizes 1000 --stages check --repeat 5

Adding a stage: write `def my_stage(site: Site, opts: Options) -> Measurement`
decorated with `@stage("name")` (optionally `target_s={people: seconds}`);
use `run_cli(site, "build", ...)` to time a generator command. Stages run in
the order they are declared; a stage may rely on the output of an earlier one
for the same site.
"""
from __future__ import annotations

import argparse
import compileall
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import synth  # noqa: E402

PY = sys.executable
LARGE = 10_000  # sizes above run each stage --repeat-large times (default once)


@dataclass
class Site:
    """One generated content folder: root/content and root/site_config.yml."""

    root: Path
    people: int
    seed: int
    summary: dict[str, Any]

    @property
    def config(self) -> Path:
        return self.root / "site_config.yml"


@dataclass
class Options:
    repeat: int
    verbose: bool


@dataclass
class Measurement:
    wall_s: float  # wall time of the whole process, start to exit
    peak_rss_mb: float  # largest resident set of any one process (ru_maxrss of the process and its children)
    tree_rss_mb: float  # sampled peak of the summed resident sets of the process tree (main + workers)
    user_s: float
    sys_s: float
    exit: int
    load_before: float = 0.0  # 1-minute load average when the run started: other work skews the figures
    stderr_tail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


StageFn = Callable[[Site, Options], Measurement]


@dataclass
class Stage:
    name: str
    fn: StageFn
    target_s: dict[int, float]  # people -> wall-time target


STAGES: dict[str, Stage] = {}


def stage(name: str, target_s: dict[int, float] | None = None) -> Callable[[StageFn], StageFn]:
    def register(fn: StageFn) -> StageFn:
        STAGES[name] = Stage(name, fn, target_s or {})
        return fn
    return register


# ------------------------------------------------------------------ measuring


def _tree_rss_kb(root_pid: int) -> int:
    """Summed RSS of a process and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2:].split()
        pid = int(name)
        parents[pid] = int(fields[1])
        rss[pid] = int(fields[21]) * page_kb
    total = 0
    for pid in rss:
        p = pid
        while p and p != root_pid:
            p = parents.get(p, 0)
        if p == root_pid:
            total += rss[pid]
    return total


def measure(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, sample_s: float = 0.1) -> Measurement:
    """Run cmd in a new process; wall time, peak memory and CPU time of it and its children."""
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err)
        peak_tree = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak_tree
            while not done.wait(sample_s):
                peak_tree = max(peak_tree, _tree_rss_kb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        # wait4: this child's own rusage, its waited-for descendants included
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read().decode("utf-8", "replace").strip().splitlines()[-5:]
    return Measurement(round(wall, 3), round(ru.ru_maxrss / 1024, 1), round(max(peak_tree, ru.ru_maxrss) / 1024, 1),
                       round(ru.ru_utime, 3), round(ru.ru_stime, 3), proc.returncode, round(load_before, 2), "\n".join(tail))


def run_cli(site: Site, *args: str) -> Measurement:
    """Time `python -m generator <args> --config <site>/site_config.yml` in a fresh process."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return measure([PY, "-m", "generator", *args, "--config", str(site.config)], cwd=REPO, env=env)


# ------------------------------------------------------------------ stages


@stage("check", target_s={10_000: 3.0})
def check(site: Site, opts: Options) -> Measurement:
    """Every file parsed (--no-cache): a first check, or one after the generator changed."""
    return run_cli(site, "check", "--strict", "--no-cache")


@stage("check-warm", target_s={10_000: 3.0})
def check_warm(site: Site, opts: Options) -> Measurement:
    """A later check of unchanged files: parses read back from build/.cache
    (generator/loadcache.py; written by the untimed check before the first run)."""
    cache = site.root / "build" / ".cache"
    if not list(cache.glob("records-*.pickle")):
        subprocess.run([PY, "-m", "generator", "check", "--config", str(site.config)], cwd=REPO, capture_output=True, check=False)
        for _ in range(600):  # written by a detached process after the check returned
            if list(cache.glob("records-*.pickle")):
                break
            time.sleep(0.1)
    return run_cli(site, "check", "--strict")


def tree_bytes(path: Path) -> int:
    """Bytes of the files under path, a file with several hard links counted once."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for dirpath, _, names in os.walk(path):
        for n in names:
            st = os.lstat(os.path.join(dirpath, n))
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_size
    return total


def _differing_pages(a: Path, b: Path) -> int:
    """HTML pages of a that are missing from b or differ from b's."""
    return sum(1 for p in a.rglob("*.html") if not (b / p.relative_to(a)).is_file() or p.read_bytes() != (b / p.relative_to(a)).read_bytes())


# Our build without the search index (POST_STEPS), to compare with the engine alone.
_WITHOUT_INDEX = ("import sys\nfrom generator import build\nbuild.POST_STEPS.clear()\n"
                  "from generator.cli import main\nsys.exit(main(sys.argv[1:]))")


def _page_sizes(site_dir: Path) -> dict[str, dict[str, Any]]:
    """Record page HTML sizes per kind (bench/page_sizes.py), printed: issue 3 wants each at most 25 KB."""
    from bench import page_sizes

    sizes = page_sizes.measure(site_dir)
    for line in page_sizes.report(sizes).splitlines():
        print(f"      {line}", flush=True)
    return {kind: {k: v for k, v in s.items() if k != "largest"} for kind, s in sizes.items()}


@stage("build")
def build(site: Site, opts: Options) -> Measurement:
    """`generator build` from scratch (no work folder yet), in a fresh process;
    then, to compare with MkDocs alone: the same build without the search index,
    and `mkdocs build` of the docs/ and mkdocs.yml that build generated (same
    pages, same theme). The returned measurement is the full build."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "NO_MKDOCS_2_WARNING": "1"}
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        args = ["build", "--config", str(site.config)]
        full = measure([PY, "-m", "generator", *args, "--out", f"{tmp}/site"], cwd=REPO, env=env)
        size = tree_bytes(Path(tmp, "site"))
        pages = sum(1 for _ in Path(tmp, "site").rglob("*.html"))
        sizes = _page_sizes(Path(tmp, "site")) if full.exit == 0 else {}
        shutil.rmtree(f"{tmp}/site", ignore_errors=True)
        ours = measure([PY, "-c", _WITHOUT_INDEX, *args, "--out", f"{tmp}/noindex"], cwd=REPO, env=env)
        work = Path(tmp, ".cache", "noindex")  # the engine's work folder of that build (generator/workdir.py)
        bare = measure([PY, "-m", "mkdocs", "build", "-q", "-f", str(work / "mkdocs.yml"), "-d", f"{tmp}/bare"], cwd=REPO, env=env)
        differ = _differing_pages(Path(tmp, "noindex"), Path(tmp, "bare")) if ours.exit == 0 and bare.exit == 0 else -1
    cpu = lambda m: round(m.user_s + m.sys_s, 2)  # noqa: E731
    ratio = round(ours.wall_s / bare.wall_s, 3) if bare.wall_s else None
    ratio_cpu = round(cpu(ours) / cpu(bare), 3) if cpu(bare) else None
    print(f"    build: {pages} 个页面，{size / 2**20:.0f} MB；完整生成 {full.wall_s:.1f} 秒（CPU {cpu(full):.1f}）；"
          f"不建索引 {ours.wall_s:.1f} 秒（CPU {cpu(ours)}），MkDocs 单独生成同样的页面 {bare.wall_s:.1f} 秒（CPU {cpu(bare)}）："
          f"{ratio} 倍（CPU {ratio_cpu} 倍）；与 MkDocs 输出不同的页面 {differ} 个", flush=True)
    full.extra = {"bytes": size, "html_pages": pages, "noindex_s": ours.wall_s, "noindex_cpu_s": cpu(ours),
                  "noindex_peak_rss_mb": ours.peak_rss_mb, "mkdocs_s": bare.wall_s, "mkdocs_cpu_s": cpu(bare),
                  "mkdocs_peak_rss_mb": bare.peak_rss_mb, "ratio_to_mkdocs": ratio, "ratio_to_mkdocs_cpu": ratio_cpu,
                  "pages_differing_from_mkdocs": differ, "page_sizes": sizes}
    if ours.exit or bare.exit:
        full.exit = full.exit or ours.exit or bare.exit
        full.stderr_tail = full.stderr_tail or ours.stderr_tail or bare.stderr_tail
    return full


# The same build without views.archives, in a fresh process like every other run.
_WITHOUT_ARCHIVES = ("import sys\nfrom generator import render\n"
                     "render.VIEWS = tuple(v for v in render.VIEWS if v != 'views.archives')\n"
                     "from generator.cli import main\nsys.exit(main(sys.argv[1:]))")


@stage("archives")
def archives(site: Site, opts: Options) -> Measurement:
    """Build time the archives add: a full build, and the same build without
    the archive view; the returned wall time is the difference."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        args = ["build", "--config", str(site.config)]
        full = measure([PY, "-m", "generator", *args, "--out", f"{tmp}/with"], cwd=REPO, env=env)
        pages = sum(1 for _ in Path(tmp, "with", "archives").rglob("*.html"))
        total = sum(1 for _ in Path(tmp, "with").rglob("*.html"))
        shutil.rmtree(f"{tmp}/with", ignore_errors=True)
        bare = measure([PY, "-c", _WITHOUT_ARCHIVES, *args, "--out", f"{tmp}/without"], cwd=REPO, env=env)
    added = round(full.wall_s - bare.wall_s, 3)
    # CPU time is the steadier figure when other work shares the machine
    cpu = round(full.user_s + full.sys_s - bare.user_s - bare.sys_s, 3)
    print(f"    archives: {site.people} 人，档案页面 {pages}/{total}；含档案 {full.wall_s:.1f} 秒，不含 {bare.wall_s:.1f} 秒，"
          f"增加 {added:.1f} 秒，CPU 增加 {cpu:.1f} 秒（每个档案页面 {1000 * cpu / max(pages, 1):.2f} 毫秒）", flush=True)
    return Measurement(wall_s=added, peak_rss_mb=max(full.peak_rss_mb, bare.peak_rss_mb), tree_rss_mb=max(full.tree_rss_mb, bare.tree_rss_mb),
                       user_s=round(full.user_s - bare.user_s, 3), sys_s=round(full.sys_s - bare.sys_s, 3), exit=full.exit or bare.exit,
                       load_before=max(full.load_before, bare.load_before), stderr_tail=full.stderr_tail if full.exit else bare.stderr_tail,
                       extra={"with_s": full.wall_s, "without_s": bare.wall_s, "cpu_added_s": cpu, "archive_pages": pages, "html_pages": total})


@stage("index", target_s={10_000: 10.0})
def index(site: Site, opts: Options) -> Measurement:
    """Pagefind (extended) indexing of the built site alone, in a fresh process;
    extra: index size and pages, and the time to first result in Chromium."""
    from bench import search_quality as sq

    built = site.root / "site"
    built_s = sq.built_site(site.config, built)  # once per size, not timed here
    shutil.rmtree(built / "pagefind", ignore_errors=True)
    stats_file = site.root / "index-stats.json"
    pages_file = site.root / "index-pages.txt"  # the pages the build indexed, found before timing
    pages_file.write_text("\n".join(sq.marked_pages(built)))
    m = measure([PY, "-c", sq.REINDEX, str(built), str(stats_file), str(pages_file)], cwd=REPO,
                env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    if m.exit == 0:
        stats = json.loads(stats_file.read_text())
        m.extra = {"index_mb": round(stats["bytes"] / 2**20, 2), "index_files": stats["files"], "pages": stats["pages"],
                   "built_s": built_s, **sq.time_to_first_result(built, runs=3)}
        print(f"    index: {stats['pages']} 页，索引 {m.extra['index_mb']} MB / {stats['files']} 个文件；"
              f"页头检索框首个结果 {m.extra['first_result_ms']} 毫秒，从链接打开检索页 {m.extra['results_page_ms']} 毫秒，"
              f"再检索 {m.extra['next_query_ms']} 毫秒", flush=True)
    return m


def _project(site: Site) -> Path:
    """A copy of the site's content and config for publishing (confirm edits it;
    the generated content stays as synth.py wrote it)."""
    return site.root / "publish"


def _fresh_project(site: Site) -> Path:
    proj = _project(site)
    shutil.rmtree(proj, ignore_errors=True)
    proj.mkdir(parents=True)
    shutil.copytree(site.root / "content", proj / "content")
    shutil.copy2(site.config, proj / "site_config.yml")
    return proj


def _editions(proj: Path) -> list[Path]:
    from generator.editions import id_key

    root = proj / "archive" / "editions"
    return sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: id_key(p.name)) if root.is_dir() else []


def _publish(proj: Path, note: str) -> Measurement:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return measure([PY, "-m", "generator", "publish", "--note", note, "--config", str(proj / "site_config.yml")], cwd=REPO, env=env)


@stage("publish", target_s={10_000: 60.0})
def publish(site: Site, opts: Options) -> Measurement:
    """A first edition from scratch, in a fresh process: `generator publish`
    (strict check, build, search index, BagIt bag with SHA-256 and SM3)."""
    proj = _fresh_project(site)
    m = _publish(proj, "基准测试：首次发布")
    eds = _editions(proj)
    if m.exit == 0 and eds:
        files = sum(1 for p in eds[-1].rglob("*") if p.is_file())
        m.extra = {"edition_bytes": tree_bytes(eds[-1]), "edition_files": files}
        print(f"    publish: 版本 {eds[-1].name}，{files} 个文件，{m.extra['edition_bytes'] / 2**20:.0f} MB", flush=True)
    return m


@stage("verify")
def verify(site: Site, opts: Options) -> Measurement:
    """`generator verify` of the newest edition (every file, both digests), in a fresh process."""
    proj = _project(site)
    if not _editions(proj):
        _fresh_project(site)
        _publish(proj, "基准测试：首次发布")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    m = measure([PY, "-m", "generator", "verify", "--config", str(proj / "site_config.yml")], cwd=REPO, env=env)
    eds = _editions(proj)
    if eds:
        m.extra = {"edition_bytes": tree_bytes(eds[-1]), "edition": eds[-1].name}
    return m


# Forms a leadership could confirm on the as-of date: publicity window over, every comment handled.
_PENDING = ("import sys\nfrom pathlib import Path\nfrom generator.config import load_config\n"
            "from generator.check import run_check\nfrom generator.derive import derive\nfrom generator.publicity import PENDING\n"
            "cfg, _ = load_config(Path(sys.argv[1]))\nsite = derive(cfg, run_check(cfg).content, cfg.as_of(None))\n"
            "ids = [fv.id for fv in sorted(site.forms.values(), key=lambda f: f.id) if fv.status == PENDING and "
            "all(c.get('disposition') for c in ((fv.rec.get('publicity') or {}).get('feedback') or []))]\n"
            "print(cfg.as_of(None).isoformat(), *ids[:int(sys.argv[2])])")
CONFIRMATIONS = 5


@stage("republish", target_s={10_000: 15.0})
def republish(site: Site, opts: Options) -> Measurement:
    """A new edition after the leadership confirmed 5 forms (`generator confirm`,
    not timed), in a fresh process; extra: the edition's files shared with the
    previous edition (hard links: not written, not hashed again) and those new."""
    proj = _project(site)
    if not _editions(proj):
        _fresh_project(site)
        _publish(proj, "基准测试：首次发布")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    conf = str(proj / "site_config.yml")
    out = subprocess.run([PY, "-c", _PENDING, conf, str(CONFIRMATIONS)], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    as_of, *ids = out.stdout.split()
    subprocess.run([PY, "-m", "generator", "confirm", *ids, "--on", as_of, "--config", conf], cwd=REPO, env=env,
                   capture_output=True, text=True, check=True)
    m = _publish(proj, f"基准测试：确认 {len(ids)} 份承诺表后重新发布")
    eds = _editions(proj)
    if m.exit == 0 and len(eds) >= 2:
        before = {(st.st_dev, st.st_ino) for st in (p.stat() for p in eds[-2].rglob("*") if p.is_file())}
        shared = new = new_bytes = new_pages = 0
        for p in eds[-1].rglob("*"):
            if not p.is_file():
                continue
            st = p.stat()
            if (st.st_dev, st.st_ino) in before:
                shared += 1
            else:
                new += 1
                new_bytes += st.st_size
                new_pages += p.suffix == ".html"
        m.extra = {"confirmed": ids, "files_shared_with_previous": shared, "files_new": new, "html_pages_new": new_pages,
                   "bytes_new": new_bytes, "edition": eds[-1].name}
        print(f"    republish: 确认 {len(ids)} 份后发布 {eds[-1].name}：{new_pages} 个页面有变化；{new} 个文件新写入（{new_bytes / 2**20:.1f} MB），"
              f"{shared} 个与上一版本共用（硬链接）", flush=True)
    return m


# ------------------------------------------------------------------ driver


def ensure_site(people: int, seed: int) -> tuple[Site, float | None]:
    root = OUT / f"p{people}-s{seed}"
    summary = synth.cached(root, people, seed)
    made = None
    if summary is None:
        t0 = time.perf_counter()
        summary = synth.generate(root, people, seed)
        made = round(time.perf_counter() - t0, 2)
    else:  # read every file once so each run starts from the same (warm) page cache
        for dirpath, _, names in os.walk(root / "content"):
            for n in names:
                with open(os.path.join(dirpath, n), "rb") as f:
                    f.read()
    return Site(root, people, seed, summary), made


def _row(cells: tuple[Any, ...], widths: tuple[int, ...]) -> str:
    """Right-aligned cells; CJK characters count as two columns."""
    out = []
    for c, w in zip(cells, widths):
        text = str(c)
        width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
        out.append(" " * max(1, w - width) + text)
    return "".join(out)


def git_commit() -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "generator", "bench"], cwd=REPO,
                               capture_output=True, text=True).stdout.strip()
        return sha + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def growth_exponents(rows: list[dict[str, Any]], small: int = 10_000, large: int = 50_000) -> list[dict[str, Any]]:
    """For each stage measured at both sizes: log(t_large / t_small) / log(large / small),
    of the wall time and of the CPU time (1.0: linear)."""
    import math

    out = []
    by = {(r["stage"], r["people"]): r for r in rows if r["ok"]}
    for (name, people), a in by.items():
        b = by.get((name, large))
        if people != small or b is None or a["wall_s"] <= 0 or a["user_s"] + a["sys_s"] <= 0:
            continue
        k = math.log(large / small)
        out.append({"stage": name, "from": small, "to": large,
                    "wall": round(math.log(b["wall_s"] / a["wall_s"]) / k, 3),
                    "cpu": round(math.log((b["user_s"] + b["sys_s"]) / (a["user_s"] + a["sys_s"])) / k, 3)})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="基准测试：按规模生成合成内容，逐个阶段在新进程中计时，并写出 bench/out/results.json")
    ap.add_argument("--sizes", default="1000,10000,50000", help="人员数，逗号分隔（默认 1000,10000,50000）")
    ap.add_argument("--stages", default=",".join(STAGES), help=f"阶段，逗号分隔（可选：{','.join(STAGES)}）")
    ap.add_argument("--seed", type=int, default=0, help="合成内容的随机种子（默认 0）")
    ap.add_argument("--repeat", type=int, default=3, help=f"每个阶段运行次数，报告中位数（默认 3；超过 {LARGE:,} 人的规模见 --repeat-large）")
    ap.add_argument("--repeat-large", type=int, default=1, help=f"超过 {LARGE:,} 人时每个阶段的运行次数（默认 1：一次即需数分钟）")
    ap.add_argument("--out", type=Path, default=OUT / "results.json", help="结果文件（默认 bench/out/results.json）")
    ap.add_argument("-v", "--verbose", action="store_true", help="显示每次运行的时间")
    args = ap.parse_args(argv)
    try:
        sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    except ValueError:
        ap.error(f"--sizes 应为逗号分隔的整数：{args.sizes}")
    names = [x.strip() for x in args.stages.split(",") if x.strip()]
    unknown = [n for n in names if n not in STAGES]
    if unknown:
        ap.error(f"未知的阶段：{'、'.join(unknown)}（可选：{','.join(STAGES)}）")
    names = [n for n in STAGES if n in names]  # declared order: later stages may use earlier output


    # Every run is timed as a user's second run: the generator's bytecode
    # compiled once here (the timed processes do not write it).
    compileall.compile_dir(str(REPO / "generator"), quiet=1)

    rows: list[dict[str, Any]] = []
    failed = False
    widths = (8, 8, 8, 10, 14, 10, 14, 14, 10, 8)
    print(_row(("阶段", "人员", "文件", "墙钟(秒)", "最小-最大", "CPU(秒)", "单进程峰值MB", "进程树峰值MB", "目标(秒)", "结果"), widths), flush=True)
    for people in sizes:
        opts = Options(max(1, args.repeat if people <= LARGE else args.repeat_large), args.verbose)
        site, made = ensure_site(people, args.seed)
        if made is not None:
            print(f"（已生成 {people} 人的合成内容：{site.summary['files']} 个文件，{made} 秒，{site.root}）", flush=True)
        for name in names:
            st = STAGES[name]
            runs = [st.fn(site, opts) for _ in range(opts.repeat)]
            walls = [r.wall_s for r in runs]
            ok = all(r.exit == 0 for r in runs)
            target = st.target_s.get(people)
            wall = statistics.median(walls)
            verdict = "失败" if not ok else ("" if target is None else ("达标" if wall <= target else "未达标"))
            failed |= not ok
            row = {
                "stage": name, "people": people, "seed": args.seed, "files": site.summary["files"],
                "bytes": site.summary["bytes"], "units": site.summary["units"], "repeat": opts.repeat,
                "wall_s": wall, "wall_s_min": min(walls), "wall_s_max": max(walls), "wall_s_all": walls,
                "peak_rss_mb": max(r.peak_rss_mb for r in runs), "tree_rss_mb": max(r.tree_rss_mb for r in runs),
                "user_s": statistics.median(r.user_s for r in runs), "sys_s": statistics.median(r.sys_s for r in runs),
                "load_before": max(r.load_before for r in runs), "ok": ok, "target_s": target, "met": None if target is None else (ok and wall <= target),
                "runs": [asdict(r) for r in runs],
            }
            rows.append(row)
            print(_row((name, people, site.summary["files"], f"{wall:.2f}", f"{min(walls):.2f}-{max(walls):.2f}",
                        f"{row['user_s'] + row['sys_s']:.2f}", f"{row['peak_rss_mb']:.0f}", f"{row['tree_rss_mb']:.0f}", "" if target is None else target, verdict), widths),
                  flush=True)
            busy = max(r.load_before for r in runs)
            if busy > 1.0:
                print(f"    注意：运行时系统负载为 {busy:.1f}（1 分钟平均），其他进程占用了 CPU，墙钟时间偏高", flush=True)
            if opts.verbose or not ok:
                for r in runs:
                    tail = r.stderr_tail.replace("\n", "\n      ")
                    print(f"    exit={r.exit} wall={r.wall_s}s user={r.user_s}s sys={r.sys_s}s load={r.load_before}\n      {tail}", flush=True)
    growth = growth_exponents(rows)
    for g in growth:
        print(f"增长指数 {g['stage']}（{g['from']} → {g['to']} 人）：墙钟 {g['wall']}，CPU {g['cpu']}"
              f"（1.0 为线性；log(t{g['to']}/t{g['from']}) / log({g['to']}/{g['from']})）", flush=True)
    result = {
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "results": rows,
        "growth": growth,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"结果已写入 {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
