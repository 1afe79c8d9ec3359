"""`new <type>`: write a commented skeleton record to fill in."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..load import ID_RE
from ..problems import UserError
from ..records import BY_NAME, RECORD_TYPES
from ..skeleton import skeleton


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    kinds = "；".join(f"{t.name}={t.label}" for t in RECORD_TYPES)
    p = sub.add_parser("new", parents=[parent], help="生成一条带注释的空白记录",
                       description=f"生成带注释的空白记录。类型：{kinds}。"
                                   "给出 --id 时写入内容目录中对应的文件夹（不覆盖已有文件），否则输出到屏幕。")
    p.add_argument("type", choices=[t.name for t in RECORD_TYPES], metavar="类型", help="记录类型：" + "、".join(BY_NAME))
    p.add_argument("--id", help="记录编号（即文件名，小写字母、数字和连字符）")
    p.set_defaults(run=run)


def run(ctx) -> int:  # type: ignore[no-untyped-def]
    rt = BY_NAME[ctx.args.type]
    text = skeleton(rt)
    if not ctx.args.id:
        sys.stdout.write(text)
        return 0
    rid = ctx.args.id
    if not ID_RE.match(rid):
        raise UserError(f"“{rid}”不能作为记录编号：只能用小写字母、数字和连字符，以字母或数字开头")
    if rt.name == "campaign":
        target = ctx.cfg.content_dir / "campaign.yml"
    else:
        target = ctx.cfg.content_dir / rt.folder / f"{rid}{'.md' if rt.markdown else '.yml'}"
    if target.exists():
        raise UserError(f"{ctx.cfg.display(target)} 已存在，未覆盖")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"已生成 {ctx.cfg.display(target)}，请填写后运行 python -m generator check")
    return 0
