"""Writing the leadership's confirmation (党政班子辨识确认) into record files.

A record is confirmed only when its window has closed by the confirmation
date, every comment has a disposition, and the real checks pass on the content
with the change applied (in a temporary copy of the content folder). A refused
record is left untouched; the others are written round-trip, keeping the
file's comments, key order and formatting.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from . import roundtrip
from .check import Checker
from .config import Config
from .index import Content
from .load import load_content, locate
from .problems import Problem, UserError
from .publicity import Calendar, confirmable_on, window_of
from .records import FORM_TYPE_NAMES, Record


@dataclass
class Outcome:
    record_id: str
    shown: str = ""  # the record file as the user knows it
    by: str = ""  # the confirming body written
    refusal: str = ""  # why it was not confirmed (empty: confirmed)
    problems: list[Problem] = field(default_factory=list)  # check errors behind a refusal
    diff: str = ""
    notes: list[str] = field(default_factory=list)
    text: str = ""  # the new file text
    doc: roundtrip.Document | None = None

    @property
    def ok(self) -> bool:
        return not self.refusal


def cn(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def confirm(cfg: Config, ids: list[str], by: str | None, on: dt.date, opinion: str | None = None,
            dry_run: bool = False) -> list[Outcome]:
    root = cfg.content_dir
    prefix = cfg.display(root) + "/"
    loaded = load_content(root, prefix)
    records = Content(loaded.records)
    cal = Calendar.from_config(cfg.publicity)
    outcomes: list[Outcome] = []
    for rid in dict.fromkeys(ids):  # each once, in the order given
        out = Outcome(rid)
        outcomes.append(out)
        rec = records.by_id.get(rid)
        if rec is None:
            out.refusal = (f"记录“{rid}”的文件有错误；请先运行 python -m generator check 修正" if rid in loaded.broken
                           else f"找不到记录“{rid}”（记录编号即承诺表的文件名，不含 .yml）")
            continue
        out.shown = prefix + rec.path
        out.refusal = refusal(cfg, records, rec, cal, on, by)
        if out.refusal:
            continue
        try:
            out.doc = roundtrip.load(root / rec.path, out.shown)
            out.by = by or leadership_body(records, rec) or ""
            out.text = with_confirmation(out.doc, out.by, on, opinion)
        except UserError as e:
            out.refusal = str(e)
            continue
        if not out.doc.faithful():
            out.notes.append("此文件有少量非标准格式（缩进、空格等），写入时已统一；内容不变")
        out.diff = out.doc.diff(out.text)
    check_with_changes(cfg, loaded_prefix=prefix, outcomes=[o for o in outcomes if o.ok])
    if not dry_run:
        for o in outcomes:
            if o.ok and o.doc is not None:
                o.doc.write(o.text)
    return outcomes


def leadership_body(content: Content, rec: Record) -> str | None:
    unit = content.get(content.form_unit(rec), "unit")
    return unit.get("leadership_body") if unit else None


def refusal(cfg: Config, content: Content, rec: Record, cal: Calendar, on: dt.date, by: str | None) -> str:
    """Why `rec` cannot be confirmed on `on`, or "" when it can."""
    if rec.type not in FORM_TYPE_NAMES:
        return f"“{rec.id}”是{rec.rtype.label}，不是承诺表，无需确认"
    c = rec.get("confirmation")
    if c:
        return f"已于{cn(c['on'])}由{c['by']}确认，不能重复确认"
    w = rec.get("withdrawal")
    if w:
        return f"已于{cn(w['on'])}撤回，不能确认"
    window = window_of(rec.get("publicity"), cal, cfg.working_days)
    if window is None:
        return "尚未安排公示（没有 publicity.opens），须先公示、期满后才能确认"
    if not confirmable_on(window, on):
        return (f"公示期尚未结束（{window.opens} 起，{window.close_text()}），不能在{cn(on)}确认"
                + ("；截止日当天结束后，即次日起才能确认" if not window.closes_at else ""))
    pending = [i for i, fb in enumerate((rec.get("publicity") or {}).get("feedback", []), 1) if not fb.get("disposition")]
    if pending:
        path = cfg.content_dir / rec.path
        where = "、".join(f"第 {i} 条（第 {locate(path, f'publicity.feedback.{i}')[0]} 行）" for i in pending)
        return (f"有 {len(pending)} 条意见尚未填写处理结果：publicity.feedback {where}；"
                "请填写 disposition（采纳/部分采纳/不采纳）并写明理由 reason 后再确认")
    if not by and not leadership_body(content, rec):
        return "没有写明确认的党政班子：请用 --by 指定（如 --by \"人民医院党政班子\"），或在单位记录中填写 leadership_body"
    return ""


def with_confirmation(doc: roundtrip.Document, by: str, on: dt.date, opinion: str | None) -> str:
    """The file's text with a confirmation block after the publicity block."""
    data = doc.data
    block = CommentedMap()
    block["by"] = by
    block["on"] = on
    if opinion:
        block["opinion"] = opinion
    keys = list(data.keys())
    pub = data.get("publicity")
    pos = keys.index("publicity") + 1 if "publicity" in keys else len(keys)
    # comments written above the key that follows publicity stay above that key
    tail = roundtrip.take_trailing_comment(pub) if isinstance(pub, CommentedMap) else ""
    data.insert(pos, "confirmation", block)
    roundtrip.put_trailing_comment(block, tail)
    return doc.text()


def check_with_changes(cfg: Config, loaded_prefix: str, outcomes: list[Outcome]) -> None:
    """Run the real checks on a temporary copy of the content folder with every
    planned change applied; refuse each record whose file then has an error."""
    if not outcomes:
        return
    root = cfg.content_dir
    tmp = Path(tempfile.mkdtemp(prefix=".confirm-check-", dir=root.parent))
    try:
        copy = tmp / root.name
        shutil.copytree(root, copy, copy_function=_link_or_copy)
        for o in outcomes:
            target = copy / o.shown[len(loaded_prefix):]
            target.unlink()  # a hard link: never write through it into the real file
            target.write_text(o.text, encoding="utf-8")
        loaded = load_content(copy, loaded_prefix)
        problems = list(loaded.problems) + Checker(cfg, Content(loaded.records), copy, loaded_prefix, loaded.broken).run()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for o in outcomes:
        errors = [p for p in problems if p.is_error and p.path == o.shown]
        if errors:
            o.problems = errors
            o.refusal = f"确认后的记录未通过检查（{len(errors)} 个错误，见下）"


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)  # fast for thousands of files; read-only use
    except OSError:
        shutil.copy2(src, dst)
