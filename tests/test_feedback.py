"""`feedback import`: the comment form's CSV export attached to the records,
rows that cannot be placed reported by row number without losing the others,
the record files' comments and formatting kept, commenters never published."""
from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest

from generator.check import iter_private_values, run_check
from support.sites import build, config

from .conftest import Run, Site, run_cli

YJK = "forms/department/rmyy-yjk-2009.yml"  # window 2009-05-21 .. 2009-05-27 (end of day), not confirmed
# The same form as written by a clerk: comments, a flow list, quotes, a comment above `publicity` and at the end.
YJK_TEXT = """\
# 药剂科 2009 年度承诺表（监察室录入）
unit: rmyy
department: yjk
year: 2009
head: zhang-san   # 科室负责人
risks:
  - link: 药品验收入库
    point: "验收把关不严"
    manifestation: 放行不合格药品
    category: 业务流程
    key_area: 药械材采购
    level: 高
    posts: 验收员
    measures: [双人验收并签字]
    owner: zhang-san
    head: zhang-san
    leader: zhao-liu
pledge: 药剂科承诺严格验收。
signed_on: 2009-05-20
# 公示：院务公开栏
publicity:
  opens: 2009-05-21
  closes: 2009-05-27
  where: 院务公开栏
# 以上内容经科室会议通过
"""
HEADER = "记录编号,收到时间,渠道,意见内容,提出人\n"


def write_csv(tmp: Path, text: str, encoding: str = "utf-8") -> Path:
    p = tmp / "comments.csv"
    p.write_bytes(text.encode(encoding))
    return p


def imp(csv: Path, *args: str) -> Run:
    return run_cli("feedback", "import", str(csv), *args)


@pytest.fixture
def clerk(site: Site) -> Site:
    site.write(YJK, YJK_TEXT)
    return site


def test_good_rows_are_attached_with_an_empty_disposition_and_formatting_kept(clerk: Site, tmp_path: Path) -> None:
    csv = write_csv(tmp_path, HEADER +
                    "rmyy-yjk-2009,2009-05-22 09:15,意见箱,建议验收记录每月公示。,职工甲某某\n"
                    'rmyy-yjk-2009,2009-05-27 23:59,网上意见表,"验收员应定期轮岗，\n避免长期固定。",\n')
    run = imp(csv)
    assert run.code == 0, run.err
    assert run.err.splitlines()[-1] == f"已导入 2 条意见（共 2 行）：content/{YJK}（2 条）"
    assert clerk.read(YJK) == YJK_TEXT.replace("  where: 院务公开栏\n", """\
  where: 院务公开栏
  feedback:
    - received: 2009-05-22
      channel: 意见箱
      summary: 建议验收记录每月公示。
      disposition:
      reason:
      commenter: 职工甲某某
    - received: 2009-05-27
      channel: 网上意见表
      summary: |-
        验收员应定期轮岗，
        避免长期固定。
      disposition:
      reason:
""")
    assert clerk.check().code == 0


def test_appending_to_an_existing_feedback_list_keeps_what_follows(clerk: Site, tmp_path: Path) -> None:
    clerk.edit(YJK, "  where: 院务公开栏\n", """\
  feedback:
    - received: 2009-05-21
      channel: 电话
      summary: 已有的意见。  # 电话记录
      disposition: 采纳
  # 公示地点
  where: 院务公开栏
""")
    before = clerk.read(YJK)
    run = imp(write_csv(tmp_path, HEADER + "rmyy-yjk-2009,2009-05-23,信函,来信意见。,\n"))
    assert run.code == 0, run.err
    assert clerk.read(YJK) == before.replace("      disposition: 采纳\n", """\
      disposition: 采纳
    - received: 2009-05-23
      channel: 信函
      summary: 来信意见。
      disposition:
      reason:
""")


def test_bad_rows_are_reported_by_row_number_and_the_others_imported(clerk: Site, tmp_path: Path) -> None:
    csv = write_csv(tmp_path, HEADER +
                    "rmyy-yjk-2009,2009-05-22,意见箱,好的意见一。,\n"  # row 2
                    "no-such-form,2009-05-22,意见箱,找不到的记录。,\n"  # 3
                    "rmyy-yjk-2009,2009-05-32,意见箱,坏日期。,\n"  # 4
                    "rmyy-yjk-2009,2009-05-20 23:59,意见箱,开始之前。,\n"  # 5
                    "rmyy-yjk-2009,2009-05-28 00:00,意见箱,期满之后。,\n"  # 6
                    "zhang-san-2009,2009-05-22,意见箱,已确认的表。,\n"  # 7
                    "rmyy,2009-05-22,意见箱,不是承诺表。,\n"  # 8
                    "rmyy-yjk-2009,2009-05-22,传真,未知渠道。,\n"  # 9
                    "rmyy-yjk-2009,2009-05-22,意见箱,  ,\n"  # 10
                    ",,,,\n"  # 11: blank, skipped
                    "rmyy-yjk-2009,2009/5/26 8:05,电子邮件,好的意见二。,\n")  # 12
    run = imp(csv)
    assert run.code == 1
    shown = str(csv)
    assert run.problems == [
        f"{shown}:3:1: 错误 [record_id 记录编号] 第 3 行：找不到记录“no-such-form”；应为承诺表的记录编号（即文件名，不含 .yml）",
        f"{shown}:4:2: 错误 [received_at 收到时间] 第 4 行：收到时间“2009-05-32”无法识别；应为YYYY-MM-DD 或 YYYY-MM-DD HH:MM 格式的日期时间",
        f"{shown}:5:2: 错误 [received_at 收到时间] 第 5 行：收到时间 2009-05-20 23:59 不在“rmyy-yjk-2009”的公示期内"
        "（2009-05-21 起，2009年5月27日 24 时截止（当日结束））；应为公示期内的时间；公示期外的意见请按信访件处理，不计入本表",
        f"{shown}:6:2: 错误 [received_at 收到时间] 第 6 行：收到时间 2009-05-28 00:00 不在“rmyy-yjk-2009”的公示期内"
        "（2009-05-21 起，2009年5月27日 24 时截止（当日结束））；应为公示期内的时间；公示期外的意见请按信访件处理，不计入本表",
        f"{shown}:7:1: 错误 [record_id 记录编号] 第 7 行：承诺表“zhang-san-2009”已于 2009-05-27 确认，不能再添加意见",
        f"{shown}:8:1: 错误 [record_id 记录编号] 第 8 行：“rmyy”是单位，不是承诺表；应为承诺表的记录编号",
        f"{shown}:9:3: 错误 [channel 渠道] 第 9 行：渠道“传真”不是可选值；应为意见箱、电话、电子邮件、网上意见表、当面、信函、其他 之一",
        f"{shown}:10:4: 错误 [text 意见内容] 第 10 行：意见内容为空；应为意见的内容",
    ]
    assert "有 8 行未能导入（见上），其余已导入。" in run.err
    text = clerk.read(YJK)
    assert "好的意见一。" in text and "好的意见二。" in text
    assert "received: 2009-05-26\n      channel: 电子邮件" in text
    for lost in ("找不到", "坏日期", "开始之前", "期满之后", "已确认的表", "不是承诺表", "未知渠道"):
        assert lost not in text


def test_a_window_closing_at_a_time_of_day(clerk: Site, tmp_path: Path) -> None:
    clerk.edit(YJK, "  closes: 2009-05-27\n", "  closes: 2009-05-27\n  closes_at: \"17:30\"\n")
    run = imp(write_csv(tmp_path, HEADER + "rmyy-yjk-2009,2009-05-27 17:29,意见箱,截止前一分钟。,\n"
                                           "rmyy-yjk-2009,2009-05-27 17:30,意见箱,截止时刻。,\n"
                                           "rmyy-yjk-2009,2009-05-27T09:31:00Z,意见箱,UTC 时间 17:31。,\n"))
    assert [p.split(" 不在")[0].split(": 错误 ")[1] for p in run.problems] == [
        "[received_at 收到时间] 第 3 行：收到时间 2009-05-27 17:30",
        "[received_at 收到时间] 第 4 行：收到时间 2009-05-27 17:31",  # 09:31 UTC in the site's time zone
    ]
    assert "2009年5月27日 17:30 截止" in run.problems[0]
    assert "截止前一分钟。" in clerk.read(YJK)


def test_gbk_export_with_english_headers_in_another_order(clerk: Site, tmp_path: Path) -> None:
    csv = write_csv(tmp_path, "text,channel,received_at,record_id\r\n"
                              "GBK 编码的意见：药品验收要留痕。,电话,2009-05-25,rmyy-yjk-2009\r\n", encoding="gbk")
    run = imp(csv)
    assert run.code == 0, run.err
    assert "summary: GBK 编码的意见：药品验收要留痕。" in clerk.read(YJK)


def test_importing_the_same_export_twice_adds_nothing(clerk: Site, tmp_path: Path) -> None:
    csv = write_csv(tmp_path, HEADER + "rmyy-yjk-2009,2009-05-22 09:15,意见箱,只导入一次。,职工乙某某\n")
    assert imp(csv).code == 0
    once = clerk.read(YJK)
    again = imp(csv)
    assert again.code == 0
    assert f"{csv}:2:4: 警告 第 2 行：rmyy-yjk-2009 已有相同的意见（2009-05-22，意见箱），跳过" in again.err
    assert clerk.read(YJK) == once


def test_dry_run_prints_the_diff_and_changes_nothing(clerk: Site, tmp_path: Path) -> None:
    run = imp(write_csv(tmp_path, HEADER + "rmyy-yjk-2009,2009-05-22,意见箱,试运行。,\n"), "--dry-run")
    assert run.code == 0
    assert clerk.read(YJK) == YJK_TEXT
    assert run.out.startswith(f"--- a/content/{YJK}\n+++ b/content/{YJK}\n")
    assert "+  feedback:\n+    - received: 2009-05-22\n" in run.out
    assert "（--dry-run：未修改任何文件）" in run.err


def test_missing_columns_stop_before_anything_is_read(clerk: Site, tmp_path: Path) -> None:
    run = imp(write_csv(tmp_path, "编号,内容\nrmyy-yjk-2009,意见\n"))
    assert run.code == 2
    assert f"错误：{tmp_path / 'comments.csv'}：第 1 行缺少列 收到时间 received_at（现有列：编号、内容）。" in run.err
    assert clerk.read(YJK) == YJK_TEXT


def test_a_file_neither_utf8_nor_gbk(clerk: Site, tmp_path: Path) -> None:
    p = tmp_path / "comments.csv"
    p.write_bytes(HEADER.encode("utf-16"))
    run = imp(p)
    assert run.code == 2
    assert "CSV 文件既不是 UTF-8 也不是 GBK 编码" in run.err


# ------------------------------------------------------------ privacy

def readable(f: Path) -> str:
    data = f.read_bytes()
    if data[:2] == b"\x1f\x8b":  # Pagefind's index and the sitemap are gzipped
        try:
            data = gzip.decompress(data)
        except OSError:
            pass
    return data.decode("utf-8", errors="replace")


@pytest.mark.slow
def test_commenters_never_appear_anywhere_in_the_built_site(clerk: Site, tmp_path: Path) -> None:
    # comments imported, handled and confirmed: every public part is published, the identity never
    secret = ("举报人王小明甲", "内科护士赵某某乙", "13912345678")
    run = imp(write_csv(tmp_path, HEADER +
                        f"rmyy-yjk-2009,2009-05-22,意见箱,验收应双人签字。,{secret[0]}\n"
                        f"rmyy-yjk-2009,2009-05-23,电话,验收记录要留存。,{secret[1]} 电话{secret[2]}\n"))
    assert run.code == 0, run.err
    clerk.edit(YJK, "      disposition:\n      reason:\n      commenter: 举报人", "      disposition: 采纳\n      reason: 已落实\n      commenter: 举报人")
    clerk.edit(YJK, "      disposition:\n      reason:\n      commenter: 内科", "      disposition: 不采纳\n      reason: 已有制度\n      commenter: 内科")
    assert run_cli("confirm", "rmyy-yjk-2009", "--on", "2009-05-28").code == 0
    content = run_check(config(clerk.root / "site_config.yml")).content
    commenters = {c["commenter"] for f in content.forms() for c in (f.get("publicity") or {}).get("feedback", [])
                  if c.get("commenter")}
    assert commenters == {secret[0], f"{secret[1]} 电话{secret[2]}", "匿名职工"}  # the last from the mini fixture
    assert commenters <= set(iter_private_values(content))
    out = build(clerk.root / "site_config.yml", tmp_path / "built", as_of=dt.date(2009, 6, 1))
    page = readable(out / "forms" / "rmyy-yjk-2009.html")
    assert "验收应双人签字。" in page and "已有制度" in page  # the public parts are there
    leaks = [f"{f.relative_to(out)}: {v}" for f in out.rglob("*") if f.is_file()
             for v in (*commenters, *secret) if v in readable(f)]
    assert not leaks, leaks
