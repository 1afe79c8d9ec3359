"""`diff A B`: records added, removed and changed between two editions."""
from __future__ import annotations

import argparse

from ..changes import compare, summary
from ..editions import Archive
from ..problems import UserError


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("diff", parents=[parent], help="比较两个版本的记录",
                       description="逐条、逐字段列出两个版本之间新增、删除和修改的记录（保密字段不列出）。")
    p.add_argument("a", help="较早的版本号")
    p.add_argument("b", help="较新的版本号")
    p.set_defaults(run=run)


def run(ctx) -> int:  # type: ignore[no-untyped-def]
    archive = Archive(ctx.cfg.archive_dir)
    for eid in (ctx.args.a, ctx.args.b):
        if eid not in archive.ids():
            raise UserError(f"没有版本 {eid}（已有：{'、'.join(archive.ids()) or '无'}）")
    changes = compare(archive.records(ctx.args.a), archive.records(ctx.args.b))
    print(f"{ctx.args.a} → {ctx.args.b}：{summary(changes)}")
    for c in changes:
        print("\n".join(c.lines()))
    return 0
