"""`editions`: list the published editions."""
from __future__ import annotations

import argparse

from ..editions import Archive


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("editions", parents=[parent], help="列出已发布的版本", description="列出版本库中的全部版本：版本号、状态日期、说明和变更摘要。")
    p.set_defaults(run=run)


def run(ctx) -> int:  # type: ignore[no-untyped-def]
    archive = Archive(ctx.cfg.archive_dir)
    ids = archive.ids()
    if not ids:
        print("版本库中还没有版本（用 python -m generator publish --note … 发布）")
        return 0
    for e in archive.history():
        mark = "  ← 当前" if e.id == ids[-1] else ""
        print(f"{e.id}  {e.date}  {e.note}  ［{e.summary}］{mark}")
    return 0
