"""`publish`: write a new immutable, verifiable edition into the archive."""
from __future__ import annotations

import argparse
import sys

from ..build import BuildFailed, say
from ..editions import publish


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("publish", parents=[parent], help="发布新版本：严格检查、生成站点、写入不可更改的 BagIt 版本",
                       description="严格检查（警告也不通过）后生成并索引站点，把站点、源记录和检查报告写成一个新的 BagIt 版本"
                                   "（SHA-256 与 SM3 双重校验），放入 site_config.yml 的 archive 目录；已有版本从不覆盖。"
                                   "版本号为“状态日期.序号”，如 2010-06-10.1。archive/site/ 即内网发布目录，current 指向最新版本。")
    p.add_argument("--note", required=True, help="本次发布的说明（写入版本信息和版本记录页），如“人民医院承诺表确认后重新发布”")
    p.set_defaults(run=run)


def run(ctx) -> int:  # type: ignore[no-untyped-def]
    try:
        publish(ctx.cfg, ctx.as_of, ctx.args.note, say)
    except BuildFailed as e:
        e.problems.report(sys.stderr, files=e.files)
        print("发布失败：未写入新版本，已有版本和当前站点保持不变。", file=sys.stderr)
        return 1
    return 0
