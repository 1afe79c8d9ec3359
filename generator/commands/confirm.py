"""`confirm ID... --by BODY --on DATE`: record the leadership's confirmation."""
from __future__ import annotations

import argparse
import sys

from ..cli import _date
from ..confirm import cn, confirm


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "confirm", parents=[parent], help="写入党政班子辨识确认（公示期满、意见处理完毕后）",
        description="把党政班子的辨识确认写入承诺表文件（confirmation：by、on），文件中的注释、键的顺序和格式保持不变。"
                    "以下情况拒绝确认该记录（不写入，退出码 1）：公示期到确认日期尚未结束；有意见未填写处理结果；"
                    "已确认或已撤回；写入后的内容未通过检查。其余记录照常确认。确认后请重新生成站点（build）。")
    p.add_argument("ids", nargs="+", metavar="ID", help="承诺表的记录编号（文件名，不含 .yml），可给多个")
    p.add_argument("--by", metavar="党政班子", help="确认单位，如“人民医院党政班子”（不填取单位记录的 leadership_body）")
    p.add_argument("--on", type=_date, required=True, metavar="YYYY-MM-DD", help="确认日期")
    p.add_argument("--opinion", metavar="意见", help="确认意见（可选，公开）")
    p.add_argument("--dry-run", action="store_true", help="只显示将要写入的改动（unified diff），不修改任何文件")
    p.set_defaults(run=run)


def run(ctx) -> int:  # type: ignore[no-untyped-def]
    a = ctx.args
    outcomes = confirm(ctx.cfg, a.ids, a.by, a.on, a.opinion, dry_run=a.dry_run)
    refused = 0
    for o in outcomes:
        for note in o.notes:
            print(f"{o.shown}: 注意：{note}", file=sys.stderr)
        if o.ok:
            if a.dry_run:
                sys.stdout.write(o.diff)
            print(f"{'将确认' if a.dry_run else '已确认'} {o.record_id}（{o.shown}）：{o.by}，{cn(a.on)}", file=sys.stderr)
        else:
            refused += 1
            print(f"错误：未确认 {o.record_id}{'（' + o.shown + '）' if o.shown else ''}：{o.refusal}", file=sys.stderr)
            for p in o.problems:
                print("  " + p.format(), file=sys.stderr)
    if a.dry_run:
        print("（--dry-run：未修改任何文件）", file=sys.stderr)
    elif len(outcomes) > refused:
        print("请重新生成站点（python -m generator build），确认结果才会公布。", file=sys.stderr)
    return 1 if refused else 0
