"""Cross-record rules (check.py), each with its exact message and position:
unique ids, references, departments, dates, the seed's rules for unit-level
risks, one form per year, flows, assessments; exit codes and --strict."""
from __future__ import annotations

import textwrap

import pytest

from .conftest import Site

UNITFORM_2010 = """
    unit: rmyy
    year: 2010
    risks:
      - power_item: 药品采购
        point: 药品采购决策不透明
        manifestation: 个人决定采购品种
        category: 制度机制
        key_area: {area}
        level: 高
        stage: 决策
        scope: 共性
{extra}
    pledge: 本院承诺落实各项防控措施。
    signed_on: 2010-05-20
"""


def unitform(site: Site, extra: str, area: str = "药械材采购", name: str = "rmyy-2010") -> None:
    """A one-risk unit form of 2010; `extra` is written under the risk (8 spaces)."""
    body = "\n".join(" " * 8 + ln if ln else ln for ln in textwrap.dedent(extra).strip("\n").splitlines())
    site.write(f"forms/unit/{name}.yml", UNITFORM_2010.replace("{area}", area).replace("{extra}", body))


def problems(site: Site, *args: str) -> list[str]:
    return site.check(*args).problems


def fails_with(site: Site, *expected: str) -> None:
    run = site.check()
    assert run.problems == list(expected), run.err
    assert run.code == 1


# ------------------------------------------------------------ exit codes and summary

def test_errors_exit_1_with_counts(site: Site) -> None:
    site.edit("units/zyy.yml", "kind: 中医院", "kind: 诊所")
    site.edit("people/li-si.yml", "unit: rmyy", "unit: nowhere")
    run = site.check()
    assert run.code == 1
    assert run.summary == (2, 0)
    assert "检查了 19 个文件：2 个错误，0 个警告" in run.err
    # problems are sorted by file, then position
    assert [p.split(":")[0] for p in run.problems] == ["content/people/li-si.yml", "content/units/zyy.yml"]


def test_warnings_exit_0_unless_strict(site: Site) -> None:
    site.edit("flows/rmyy-ypcg-flow.yml", "      - label: 不同意\n        to: sq\n", "")
    expected = ["content/flows/rmyy-ypcg-flow.yml:15:5: 警告 [steps.2.branches 决策分支] 决策环节“审核”少于两个分支；应为至少两个分支"]
    run = site.check()
    assert (run.code, run.problems, run.summary) == (0, expected, (0, 1))
    strict = site.check("--strict")
    assert (strict.code, strict.problems, strict.summary) == (1, expected, (0, 1))


def test_output_goes_to_stderr_only(site: Site) -> None:
    site.edit("units/zyy.yml", "kind: 中医院", "kind: 诊所")
    run = site.check()
    assert run.out == ""
    assert run.problems and "Traceback" not in run.err


# ------------------------------------------------------------ ids

def test_ids_unique_across_the_content_folder(site: Site) -> None:
    site.write("people/transferred/zhang-san.yml", """
        name: 张三
        unit: rmyy
        department: yjk
        post: 药剂师
        roles: [中层干部]
    """)
    fails_with(site, "content/people/zhang-san.yml:1:1: 错误 [记录编号] 记录编号“zhang-san”重复，已用于 "
                     "content/people/transferred/zhang-san.yml；应为全站唯一的编号；编号即文件名；请重命名其中一个文件")


def test_ids_unique_across_record_types(site: Site) -> None:
    site.write("flows/li-si.yml", site.read("flows/rmyy-ypcg-flow.yml"))
    run = site.check()
    assert run.code == 1
    assert ("content/people/li-si.yml:1:1: 错误 [记录编号] 记录编号“li-si”重复，已用于 content/flows/li-si.yml；"
            "应为全站唯一的编号；编号即文件名；请重命名其中一个文件") in run.problems


# ------------------------------------------------------------ campaign

def test_campaign_missing(site: Site) -> None:
    site.remove("campaign.yml")
    fails_with(site, "content/campaign.yml:0:0: 错误 [专项工作] 缺少专项工作文件 campaign.yml；可用 python -m generator new campaign 生成")


def test_broken_campaign_is_not_reported_missing(site: Site) -> None:
    site.edit("campaign.yml", "rules_deadline: 2009-06-30", "rules_deadline: 六月底")
    fails_with(site, "content/campaign.yml:6:17: 错误 [rules_deadline 操作规程限期] “六月底”不是有效日期；"
                     "应为YYYY-MM-DD 格式的日期，如 2009-05-20")


def test_campaign_phase_ends_before_it_starts(site: Site) -> None:
    site.edit("campaign.yml", "    ends: 2009-05-15", "    ends: 2009-05-01")
    fails_with(site, "content/campaign.yml:10:11: 错误 [phases.1.ends 结束日期] 阶段结束日期早于开始日期；应为不早于开始日期")


def test_campaign_document_missing(site: Site) -> None:
    site.remove("campaign.md")
    fails_with(site, "content/campaign.yml:5:11: 错误 [document 文件正文] 找不到文件 campaign.md；应为content/ 下的 Markdown 文件")


# ------------------------------------------------------------ references

def test_reference_to_a_missing_record(site: Site) -> None:
    site.edit("people/li-si.yml", "unit: rmyy", "unit: rmyy2")
    fails_with(site, "content/people/li-si.yml:3:7: 错误 [unit 单位] 引用的编号“rmyy2”不存在；应为已有的单位编号；编号即记录的文件名")


def test_reference_to_a_record_of_another_type(site: Site) -> None:
    site.edit("forms/department/rmyy-yjk-2009.yml", "head: zhang-san\nrisks", "head: rmyy\nrisks")
    fails_with(site, "content/forms/department/rmyy-yjk-2009.yml:4:7: 错误 [head 科室负责人] “rmyy”是单位，不是人员；应为人员的编号")


def test_reference_inside_a_list_of_mappings(site: Site) -> None:
    site.edit("units/wsj.yml", "person: wang-wu", "person: wang-liu")
    fails_with(site, "content/units/wsj.yml:10:13: 错误 [leadership.1.person 人员] 引用的编号“wang-liu”不存在；"
                     "应为已有的人员编号；编号即记录的文件名")


def test_rule_reference_to_a_person(site: Site) -> None:
    site.edit("forms/unit/rmyy-2009.yml", "rule: rmyy-ypcg", "rule: zhang-san")
    run = site.check()
    assert ("content/forms/unit/rmyy-2009.yml:15:15: 错误 [risks.1.measures_taken.1.rule 制度文本] “zhang-san”是人员，不是制度文本；"
            "应为制度文本的编号") in run.problems
    assert run.code == 1


def test_reference_to_a_broken_record_does_not_cascade(site: Site) -> None:
    # zhang-san has an error of its own: the forms citing zhang-san stay quiet
    site.edit("people/zhang-san.yml", "gender: 男", "gender: 未知")
    fails_with(site, "content/people/zhang-san.yml:2:9: 错误 [gender 性别] “未知”不是可选值；应为男、女 之一")


def test_broken_unit_does_not_cascade_into_rule_ownership(site: Site) -> None:
    site.edit("units/rmyy.yml", "kind: 医院", "kind: 诊所")
    fails_with(site, "content/units/rmyy.yml:3:7: 错误 [kind 单位类别] “诊所”不是可选值；"
                     "应为局机关、医院、中医院、妇幼保健院、疾控中心、卫生监督所、中心卫生院、卫生院、其他 之一")


# ------------------------------------------------------------ departments within a unit

def test_person_in_a_department_the_unit_does_not_have(site: Site) -> None:
    site.edit("people/li-si.yml", "department: nk", "department: wk")
    fails_with(site, "content/people/li-si.yml:4:13: 错误 [department 科室] 单位“rmyy”没有科室“wk”；应为该单位的科室编号之一：yjk、nk")


def test_department_of_a_unit_without_departments(site: Site) -> None:
    site.edit("people/zhang-san.yml", "  - unit: zyy\n", "  - unit: zyy\n    department: yjk\n")
    fails_with(site, "content/people/zhang-san.yml:12:17: 错误 [history.1.department 科室] 单位“zyy”没有科室“yjk”；"
                     "应为该单位的科室编号之一：（该单位未登记科室）")


def test_department_form_for_a_department_the_unit_does_not_have(site: Site) -> None:
    site.edit("forms/department/rmyy-yjk-2009.yml", "department: yjk", "department: jcs")
    fails_with(site, "content/forms/department/rmyy-yjk-2009.yml:2:13: 错误 [department 科室] 单位“rmyy”没有科室“jcs”；"
                     "应为该单位的科室编号之一：yjk、nk")


def test_personal_form_department_is_checked_in_the_persons_unit(site: Site) -> None:
    # no unit on the form: the person's unit (rmyy) applies
    site.edit("forms/personal/li-si-2009.yml", "year: 2009\n", "year: 2009\ndepartment: jcs\n")
    fails_with(site, "content/forms/personal/li-si-2009.yml:3:13: 错误 [department 科室] 单位“rmyy”没有科室“jcs”；"
                     "应为该单位的科室编号之一：yjk、nk")


def test_duplicate_department_id_within_a_unit(site: Site) -> None:
    site.edit("units/rmyy.yml", "    kind: 临床科室\n", "    kind: 临床科室\n  - id: yjk\n    name: 药房\n")
    fails_with(site, "content/units/rmyy.yml:14:9: 错误 [departments.3.id 科室编号] 科室编号“yjk”重复；应为单位内唯一")


def test_parent_units_in_a_cycle(site: Site) -> None:
    site.edit("units/wsj.yml", "kind: 局机关\n", "kind: 局机关\nparent: rmyy\n")
    run = site.check()
    assert run.code == 1
    assert "content/units/wsj.yml:4:9: 错误 [parent 上级单位] 上级单位形成循环；应为上级单位链最终到达局机关" in run.problems
    assert "content/units/rmyy.yml:4:9: 错误 [parent 上级单位] 上级单位形成循环；应为上级单位链最终到达局机关" in run.problems


# ------------------------------------------------------------ publicity dates

def test_window_closes_before_it_opens(site: Site) -> None:
    site.edit("forms/department/rmyy-yjk-2009.yml", "closes: 2009-05-27", "closes: 2009-05-20")
    fails_with(site, "content/forms/department/rmyy-yjk-2009.yml:21:11: 错误 [publicity.closes 公示截止] "
                     "公示截止（2009-05-20）早于公示开始（2009-05-21）；应为不早于公示开始")


def test_signed_after_the_window_opened(site: Site) -> None:
    site.edit("forms/department/rmyy-yjk-2009.yml", "signed_on: 2009-05-20", "signed_on: 2009-05-22")
    fails_with(site, "content/forms/department/rmyy-yjk-2009.yml:18:12: 错误 [signed_on 签署日期] "
                     "签署日期（2009-05-22）晚于公示开始（2009-05-21）；应为不晚于公示开始；先签署承诺再公示")


def test_signed_on_the_opening_day_is_fine(site: Site) -> None:
    site.edit("forms/department/rmyy-yjk-2009.yml", "signed_on: 2009-05-20", "signed_on: 2009-05-21")
    assert site.check().code == 0


def test_confirmed_before_the_window_closed(site: Site) -> None:
    site.edit("forms/unit/rmyy-2009.yml", "  on: 2009-05-28", "  on: 2009-05-26")
    fails_with(site, "content/forms/unit/rmyy-2009.yml:63:7: 错误 [confirmation.on 确认日期] "
                     "确认日期（2009-05-26）在公示期结束（2009年5月27日 24 时截止（当日结束））之前；应为公示期结束之后；"
                     "党政班子应在公示期满、意见处理完毕后确认")


def test_confirmed_on_the_closing_day_of_a_window_open_all_day(site: Site) -> None:
    site.edit("forms/unit/rmyy-2009.yml", "  on: 2009-05-28", "  on: 2009-05-27")
    fails_with(site, "content/forms/unit/rmyy-2009.yml:63:7: 错误 [confirmation.on 确认日期] "
                     "确认日期（2009-05-27）在公示期结束（2009年5月27日 24 时截止（当日结束））之前；应为公示期结束之后；"
                     "党政班子应在公示期满、意见处理完毕后确认")


def test_confirmed_on_the_closing_day_after_a_closing_time(site: Site) -> None:
    # the fixture's zhang-san-2009 closes at 17:30 on 2009-05-27 and is confirmed that day
    assert "  on: 2009-05-27" in site.read("forms/personal/zhang-san-2009.yml")
    assert site.check().code == 0


def test_confirmed_inside_a_derived_working_day_window(site: Site) -> None:
    # opens Mon 2009-05-25, 5 working days: 25, 26, 27, (28-29 holidays, 30 Saturday),
    # 31 (a make-up working Sunday), 1 June -> closes 2009-06-01
    site.edit("forms/personal/li-si-2009.yml", "  on: 2009-06-02", "  on: 2009-06-01")
    fails_with(site, "content/forms/personal/li-si-2009.yml:18:7: 错误 [confirmation.on 确认日期] "
                     "确认日期（2009-06-01）在公示期结束（2009年6月1日 24 时截止（当日结束））之前；应为公示期结束之后；"
                     "党政班子应在公示期满、意见处理完毕后确认")


def test_derived_window_follows_the_configured_calendar(site: Site, ) -> None:
    # without the make-up working Sunday the window ends on 2 June
    cfg = site.root / "site_config.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("workdays: [2009-05-31]", "workdays: []"), encoding="utf-8")
    fails_with(site, "content/forms/personal/li-si-2009.yml:18:7: 错误 [confirmation.on 确认日期] "
                     "确认日期（2009-06-02）在公示期结束（2009年6月2日 24 时截止（当日结束））之前；应为公示期结束之后；"
                     "党政班子应在公示期满、意见处理完毕后确认")


def test_derived_window_of_a_form_with_its_own_working_days(site: Site) -> None:
    site.edit("forms/personal/li-si-2009.yml", "  opens: 2009-05-25\n", "  opens: 2009-05-25\n  working_days: 7\n")
    fails_with(site, "content/forms/personal/li-si-2009.yml:19:7: 错误 [confirmation.on 确认日期] "
                     "确认日期（2009-06-02）在公示期结束（2009年6月3日 24 时截止（当日结束））之前；应为公示期结束之后；"
                     "党政班子应在公示期满、意见处理完毕后确认")


def test_confirmed_without_publicity(site: Site) -> None:
    site.edit("forms/personal/li-si-2009.yml", "publicity:\n  opens: 2009-05-25\n", "")
    fails_with(site, "content/forms/personal/li-si-2009.yml:14:1: 错误 [confirmation 辨识确认] 未经公示就已确认；"
                     "先公示征求意见，公示期结束后再由党政班子确认；填写 publicity.opens")


def test_comment_received_outside_the_window_is_a_warning(site: Site) -> None:
    site.edit("forms/personal/zhang-san-2009.yml", "received: 2009-05-22", "received: 2009-05-28")
    run = site.check()
    assert run.problems == [
        "content/forms/personal/zhang-san-2009.yml:22:17: 警告 [publicity.feedback.1.received 收到日期] "
        "意见收到日期（2009-05-28）不在公示期内（2009-05-21 至 2009-05-27）；应为公示期内的日期"]
    assert run.code == 0 and site.check("--strict").code == 1


def test_confirmed_with_an_unanswered_comment(site: Site) -> None:
    site.edit("forms/personal/zhang-san-2009.yml", "      disposition: 采纳\n", "")
    fails_with(site, "content/forms/personal/zhang-san-2009.yml:22:7: 错误 [publicity.feedback.1.disposition 处理结果] "
                     "已确认的记录中有未处理的意见；应为采纳、部分采纳或不采纳；确认前须处理每一条意见")


def test_comment_not_adopted_without_a_reason_is_a_warning(site: Site) -> None:
    site.edit("forms/personal/zhang-san-2009.yml", "disposition: 采纳", "disposition: 不采纳")
    run = site.check()
    assert run.problems == ["content/forms/personal/zhang-san-2009.yml:22:7: 警告 [publicity.feedback.1.reason 处理理由] "
                            "意见“不采纳”但没有说明理由；应为处理理由"]
    assert run.code == 0


def test_withdrawn_before_it_was_signed(site: Site) -> None:
    site.edit("forms/department/rmyy-yjk-2009.yml", "publicity:", "withdrawal:\n  on: 2009-05-19\n  reason: 重新填写\npublicity:")
    fails_with(site, "content/forms/department/rmyy-yjk-2009.yml:20:7: 错误 [withdrawal.on 撤回日期] 撤回日期早于签署日期；应为不早于签署日期")


# ------------------------------------------------------------ unit-level risks (实施方案 §五)

def test_unit_risk_needs_measures_or_a_commitment(site: Site) -> None:
    unitform(site, "", area="三重一大")
    fails_with(site, "content/forms/unit/rmyy-2010.yml:4:5: 错误 [risks.1 单位风险点] 风险点“药品采购决策不透明”既没有已采取的措施，也没有下一步承诺；"
                     "在 measures_taken 中列出已出台的制度，或在 commitments 中写明措施内容及出台或实施时间；"
                     "实施方案：凡已列入工作计划的，须在“下一步防控措施承诺”栏中明确措施内容及出台或实施时间")


def test_unit_risk_with_a_commitment_only_is_fine(site: Site) -> None:
    unitform(site, """
        commitments:
          - content: 建立集体决策制度
            due: 2010-09-30
    """, area="三重一大")
    assert site.check().code == 0


KEY_AREA_ERROR = ("content/forms/unit/rmyy-2010.yml:{line}:15: 错误 [risks.1.key_area 重点领域] “{area}”领域的风险点没有引用操作规程，"
                  "也没有承诺限期建立；在 measures_taken 中引用类别为“操作规程”的制度文本，或在 commitments 中承诺建立"
                  "（establishes: 操作规程，due 不晚于 2010-06-30）；实施方案：涉及药、械、材和人、财、物管理重点环节的风险点必须建有操作规程")


def test_key_area_risk_citing_a_procedure_of_its_own_unit(site: Site) -> None:
    unitform(site, """
        measures_taken:
          - text: 执行药品采购操作规程
            rule: rmyy-ypcg
    """)
    assert site.check().code == 0


def test_key_area_risk_citing_a_procedure_of_a_higher_unit(site: Site) -> None:
    unitform(site, """
        measures_taken:
          - text: 执行卫生局财务管理操作规程
            rule: wsj-cwgl
    """, area="财务管理")
    assert site.check().code == 0


def test_key_area_risk_citing_only_a_rule_of_another_kind(site: Site) -> None:
    site.write("rules/rmyy-cgbs.md", "---\ntitle: 采购办事规则\nkind: 办事规则\nunit: rmyy\neffective: 2009-01-01\n---\n正文\n")
    unitform(site, """
        measures_taken:
          - text: 执行采购办事规则
            rule: rmyy-cgbs
    """, area="药械材结算")
    fails_with(site, KEY_AREA_ERROR.format(line=8, area="药械材结算"))


def test_key_area_risk_without_rule_or_commitment(site: Site) -> None:
    unitform(site, """
        commitments:
          - content: 加强管理
            due: 2010-06-01
    """, area="人事管理")
    fails_with(site, KEY_AREA_ERROR.format(line=8, area="人事管理"))


def test_key_area_risk_with_a_procedure_committed_in_time(site: Site) -> None:
    unitform(site, """
        commitments:
          - content: 制定人事管理操作规程
            due: 2010-06-30
            establishes: 操作规程
    """, area="人事管理")
    assert site.check().code == 0


def test_key_area_risk_with_a_procedure_committed_too_late(site: Site) -> None:
    # 2010 forms: the 2009-06-30 deadline moves to the same month and day of 2010
    unitform(site, """
        commitments:
          - content: 制定人事管理操作规程
            due: 2010-07-01
            establishes: 操作规程
    """, area="人事管理")
    fails_with(site, "content/forms/unit/rmyy-2010.yml:14:14: 错误 [risks.1.commitments.1.due 出台或实施时间] "
                     "承诺建立操作规程的时间（2010-07-01）晚于限期（2010-06-30）；应为不晚于 2010-06-30；实施方案：尚未建立的必须在6月份限期建立")


def test_deadline_of_the_campaign_year(site: Site) -> None:
    site.edit("forms/unit/rmyy-2009.yml", "due: 2009-06-20", "due: 2009-07-01")
    fails_with(site, "content/forms/unit/rmyy-2009.yml:39:14: 错误 [risks.3.commitments.1.due 出台或实施时间] "
                     "承诺建立操作规程的时间（2009-07-01）晚于限期（2009-06-30）；应为不晚于 2009-06-30；实施方案：尚未建立的必须在6月份限期建立")


def test_rules_deadline_follows_the_campaign_file(site: Site) -> None:
    site.edit("campaign.yml", "rules_deadline: 2009-06-30", "rules_deadline: 2009-06-15")
    fails_with(site, "content/forms/unit/rmyy-2009.yml:39:14: 错误 [risks.3.commitments.1.due 出台或实施时间] "
                     "承诺建立操作规程的时间（2009-06-20）晚于限期（2009-06-15）；应为不晚于 2009-06-15；实施方案：尚未建立的必须在6月份限期建立")


def test_rule_of_another_unit(site: Site) -> None:
    site.write("rules/zyy-ypcg.md", "---\ntitle: 中医院药品采购操作规程\nkind: 操作规程\nunit: zyy\neffective: 2009-01-01\n---\n正文\n")
    unitform(site, """
        measures_taken:
          - text: 参照中医院的规程
            rule: zyy-ypcg
    """)
    fails_with(site, "content/forms/unit/rmyy-2010.yml:14:15: 错误 [risks.1.measures_taken.1.rule 制度文本] "
                     "制度“中医院药品采购操作规程”属于单位“zyy”，不是本单位或上级单位的制度；应为本单位或上级单位制定的制度文本")


def test_rule_of_a_lower_unit(site: Site) -> None:
    site.write("forms/unit/wsj-2010.yml", """
        unit: wsj
        year: 2010
        risks:
          - power_item: 药品集中采购监管
            point: 监管不到位
            manifestation: 放任违规采购
            category: 岗位职责
            key_area: 药械材采购
            level: 高
            stage: 监督检查
            scope: 共性
            measures_taken:
              - text: 参照人民医院的规程
                rule: rmyy-ypcg
        pledge: 承诺。
        signed_on: 2010-05-20
    """)
    fails_with(site, "content/forms/unit/wsj-2010.yml:14:15: 错误 [risks.1.measures_taken.1.rule 制度文本] "
                     "制度“药品采购操作规程”属于单位“rmyy”，不是本单位或上级单位的制度；应为本单位或上级单位制定的制度文本")


def test_escalation_carries_a_reason(site: Site) -> None:
    site.edit("forms/unit/rmyy-2009.yml", "      reason: 药品价格由上级部门核定\n", "")
    fails_with(site, "content/forms/unit/rmyy-2009.yml:53:7: 错误 [risks.4.escalation.reason 原因] 缺少必填字段“reason”；"
                     "应为长文本；本级无法单独防控的原因")


# ------------------------------------------------------------ one form per person and year

def test_second_personal_form_of_the_same_year(site: Site) -> None:
    site.write("forms/personal/zhang-san-2009b.yml", site.read("forms/personal/zhang-san-2009.yml"))
    fails_with(site, "content/forms/personal/zhang-san-2009b.yml:2:7: 错误 [year 年度] 2009 年度已有一份个人廉政风险和自我防范承诺表："
                     "content/forms/personal/zhang-san-2009.yml；应为每年一份；若要更正，请修改原记录，或撤回后再提交")


def test_withdrawn_form_may_be_resubmitted(site: Site) -> None:
    site.write("forms/personal/zhang-san-2009b.yml", site.read("forms/personal/zhang-san-2009.yml"))
    site.edit("forms/personal/zhang-san-2009.yml", "confirmation:", "withdrawal:\n  on: 2009-05-28\n  reason: 重新填写\nconfirmation:")
    assert site.check().code == 0, site.check().err


def test_personal_forms_of_two_years_are_fine(site: Site) -> None:
    site.write("forms/personal/zhang-san-2010.yml",
               site.read("forms/personal/zhang-san-2009.yml").replace("2009", "2010"))
    assert site.check().code == 0


def test_second_department_form_of_the_same_year(site: Site) -> None:
    site.write("forms/department/rmyy-yjk-2009b.yml", site.read("forms/department/rmyy-yjk-2009.yml"))
    fails_with(site, "content/forms/department/rmyy-yjk-2009b.yml:3:7: 错误 [year 年度] 2009 年度已有一份科（处）室廉政风险和防控承诺表："
                     "content/forms/department/rmyy-yjk-2009.yml；应为每年一份；若要更正，请修改原记录，或撤回后再提交")


def test_second_unit_form_of_the_same_year(site: Site) -> None:
    site.write("forms/unit/rmyy-2009b.yml", site.read("forms/unit/rmyy-2009.yml"))
    fails_with(site, "content/forms/unit/rmyy-2009b.yml:2:7: 错误 [year 年度] 2009 年度已有一份单位（部门）廉政风险和防控承诺表："
                     "content/forms/unit/rmyy-2009.yml；应为每年一份；若要更正，请修改原记录，或撤回后再提交")


def test_second_assessment_of_the_same_year(site: Site) -> None:
    site.write("assessments/kp-li-si-2009b.yml", site.read("assessments/kp-li-si-2009.yml"))
    fails_with(site, "content/assessments/kp-li-si-2009b.yml:2:7: 错误 [year 年度] 2009 年度已有一份年度考评："
                     "content/assessments/kp-li-si-2009.yml；应为每年一份；若要更正，请修改原记录，或撤回后再提交")


# ------------------------------------------------------------ rules

def test_rule_repealed_before_it_took_effect(site: Site) -> None:
    site.edit("rules/zyy-hccg.md", "effective: 2009-03-01", "effective: 2009-03-01\nrepealed: 2009-02-01")
    fails_with(site, "content/rules/zyy-hccg.md:6:11: 错误 [repealed 废止日期] 废止日期早于施行日期；应为不早于施行日期")


# ------------------------------------------------------------ flows

def test_flow_next_step_unknown(site: Site) -> None:
    site.edit("flows/rmyy-ypcg-flow.yml", "next: [sh]", "next: [sh, gd]")
    fails_with(site, "content/flows/rmyy-ypcg-flow.yml:10:16: 错误 [steps.1.next.2 下一环节] 环节“sq”的下一环节“gd”不存在；"
                     "应为本流程中的环节编号之一：sq、sh、cg")


def test_flow_branch_to_unknown_step(site: Site) -> None:
    site.edit("flows/rmyy-ypcg-flow.yml", "        to: cg", "        to: cgg")
    fails_with(site, "content/flows/rmyy-ypcg-flow.yml:17:13: 错误 [steps.2.branches.1.to 去往环节] 分支“同意”去往的环节“cgg”不存在；"
                     "应为本流程中的环节编号之一：sq、sh、cg")


def test_flow_duplicate_step_id(site: Site) -> None:
    site.edit("flows/rmyy-ypcg-flow.yml", "  - id: cg", "  - id: sq")
    run = site.check()
    assert "content/flows/rmyy-ypcg-flow.yml:25:9: 错误 [steps.3.id 环节编号] 环节编号“sq”重复；应为流程内唯一" in run.problems
    assert run.code == 1


def test_flow_duplicate_risk_id(site: Site) -> None:
    site.edit("flows/rmyy-ypcg-flow.yml", "    actor: 药剂科\n",
              "    actor: 药剂科\n    risks:\n      - id: r1\n        point: 采购\n        level: 低\n        controls: [公开]\n")
    fails_with(site, "content/flows/rmyy-ypcg-flow.yml:30:13: 错误 [steps.3.risks.1.id 风险编号] 风险编号“r1”重复；应为流程内唯一")


# ------------------------------------------------------------ assessments

def _ethics(site: Site, block: str) -> None:
    text = site.read("assessments/kp-li-si-2009.yml")
    head, tail = text.split("ethics:\n")
    tail = tail[tail.index("assessed_on"):]
    site.write("assessments/kp-li-si-2009.yml", head + "ethics:\n" + block + tail)


def test_veto_forces_the_lowest_grade(site: Site) -> None:
    _ethics(site, "  grade: 一般\n  vetoes: [YPJC02]\n")
    fails_with(site, "content/assessments/kp-li-si-2009.yml:6:10: 错误 [ethics.grade 考评等次] 有一票否决情形（YPJC02），等次却为“一般”；"
                     "应为较差；一票否决情形直接定为较差")


def test_veto_with_the_lowest_grade_is_fine(site: Site) -> None:
    _ethics(site, "  grade: 较差\n  score: 95\n  vetoes: [YPJC02, YPJC06]\n")
    assert site.check().code == 0


def test_unknown_veto_item(site: Site) -> None:
    _ethics(site, "  grade: 较差\n  vetoes: [YPJC08]\n")
    fails_with(site, "content/assessments/kp-li-si-2009.yml:7:12: 错误 [ethics.vetoes.1 否决项] “YPJC08”不是可选值；"
                     "应为YPJC01、YPJC02、YPJC03、YPJC04、YPJC05、YPJC06、YPJC07 之一；是不是“YPJC07”？")


def test_grade_does_not_match_the_score(site: Site) -> None:
    _ethics(site, "  grade: 优秀\n  score: 85\n  deduction: 5\n")
    fails_with(site, "content/assessments/kp-li-si-2009.yml:6:10: 错误 [ethics.grade 考评等次] 得分 85、扣分 5 对应“良好”，填写的是“优秀”；"
                     "应为“良好”；等次标准见 site_config.yml 的 ethics_thresholds")


@pytest.mark.parametrize(("score", "deduction", "grade"), [
    (90, 0, "优秀"), (100, 0, "优秀"), (95, 1, "良好"), (80, 14.5, "良好"), (80, 15, "一般"), (79.5, 0, "一般"),
    (60, 24, "一般"), (60, 25, "较差"), (59.5, 0, "较差"), (0, 0, "较差"),
])
def test_default_thresholds(site: Site, score: float, deduction: float, grade: str) -> None:
    _ethics(site, f"  grade: {grade}\n  score: {score}\n  deduction: {deduction}\n")
    run = site.check()
    assert run.code == 0, run.err
    wrong = "较差" if grade != "较差" else "一般"
    _ethics(site, f"  grade: {wrong}\n  score: {score}\n  deduction: {deduction}\n")
    run = site.check()
    assert run.code == 1 and f"对应“{grade}”，填写的是“{wrong}”" in run.err


def test_thresholds_from_site_config(site: Site) -> None:
    cfg = site.root / "site_config.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "ethics_thresholds:\n"
                   "  - grade: 优秀\n    min_score: 85\n  - grade: 良好\n    min_score: 75\n  - grade: 一般\n    min_score: 60\n",
                   encoding="utf-8")
    # the fixture's 85 points and 良好 is now too low a grade
    fails_with(site, "content/assessments/kp-li-si-2009.yml:6:10: 错误 [ethics.grade 考评等次] 得分 85、扣分 5 对应“优秀”，填写的是“良好”；"
                     "应为“优秀”；等次标准见 site_config.yml 的 ethics_thresholds")


def test_ethics_assessment_of_a_non_medical_person_is_a_warning(site: Site) -> None:
    site.edit("assessments/kp-zhang-san-2009.yml", "report: 全年述职述廉一次。\n", "report: 全年述职述廉一次。\nethics:\n  grade: 良好\n")
    run = site.check()
    assert run.problems == ["content/assessments/kp-zhang-san-2009.yml:5:1: 警告 [ethics 医德考评] 张三 不属于医务人员，却填写了医德考评；"
                            "仅医务人员有医德考评；检查人员类别 roles"]
    assert run.code == 0


def test_report_of_a_non_cadre_is_a_warning(site: Site) -> None:
    site.edit("assessments/kp-li-si-2009.yml", "fulfilment_grade: 好\n", "fulfilment_grade: 好\nreport: 述职。\n")
    run = site.check()
    assert run.problems == ["content/assessments/kp-li-si-2009.yml:5:9: 警告 [report 述职述廉] 李四 不属于干部，却填写了述职述廉；仅干部填写"]
    assert run.code == 0
