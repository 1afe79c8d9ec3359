"""`confirm`: the confirmation block written round-trip (comments, key order
and formatting kept), refusals with clear messages and nothing written for
the refused record, --dry-run changing nothing."""
from __future__ import annotations

from .conftest import Run, Site, run_cli
from .test_feedback import YJK, YJK_TEXT

HANDLED = YJK_TEXT.replace("  where: 院务公开栏\n", """\
  where: 院务公开栏
  feedback:
    - received: 2009-05-22
      channel: 意见箱
      summary: 建议验收记录每月公示。  # 摘要已删去个人信息
      disposition: 部分采纳
      reason: 改为每季度公示。
      commenter: 职工甲某某
""")
BLOCK = "confirmation:\n  by: 人民医院党政班子\n  on: 2009-05-28\n"


def confirm(*args: str) -> Run:
    return run_cli("confirm", *args)


def test_confirmation_is_written_after_publicity_keeping_everything_else(site: Site) -> None:
    site.write(YJK, HANDLED)
    run = confirm("rmyy-yjk-2009", "--by", "人民医院党政班子", "--on", "2009-05-28")
    assert run.code == 0, run.err
    # the end-of-file comment stays at the end, below the new block
    assert site.read(YJK) == HANDLED.replace("# 以上内容经科室会议通过\n", BLOCK + "# 以上内容经科室会议通过\n")
    assert f"已确认 rmyy-yjk-2009（content/{YJK}）：人民医院党政班子，2009年5月28日" in run.err
    assert site.check().code == 0


def test_a_comment_above_the_next_key_stays_above_it(site: Site) -> None:
    text = HANDLED.replace("pledge: 药剂科承诺严格验收。\nsigned_on: 2009-05-20\n", "").replace(
        "# 以上内容经科室会议通过\n", "# 承诺内容\npledge: 药剂科承诺严格验收。\nsigned_on: 2009-05-20  # 签字日\n")
    site.write(YJK, text)
    run = confirm("rmyy-yjk-2009", "--on", "2009-05-28", "--opinion", "同意公示结果")
    assert run.code == 0, run.err
    assert site.read(YJK) == text.replace("# 承诺内容\n", BLOCK + "  opinion: 同意公示结果\n# 承诺内容\n")


def test_by_defaults_to_the_unit_leadership_body(site: Site) -> None:
    site.write(YJK, HANDLED)
    assert confirm("rmyy-yjk-2009", "--on", "2009-05-28").code == 0
    assert "  by: 人民医院党政班子\n" in site.read(YJK)  # units/rmyy.yml: leadership_body


def test_windows_line_endings_and_bom_are_kept(site: Site) -> None:
    site.write_bytes(YJK, b"\xef\xbb\xbf" + HANDLED.replace("\n", "\r\n").encode("utf-8"))
    assert confirm("rmyy-yjk-2009", "--on", "2009-05-28").code == 0
    want = HANDLED.replace("# 以上内容经科室会议通过\n", BLOCK + "# 以上内容经科室会议通过\n")
    assert site.path(YJK).read_bytes() == b"\xef\xbb\xbf" + want.replace("\n", "\r\n").encode("utf-8")


def test_dry_run_prints_a_unified_diff_and_changes_nothing(site: Site) -> None:
    site.write(YJK, HANDLED)
    before = site.path(YJK).stat()
    run = confirm("rmyy-yjk-2009", "--on", "2009-05-28", "--dry-run")
    assert run.code == 0, run.err
    assert site.read(YJK) == HANDLED and site.path(YJK).stat().st_mtime_ns == before.st_mtime_ns
    assert run.out == (f"--- a/content/{YJK}\n+++ b/content/{YJK}\n@@ -29,4 +29,7 @@\n"
                       "       disposition: 部分采纳\n       reason: 改为每季度公示。\n       commenter: 职工甲某某\n"
                       "+confirmation:\n+  by: 人民医院党政班子\n+  on: 2009-05-28\n"
                       " # 以上内容经科室会议通过\n")
    assert "将确认 rmyy-yjk-2009" in run.err and "（--dry-run：未修改任何文件）" in run.err
    assert not list(site.root.glob(".confirm-check-*"))  # the checking copy is gone


# ------------------------------------------------------------ refusals

def refused(run: Run, rid: str, why: str) -> None:
    assert run.code == 1
    assert f"错误：未确认 {rid}" in run.err and why in run.err, run.err


def test_refused_while_the_window_has_not_closed(site: Site) -> None:
    site.write(YJK, HANDLED)
    run = confirm("rmyy-yjk-2009", "--on", "2009-05-27")
    refused(run, "rmyy-yjk-2009", f"错误：未确认 rmyy-yjk-2009（content/{YJK}）：公示期尚未结束（2009-05-21 起，"
                                  "2009年5月27日 24 时截止（当日结束）），不能在2009年5月27日确认；截止日当天结束后，即次日起才能确认")
    assert site.read(YJK) == HANDLED


def test_a_window_closing_at_a_time_may_be_confirmed_that_day(site: Site) -> None:
    text = HANDLED.replace("  closes: 2009-05-27\n", "  closes: 2009-05-27\n  closes_at: \"12:00\"\n")
    site.write(YJK, text)
    assert confirm("rmyy-yjk-2009", "--on", "2009-05-26").code == 1
    assert confirm("rmyy-yjk-2009", "--on", "2009-05-27").code == 0
    assert "  on: 2009-05-27\n" in site.read(YJK)


def test_refused_while_a_comment_has_no_disposition(site: Site) -> None:
    text = HANDLED.replace("      disposition: 部分采纳\n      reason: 改为每季度公示。\n",
                           "      disposition:\n      reason:\n")
    site.write(YJK, text)
    run = confirm("rmyy-yjk-2009", "--on", "2009-05-28")
    refused(run, "rmyy-yjk-2009", "有 1 条意见尚未填写处理结果：publicity.feedback 第 1 条（第 26 行）；"
                                  "请填写 disposition（采纳/部分采纳/不采纳）并写明理由 reason 后再确认")
    assert site.read(YJK) == text


def test_refused_when_the_checks_fail(site: Site) -> None:
    # signed after the window opened: check.py's error, reported with its real position
    text = HANDLED.replace("signed_on: 2009-05-20", "signed_on: 2009-05-25")
    site.write(YJK, text)
    run = confirm("rmyy-yjk-2009", "--on", "2009-05-28")
    refused(run, "rmyy-yjk-2009", "确认后的记录未通过检查（1 个错误，见下）")
    assert f"  content/{YJK}:19:12: 错误 [signed_on 签署日期] 签署日期（2009-05-25）晚于公示开始（2009-05-21）" in run.err
    assert site.read(YJK) == text
    assert not list(site.root.glob(".confirm-check-*"))


def test_refusals_for_other_states(site: Site) -> None:
    site.write("forms/personal/wang-wu-2009.yml", """
        person: wang-wu
        year: 2009
        duties: 财务审核。
        powers: 报销审核权。
        risks:
          - point: 审核不严
            manifestation: 虚假报销
            category: 岗位职责
            key_area: 财务管理
            level: 中
            measures: [双人审核]
        pledge: 严格审核。
        signed_on: 2009-05-20
    """)
    run = confirm("zhang-san-2009", "wang-wu-2009", "no-such-form", "rmyy", "--on", "2009-06-30")
    assert run.code == 1
    assert [ln for ln in run.err.splitlines() if ln.startswith("错误")] == [
        "错误：未确认 zhang-san-2009（content/forms/personal/zhang-san-2009.yml）：已于2009年5月27日由人民医院党政班子确认，不能重复确认",
        "错误：未确认 wang-wu-2009（content/forms/personal/wang-wu-2009.yml）：尚未安排公示（没有 publicity.opens），须先公示、期满后才能确认",
        "错误：未确认 no-such-form：找不到记录“no-such-form”（记录编号即承诺表的文件名，不含 .yml）",
        "错误：未确认 rmyy（content/units/rmyy.yml）：“rmyy”是单位，不是承诺表，无需确认",
    ]


def test_withdrawn_forms_are_not_confirmed(site: Site) -> None:
    site.write(YJK, HANDLED + "withdrawal:\n  on: 2009-05-26\n  reason: 风险点填报不全，重新填写。\n")
    refused(confirm("rmyy-yjk-2009", "--on", "2009-05-28"), "rmyy-yjk-2009", "已于2009年5月26日撤回，不能确认")


def test_one_refusal_does_not_stop_the_others(site: Site) -> None:
    site.write(YJK, HANDLED)
    li_si = site.read("forms/personal/li-si-2009.yml")
    run = confirm("li-si-2009", "rmyy-yjk-2009", "--on", "2009-05-28")
    assert run.code == 1
    assert "错误：未确认 li-si-2009" in run.err and "已确认 rmyy-yjk-2009" in run.err
    assert site.read("forms/personal/li-si-2009.yml") == li_si
    assert BLOCK in site.read(YJK)


def test_the_confirmation_date_is_required(site: Site) -> None:
    run = confirm("rmyy-yjk-2009")
    assert run.code == 2 and "--on" in run.err
