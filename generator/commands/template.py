"""`template`: an Excel workbook to fill in, looking like the paper form."""
from __future__ import annotations

import argparse
import io
from pathlib import Path

from ..index import Content
from ..load import load_content
from ..problems import UserError
from ..sheets.intake import write_atomic
from ..sheets.layout import FORM_ARG, LAYOUTS
from ..sheets.template import template_workbook


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("template", parents=[parent], help="生成填写承诺表用的 Excel 模板（.xlsx）",
                       description="生成与纸质表格样式一致的 Excel 填表模板：表头信息、每个风险点一行、下拉选项、日期格式、"
                                   "承诺与签名栏、公示与确认工作表和填表说明；A4 横向打印。给出 --unit 时预填单位，"
                                   "并列出该单位的科室、人员和可引用的制度供选择。填好后用 python -m generator import 导入。")
    p.add_argument("form", choices=sorted(FORM_ARG), metavar="表类型",
                   help="personal=个人承诺表，department=科室承诺表，unit=单位承诺表")
    p.add_argument("--unit", metavar="ID", help="单位编号：预填单位，并提供该单位的科室、人员、制度下拉列表")
    p.add_argument("--year", type=int, metavar="YYYY", help="预填年度")
    p.add_argument("--out", required=True, metavar="FILE.xlsx", help="输出文件（.xlsx）")
    p.add_argument("--force", action="store_true", help="输出文件已存在时覆盖（默认不覆盖，以免冲掉已填写的表）")
    p.set_defaults(run=run)


def run(ctx) -> int:  # type: ignore[no-untyped-def]
    args = ctx.args
    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise UserError(f"输出文件“{args.out}”的扩展名应为 .xlsx")
    if out.exists() and not args.force:
        raise UserError(f"{args.out} 已存在，未覆盖（确需覆盖请加 --force）")
    if args.year is not None and not 2000 <= args.year <= 2100:
        raise UserError(f"年度 {args.year} 超出范围：应为 2000 到 2100 之间")
    content = Content(load_content(ctx.cfg.content_dir).records)
    if args.unit and content.get(args.unit, "unit") is None:
        known = "、".join(u.id for u in content.units()) or "（内容目录中还没有单位）"
        raise UserError(f"单位编号“{args.unit}”不存在；已有的单位编号：{known}")
    lay = LAYOUTS[FORM_ARG[args.form]]
    wb = template_workbook(lay, content, args.unit, args.year)
    buf = io.BytesIO()
    wb.save(buf)
    write_atomic(out, buf.getvalue())
    print(f"已生成 {args.out}：{lay.rtype.label}模板" + (f"（{args.unit}）" if args.unit else ""))
    return 0
