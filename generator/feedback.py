"""Importing comments from the comment form's CSV export into the records'
`publicity.feedback`, each with an empty disposition for the office to fill in.

Rows that cannot be placed (unknown record, no window, comment outside the
window, bad date or channel, empty text) are reported by row number; the others
are imported. Record files are edited round-trip (roundtrip.py): comments and
formatting stay as the clerk wrote them.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from . import roundtrip
from .config import Config
from .load import BAD_CHARS, MAX_TEXT, load_content
from .problems import ERROR, WARNING, Problem, UserError
from .publicity import Calendar, Window, open_moment, window_of
from .records import CHANNELS, FORM_TYPE_NAMES, Record

# The comment form's export: column -> (label, accepted header names). Headers
# are matched without case or spaces; the order of columns does not matter.
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "record_id": ("记录编号", ("record_id", "record", "id", "记录编号", "编号")),
    "received_at": ("收到时间", ("received_at", "received", "time", "收到时间", "收到日期", "提交时间")),
    "channel": ("渠道", ("channel", "渠道", "来源")),
    "text": ("意见内容", ("text", "comment", "意见内容", "意见", "内容")),
    "commenter": ("提出人", ("commenter", "提出人", "提出人身份", "姓名")),
}
REQUIRED = ("record_id", "received_at", "text")
DEFAULT_CHANNEL = "网上意见表"  # the comment form itself
CHANNEL_ALIASES = {
    "网上": "网上意见表", "网络": "网上意见表", "网页": "网上意见表", "意见表": "网上意见表", "online": "网上意见表", "web": "网上意见表",
    "form": "网上意见表", "邮件": "电子邮件", "邮箱": "电子邮件", "email": "电子邮件", "e-mail": "电子邮件", "信箱": "意见箱",
    "mailbox": "意见箱", "phone": "电话", "热线": "电话", "来访": "当面", "面谈": "当面", "letter": "信函", "来信": "信函",
}
COLUMNS_HELP = ("CSV 第一行为列名（中英文均可，顺序不限）：记录编号 record_id（承诺表编号，即文件名）、"
                "收到时间 received_at（YYYY-MM-DD 或 YYYY-MM-DD HH:MM，按站点时区）、渠道 channel（" + "/".join(CHANNELS) +
                f"，空则为“{DEFAULT_CHANNEL}”）、意见内容 text、提出人 commenter（可选，保密，永不公开）。UTF-8 或 GBK 编码均可。")

_DATETIME = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
                       r"(?:[ T]+(\d{1,2})[:：](\d{2})(?:[:：](\d{2})(?:\.\d+)?)?)?"
                       r"\s*(Z|[+-]\d{2}:?\d{2})?$")


@dataclass
class Comment:
    row: int  # row number as a spreadsheet shows it (the header is row 1)
    record_id: str
    received: dt.datetime | dt.date  # a date when the export gives no time
    channel: str
    text: str
    commenter: str

    def day(self, tz: ZoneInfo) -> dt.date:
        return self.received.astimezone(tz).date() if isinstance(self.received, dt.datetime) else self.received

    def entry(self, tz: ZoneInfo) -> CommentedMap:
        m = CommentedMap()
        m["received"] = self.day(tz)
        m["channel"] = self.channel
        m["summary"] = LiteralScalarString(self.text) if "\n" in self.text else self.text
        m["disposition"] = None  # to be filled in: 采纳 / 部分采纳 / 不采纳
        m["reason"] = None
        if self.commenter:
            m["commenter"] = self.commenter
        return m


@dataclass
class Report:
    csv: str = ""  # the CSV file as the user knows it
    columns: dict[str, int] = field(default_factory=dict)  # column key -> 0-based index in the CSV
    problems: list[Problem] = field(default_factory=list)  # rows not placed, files not written
    notes: list[Problem] = field(default_factory=list)  # duplicates skipped, formatting normalised
    imported: dict[str, int] = field(default_factory=dict)  # file shown -> comments added
    diffs: list[str] = field(default_factory=list)
    rows: int = 0

    @property
    def placed(self) -> int:
        return sum(self.imported.values())


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else GBK/GB18030 as Excel and WPS save it."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError:
            raise UserError("CSV 文件既不是 UTF-8 也不是 GBK 编码；请在表格软件中另存为“CSV UTF-8”") from None


def _norm(header: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", header)).lower()


def header_map(header: list[str], shown: str) -> dict[str, int]:
    names = {_norm(alias): key for key, (_, aliases) in COLUMNS.items() for alias in aliases}
    out: dict[str, int] = {}
    for i, cell in enumerate(header):
        key = names.get(_norm(cell))
        if key and key not in out:
            out[key] = i
    missing = [COLUMNS[k][0] + " " + k for k in REQUIRED if k not in out]
    if missing:
        raise UserError(f"{shown}：第 1 行缺少列 {'、'.join(missing)}（现有列：{'、'.join(h.strip() for h in header) or '无'}）。"
                        + COLUMNS_HELP)
    return out


def parse_received(text: str, tz: ZoneInfo) -> dt.datetime | dt.date | None:
    m = _DATETIME.match(unicodedata.normalize("NFKC", text).strip())
    if not m:
        return None
    y, mo, d, h, mi, s, off = m.groups()
    try:
        day = dt.date(int(y), int(mo), int(d))
        if h is None:
            return day
        when = dt.datetime(day.year, day.month, day.day, int(h), int(mi), int(s or 0))
    except ValueError:
        return None
    if off == "Z":
        return when.replace(tzinfo=dt.timezone.utc)
    if off:
        digits = off[1:].replace(":", "")
        delta = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return when.replace(tzinfo=dt.timezone(-delta if off[0] == "-" else delta))
    return when.replace(tzinfo=tz)  # the export's local time: the site's time zone


def parse_channel(text: str) -> str | None:
    t = unicodedata.normalize("NFKC", text).strip()
    if not t:
        return DEFAULT_CHANNEL
    if t in CHANNELS:
        return t
    return CHANNEL_ALIASES.get(t.lower())


def clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", BAD_CHARS.sub("", text)).strip()


def read_rows(path: Path, shown: str, tz: ZoneInfo, report: Report) -> list[Comment]:
    if path.exists() and not path.is_file():  # reading a named pipe would wait forever
        raise UserError(f"无法读取 {shown}：不是普通文件（是文件夹、管道或设备）")
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise UserError(f"无法读取 {shown}：{e.strerror}") from None
    reader = csv.reader(io.StringIO(decode(raw), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise UserError(f"{shown} 是空文件") from None
    except csv.Error as e:
        raise UserError(f"{shown}：第 1 行无法按 CSV 读取（{e}）") from None
    cols = header_map(header, shown)
    report.columns = cols
    out: list[Comment] = []
    row = 1
    while True:
        row += 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            report.problems.append(Problem(shown, row, 0, ERROR, "", "", f"第 {row} 行无法按 CSV 读取（{e}）"))
            continue
        if not any(c.strip() for c in cells):
            continue  # blank line
        report.rows += 1

        def cell(key: str) -> str:
            i = cols.get(key)
            return cells[i] if i is not None and i < len(cells) else ""

        def bad(key: str, found: str, expected: str = "", hint: str = "") -> None:
            col = cols.get(key, -1) + 1
            report.problems.append(Problem(shown, row, col, ERROR, key, COLUMNS[key][0], f"第 {row} 行：{found}", expected, hint))

        rid = unicodedata.normalize("NFKC", cell("record_id")).strip()
        received = parse_received(cell("received_at"), tz)
        channel = parse_channel(cell("channel"))
        text = clean_text(cell("text"))
        if not rid:
            bad("record_id", "记录编号为空", "承诺表的记录编号（文件名，如 zhang-san-2009）")
        elif received is None:
            bad("received_at", f"收到时间“{cell('received_at').strip()}”无法识别", "YYYY-MM-DD 或 YYYY-MM-DD HH:MM 格式的日期时间")
        elif channel is None:
            bad("channel", f"渠道“{cell('channel').strip()}”不是可选值", "、".join(CHANNELS) + " 之一")
        elif not text:
            bad("text", "意见内容为空", "意见的内容")
        elif len(text) > MAX_TEXT:
            bad("text", f"意见内容过长（{len(text)} 字）", f"不超过 {MAX_TEXT} 字", "请摘要后再导入")
        else:
            out.append(Comment(row, rid, received, channel, text, clean_text(cell("commenter"))))
    return out


def in_window(c: Comment, w: Window, tz: ZoneInfo) -> bool:
    if isinstance(c.received, dt.datetime):
        return open_moment(w, tz) <= c.received < w.close_moment(tz)
    return w.opens <= c.received <= w.closes


def _key(received: Any, channel: Any, summary: Any, commenter: Any) -> tuple[str, str, str, str]:
    return (str(received), str(channel or ""), " ".join(str(summary or "").split()), str(commenter or ""))


def import_csv(cfg: Config, csv_path: Path, dry_run: bool = False) -> Report:
    tz = cfg.tz
    shown_csv = cfg.display(csv_path)
    report = Report(shown_csv)
    comments = read_rows(csv_path, shown_csv, tz, report)
    root = cfg.content_dir
    prefix = cfg.display(root) + "/"
    loaded = load_content(root, prefix)
    by_id: dict[str, Record] = {}
    for r in loaded.records:
        by_id.setdefault(r.id, r)
    cal = Calendar.from_config(cfg.publicity)

    def bad(c: Comment, key: str, found: str, expected: str = "", hint: str = "") -> None:
        col = report.columns.get(key, -1) + 1
        report.problems.append(Problem(shown_csv, c.row, col, ERROR, key, COLUMNS[key][0], f"第 {c.row} 行：{found}", expected, hint))

    placed: dict[str, list[Comment]] = defaultdict(list)
    for c in comments:
        rec = by_id.get(c.record_id)
        if rec is None and c.record_id in loaded.broken:
            bad(c, "record_id", f"记录“{c.record_id}”的文件有错误，无法导入", hint="先运行 python -m generator check 修正该文件，再重新导入")
            continue
        if rec is None:
            bad(c, "record_id", f"找不到记录“{c.record_id}”", "承诺表的记录编号（即文件名，不含 .yml）")
            continue
        if rec.type not in FORM_TYPE_NAMES:
            bad(c, "record_id", f"“{c.record_id}”是{rec.rtype.label}，不是承诺表", "承诺表的记录编号")
            continue
        w = window_of(rec.get("publicity"), cal, cfg.working_days)
        if w is None:
            bad(c, "record_id", f"承诺表“{c.record_id}”尚未安排公示，不能收意见", hint="检查记录编号")
            continue
        if not in_window(c, w, tz):
            when = c.received.astimezone(tz).strftime("%Y-%m-%d %H:%M") if isinstance(c.received, dt.datetime) else str(c.received)
            bad(c, "received_at", f"收到时间 {when} 不在“{c.record_id}”的公示期内（{w.opens} 起，{w.close_text()}）",
                "公示期内的时间", "公示期外的意见请按信访件处理，不计入本表")
            continue
        if rec.get("confirmation"):
            bad(c, "record_id", f"承诺表“{c.record_id}”已于 {rec['confirmation']['on']} 确认，不能再添加意见")
            continue
        placed[rec.id].append(c)

    for rid, items in placed.items():
        write_record(cfg, by_id[rid], items, prefix, report, dry_run)
    report.problems.sort(key=lambda p: (p.path != shown_csv, p.path, p.line))
    return report


def write_record(cfg: Config, rec: Record, items: list[Comment], prefix: str, report: Report, dry_run: bool) -> None:
    shown = prefix + rec.path
    tz = cfg.tz
    try:
        doc = roundtrip.load(cfg.content_dir / rec.path, shown)
    except UserError as e:
        for c in items:
            report.problems.append(Problem(shown, 0, 0, ERROR, "", "", f"第 {c.row} 行未导入：{e}"))
        return
    pub = doc.data.get("publicity")
    if not isinstance(pub, CommentedMap):
        for c in items:
            report.problems.append(Problem(shown, 0, 0, ERROR, "publicity", "公示", f"第 {c.row} 行未导入：公示（publicity）不是“键: 值”映射"))
        return
    fb = pub.get("feedback")
    seen = {_key(e.get("received"), e.get("channel"), e.get("summary"), e.get("commenter"))
            for e in (fb if isinstance(fb, list) else []) if isinstance(e, dict)}
    fresh: list[Comment] = []
    for c in items:
        k = _key(c.day(tz), c.channel, c.text, c.commenter)
        if k in seen:
            report.notes.append(Problem(report.csv, c.row, report.columns.get("text", 0) + 1, WARNING, "", "",
                                        f"第 {c.row} 行：{rec.id} 已有相同的意见（{c.day(tz)}，{c.channel}），跳过"))
            continue
        seen.add(k)
        fresh.append(c)
    if not fresh:
        return
    faithful = doc.faithful()
    if isinstance(fb, CommentedSeq) and len(fb):
        target: Any = fb
        tail = roundtrip.take_trailing_comment(fb)
        fb.fa.set_block_style()
    else:
        tail = roundtrip.take_trailing_comment(pub)
        fb = CommentedSeq()
        pub["feedback"] = fb  # an empty "feedback:" or "[]" is replaced in place
        target = pub
    for c in fresh:
        fb.append(c.entry(tz))
    roundtrip.put_trailing_comment(target, tail)
    text = doc.text()
    errors = roundtrip.validate(rec.path, text)
    if errors:  # a bug, not the user's: keep the file as it is
        for c in fresh:
            report.problems.append(Problem(shown, 0, 0, ERROR, "", "", f"第 {c.row} 行未导入：写入后的文件未通过检查（{errors[0].format()}）"))
        return
    if not faithful:
        report.notes.append(Problem(shown, 0, 0, WARNING, "", "", "此文件有少量非标准格式（缩进、空格等），写入时已统一；内容不变",
                                    hint="可用 --dry-run 先查看改动"))
    report.diffs.append(doc.diff(text))
    if not dry_run:
        doc.write(text)
    report.imported[shown] = len(fresh)

