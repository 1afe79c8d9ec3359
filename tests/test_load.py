"""Rules checked on each file alone (load.py): required fields, types,
enumerations, dates, unknown and duplicate keys, file names. Every test runs
the real `check` command and asserts the exact message with its position."""
from __future__ import annotations

from pathlib import Path

import pytest

from generator.load import load_file

from .conftest import MINI, Site

E = "错误"


def only(site: Site, expected: str) -> None:
    """`check` fails with exactly this one problem."""
    run = site.check()
    assert run.problems == [expected], run.err
    assert run.code == 1
    assert run.summary == (1, 0)


def test_the_mini_fixture_is_valid(site: Site) -> None:
    run = site.check()
    assert run.code == 0, run.err
    assert run.problems == []
    assert "检查了 19 个文件：0 个错误，0 个警告" in run.err


# ------------------------------------------------------------ required fields

def test_missing_required_field(site: Site) -> None:
    site.write("units/xyy.yml", """
        short_name: 新院
        kind: 医院
    """)
    only(site, "content/units/xyy.yml:1:1: 错误 [name 单位名称] 缺少必填字段“name”；应为文本；如：东台市人民医院")


def test_missing_required_field_in_a_list_item(site: Site) -> None:
    site.edit("forms/personal/li-si-2009.yml", "    level: 中\n", "")
    only(site, "content/forms/personal/li-si-2009.yml:6:5: 错误 [risks.1.level 风险等级] 缺少必填字段“level”；"
               "应为取值：高/中/低")


def test_required_field_left_empty(site: Site) -> None:
    site.write("units/xyy.yml", """
        name:
        kind: 医院
    """)
    only(site, "content/units/xyy.yml:1:6: 错误 [name 单位名称] 必填字段为空；应为文本；如：东台市人民医院")


def test_required_field_of_blanks(site: Site) -> None:
    site.write("units/xyy.yml", """
        name: "  "
        kind: 医院
    """)
    only(site, "content/units/xyy.yml:1:7: 错误 [name 单位名称] 必填字段为空；应为文本；如：东台市人民医院")


@pytest.mark.parametrize("empty", ["", "~", "null"])
def test_optional_field_left_empty_is_accepted(site: Site, empty: str) -> None:
    # the skeletons of `new` leave every optional key empty
    site.edit("units/zyy.yml", "order: 3\n", f"order: 3\naddress: {empty}\ndepartments: {empty}\n")
    run = site.check()
    assert run.code == 0, run.err


def test_empty_required_list(site: Site) -> None:
    site.edit("forms/personal/li-si-2009.yml", "    measures: [严格执行处方点评制度]", "    measures: []")
    only(site, "content/forms/personal/li-si-2009.yml:11:15: 错误 [risks.1.measures 自我防范措施] 列表为空；应为至少一项；本人的防范措施")


def test_empty_list_item(site: Site) -> None:
    site.edit("units/rmyy.yml", "departments:\n", "departments:\n  -\n")
    only(site, "content/units/rmyy.yml:8:4: 错误 [departments.1 科室] 列表项为空")


# ------------------------------------------------------------ types

def test_text_where_an_integer_is_expected(site: Site) -> None:
    site.edit("units/zyy.yml", "order: 3", "order: 第三")
    only(site, "content/units/zyy.yml:5:8: 错误 [order 排序] “第三”不是整数；应为整数")


def test_integer_out_of_range(site: Site) -> None:
    site.edit("people/zhang-san.yml", "birth_year: 1970", "birth_year: 1870")
    only(site, "content/people/zhang-san.yml:3:13: 错误 [birth_year 出生年份] 1870 超出范围；应为1900 到 2100 之间")


def test_text_where_a_number_is_expected(site: Site) -> None:
    site.edit("assessments/kp-li-si-2009.yml", "score: 85", "score: 八十五")
    only(site, "content/assessments/kp-li-si-2009.yml:7:10: 错误 [ethics.score 得分] “八十五”不是数值；应为数值")


def test_text_where_a_list_is_expected(site: Site) -> None:
    site.edit("people/li-si.yml", "roles: [处方医师, 医务人员]", "roles: 处方医师")
    only(site, "content/people/li-si.yml:6:8: 错误 [roles 人员类别] 这里是文字“处方医师”；应为列表；每项以“- ”开头，另起一行")


def test_list_where_text_is_expected(site: Site) -> None:
    site.edit("people/li-si.yml", "name: 李四", "name: [李, 四]")
    only(site, "content/people/li-si.yml:1:7: 错误 [name 姓名] 这里是列表；应为文本")


def test_text_where_a_mapping_is_expected(site: Site) -> None:
    site.edit("forms/personal/li-si-2009.yml", "publicity:\n  opens: 2009-05-25\n", "publicity: 2009-05-25\n")
    only(site, "content/forms/personal/li-si-2009.yml:14:12: 错误 [publicity 公示] 这里是文字“2009-05-25”；应为“键: 值”形式的公示")


def test_a_record_that_is_not_a_mapping(site: Site) -> None:
    site.write("units/xyy.yml", """
        - name: 新院
          kind: 医院
    """)
    only(site, "content/units/xyy.yml:1:1: 错误 [单位] 这里是列表；应为“键: 值”形式的单位")


def test_a_key_that_is_not_text(site: Site) -> None:
    site.edit("units/zyy.yml", "order: 3\n", "order: 3\n[a, b]: 1\n")
    only(site, "content/units/zyy.yml:6:1: 错误 键必须是文字")


def test_invisible_control_characters(site: Site) -> None:
    site.edit("people/li-si.yml", "post: 内科医师", 'post: "内科\\u202e医师"')
    only(site, "content/people/li-si.yml:5:7: 错误 [post 职务/岗位] 含有控制字符或双向文字控制符；删除这些不可见字符")


def test_text_too_long(site: Site) -> None:
    site.edit("people/li-si.yml", "post: 内科医师", "post: " + "长" * 20_001)
    only(site, "content/people/li-si.yml:5:7: 错误 [post 职务/岗位] 内容过长（20001 字）；应为不超过 20000 字")


def test_reference_that_is_not_an_id(site: Site) -> None:
    site.edit("people/li-si.yml", "unit: rmyy", "unit: 人民医院")
    only(site, "content/people/li-si.yml:3:7: 错误 [unit 单位] “人民医院”不是有效的记录编号；"
               "应为小写字母、数字和连字符组成的编号（即记录文件名）")


# ------------------------------------------------------------ enumerations

def test_value_outside_the_enumeration_with_suggestion(site: Site) -> None:
    site.edit("units/zyy.yml", "kind: 中医院", "kind: 三级中医院")
    only(site, "content/units/zyy.yml:3:7: 错误 [kind 单位类别] “三级中医院”不是可选值；"
               "应为局机关、医院、中医院、妇幼保健院、疾控中心、卫生监督所、中心卫生院、卫生院、其他 之一；是不是“中医院”？")


def test_value_outside_the_enumeration_without_suggestion(site: Site) -> None:
    site.edit("forms/personal/li-si-2009.yml", "category: 思想道德", "category: 其它")
    only(site, "content/forms/personal/li-si-2009.yml:8:15: 错误 [risks.1.category 风险类别] “其它”不是可选值；"
               "应为思想道德、岗位职责、业务流程、制度机制、外部环境 之一")


def test_enumeration_item_in_a_list(site: Site) -> None:
    site.edit("people/li-si.yml", "roles: [处方医师, 医务人员]", "roles: [处方医师, 医生]")
    run = site.check()
    assert run.problems == ["content/people/li-si.yml:6:15: 错误 [roles.2 类别] “医生”不是可选值；"
                            "应为班子成员、中层干部、党员干部、护士长、处方医师、医务人员、重点岗位人员、其他工作人员 之一"], run.err


@pytest.mark.parametrize(("written", "level"), [
    ("一级", "高"), ("二级", "中"), ("三级", "低"), ("Ⅰ级", "高"), ("Ⅱ级", "中"), ("Ⅲ级", "低"),
    ("高风险", "高"), ("低", "低"), ("中", "中"),
])
def test_risk_levels_are_normalised(site: Site, written: str, level: str) -> None:
    rel = "forms/personal/li-si-2009.yml"
    site.edit(rel, "level: 中", f"level: {written}")
    rec, probs = load_file(site.path(rel), rel, rel)
    assert probs == []
    assert rec is not None and rec.data["risks"][0]["level"] == level
    assert site.check().code == 0


def test_the_fixture_writes_a_level_as_yiji() -> None:
    # the mini fixture exercises the alias path on every run of the suite
    assert "level: 一级" in (MINI / "content/forms/personal/zhang-san-2009.yml").read_text(encoding="utf-8")


def test_unknown_risk_level(site: Site) -> None:
    site.edit("forms/personal/li-si-2009.yml", "level: 中", "level: 极高")
    only(site, "content/forms/personal/li-si-2009.yml:10:12: 错误 [risks.1.level 风险等级] “极高”不是可选值；"
               "应为高、中、低 之一；是不是“高”？")


# ------------------------------------------------------------ dates and times

@pytest.mark.parametrize("written", ["2009-5-20", "2009/05/20", "2009.5.20", "2009年5月20日", '"2009-05-20"'])
def test_accepted_date_spellings(site: Site, written: str) -> None:
    rel = "forms/personal/li-si-2009.yml"
    site.edit(rel, "signed_on: 2009-05-22", f"signed_on: {written}")
    rec, probs = load_file(site.path(rel), rel, rel)
    assert probs == []
    assert rec is not None and str(rec.data["signed_on"]) == "2009-05-20"


@pytest.mark.parametrize("written", ["2009-02-30", "20090520", "05/20/2009", "2009-05", "明天", "9999-12-31", "1899-12-31"])
def test_invalid_dates(site: Site, written: str) -> None:
    site.edit("forms/personal/li-si-2009.yml", "signed_on: 2009-05-22", f"signed_on: {written}")
    only(site, f"content/forms/personal/li-si-2009.yml:13:12: 错误 [signed_on 签署日期] “{written}”不是有效日期；"
               "应为YYYY-MM-DD 格式的日期，如 2009-05-20")


def test_window_opening_at_the_end_of_the_calendar(site: Site) -> None:
    # a derived window counted past 9999-12-31 used to crash with OverflowError
    site.edit("forms/personal/li-si-2009.yml", "  opens: 2009-05-25", "  opens: 9999-12-31")
    only(site, "content/forms/personal/li-si-2009.yml:15:10: 错误 [publicity.opens 公示开始] “9999-12-31”不是有效日期；"
               "应为YYYY-MM-DD 格式的日期，如 2009-05-20")


def test_line_breaks_in_an_echoed_key_stay_on_one_line(site: Site) -> None:
    site.edit("units/zyy.yml", "order: 3\n", 'order: 3\n"a\\nb\\u2028c": 1\n')
    only(site, "content/units/zyy.yml:6:1: 错误 [a\\nb\\u2028c] 未知的键“a\\nb\\u2028c”；应为单位的字段之一：name、short_name、kind、"
               "parent、order、leadership_body、departments、leadership、address")


def test_invalid_time(site: Site) -> None:
    site.edit("forms/personal/zhang-san-2009.yml", 'closes_at: "17:30"', 'closes_at: "17点半"')
    only(site, "content/forms/personal/zhang-san-2009.yml:19:14: 错误 [publicity.closes_at 截止时刻] “17点半”不是有效时刻；"
               "应为HH:MM 格式，如 17:30")


def test_unquoted_time_is_read_as_written(site: Site) -> None:
    # YAML 1.1 would read 17:30 as the sexagesimal integer 1050
    rel = "forms/personal/zhang-san-2009.yml"
    site.edit(rel, 'closes_at: "17:30"', "closes_at: 17:30")
    rec, probs = load_file(site.path(rel), rel, rel)
    assert probs == [] and rec is not None
    assert rec.data["publicity"]["closes_at"] == "17:30"


# ------------------------------------------------------------ unknown and duplicate keys

def test_unknown_key_with_did_you_mean(site: Site) -> None:
    site.edit("units/zyy.yml", "order: 3", "oder: 3")
    only(site, "content/units/zyy.yml:5:1: 错误 [oder] 未知的键“oder”；应为单位的字段之一：name、short_name、kind、parent、"
               "order、leadership_body、departments、leadership、address；是不是“order”（排序）？")


def test_unknown_key_written_as_its_chinese_label(site: Site) -> None:
    site.edit("units/zyy.yml", "order: 3", "排序: 3")
    only(site, "content/units/zyy.yml:5:1: 错误 [排序] 未知的键“排序”；应为单位的字段之一：name、short_name、kind、parent、"
               "order、leadership_body、departments、leadership、address；请用英文键“order”（排序）")


def test_unknown_key_inside_a_list_item(site: Site) -> None:
    site.edit("forms/personal/li-si-2009.yml", "    level: 中", "    levle: 中")
    run = site.check()
    assert run.problems == [
        "content/forms/personal/li-si-2009.yml:6:5: 错误 [risks.1.level 风险等级] 缺少必填字段“level”；应为取值：高/中/低",
        "content/forms/personal/li-si-2009.yml:10:5: 错误 [risks.1.levle] 未知的键“levle”；应为个人风险点的字段之一："
        "duty、power、point、manifestation、category、key_area、level、measures；是不是“level”（风险等级）？",
    ], run.err
    assert run.code == 1


def test_duplicate_key(site: Site) -> None:
    site.edit("units/zyy.yml", "order: 3", "order: 3\nname: 中医院分院")
    only(site, "content/units/zyy.yml:6:1: 错误 [name 单位名称] 键“name”重复出现（第一次在第 1 行）；每个键只出现一次；"
               "YAML 会悄悄只保留最后一个值；请合并或删除其中一个")


def test_duplicate_key_inside_one_nested_mapping(site: Site) -> None:
    site.edit("forms/personal/zhang-san-2009.yml", "  closes: 2009-05-27\n", "  closes: 2009-05-27\n  opens: 2009-05-22\n")
    only(site, "content/forms/personal/zhang-san-2009.yml:19:3: 错误 [publicity.opens 公示开始] 键“opens”重复出现（第一次在第 17 行）；"
               "每个键只出现一次；YAML 会悄悄只保留最后一个值；请合并或删除其中一个")


def test_same_key_in_two_mappings_is_fine(site: Site) -> None:
    # `on` in confirmation and `received` in each comment: separate mappings
    site.edit("forms/personal/zhang-san-2009.yml", "      commenter: 匿名职工\n",
              "      commenter: 匿名职工\n    - received: 2009-05-23\n      channel: 电话\n      summary: 第二条意见。\n"
              "      disposition: 采纳\n")
    assert site.check().code == 0


# ------------------------------------------------------------ file names and kinds

def test_file_name_that_is_not_an_id(site: Site) -> None:
    site.write("people/Zhang San.yml", "name: 张三\n")
    only(site, "content/people/Zhang San.yml:1:1: 错误 [记录编号] 文件名“Zhang San”不能作为记录编号；"
               "应为小写字母、数字和连字符组成，以字母或数字开头，不超过 64 个字符；请重命名文件，如 zhang-san-2009.yml")


def test_wrong_extension_in_a_record_folder_is_a_warning(site: Site) -> None:
    site.write("people/notes.txt", "备忘\n")
    run = site.check()
    assert run.problems == ["content/people/notes.txt:0:0: 警告 不是人员文件（扩展名应为 .yml/.yaml），已忽略"]
    assert run.code == 0
    assert site.check("--strict").code == 1


def test_other_file_outside_the_record_folders_is_a_warning(site: Site) -> None:
    site.write("说明.txt", "内容目录说明\n")
    run = site.check()
    assert run.problems == ["content/说明.txt:0:0: 警告 不认识的文件，已忽略；记录文件应放在 units/、people/、"
                            "forms/personal|department|unit/、rules/、flows/、assessments/ 下，或为 campaign.yml"]
    assert run.code == 0


def test_symlink_leading_out_of_the_content_folder(site: Site, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yml"
    outside.write_text("name: 外部\nkind: 医院\n", encoding="utf-8")
    site.path("units/outside.yml").symlink_to(outside)
    only(site, "content/units/outside.yml:0:0: 错误 符号链接指向内容目录之外，已拒绝；请把文件本身放进 content/")


def test_symlink_inside_the_content_folder_is_read(site: Site) -> None:
    site.path("units/_shared").mkdir()
    site.path("units/zyy.yml").rename(site.path("units/_shared/zyy.yml"))
    site.path("units/zyy.yml").symlink_to(site.path("units/_shared/zyy.yml"))
    assert site.check().code == 0


def test_yaml_extension_is_accepted(site: Site) -> None:
    site.path("people/li-si.yml").rename(site.path("people/li-si.yaml"))
    assert site.check().code == 0


def test_hidden_and_underscore_files_are_skipped(site: Site) -> None:
    site.write("people/.li-si.yml.swp", "\x00")
    site.write("people/_draft.yml", "name: [\n")
    site.write("_drafts/x.yml", "name: [\n")
    assert site.check().code == 0


# ------------------------------------------------------------ rule documents (front matter)

def test_rule_front_matter_positions_count_the_opening_dashes(site: Site) -> None:
    site.edit("rules/zyy-hccg.md", "kind: 办事规则", "kind: 规定")
    only(site, "content/rules/zyy-hccg.md:3:7: 错误 [kind 类别] “规定”不是可选值；"
               "应为操作规程、办事规则、办事程序、操作办法、限定裁量标准、制度 之一")


def test_rule_without_front_matter(site: Site) -> None:
    site.write("rules/zyy-new.md", "# 新制度\n\n正文\n")
    only(site, "content/rules/zyy-new.md:1:1: 错误 [文件头] 缺少文件头；应为以 --- 开头、--- 结束的 YAML 文件头，其后为 Markdown 正文；"
               "参见 python -m generator new rule")


def test_rule_front_matter_not_closed(site: Site) -> None:
    site.write("rules/zyy-new.md", "---\ntitle: 新制度\n\n正文\n")
    only(site, "content/rules/zyy-new.md:1:1: 错误 [文件头] 文件头没有结束；应为文件头以单独一行 --- 结束")


def test_rule_body_with_control_characters(site: Site) -> None:
    site.edit("rules/zyy-hccg.md", "中医院的耗材", "中医院\u202e的耗材")
    only(site, "content/rules/zyy-hccg.md:2:1: 错误 [正文] 正文含有控制字符或双向文字控制符；删除这些不可见字符")


def test_load_file_keeps_the_body(tmp_path: Path) -> None:
    rel = "rules/rmyy-ypcg.md"
    rec, probs = load_file(MINI / "content" / rel, rel, rel)
    assert probs == [] and rec is not None
    assert rec.id == "rmyy-ypcg" and rec.type == "rule"
    assert rec.body.strip().startswith("# 药品采购操作规程")
