"""Our make_bag writes the bag bagit.make_bag writes (hashing only what is
new), and an edition's Content-Digest is the digest of its data/content."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import bagit

from generator.editions import ALGORITHMS, Archive, HashStore, make_bag, publish, tree_digest
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
