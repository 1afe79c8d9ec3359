"""Forms kept between builds (generator/memo.py): after any one record
changes, an incremental build equals a clean build byte for byte, and the
forms that did not change were not rendered again."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from generator import render
from generator.build import build_site
from support.reproducible import compare_trees
from support.sites import config, copy_tree

MINI = Path(__file__).parent / "fixtures" / "mini" / "site_config.yml"
AS_OF = dt.date(2009, 7, 1)
# the first text value of a record, lengthened: a change every record type allows
TEXT = re.compile(r"^(\s*(?:- )?(?:name|title|point|short_name|duties|text|pledge|summary|label|content|fulfilment): *)(\S.*)$", re.M)
FILES = sorted(p.relative_to(MINI.parent / "content").as_posix() for p in (MINI.parent / "content").rglob("*.*")
               if p.suffix in (".yml", ".md") and p.name != "campaign.md")


def quiet(_msg: str) -> None:
    pass


@pytest.fixture(scope="module")
def proj(tmp_path_factory: pytest.TempPathFactory) -> Path:
    conf = copy_tree(MINI, tmp_path_factory.mktemp("memo") / "proj")
    build_site(config(conf), AS_OF, conf.parent / "out", progress=quiet, cache=conf.parent / "cache")
    return conf


@pytest.mark.parametrize("rel", FILES)
def test_after_one_record_changes_the_build_equals_a_clean_one(proj: Path, rel: str, tmp_path: Path) -> None:
    path = proj.parent / "content" / rel
    text = path.read_text(encoding="utf-8")
    m = TEXT.search(text)
    if m is None:
        pytest.skip("no free text to change")
    path.write_text(text[:m.end(2)] + "（修订）" + text[m.end(2):], encoding="utf-8")
    ctx = build_site(config(proj), AS_OF, proj.parent / "out", progress=quiet, cache=proj.parent / "cache")
    reused = render.LAST_REUSED
    build_site(config(proj), AS_OF, tmp_path / "clean", progress=quiet, cache=None)
    assert compare_trees(tmp_path / "clean", proj.parent / "out") == []
    forms = len([p for p in ctx.pages if p.path.startswith("forms/")])
    # a form shows the names of the people, units and rules it names: a change
    # to one of those renders the forms naming it again, any other the edited form at most
    if rel.startswith(("forms/", "assessments/", "flows/", "campaign")):
        assert reused >= forms - 1, (rel, reused, forms)


def test_configuration_change_renders_every_form_again(proj: Path, tmp_path: Path) -> None:
    conf = proj
    build_site(config(conf), AS_OF, conf.parent / "out", progress=quiet, cache=conf.parent / "cache")
    text = conf.read_text(encoding="utf-8")
    assert "comment_url:" in text
    conf.write_text(re.sub(r"comment_url: *\"?([^\"\n]+)\"?", r'comment_url: "\1&v=2"', text, count=1), encoding="utf-8")
    build_site(config(conf), AS_OF, conf.parent / "out", progress=quiet, cache=conf.parent / "cache")
    assert render.LAST_REUSED == 0
    build_site(config(conf), AS_OF, conf.parent / "out", progress=quiet, cache=conf.parent / "cache")
    assert render.LAST_REUSED > 0
    build_site(config(conf), AS_OF, tmp_path / "clean", progress=quiet, cache=None)
    assert compare_trees(tmp_path / "clean", conf.parent / "out") == []
