"""`export`: confirmed forms as tables for reporting upward."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..check import run_check
from ..problems import UserError
from ..sheets.export import build_tables, csv_paths, write_csv, write_xlsx


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "export", parents=[parent], help="导出已确认的承诺表（xlsx 或 csv），供向上级报送",
        description="导出截至 --as-of 日期（默认见站点配置）已经辨识确认的承诺表：个人、科室、单位承诺表各一张表，"
                    "另有单位汇总（风险点按等级和重点领域统计、承诺事项数）和承诺事项清单（措施内容、实施时间、完成状态）。"
                    "保密字段不导出；以 = + - @ 开头的文字按文本保存，不会被当作公式。"
                    "导出的承诺表可用 python -m generator import 导入，得到相同的记录。")
    p.add_argument("--format", choices=("xlsx", "csv"), default="xlsx", help="xlsx（一个工作簿，每张表一个工作表）或 csv")
    p.add_argument("--out", required=True, metavar="FILE",
                   help="输出文件；csv 格式时每张表一个文件，名为 FILE 去掉 .csv 后加“-表名.csv”，如 汇总-个人承诺表.csv（UTF-8 带 BOM）")
    p.add_argument("--unit", metavar="ID", help="只导出该单位及其下属单位的承诺表")
    p.add_argument("--year", type=int, metavar="YYYY", help="只导出该年度的承诺表")
    p.set_defaults(run=run)


def run(ctx) -> int:  # type: ignore[no-untyped-def]
    args = ctx.args
    out = Path(args.out)
    if args.format == "xlsx" and out.suffix.lower() != ".xlsx":
        raise UserError(f"输出文件“{args.out}”的扩展名应为 .xlsx（或改用 --format csv）")
    result = run_check(ctx.cfg)
    if result.problems.errors:
        result.problems.report(sys.stderr, files=result.files)
        print("内容有错误，未导出；请先改正（python -m generator check）", file=sys.stderr)
        return 1
    content = result.content
    if args.unit and content.get(args.unit, "unit") is None:
        known = "、".join(u.id for u in content.units()) or "（无）"
        raise UserError(f"单位编号“{args.unit}”不存在；已有的单位编号：{known}")
    tables, forms = build_tables(ctx.cfg, content, ctx.as_of, args.unit, args.year)
    for target in [out] if args.format == "xlsx" else csv_paths(out, tables):  # all refused before any is written
        if target.is_dir():
            raise UserError(f"无法写入“{target}”：已有同名的文件夹；请换一个输出文件名")
    try:
        if args.format == "xlsx":
            write_xlsx(tables, out)
            written = [str(out)]
        else:
            written = [str(p) for p in write_csv(tables, out)]
    except OSError as e:  # a folder in the way, a file where a folder should be, no permission
        blocker = next((p for p in (out, *out.parents) if p.exists() and not p.is_dir()), None) if e.errno in (17, 20) else None
        where = f"路径中的 {blocker} 是文件，不是文件夹" if blocker and blocker != out else (e.strerror or str(e))
        raise UserError(f"无法写入“{args.out}”：{where}；请换一个输出文件名") from None
    print(f"已导出截至 {ctx.as_of} 已确认的承诺表 {len(forms)} 份：" + "、".join(written))
    return 0
