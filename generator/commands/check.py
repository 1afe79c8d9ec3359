"""`check`: validate every record and report all problems at once."""
from __future__ import annotations

import argparse
import sys
import time

from ..check import run_check
from ..ticker import say


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("check", parents=[parent], help="检查全部记录，一次列出所有问题",
                       description="检查 content/ 中的全部记录：字段、类型、引用、日期，以及实施方案的各项要求。"
                                   "问题按“文件:行:列: 错误|警告 [字段 标签] 说明”输出到标准错误。")
    p.add_argument("--strict", action="store_true", help="警告也视为失败（发布时使用）")
    p.add_argument("--no-cache", action="store_true",
                   help="不使用解析缓存：每个文件都重新解析（缓存在输出目录旁的 .cache 中，按文件内容识别，内容变了即重新解析）")
    p.set_defaults(run=run)


def run(ctx) -> int:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    result = run_check(ctx.cfg, cache=None if ctx.args.no_cache else ctx.cfg.output_dir.parent / ".cache", progress=say)
    result.problems.report(sys.stderr, files=result.files)
    reused = f"（{result.cached} 个文件未变，沿用上次的解析结果）" if result.cached else ""
    print(f"用时 {time.perf_counter() - t0:.2f} 秒{reused}", file=sys.stderr)
    return 1 if result.problems.fails(ctx.args.strict) else 0
