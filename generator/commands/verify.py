"""`verify`: check editions are complete and unaltered (both hash algorithms)."""
from __future__ import annotations

import argparse
import sys

from ..editions import Archive, verify
from ..problems import UserError


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("verify", parents=[parent], help="校验版本的完整性与真实性",
                       description="按 BagIt 规范校验版本：文件齐全、无多余文件、每个文件的 SHA-256 与 SM3 校验值、"
                                   "Payload-Oxum。逐条列出问题及所涉文件；有任何问题时退出码非零。")
    p.add_argument("edition", nargs="?", help="版本号，如 2010-06-10.1（不填则校验最新版本）")
    p.add_argument("--all", action="store_true", help="校验全部版本")
    p.set_defaults(run=run)


def run(ctx) -> int:  # type: ignore[no-untyped-def]
    archive = Archive(ctx.cfg.archive_dir)
    ids = archive.ids()
    if ctx.args.all:
        targets = ids
    elif ctx.args.edition:
        targets = [ctx.args.edition]
    else:
        targets = ids[-1:]
    if not targets:
        raise UserError(f"版本库 {ctx.cfg.display(archive.root)} 中还没有版本")
    bad = 0
    for eid in targets:
        print(f"校验 {eid} …", file=sys.stderr, flush=True)
        problems = verify(archive, eid)
        for p in problems:
            print(p.format(), file=sys.stderr)
        bad += bool(problems)
        print(f"{eid}：{'有 ' + str(len(problems)) + ' 个问题' if problems else '完整无误'}")
    print(f"共校验 {len(targets)} 个版本：{len(targets) - bad} 个完整无误，{bad} 个有问题")
    return 1 if bad else 0
