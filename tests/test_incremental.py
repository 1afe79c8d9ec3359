"""Incremental builds: the engine's work folder (generator/workdir.py) is reused
only when that can give exactly what a clean build gives.

Every scenario builds once with a work folder, changes something (a record,
a page template, the theme overrides, the as-of date, the work folder itself),
builds again with the same work folder, and compares the result byte for byte
with a clean build of the same inputs (compare_trees: Pagefind's documented
reordering aside)."""
from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import build as build_mod
from generator import engine, render
from generator.build import BuildContext, build_site
from generator.workdir import STATE
from support.reproducible import compare_trees
from support.sites import config, copy_tree

MINI = Path(__file__).parent / "fixtures" / "mini" / "site_config.yml"
AS_OF = dt.date(2009, 7, 1)
EARLY = dt.date(2009, 5, 26)  # two forms still open for comment, others pending: statuses differ from AS_OF


def quiet(_msg: str) -> None:
    pass


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    """A private copy of the mini site: its site_config.yml."""
    return copy_tree(MINI, tmp_path / "proj")


def build(conf: Path, out: Path, cache: Path | None, as_of: dt.date = AS_OF) -> BuildContext:
    return build_site(config(conf), as_of, out, progress=quiet, cache=cache)


def same_as_clean(conf: Path, out: Path, tmp: Path, as_of: dt.date = AS_OF) -> None:
    clean = tmp / f"clean-{len(list(tmp.glob('clean-*')))}"
    build(conf, clean, None, as_of)
    assert compare_trees(clean, out) == []


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_unchanged_content_renders_nothing_again(proj: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = build(proj, tmp_path / "out", cache)
    assert first.engine.clean and first.engine.built == first.engine.pages
    again = build(proj, tmp_path / "out", cache)
    assert not again.engine.clean and again.engine.built == 0
    same_as_clean(proj, tmp_path / "out", tmp_path)


def test_one_edited_record_renders_only_its_pages(proj: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build(proj, tmp_path / "out", cache)
    edit(proj.parent / "content" / "forms" / "personal" / "li-si-2009.yml", "本人承诺合理用药", "本人郑重承诺合理用药")
    ctx = build(proj, tmp_path / "out", cache)
    assert not ctx.engine.clean
    assert "forms/li-si-2009.html" in ctx.engine.outputs
    assert 0 < ctx.engine.built < ctx.engine.pages / 2
    assert "本人郑重承诺合理用药" in (tmp_path / "out" / "forms" / "li-si-2009.html").read_text(encoding="utf-8")
    same_as_clean(proj, tmp_path / "out", tmp_path)


def test_added_then_removed_record_leaves_no_page(proj: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    person = proj.parent / "content" / "people" / "zhou-jiu.yml"
    person.write_text("name: 周九\nunit: rmyy\npost: 医师\nroles: [医务人员]\n", encoding="utf-8")
    build(proj, tmp_path / "out", cache)
    assert (tmp_path / "out" / "people" / "zhou-jiu.html").is_file()
    person.unlink()
    ctx = build(proj, tmp_path / "out", cache)
    assert not ctx.engine.clean and ctx.engine.removed >= 1
    assert not (tmp_path / "out" / "people" / "zhou-jiu.html").exists()
    assert not (cache / "docs" / "people" / "zhou-jiu.md").exists()
    same_as_clean(proj, tmp_path / "out", tmp_path)


def test_as_of_change_rewrites_every_page_whose_status_changed(proj: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build(proj, tmp_path / "out", cache, as_of=EARLY)
    ctx = build(proj, tmp_path / "out", cache, as_of=AS_OF)
    assert not ctx.engine.clean
    # statuses cascade to the form pages, the listings, home, board and statistics
    for page in ("forms/zhang-san-2009.html", "index.html", "board.html", "stats.html", "lists/forms/index.html"):
        assert page in ctx.engine.outputs
    same_as_clean(proj, tmp_path / "out", tmp_path, as_of=AS_OF)


@pytest.fixture
def theme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of theme/, used by this test's builds only."""
    copy = tmp_path / "theme"
    shutil.copytree(render.THEME, copy)
    for mod in (render, engine, build_mod):
        monkeypatch.setattr(mod, "THEME", copy)
    return copy


def test_page_template_change_renders_the_pages_that_use_it(proj: Path, tmp_path: Path, theme: Path) -> None:
    cache = tmp_path / "cache"
    build(proj, tmp_path / "out", cache)
    edit(theme / "templates" / "person.html", "</div>", '<p class="lz-test">模板已修改</p></div>')
    ctx = build(proj, tmp_path / "out", cache)
    assert not ctx.engine.clean
    assert "people/li-si.html" in ctx.engine.outputs and "units/rmyy.html" not in ctx.engine.outputs
    assert "模板已修改" in (tmp_path / "out" / "people" / "li-si.html").read_text(encoding="utf-8")
    same_as_clean(proj, tmp_path / "out", tmp_path)


def test_theme_override_change_builds_clean(proj: Path, tmp_path: Path, theme: Path) -> None:
    cache = tmp_path / "cache"
    build(proj, tmp_path / "out", cache)
    edit(theme / "overrides" / "main.html", '<meta name="generator" content="lianzheng-site">',
         '<meta name="generator" content="lianzheng-site"><meta name="lz-test" content="1">')
    ctx = build(proj, tmp_path / "out", cache)
    assert ctx.engine.clean and ctx.engine.built == ctx.engine.pages
    assert '<meta name="lz-test" content="1">' in (tmp_path / "out" / "units" / "rmyy.html").read_text(encoding="utf-8")
    same_as_clean(proj, tmp_path / "out", tmp_path)


def test_theme_asset_change_is_copied(proj: Path, tmp_path: Path, theme: Path) -> None:
    cache = tmp_path / "cache"
    build(proj, tmp_path / "out", cache)
    css = theme / "assets" / "site.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* 已修改 */\n", encoding="utf-8")
    ctx = build(proj, tmp_path / "out", cache)
    assert not ctx.engine.clean and ctx.engine.built == 0
    assert "已修改" in (tmp_path / "out" / "assets" / "site.css").read_text(encoding="utf-8")
    same_as_clean(proj, tmp_path / "out", tmp_path)


def test_changed_output_in_work_folder_or_site_is_rebuilt(proj: Path, tmp_path: Path) -> None:
    """The served site shares files with the work folder (hard links): an
    output changed in either place is not trusted, whatever its size."""
    cache = tmp_path / "cache"
    out = tmp_path / "out"
    build(proj, out, cache)
    for target in (cache / "site" / "people" / "li-si.html", out / "forms" / "li-si-2009.html"):
        data = bytearray(target.read_bytes())
        data[-20] ^= 1  # same size, one byte different
        with open(target, "r+b") as f:  # in place, as an editor might
            f.write(data)
    ctx = build(proj, out, cache)
    assert not ctx.engine.clean
    assert {"people/li-si.html", "forms/li-si-2009.html"} <= set(ctx.engine.outputs)
    same_as_clean(proj, out, tmp_path)


def test_rebuild_never_changes_a_finished_site(proj: Path, tmp_path: Path) -> None:
    """Pages rewritten by a later build are new files: a site swapped out
    earlier (or an edition) keeps its bytes."""
    cache = tmp_path / "cache"
    build(proj, tmp_path / "first", cache)
    before = {p: p.read_bytes() for p in (tmp_path / "first").rglob("*.html")}
    edit(proj.parent / "content" / "forms" / "personal" / "li-si-2009.yml", "本人承诺合理用药", "本人郑重承诺合理用药")
    build(proj, tmp_path / "second", cache)
    assert {p: p.read_bytes() for p in (tmp_path / "first").rglob("*.html")} == before


CRASH = """
import datetime as dt, os, sys
from pathlib import Path
from generator import engine
from generator.build import build_site
from support.sites import config
calls = 0
real = engine._render_page
def render_then_die(job, page):
    global calls
    calls += 1
    if calls > int(sys.argv[3]):
        os._exit(9)  # no cleanup, no finally: as if killed
    return real(job, page)
engine._render_page = render_then_die
build_site(config(Path(sys.argv[1])), dt.date(2009, 7, 1), Path(sys.argv[2]), progress=lambda m: None, cache=Path(sys.argv[4]))
"""


def test_crash_mid_engine_leaves_a_work_folder_no_build_trusts(proj: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build(proj, tmp_path / "out", cache)
    assert (cache / STATE).is_file()
    edit(proj.parent / "content" / "forms" / "personal" / "li-si-2009.yml", "本人承诺合理用药", "本人郑重承诺合理用药")
    tests = Path(__file__).parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tests), str(tests.parent)])}
    res = subprocess.run([sys.executable, "-c", CRASH, str(proj), str(tmp_path / "out"), "1", str(cache)], env=env,
                         capture_output=True, text=True)
    assert res.returncode == 9, res.stderr
    assert not (cache / STATE).exists()  # the engine had started: nothing in the folder is trusted
    ctx = build(proj, tmp_path / "out", cache)
    assert ctx.engine.clean and ctx.engine.built == ctx.engine.pages
    same_as_clean(proj, tmp_path / "out", tmp_path)


def test_failed_build_keeps_the_work_folder_consistent(proj: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A step failing after the engine (the search index) fails the build; the
    work folder holds a complete engine run and its state says so."""
    cache = tmp_path / "cache"
    build(proj, tmp_path / "out", cache)
    edit(proj.parent / "content" / "forms" / "personal" / "li-si-2009.yml", "本人承诺合理用药", "本人郑重承诺合理用药")

    def boom(ctx: BuildContext) -> None:
        raise RuntimeError("injected")

    monkeypatch.setattr(build_mod, "POST_STEPS", [boom])
    with pytest.raises(RuntimeError):
        build(proj, tmp_path / "out", cache)
    assert "本人郑重" not in (tmp_path / "out" / "forms" / "li-si-2009.html").read_text(encoding="utf-8")
    monkeypatch.undo()
    ctx = build(proj, tmp_path / "out", cache)
    assert not ctx.engine.clean and ctx.engine.built == 0  # the failed build's engine run is reused
    same_as_clean(proj, tmp_path / "out", tmp_path)


def test_state_from_another_engine_is_not_trusted(proj: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build(proj, tmp_path / "out", cache)
    state = json.loads((cache / STATE).read_text(encoding="utf-8"))
    state["fingerprint"] = "0" * 64
    (cache / STATE).write_text(json.dumps(state), encoding="utf-8")
    ctx = build(proj, tmp_path / "out", cache)
    assert ctx.engine.clean


def test_busy_work_folder_builds_in_a_private_one(proj: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build(proj, tmp_path / "out", cache)
    state = (cache / STATE).read_bytes()
    fd = os.open(cache.parent / f"{cache.name}.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another build holds it
        edit(proj.parent / "content" / "forms" / "personal" / "li-si-2009.yml", "本人承诺合理用药", "本人郑重承诺合理用药")
        ctx = build(proj, tmp_path / "out", cache)
    finally:
        os.close(fd)
    assert ctx.engine.clean and ctx.work is None
    assert (cache / STATE).read_bytes() == state  # untouched
    assert not list(tmp_path.glob(".out-staging-*"))
    same_as_clean(proj, tmp_path / "out", tmp_path)


def test_default_work_folder_is_beside_the_output(proj: Path, tmp_path: Path) -> None:
    ctx = build_site(config(proj), AS_OF, tmp_path / "site", progress=quiet)
    assert ctx.work == tmp_path / ".cache" / "site"
    drafts = build_site(config(proj), AS_OF, tmp_path / "site", drafts=True, progress=quiet)
    assert drafts.work == tmp_path / ".cache" / "site-drafts"


def test_engine_in_a_process_of_its_own_gives_the_same_site(proj: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Big sites run the engine in a fresh process (engine.run_engine): the
    same pages, clean and incremental."""
    monkeypatch.setattr(engine, "APART_PAGES", 0)
    cache = tmp_path / "cache"
    first = build(proj, tmp_path / "out", cache)
    assert first.engine.clean and first.engine.built == first.engine.pages
    same_as_clean(proj, tmp_path / "out", tmp_path)
    edit(proj.parent / "content" / "forms" / "personal" / "li-si-2009.yml", "本人承诺合理用药", "本人郑重承诺合理用药")
    ctx = build(proj, tmp_path / "out", cache)
    assert not ctx.engine.clean and 0 < ctx.engine.built < ctx.engine.pages
    same_as_clean(proj, tmp_path / "out", tmp_path)


# Pages kept from the last build (generator/memo.py): each edit changes what
# some pages show through a record they read, a form derived from it, an
# archive derived from it, or a grouping (memo.site_key); the next build keeps
# the other pages and must still equal a clean build.
RECORD_EDITS = {
    "person-name": ("people/li-si.yml", "name: 李四", "name: 李思"),
    "person-post": ("people/li-si.yml", "post: 内科医师", "post: 内科主治医师"),  # a row of the people listing
    "person-roles": ("people/li-si.yml", "roles: [处方医师, 医务人员]", "roles: [处方医师, 医务人员, 中层干部]"),
    "person-moves-department": ("people/li-si.yml", "department: nk", "department: yjk"),
    # 李四 becomes a cadre who was in 药剂科 at the end of 2009: that year joins 张三's on the department's
    # print page of the cadre archive (archives.post_at_year_end), whose records did not change
    "person-history": ("people/li-si.yml", "roles: [处方医师, 医务人员]", "roles: [处方医师, 医务人员, 中层干部]\nhistory:\n"
                       "  - unit: rmyy\n    department: yjk\n    post: 药师\n    start: 2008-01-01\n    end: 2010-01-31"),
    "assessment-grade": ("assessments/kp-li-si-2009.yml", "fulfilment_grade: 好", "fulfilment_grade: 较好"),
    "assessment-not-yet-done": ("assessments/kp-li-si-2009.yml", "assessed_on: 2009-12-20", "assessed_on: 2009-06-20"),
    "unit-short-name": ("units/rmyy.yml", "short_name: 人民医院", "short_name: 市人民医院"),
    "department-name": ("units/rmyy.yml", "name: 内科", "name: 大内科"),
    "feedback-handled": ("forms/personal/zhang-san-2009.yml", "disposition: 采纳", "disposition: 不采纳\n      reason: 已另行公开。"),
    "confirmation-removed": ("forms/personal/li-si-2009.yml", "confirmation:\n  by: 人民医院党政班子\n  on: 2009-06-02\n", ""),
    "risk-text": ("forms/personal/zhang-san-2009.yml", "采购计划中倾向特定供应商", "采购计划中倾向某一供应商"),
    "rule-title": ("rules/rmyy-ypcg.md", "title: 药品采购操作规程", "title: 药品集中采购操作规程"),
}


@pytest.mark.parametrize("name", sorted(RECORD_EDITS))
def test_pages_kept_from_the_last_build_equal_a_clean_build(proj: Path, tmp_path: Path, name: str) -> None:
    rel, old, new = RECORD_EDITS[name]
    cache = tmp_path / "cache"
    first = build(proj, tmp_path / "out", cache)
    assert not any(p.kept for p in first.pages)
    edit(proj.parent / "content" / rel, old, new)
    ctx = build(proj, tmp_path / "out", cache)
    same_as_clean(proj, tmp_path / "out", tmp_path)
    kept = {p.path for p in ctx.pages if p.kept}
    if name not in ("person-name", "person-moves-department", "person-roles", "assessment-not-yet-done", "unit-short-name",
                    "department-name", "confirmation-removed"):  # these change how records are grouped: all rendered again
        assert kept and "people/wang-wu.md" in kept
    if name == "person-post":
        assert "lists/people/index.md" not in kept
    if name == "person-history":
        assert "archives/print/lianzheng/rmyy/2009/dept-yjk.md" not in kept


def test_unchanged_content_keeps_every_record_page(proj: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build(proj, tmp_path / "out", cache)
    ctx = build(proj, tmp_path / "out", cache)
    kept = {p.path for p in ctx.pages if p.kept}
    assert {"forms/li-si-2009.md", "people/li-si.md", "print/rmyy.md", "lists/people/index.md"} <= kept
    assert "index.md" not in kept  # not a record page: always rendered
    edit(proj.parent / "content" / "forms" / "personal" / "li-si-2009.yml", "本人承诺合理用药", "本人郑重承诺合理用药")
    ctx = build(proj, tmp_path / "out", cache)
    kept = {p.path for p in ctx.pages if p.kept}
    assert "forms/li-si-2009.md" not in kept and "people/li-si.md" not in kept and "print/rmyy.md" not in kept
    assert "people/wang-wu.md" in kept and "forms/zhang-san-2009.md" in kept
    same_as_clean(proj, tmp_path / "out", tmp_path)


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the forms a print page renders (rather than takes over), in order."""
    from generator.views import units

    got: list[str] = []
    real = units.form_html
    monkeypatch.setattr(units, "form_html", lambda r, fv: got.append(fv.id) or real(r, fv))
    return got


def test_print_page_renders_again_only_the_forms_that_changed(proj: Path, tmp_path: Path, rendered: list[str]) -> None:
    """A unit's print page holds every form of the unit: when some change, the
    others' HTML is taken over from the last build's page (views.units.LastPrint),
    and the page still equals a clean build's."""
    cache = tmp_path / "cache"
    build(proj, tmp_path / "out", cache)
    first = set(rendered)
    assert {"zhang-san-2009", "li-si-2009", "rmyy-2009"} <= first  # all of rmyy's forms, for its print page
    rendered.clear()
    edit(proj.parent / "content" / "forms" / "personal" / "zhang-san-2009.yml", "采购计划中倾向特定供应商", "采购计划中倾向某一供应商")
    ctx = build(proj, tmp_path / "out", cache)
    assert "print/rmyy.md" not in {p.path for p in ctx.pages if p.kept}
    # the unit's form read 张三's form too (its memo entry lists it); 李四's and the department's did not
    again = sorted(p.path.removeprefix("forms/").removesuffix(".md") for p in ctx.pages if p.path.startswith("forms/") and not p.kept)
    assert again == ["rmyy-2009", "zhang-san-2009"]
    assert sorted(rendered) == again
    same_as_clean(proj, tmp_path / "out", tmp_path)
    # a hand-edited print page in the work folder is not taken over from
    rendered.clear()
    doc = cache / "docs" / "print" / "rmyy.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("采购", "釆购"), encoding="utf-8")
    edit(proj.parent / "content" / "forms" / "personal" / "zhang-san-2009.yml", "采购计划中倾向某一供应商", "采购计划中倾向特定供应商")
    build(proj, tmp_path / "out", cache)
    assert {"zhang-san-2009", "li-si-2009", "rmyy-2009"} <= set(rendered)
    same_as_clean(proj, tmp_path / "out", tmp_path)


def test_print_page_renders_again_the_forms_that_ship_a_qr_code(proj: Path, tmp_path: Path, rendered: list[str]) -> None:
    """A form open for comment carries its comment QR code, a file the print
    page ships: its HTML is rendered, not taken over."""
    cache = tmp_path / "cache"
    day = dt.date(2009, 5, 28)  # 李四's form is open for comment, the unit's other forms are not
    first = build(proj, tmp_path / "out", cache, day)
    on_page = set(re.findall(r'data-lz-form="(.+?)"', (tmp_path / "out" / "print" / "rmyy.html").read_text(encoding="utf-8")))
    with_qr = {p.path.removeprefix("forms/").removesuffix(".md") for p in first.pages
               if p.path.startswith("forms/") and any(f.startswith("qr/") for f in p.files)}
    assert on_page & with_qr == {"li-si-2009"}
    rendered.clear()
    edit(proj.parent / "content" / "forms" / "personal" / "zhang-san-2009.yml", "采购计划中倾向特定供应商", "采购计划中倾向某一供应商")
    build(proj, tmp_path / "out", cache, day)
    assert "li-si-2009" in rendered and "rmyy-yjk-2009" not in rendered
    same_as_clean(proj, tmp_path / "out", tmp_path, day)


@pytest.mark.parametrize("clean", [False, True], ids=["dirty", "clean"])
def test_a_killed_runs_temp_files_never_reach_the_site(proj: Path, tmp_path: Path, clean: bool) -> None:
    """engine.write_atomic writes .<name>.<pid>.tmp and renames it: a run
    killed in between leaves it in the work folder's site/, where MkDocs'
    clean_directory and the dirty build's sweep both skip hidden files."""
    cache = tmp_path / "cache"
    build(proj, tmp_path / "out", cache)
    (cache / "site" / ".404.html.99999.tmp").write_text("半个文件", encoding="utf-8")
    (cache / "site" / "units" / ".rmyy.html.99999.tmp").write_text("半个文件", encoding="utf-8")
    if clean:
        (cache / STATE).unlink()  # as the killed run left it: the next build is clean
    ctx = build(proj, tmp_path / "out", cache)
    assert ctx.engine.clean == clean
    assert not list((tmp_path / "out").rglob("*.tmp")) and not list((cache / "site").rglob("*.tmp"))
    same_as_clean(proj, tmp_path / "out", tmp_path)
