"""Private values (records.py private=True: phone, id_number, home_address,
commenter, and any field declared private later) never reach an output file:
the site and its drafts preview, Pagefind's index fragments (gzip), sitemaps,
an edition's site, report and bag files, and the spreadsheets exported.
An edition's data/content keeps them only when archive_restricted is true.

The private fixtures are generated from the declarations: every private field
of every record type gets a distinctive value, in a record that has the block
holding it (a form without comments gets one).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from adversarial.hostile import Corpus, output_files, plant, read_any
from generator.check import iter_private_values, run_check
from generator.config import load_config
from generator.fields import Shape
from generator.load import record_type_for
from generator.records import RECORD_TYPES
from tests.conftest import run_cli

DRAFT_SECRET = "13800138000"  # a phone number in content/people/_drafts/, which the loader skips
SHAPES = {"phone": "1390{n:07d}", "id_number": "3209001975{n:04d}123X", "home_address": "东台市幸福路{n}号隐私小区",
          "commenter": "举报人{n}号某某"}


def private_value(planter: Any, kp: str, f: Any) -> str:
    if f is not None and f.private:
        value = SHAPES.get(f.key, "保密值{n}号").format(n=planter.n)
        planter.c.placed[value] = (planter.file, kp)
        return value
    return f"公开文字{planter.n}"


def private_fields() -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()

    def walk(t: str, shape: Shape, path: str) -> None:
        for f in shape.fields:
            kp = f"{path}.{f.key}" if path else f.key
            if f.private:
                out.add((t, kp))
            elif f.kind == "shape" and f.shape:
                walk(t, f.shape, kp)
            elif f.kind == "list" and f.item is not None and f.item.kind == "shape" and f.item.shape:
                walk(t, f.item.shape, kp)

    for rt in RECORD_TYPES:
        walk(rt.name, rt.shape, "")
    return out


@dataclass
class Private:
    corpus: Corpus
    values: list[str]
    holders: set[str]  # content files holding a private value

    @property
    def root(self) -> Path:
        return self.corpus.root


@pytest.fixture(scope="module")
def private(tmp_path_factory: pytest.TempPathFactory) -> Private:
    root = tmp_path_factory.mktemp("private") / "site"
    corpus = plant(root, make=private_value, only_private=True)
    drafts = corpus.content / "people" / "_drafts"
    drafts.mkdir()
    (drafts / "draft.yml").write_text(f"name: 草稿\nphone: \"{DRAFT_SECRET}\"\n", encoding="utf-8")
    (corpus.content / "people" / "~$lock.yml").write_text(f"phone: \"{DRAFT_SECRET}\"\n", encoding="utf-8")
    restricted = root / "restricted.yml"
    restricted.write_text(corpus.config.read_text(encoding="utf-8") + "archive: archive-restricted\narchive_restricted: true\n",
                          encoding="utf-8")
    restricted.write_text(re.sub(r"(?m)^archive: archive\n", "", restricted.read_text(encoding="utf-8")), encoding="utf-8")
    conf = str(corpus.config)
    for argv in (("--config", conf, "build"), ("--config", conf, "build", "--drafts", "--out", str(root / "build" / "drafts")),
                 ("--config", conf, "publish", "--note", "隐私测试"),
                 ("--config", str(restricted), "publish", "--note", "受限存储"),
                 ("--config", conf, "export", "--out", str(root / "out" / "表.xlsx")),
                 ("--config", conf, "export", "--format", "csv", "--out", str(root / "out" / "表.csv"))):
        run = run_cli(*argv)
        assert run.code == 0, f"{argv}: {run.err}"
    cfg, _ = load_config(corpus.config)
    assert cfg is not None
    values = sorted(set(iter_private_values(run_check(cfg, workers=1).content)))
    holders = {f for f, _ in corpus.placed.values()}
    return Private(corpus, values, holders)


def test_every_private_field_holds_a_value(private: Private) -> None:
    planted = {(record_type_for(f).name, re.sub(r"\.\d+", "", kp)) for f, kp in private.corpus.placed.values()}  # type: ignore[union-attr]
    assert private_fields() <= planted, "a private field has no value in the fixtures"
    assert sorted(private.corpus.placed) == private.values, "the check sees exactly the planted private values"
    assert len(private.values) >= 15


def leaks(files: list[Path], values: list[str]) -> list[str]:
    out = []
    for p in files:
        text = read_any(p)
        out += [f"{p}: {v}" for v in values if v in text]
    return out


def test_no_private_value_in_any_output(private: Private) -> None:
    """Site, drafts preview, Pagefind fragments and index, sitemaps, the
    edition (site, report, bag-info, manifests) and both spreadsheets."""
    root = private.root
    files = (output_files(root / "build") + output_files(root / "out") +
             [p for p in output_files(root / "archive")])
    kinds = {p.suffix for p in files}
    assert {".html", ".pf_fragment", ".pf_index", ".gz", ".xlsx", ".csv", ".json", ".txt"} <= kinds
    assert leaks(files, private.values + [DRAFT_SECRET]) == []


def test_restricted_store_keeps_them_in_data_content_only(private: Private) -> None:
    archive = private.root / "archive-restricted"
    (edition,) = (archive / "editions").iterdir()
    content = [p for p in output_files(edition / "data" / "content")]
    kept = {v for p in content for v in private.values if v in read_any(p)}
    assert kept == set(private.values), "a restricted store keeps the records as written"
    others = [p for p in output_files(archive) if edition / "data" / "content" not in p.parents]
    assert leaks(others, private.values) == []
    assert "受限存储" in (edition / "data" / "report" / "privacy.txt").read_text(encoding="utf-8")
    assert leaks(content, [DRAFT_SECRET]) == [], "files the check skips (_drafts, ~$ lock files) are not archived"


def test_default_edition_strips_them_and_says_so(private: Private) -> None:
    (edition,) = (private.root / "archive" / "editions").iterdir()
    privacy = (edition / "data" / "report" / "privacy.txt").read_text(encoding="utf-8")
    assert f"已剔除保密字段（{len(private.holders)} 个文件）" in privacy
    copied = {p.relative_to(edition / "data" / "content").as_posix() for p in output_files(edition / "data" / "content")}
    assert private.holders <= copied  # stripped, not dropped
    assert not any(c.startswith(("people/_drafts/", "people/~$")) for c in copied)
    run = run_cli("--config", str(private.corpus.config), "verify", "--all")
    assert run.code == 0, run.err
