"""`build`: check, render and build the site; replace the output only on success."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..build import BuildFailed, build_site


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("build", parents=[parent], help="检查并生成站点（成功后才替换输出目录）",
                       description="检查全部记录，按 --as-of 日期推算状态，生成站点并建立检索索引。"
                                   "有错误时不写任何文件；成功后一次性替换输出目录。")
    p.add_argument("--out", metavar="DIR", help="输出目录（默认取 site_config.yml 的 output，即 build/site）")
    p.add_argument("--drafts", action="store_true", help="包含尚未公示的草稿（监察室内部预览，页面标注“草稿预览”）")
    p.set_defaults(run=run)


def run(ctx) -> int:  # type: ignore[no-untyped-def]
    out = Path(ctx.args.out) if ctx.args.out else ctx.cfg.output_dir
    try:
        build_site(ctx.cfg, ctx.as_of, out, drafts=ctx.args.drafts)
    except BuildFailed as e:
        e.problems.report(sys.stderr, files=e.files)
        print("生成失败：未写入任何文件，原有站点保持不变。", file=sys.stderr)
        return 1
    return 0
