"""Our make_bag writes the bag bagit.make_bag writes (hashing only what is
new), and an edition's Content-Digest is the digest of its data/content."""
from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import bagit
import pytest

from generator import editions
from generator.editions import ALGORITHMS, Archive, HashStore, make_bag, publish, tree_digest, verify
from support.sites import config, copy_tree

MINI = Path(__file__).parent / "fixtures" / "mini" / "site_config.yml"
NAMES = ("a-b/x.txt", "a/b/y.txt", "a/c.txt", "a.b", "A/z.txt", "空格 名称/文件 1.html", "z/深/层/f.pf_fragment", "b_/q", "b/q")


def test_same_bag_as_bagit(tmp_path: Path) -> None:
    src = tmp_path / "src"
    for i, name in enumerate(NAMES):
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_bytes(f"{i} {name}\n".encode())
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    shutil.copytree(src, ours)
    shutil.copytree(src, theirs)
    info = {"Source-Organization": "测试市卫生局", "Bagging-Date": "2009-07-01"}
    bagit.make_bag(str(theirs), dict(info), checksums=list(ALGORITHMS))
    info["Bag-Software-Agent"] = (theirs / "bag-info.txt").read_text(encoding="utf-8").split("Bag-Software-Agent: ")[1].split("\n")[0]
    store = HashStore(tmp_path / "hashes.json")
    assert make_bag(ours, info, store) == len(NAMES)
    for name in ("bagit.txt", "bag-info.txt", *(f"{kind}-{alg}.txt" for kind in ("manifest", "tagmanifest") for alg in ALGORITHMS)):
        assert (ours / name).read_bytes() == (theirs / name).read_bytes(), name
    assert bagit.Bag(str(ours)).is_valid()


def test_content_digest_is_the_digest_of_the_edition_content(tmp_path: Path) -> None:
    cfg = config(copy_tree(MINI, tmp_path / "proj"))
    eid = publish(cfg, dt.date(2009, 7, 1), "首次发布", lambda _m: None).id
    bag = Archive(cfg.archive_dir).path(eid)
    info = (bag / "bag-info.txt").read_text(encoding="utf-8")
    assert f"Content-Digest: sha256:{tree_digest(bag / 'data' / 'content')}\n" in info


def test_big_edition_bags_in_a_process_of_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(editions, "BAG_APART_RECORDS", 0)
    cfg = config(copy_tree(MINI, tmp_path / "proj"))
    said: list[str] = []
    first = publish(cfg, dt.date(2009, 7, 1), "首次发布", said.append).id
    second = publish(cfg, dt.date(2009, 7, 1), "再次发布", said.append).id
    archive = Archive(cfg.archive_dir)
    for eid in (first, second):
        assert verify(archive, eid) == []
        assert bagit.Bag(str(archive.path(eid))).is_valid()
    # the digests of files shared with the first edition came back from the fresh process's store
    hashed = [int(m.group(1)) for m in (re.match(r"校验值：(\d+) 个文件新计算", s) for s in said) if m]
    assert len(hashed) == 2 and 0 < hashed[1] < hashed[0] / 2, hashed
