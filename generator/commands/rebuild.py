"""`rebuild EDITION`: rebuild an edition's site from its own records (reproducibility)."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..build import say
from ..editions import Archive, rebuild
from ..problems import UserError


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("rebuild", parents=[parent], help="用版本自带的记录重新生成其站点（核对可重现性）",
                       description="用版本中的 data/content、配置和状态日期重新生成站点，写入 --out；"
                                   "依赖版本相同时，结果与版本中的 data/site 逐字节相同（可用 diff -r 核对）。")
    p.add_argument("edition", help="版本号")
    p.add_argument("--out", required=True, metavar="DIR", help="输出目录")
    p.set_defaults(run=run)


def run(ctx) -> int:  # type: ignore[no-untyped-def]
    archive = Archive(ctx.cfg.archive_dir)
    if ctx.args.edition not in archive.ids():
        raise UserError(f"没有版本 {ctx.args.edition}")
    rebuild(archive, ctx.args.edition, Path(ctx.args.out), say)
    return 0
