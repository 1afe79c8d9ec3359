"""`feedback import FILE.csv`: attach the comment form's export to the records."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..feedback import COLUMNS_HELP, import_csv


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("feedback", help="公示意见：导入意见表导出的 CSV",
                       description="公示期间收到的意见。子命令：import（导入意见表导出的 CSV）。")
    group = p.add_subparsers(dest="feedback_command", metavar="<子命令>")
    imp = group.add_parser(
        "import", parents=[parent], help="把意见表导出的 CSV 导入各承诺表的 publicity.feedback",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="把意见表导出的 CSV 逐行导入对应承诺表的 publicity.feedback，处理结果 disposition 留空待填写"
                    "（采纳/部分采纳/不采纳，并写明理由）。\n\n" + COLUMNS_HELP + "\n\n"
                    "无法导入的行（记录不存在、未安排公示、不在公示期内、日期或渠道无法识别、内容为空）按行号列出"
                    "（表头为第 1 行，与表格软件的行号一致），其余行照常导入；已导入过的相同意见自动跳过。"
                    "记录文件中的注释和格式保持不变。意见内容作为“意见摘要”公开（处理后），请在确认前删去其中的个人信息。\n\n"
                    "退出码：0 全部导入；1 有行未能导入；2 文件无法读取或缺少必需的列。")
    imp.add_argument("csv", metavar="FILE.csv", help="意见表导出的 CSV 文件（UTF-8 或 GBK）")
    imp.add_argument("--dry-run", action="store_true", help="只显示将要写入的改动（unified diff），不修改任何文件")
    imp.set_defaults(run=run_import)
    p.set_defaults(run=lambda ctx: (p.print_help(), 2)[1])


def run_import(ctx) -> int:  # type: ignore[no-untyped-def]
    report = import_csv(ctx.cfg, Path(ctx.args.csv), dry_run=ctx.args.dry_run)
    for note in report.notes:
        print(note.format(), file=sys.stderr)
    for problem in report.problems:
        print(problem.format(), file=sys.stderr)
    if ctx.args.dry_run:
        sys.stdout.write("".join(report.diffs))
    verb = "将导入" if ctx.args.dry_run else "已导入"
    files = "；".join(f"{path}（{n} 条）" for path, n in report.imported.items())
    print(f"{verb} {report.placed} 条意见（共 {report.rows} 行）" + (f"：{files}" if files else ""), file=sys.stderr)
    if ctx.args.dry_run:
        print("（--dry-run：未修改任何文件）", file=sys.stderr)
    if report.problems:
        print(f"有 {len(report.problems)} 行未能导入（见上），其余已{'检查' if ctx.args.dry_run else '导入'}。", file=sys.stderr)
        return 1
    return 0
