"""`import`: filled workbooks and CSV files into record files, every problem
named by its cell."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..sheets.intake import Intake
from ..sheets.layout import LAYOUTS
from ..sheets.workbook import read_source

ID_RULES = "；".join(f"{lay.short}：{lay.id_rule}" for lay in LAYOUTS.values())


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "import", parents=[parent], help="导入填好的 Excel 工作簿或 CSV，生成承诺表记录",
        description="把填好的承诺表（template 生成的模板、export 导出的汇总表，或同样栏目的 CSV）导入为记录文件："
                    "content/forms/<personal|department|unit>/<年度>/<单位编号>/<记录编号>.yml，每份承诺表一个文件。"
                    f"记录编号规则——{ID_RULES}；汇总表中填写了“记录编号”栏的，用该编号。"
                    "先逐格检查（与 check 相同的检查，包括与内容目录中已有记录的交叉检查），"
                    "问题按“文件 工作表!单元格: 错误 [字段 标签] 说明”列出；有错误的文件一份也不导入，其他文件照常导入。"
                    "支持 Excel、WPS、LibreOffice 保存的 .xlsx，以及 UTF-8 或 GBK 编码的 .csv（自动识别）。",
        epilog="已有同编号的记录时不覆盖；确需替换请加 --force（在原文件处替换；导出表不含的保密字段，如意见提出人，沿用原记录的值）。")
    p.add_argument("files", nargs="+", metavar="FILE", help=".xlsx 或 .csv 文件，可以多个")
    p.add_argument("--force", action="store_true", help="替换同编号的已有记录")
    p.set_defaults(run=run)


def run(ctx) -> int:  # type: ignore[no-untyped-def]
    cfg = ctx.cfg
    intake = Intake(cfg, force=ctx.args.force)
    sources = []
    for name in ctx.args.files:
        src = read_source(Path(name), name)
        sources.append(src)
        intake.add(src)
        counts = {}
        for d in src.drafts:
            counts[d.layout.short] = counts.get(d.layout.short, 0) + 1
        what = "、".join(f"{k} {v} 份" for k, v in counts.items()) or "没有可导入的承诺表"
        kind = src.kind + (f"，{src.encoding} 编码" if src.encoding else "")
        print(f"读取 {name}" + (f"（{kind}）" if kind else "") + f"：{what}" +
              "".join(f"；跳过：{s}" for s in src.skipped))
    intake.cross_check()
    outcomes = intake.write(sources)
    failed = imported = records = 0
    for o in outcomes:
        src = o.source
        for p in sorted(src.problems, key=src.sort_key):
            print(p.problem.format().replace(f"{p.problem.path}:0:0:", f"{p.problem.path}:", 1), file=sys.stderr)
        if src.errors:
            failed += 1
            print(f"{src.shown}：{src.errors} 个错误，未导入", file=sys.stderr)
        elif o.written:
            imported += 1
            records += len(o.written)
            for w in o.written:
                print(f"{src.shown}：已导入 {w}")
    if intake.content_errors:
        print(f"注意：内容目录本身有 {intake.content_errors} 个错误（与本次导入无关），请运行 python -m generator check", file=sys.stderr)
    print(f"导入完毕：{len(sources)} 个文件，{imported} 个已导入（{records} 份记录），{failed} 个有错误未导入")
    return 1 if failed else 0
