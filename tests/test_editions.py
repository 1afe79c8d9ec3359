"""Editions: immutable BagIt bags in SHA-256 and SM3, verified, diffed,
reproducible, never half-written or overwritten."""
from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.build import BuildFailed
from generator.editions import Archive, CopyMemo, publish, rebuild, verify
from generator.problems import UserError
from support.reproducible import compare_trees
from support.sites import config, copy_tree

MINI = Path(__file__).parent / "fixtures" / "mini" / "site_config.yml"
AS_OF = dt.date(2009, 7, 1)


def quiet(_msg: str) -> None:
    pass


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_tree(MINI, tmp_path / "proj")


def cli(conf: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args, "--config", str(conf)], capture_output=True, text=True)


def test_publish_twice_both_verify_and_loc_bagit_accepts(project: Path) -> None:
    cfg = config(project)
    first = publish(cfg, AS_OF, "首次发布", quiet)
    second = publish(cfg, AS_OF, "再次发布", quiet)
    assert (first.id, second.id) == ("2009-07-01.1", "2009-07-01.2")
    archive = Archive(cfg.archive_dir)
    assert archive.ids() == [first.id, second.id]
    for eid in archive.ids():
        assert verify(archive, eid) == []
        bag = archive.path(eid)
        for name in ("manifest-sha256.txt", "manifest-sm3.txt", "tagmanifest-sha256.txt", "tagmanifest-sm3.txt"):
            assert (bag / name).is_file()
        # the Library of Congress validator, in a fresh process
        loc = subprocess.run([sys.executable, "-m", "bagit", "--validate", str(bag)], capture_output=True, text=True)
        assert loc.returncode == 0, loc.stderr
    info = (archive.path(second.id) / "bag-info.txt").read_text(encoding="utf-8")
    for key in ("Source-Organization: 测试市卫生局", f"External-Identifier: {second.id}", "Bagging-Date: 2009-07-01",
                "Payload-Oxum:", "Bag-Group-Identifier:", "Generator-Version:", "Dependency: mkdocs==1.6.1",
                "Content-Digest: sha256:", "Content-Git-Commit:", f"Supersedes: {first.id}", "Edition-Note: 再次发布", "Confirmations:"):
        assert key in info
    public = archive.public
    assert (public / "current").resolve() == (archive.path(second.id) / "data" / "site").resolve()
    versions = json.loads((public / "versions.json").read_text(encoding="utf-8"))
    assert [v["version"] for v in versions] == [second.id, first.id]
    assert versions[0]["aliases"] == ["current"]
    res = cli(project, "verify", "--all")
    assert res.returncode == 0 and "2 个完整无误" in res.stdout


def tamper_cases(site: Path) -> list[tuple[str, str]]:
    page = next(site.rglob("index.html"))
    return [("change", str(page.relative_to(site.parent.parent)))]


@pytest.mark.parametrize("how", ["change-byte", "add-file", "remove-file", "change-content"])
def test_any_change_fails_verify_naming_the_file(project: Path, how: str) -> None:
    cfg = config(project)
    eid = publish(cfg, AS_OF, "首次发布", quiet).id
    bag = Archive(cfg.archive_dir).path(eid)
    if how == "change-byte":
        target = bag / "data" / "site" / "index.html"
        data = bytearray(target.read_bytes())
        data[100] = (data[100] + 1) % 256
        target.write_bytes(bytes(data))
        named = "data/site/index.html"
    elif how == "add-file":
        (bag / "data" / "site" / "extra.html").write_text("x", encoding="utf-8")
        named = "data/site/extra.html"
    elif how == "remove-file":
        (bag / "data" / "site" / "campaign.html").unlink()
        named = "data/site/campaign.html"
    else:
        target = next((bag / "data" / "content" / "units").glob("*.yml"))
        target.write_text(target.read_text(encoding="utf-8") + " ", encoding="utf-8")
        named = str(target.relative_to(bag))
    problems = verify(Archive(cfg.archive_dir), eid)
    assert problems and any(p.file == named for p in problems), [p.format() for p in problems]
    res = cli(project, "verify", eid)
    assert res.returncode == 1 and named in res.stderr


@pytest.mark.parametrize("step", ["check", "build", "report", "bag"])
def test_failure_mid_publish_leaves_no_partial_edition(project: Path, step: str) -> None:
    cfg = config(project)
    first = publish(cfg, AS_OF, "首次发布", quiet)
    archive = Archive(cfg.archive_dir)
    before = sorted(str(p) for p in archive.root.rglob("*"))
    memo = cfg.output_dir.parent / ".cache" / CopyMemo.NAME
    kept = memo.read_bytes()

    def boom(at: str) -> None:
        if at == step:
            raise RuntimeError(f"injected failure after {at}")

    with pytest.raises(RuntimeError):
        publish(cfg, AS_OF, "中途失败", quiet, fail_after=boom)
    assert archive.ids() == [first.id]
    assert sorted(str(p) for p in archive.root.rglob("*")) == before
    assert verify(archive, first.id) == []
    assert memo.read_bytes() == kept  # the copy memo still describes the first edition
    assert not list(memo.parent.glob(f".{CopyMemo.NAME}.*"))


def test_concurrent_publish_is_refused(project: Path) -> None:
    cfg = config(project)
    archive = Archive(cfg.archive_dir)
    with archive.lock():
        with pytest.raises(UserError, match="另一个发布正在进行"):
            publish(cfg, AS_OF, "并发", quiet)
    assert archive.ids() == []


def test_existing_edition_is_never_overwritten(project: Path) -> None:
    cfg = config(project)
    archive = Archive(cfg.archive_dir)
    (archive.editions_dir / "2009-07-01.1").mkdir(parents=True)
    (archive.editions_dir / "2009-07-01.1" / "keep.txt").write_text("档案", encoding="utf-8")
    eid = publish(cfg, AS_OF, "下一版", quiet).id
    assert eid == "2009-07-01.2"
    assert (archive.editions_dir / "2009-07-01.1" / "keep.txt").read_text(encoding="utf-8") == "档案"


def test_strict_checks_refuse_to_publish(project: Path) -> None:
    unit = project.parent / "content" / "units" / "rmyy.yml"
    unit.write_text(unit.read_text(encoding="utf-8") + "\nnot_a_field: 1\n", encoding="utf-8")
    with pytest.raises(BuildFailed):
        publish(config(project), AS_OF, "坏记录", quiet)
    assert Archive(config(project).archive_dir).ids() == []


def test_diff_lists_known_changes_field_by_field(project: Path) -> None:
    cfg = config(project)
    a = publish(cfg, AS_OF, "首次发布", quiet).id
    content = project.parent / "content"
    form = content / "forms" / "personal" / "zhang-san-2009.yml"
    text = form.read_text(encoding="utf-8")
    before = re.search(r"level: (\S+)", text)
    assert before is not None
    old_level = {"一级": "高", "二级": "中", "三级": "低"}.get(before.group(1), before.group(1))
    new_level = "低" if old_level != "低" else "高"
    form.write_text(text.replace(before.group(0), f"level: {new_level}", 1), encoding="utf-8")
    (content / "people" / "zhao-qi.yml").write_text("name: 赵七\nunit: rmyy\npost: 副院长\nroles: [班子成员]\n", encoding="utf-8")
    (content / "assessments" / "kp-li-si-2009.yml").unlink()
    b = publish(cfg, AS_OF, "修改后发布", quiet).id
    res = cli(project, "diff", a, b)
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "新增 1 条、修改 1 条、删除 1 条记录" in out
    assert "新增 人员 zhao-qi（赵七）" in out and "删除 年度考评 kp-li-si-2009" in out
    assert "修改 个人廉政风险和自我防范承诺表 zhang-san-2009" in out
    assert f"风险点第1项 › 风险等级：{old_level} → {new_level}" in out
    changes = (Archive(cfg.archive_dir).path(b) / "data" / "report" / "changes.txt").read_text(encoding="utf-8")
    assert f"风险点第1项 › 风险等级：{old_level} → {new_level}" in changes


def test_private_values_stripped_from_edition_content(project: Path) -> None:
    from generator.check import iter_private_values, run_check

    cfg = config(project)
    private = [v for v in iter_private_values(run_check(cfg).content) if len(v) >= 4]
    assert private
    eid = publish(cfg, AS_OF, "首次发布", quiet).id
    bag = Archive(cfg.archive_dir).path(eid)
    for f in bag.rglob("*"):
        if f.is_file():
            text = f.read_bytes().decode("utf-8", errors="replace")
            assert not [v for v in private if v in text], f
    assert "已剔除保密字段" in (bag / "data" / "report" / "privacy.txt").read_text(encoding="utf-8")


def test_rebuild_from_edition_is_byte_identical(project: Path, tmp_path: Path) -> None:
    cfg = config(project)
    publish(cfg, AS_OF, "首次发布", quiet)
    eid = publish(cfg, AS_OF, "再次发布", quiet).id
    archive = Archive(cfg.archive_dir)
    out = rebuild(archive, eid, tmp_path / "rebuilt", quiet)
    assert compare_trees(archive.path(eid) / "data" / "site", out) == []


@pytest.mark.parametrize("layout", ["comment lines", "trailing comments"])
def test_comments_in_stripped_files_do_not_carry_private_values(project: Path, layout: str) -> None:
    """A clerk may note a phone number in a comment: a file stripped of its
    private fields loses its comments too (the quick line filter for comment
    lines, the YAML round trip when a line may end in a comment)."""
    import yaml

    person = project.parent / "content" / "people" / "zhang-san.yml"  # project: the copied site_config.yml
    text = person.read_text(encoding="utf-8")
    if layout == "comment lines":
        text = "# 张三 手机 13911112222\n" + text.replace("post: 药剂科主任\n", "post: 药剂科主任\n  # 备用电话 13911113333\n")
    else:
        text = text.replace("post: 药剂科主任\n", "post: 药剂科主任  # 电话 13911112222\n").replace(
            "title: 主任药师\n", "title: '主任药师 #1'  # 13911113333\n")
    person.write_text(text, encoding="utf-8")
    cfg = config(project)
    eid = publish(cfg, AS_OF, "首次发布", quiet).id
    copied = Archive(cfg.archive_dir).path(eid) / "data" / "content" / "people" / "zhang-san.yml"
    out = copied.read_text(encoding="utf-8")
    assert "1391111" not in out and "13900000002" not in out and "#" not in out.replace("'主任药师 #1'", "")
    expected = yaml.safe_load(text)
    del expected["phone"]
    assert yaml.safe_load(out) == expected


def test_unchanged_content_is_linked_on_the_word_of_the_copy_memo(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A publish remembers what it copied (CopyMemo): the next one links a
    file whose bytes the check read are those again without reading,
    stripping or hashing it; an edited file, and a file of the previous
    edition changed since, are copied as before, and the editions hold the
    same bytes as without the memo."""
    from generator import editions

    cfg = config(project)
    content = project.parent / "content"
    first = publish(cfg, AS_OF, "首次发布", quiet).id
    stripped: list[str] = []
    real = editions._stripped
    monkeypatch.setattr(editions, "_stripped", lambda rec, *a: stripped.append(rec.path) or real(rec, *a))
    person = content / "people" / "zhang-san.yml"  # private values: stripped in the edition
    person.write_text(person.read_text(encoding="utf-8").replace("phone: 13900000002", "phone: 13900000003"), encoding="utf-8")
    archive = Archive(cfg.archive_dir)
    old_copy = archive.path(first) / "data" / "content" / "people" / "zhao-liu.yml"
    text = old_copy.read_text(encoding="utf-8")
    old_copy.unlink()  # a file of the earlier edition replaced since (verify would say so): not trusted
    old_copy.write_text(text + "# 改动\n", encoding="utf-8")
    second = publish(cfg, AS_OF, "再次发布", quiet).id
    assert stripped == ["people/zhang-san.yml", "people/zhao-liu.yml"]
    new_content = archive.path(second) / "data" / "content"
    assert "13900000003" not in (new_content / "people" / "zhang-san.yml").read_text(encoding="utf-8")
    assert "# 改动" not in (new_content / "people" / "zhao-liu.yml").read_text(encoding="utf-8")
    assert verify(archive, second) == []
    linked = [p for p in new_content.rglob("*.yml") if p.stat().st_nlink > 1]
    assert len(linked) >= len(list(content.rglob("*.yml"))) - 2  # all but the two above shared with the first edition

    stripped.clear()
    (cfg.output_dir.parent / ".cache" / editions.CopyMemo.NAME).unlink()  # without the memo: every private file stripped again
    third = publish(cfg, AS_OF, "无记录时发布", quiet).id
    assert len(stripped) >= 3
    assert compare_trees(new_content, archive.path(third) / "data" / "content") == []
    stripped.clear()
    publish(cfg, AS_OF, "第四次发布", quiet)
    assert stripped == []  # the memo again, of the third edition
    memo = cfg.output_dir.parent / ".cache" / editions.CopyMemo.NAME
    lines = memo.read_text(encoding="utf-8").splitlines()
    damaged = [line + "x" if line.startswith("people/zhang-san.yml\t") else line for line in lines]  # edited by hand: passed over
    assert damaged != lines
    memo.write_text("\n".join(damaged) + "\n", encoding="utf-8")
    fifth = publish(cfg, AS_OF, "第五次发布", quiet).id
    assert stripped == ["people/zhang-san.yml"] and verify(archive, fifth) == []


def _first_edition(project: Path, apart: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[str]]:
    """A first edition of the mini site, its content copied beside the build
    (in a forked process) or before it; the edition and the copy memo's lines."""
    from generator import editions

    monkeypatch.setattr(editions, "COPY_APART_FILES", 0 if apart else 10**9)
    cfg = config(project)
    said: list[str] = []
    eid = publish(cfg, AS_OF, "首次发布", said.append).id
    assert any("与生成站点同时进行" in s for s in said) == apart, said
    memo = (cfg.output_dir.parent / ".cache" / CopyMemo.NAME).read_text(encoding="utf-8").splitlines()
    return Archive(cfg.archive_dir).path(eid), [line.split("\t")[0] for line in memo[1:]]


def test_a_first_edition_copied_beside_the_build_is_the_same_edition(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A first publish copies the content in a forked process while the site
    builds: the same edition (content, site, report, bag) and the same copy
    memo as copying first, and it verifies."""
    together, memo_together = _first_edition(copy_tree(MINI, tmp_path / "a" / "proj"), True, monkeypatch)
    alone, memo_alone = _first_edition(copy_tree(MINI, tmp_path / "b" / "proj"), False, monkeypatch)
    assert memo_together == memo_alone and len(memo_alone) > 10
    assert compare_trees(together / "data" / "content", alone / "data" / "content") == []
    assert compare_trees(together / "data" / "site", alone / "data" / "site") == []
    for name in ("manifest-sha256.txt", "manifest-sm3.txt"):
        listed = (together / name).read_text(encoding="utf-8").splitlines()
        assert sorted(l for l in listed if " data/content/" in l) == \
            sorted(l for l in (alone / name).read_text(encoding="utf-8").splitlines() if " data/content/" in l)
    assert not list(together.rglob(".apart-*"))
    assert verify(Archive(together.parent.parent), together.name) == []


def _second_edition(project: Path, apart: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[str]]:
    """A second edition of the mini site after a public and a private edit,
    its content copied beside the build (the change list from the copy memo)
    or before it; the edition and the copy memo's lines."""
    from generator import editions

    monkeypatch.setattr(editions, "COPY_APART_FILES", 10**9)
    cfg = config(project)
    publish(cfg, AS_OF, "首次发布", quiet)
    content = project.parent / "content"
    for rel, old, new in (("forms/personal/zhang-san-2009.yml", "采购计划中倾向特定供应商", "采购计划中倾向某一供应商"),
                          ("people/zhang-san.yml", "phone: 13900000002", "phone: 13900000009")):  # a private value
        text = (content / rel).read_text(encoding="utf-8")
        assert old in text
        (content / rel).write_text(text.replace(old, new), encoding="utf-8")
    monkeypatch.setattr(editions, "COPY_APART_FILES", 0 if apart else 10**9)
    said: list[str] = []
    eid = publish(cfg, AS_OF, "再次发布", said.append).id
    assert any("与生成站点同时进行" in s for s in said) == apart, said
    memo = (cfg.output_dir.parent / ".cache" / CopyMemo.NAME).read_text(encoding="utf-8").splitlines()
    return Archive(cfg.archive_dir).path(eid), memo[1:]


def test_a_later_edition_copied_beside_the_build_is_the_same_edition(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A republish works out its change list from the copy memo and copies in
    a forked process while the site builds: the same change list (the private
    edit is none), edition and memo as copying first."""
    together, memo_together = _second_edition(copy_tree(MINI, tmp_path / "a" / "proj"), True, monkeypatch)
    alone, memo_alone = _second_edition(copy_tree(MINI, tmp_path / "b" / "proj"), False, monkeypatch)
    changes = json.loads((alone / "data" / "report" / "changes.json").read_text(encoding="utf-8"))
    assert [(c["kind"], c["id"]) for c in changes] == [("修改", "zhang-san-2009")]
    assert (together / "data" / "report" / "changes.json").read_text(encoding="utf-8") == \
        (alone / "data" / "report" / "changes.json").read_text(encoding="utf-8")
    assert [line.split("\t")[:2] + line.split("\t")[3:] for line in memo_together] == \
        [line.split("\t")[:2] + line.split("\t")[3:] for line in memo_alone]  # the file identities differ between projects
    assert compare_trees(together / "data" / "content", alone / "data" / "content") == []
    assert compare_trees(together / "data" / "site", alone / "data" / "site") == []
    assert verify(Archive(together.parent.parent), together.name) == []


@pytest.mark.parametrize("where", ["copy", "build"])
def test_a_failure_beside_the_copy_leaves_no_edition_and_no_process(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    where: str) -> None:
    """The copy fails in its process (a full disk, say): the publish fails with
    its error; the build fails while the copy runs: the copy is stopped.
    Either way nothing is left: no edition, no temp folder, no memo, no child."""
    import os

    from generator import editions

    monkeypatch.setattr(editions, "COPY_APART_FILES", 0)
    started = project.parent / "copy.pid"
    if where == "copy":
        def full(*_a: object, **_k: object) -> None:
            raise OSError(28, "No space left on device")
        monkeypatch.setattr(editions, "copy_content", full)
        expected: type[BaseException] = OSError
    else:
        def slow_copy(*a: object, **k: object) -> object:
            import time
            started.write_text(str(os.getpid()))
            time.sleep(60)  # still copying when the build fails: must be stopped, not waited for
            raise AssertionError("not stopped")
        monkeypatch.setattr(editions, "copy_content", slow_copy)

        def broken_build(*_a: object, **_k: object) -> None:
            import time
            for _ in range(1000):  # the build fails while the copy runs
                if started.is_file() and started.read_text():
                    break
                time.sleep(0.01)
            raise RuntimeError("injected build failure")
        monkeypatch.setattr("generator.build.build_site", broken_build)
        expected = RuntimeError
    cfg = config(project)
    with pytest.raises(expected):
        publish(cfg, AS_OF, "首次发布", quiet)
    archive = Archive(cfg.archive_dir)
    assert archive.ids() == []
    assert not list(archive.root.glob(".tmp-*"))
    cache = cfg.output_dir.parent / ".cache"
    assert not (cache / CopyMemo.NAME).exists() and not list(cache.glob(f".{CopyMemo.NAME}.*"))
    if where == "build":  # the copy was stopped and reaped
        with pytest.raises(ProcessLookupError):
            os.kill(int(started.read_text()), 0)
