"""`import`: templates filled by a script become clean record files; every
problem names its cell with the wording of `check`; a workbook with an
error writes nothing, while the other workbooks of the run still import."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
import openpyxl

from .test_sheets_support import Sheets, Table, fill, needs_soffice, resave, sheets, value_cell  # noqa: F401

E, W = "错误", "警告"


def personal(s: Sheets, name: str = "p.xlsx", person: str = "李四（li-si）", year: int = 2010) -> tuple[Path, openpyxl.Workbook]:
    """A personal form filled in the way a clerk would."""
    wb = s.template("personal", "--unit", "rmyy", "--year", str(year))
    ws = wb["风险点"]
    fill(ws, "承诺人", person)
    fill(ws, "科室", "内科（nk）")
    fill(ws, "职务/岗位", "内科副主任医师")
    fill(ws, "岗位职责", "内科门诊与病房诊疗；\n带教进修医师。")
    fill(ws, "岗位职权", "处方权、检查申请权")
    fill(ws, "签署日期", dt.datetime(year, 5, 20))
    t = Table(ws, "风险点")
    t.put(0, 序号=1, 对应岗位职责="门诊诊疗", 风险点="开具大处方", 表现形式="为提成多开药品", 风险类别="思想道德",
          重点领域="药械材使用", 风险等级="二级", 自我防范措施="执行处方点评制度")
    t.put(1, 自我防范措施="=每月自查处方")  # a continuation row: the first risk's second measure
    t.put(2, 序号=2, 风险点="收受检查回扣", 表现形式="介绍病人到指定机构检查", 风险类别="外部环境", 重点领域="其他",
          风险等级="高", 自我防范措施="不接受任何检查机构的宴请和财物")
    path = s.root / name
    wb.save(path)
    return path, wb


def unit_form(s: Sheets, name: str = "u.xlsx") -> tuple[Path, openpyxl.Workbook]:
    wb = s.template("unit", "--unit", "xjwsy", "--year", "2010")
    ws = wb["风险点"]
    fill(ws, "承诺人（单位主要负责人）", "陈七")
    fill(ws, "签署日期", "2010年5月28日")
    t = Table(ws, "风险点")
    t.put(0, 权力事项="药品采购", 风险点="药品二次议价", 表现形式="收受供应商好处", 风险类别="外部环境", 重点领域="药械材采购",
          风险等级="一级", 关键环节="执行")
    t.put(0, **{"共性/个性": "共性", "已采取的措施": "执行药房管理办事规则", "制度文本": "药房管理办事规则（xjwsy-ypgl）",
                "承诺措施内容": "建立药品采购操作规程", "出台或实施时间": dt.date(2010, 6, 30), "拟建立制度类别": "操作规程",
                "责任科室": "药房（yf）", "无法控制的原因": "药品价格由上级核定", "需上级协调事项": "建议统一招标", "上级部门": "测试市卫生局"})
    t.put(1, **{"承诺措施内容": "每季度公开药品采购情况", "出台或实施时间": "2010/7/1"})
    pub = wb["公示与确认"]
    fill(pub, "公示开始", dt.date(2010, 6, 1))
    fill(pub, "公示工作日数", 5)
    fill(pub, "公示地点", "院务公开栏")
    fill(pub, "确认单位", "新街卫生院党政班子")
    fill(pub, "确认日期", dt.date(2010, 6, 10))
    ct = Table(pub, "意见摘要")
    ct.put(0, 意见收到日期=dt.date(2010, 6, 2), 意见渠道="意见箱", 意见摘要="建议公开议价结果", 意见处理结果="采纳",
           **{"意见提出人（保密）": "职工甲"})
    path = s.root / name
    wb.save(path)
    return path, wb


PERSONAL_YAML = """\
person: li-si
year: 2010
unit: rmyy
department: nk
post: 内科副主任医师
duties: |-
  内科门诊与病房诊疗；
  带教进修医师。
powers: 处方权、检查申请权
risks:
  - duty: 门诊诊疗
    point: 开具大处方
    manifestation: 为提成多开药品
    category: 思想道德
    key_area: 药械材使用
    level: 中
    measures:
      - 执行处方点评制度
      - =每月自查处方
  - point: 收受检查回扣
    manifestation: 介绍病人到指定机构检查
    category: 外部环境
    key_area: 其他
    level: 高
    measures:
      - 不接受任何检查机构的宴请和财物
pledge: 本人承诺：严格遵守廉洁从业的各项规定，认真落实上述自我防范措施，自觉接受组织和群众的监督。
signed_on: 2010-05-20
"""

UNIT_YAML = """\
unit: xjwsy
year: 2010
head: chen-qi
risks:
  - power_item: 药品采购
    point: 药品二次议价
    manifestation: 收受供应商好处
    category: 外部环境
    key_area: 药械材采购
    level: 高
    stage: 执行
    scope: 共性
    measures_taken:
      - text: 执行药房管理办事规则
        rule: xjwsy-ypgl
    commitments:
      - content: 建立药品采购操作规程
        due: 2010-06-30
        establishes: 操作规程
      - content: 每季度公开药品采购情况
        due: 2010-07-01
    owner_department: yf
    escalation:
      reason: 药品价格由上级核定
      request: 建议统一招标
      to: 测试市卫生局
pledge: 本单位承诺：认真落实上述防控措施，按期出台承诺的制度和措施，自觉接受上级和群众的监督。
signed_on: 2010-05-28
publicity:
  opens: 2010-06-01
  working_days: 5
  where: 院务公开栏
  feedback:
    - received: 2010-06-02
      channel: 意见箱
      summary: 建议公开议价结果
      disposition: 采纳
      commenter: 职工甲
confirmation:
  by: 新街卫生院党政班子
  on: 2010-06-10
"""


def test_filled_templates_import_as_clean_records(sheets: Sheets) -> None:
    p, _ = personal(sheets)
    u, _ = unit_form(sheets)
    run = sheets.run("import", str(p), str(u))
    assert run.code == 0, run.err
    assert run.err == ""
    assert run.out.splitlines() == [
        f"读取 {p}（Excel 工作簿）：个人承诺表 1 份",
        f"读取 {u}（Excel 工作簿）：单位承诺表 1 份",
        f"{p}：已导入 content/forms/personal/2010/rmyy/li-si-2010.yml",
        f"{u}：已导入 content/forms/unit/2010/xjwsy/xjwsy-2010.yml",
        "导入完毕：2 个文件，2 个已导入（2 份记录），0 个有错误未导入",
    ]
    assert (sheets.content / "forms/personal/2010/rmyy/li-si-2010.yml").read_text(encoding="utf-8") == PERSONAL_YAML
    assert (sheets.content / "forms/unit/2010/xjwsy/xjwsy-2010.yml").read_text(encoding="utf-8") == UNIT_YAML
    check = sheets.run("check", "--strict")
    assert check.code == 0, check.err


def test_a_department_form_takes_names_ids_and_chinese_dates(sheets: Sheets) -> None:
    wb = sheets.template("department", "--unit", "rmyy")
    ws = wb["风险点"]
    fill(ws, "科室", "内科")  # the name alone is enough when it is unique in the unit
    fill(ws, "年度", "2009")
    fill(ws, "承诺人（科室负责人）", "li-si")
    fill(ws, "签署日期", "2009/5/20")
    t = Table(ws, "风险点")
    t.put(0, 重要环节="处方开具", 风险点="开具大处方", 表现形式="多开药品", 风险类别="业务流程", 重点领域="药械材使用", 风险等级="Ⅱ级",
          涉及岗位="处方医师", 防控措施="处方点评", 直接责任人="李四（li-si）", 科室负责人="李四", 分管领导="zhao-liu")
    t.put(1, 防控措施="抗菌药物分级管理")
    wb.save(sheets.root / "d.xlsx")
    run = sheets.run("import", "d.xlsx")
    assert run.code == 0, run.err
    text = (sheets.content / "forms/department/2009/rmyy/rmyy-nk-2009.yml").read_text(encoding="utf-8")
    assert text.startswith("unit: rmyy\ndepartment: nk\nyear: 2009\nhead: li-si\nrisks:\n  - link: 处方开具\n")
    assert "    level: 中\n    posts: 处方医师\n    measures:\n      - 处方点评\n      - 抗菌药物分级管理\n" \
           "    owner: li-si\n    head: li-si\n    leader: zhao-liu\n" in text
    assert "signed_on: 2009-05-20\n" in text and "#" not in text


@needs_soffice
def test_a_workbook_resaved_by_libreoffice_imports_the_same(sheets: Sheets) -> None:
    p, _ = personal(sheets)
    u, _ = unit_form(sheets)
    assert sheets.run("import", str(p), str(u)).code == 0
    first = sheets.files()
    for rel in ("forms/personal/2010", "forms/unit/2010"):
        shutil.rmtree(sheets.content / rel)
    lo_p = resave(p, sheets.root / "lo")
    lo_u = resave(u, sheets.root / "lo")
    assert b"LibreOffice" in _docprops(lo_p) and b"LibreOffice" in _docprops(lo_u)
    run = sheets.run("import", str(lo_p), str(lo_u))
    assert run.code == 0, run.err
    assert sheets.files() == first


def test_every_kind_of_cell_error_is_reported_at_its_cell(sheets: Sheets) -> None:
    wb = sheets.template("personal", "--unit", "rmyy")
    ws = wb["风险点"]
    who = fill(ws, "承诺人", "李 四")
    year = fill(ws, "年度", "二〇〇九")
    fill(ws, "岗位职责", "诊疗")
    powers = fill(ws, "岗位职权", None)
    signed = fill(ws, "签署日期", "2009-13-45")
    t = Table(ws, "风险点")
    t.put(0, 风险点="大处方", 表现形式="多开药", 风险类别="思想道德", 重点领域="药械材使用", 风险等级="特高", 自我防范措施="处方点评")
    t.put(1, 风险点="回扣", 风险类别="其它", 重点领域="其他", 风险等级="高")
    ws.cell(t.start - 1, ws.max_column + 1, "备注")
    pub = wb["公示与确认"]
    opens = value_cell(pub, "公示开始").coordinate
    fill(pub, "公示地点", "院务公开栏")
    at = fill(pub, "截止时刻", "25:00")
    path = sheets.root / "错误.xlsx"
    wb.save(path)
    before = sheets.files()
    run = sheets.run("import", "错误.xlsx")
    assert run.code == 1
    f = "错误.xlsx 风险点!"
    g = "错误.xlsx 公示与确认!"
    extra = ws.cell(t.start - 1, ws.max_column).coordinate
    assert run.err.splitlines() == [
        f"{f}{who}: {E} [person 承诺人] “李 四”不是有效的记录编号；应为小写字母、数字和连字符组成的编号（即记录文件名）",
        f"{f}{year}: {E} [year 年度] “二〇〇九”不是整数；应为整数",
        f"{f}{powers}: {E} [powers 岗位职权] 必填字段为空；应为长文本；本岗位的职权",
        f"{f}{extra}: {W} 不认识的栏目“备注”，该列已忽略",
        f"{f}{t.ref(0, '风险等级')}: {E} [risks.1.level 风险等级] “特高”不是可选值；应为高、中、低 之一；是不是“高”？",
        f"{f}{t.ref(1, '表现形式')}: {E} [risks.2.manifestation 表现形式] 必填字段为空；应为长文本；风险的具体表现",
        f"{f}{t.ref(1, '风险类别')}: {E} [risks.2.category 风险类别] “其它”不是可选值；"
        "应为思想道德、岗位职责、业务流程、制度机制、外部环境 之一",
        f"{f}{t.ref(1, '自我防范措施')}: {E} [risks.2.measures 自我防范措施] 列表为空；应为至少一项；本人的防范措施",
        f"{f}{signed}: {E} [signed_on 签署日期] “2009-13-45”不是有效日期；应为YYYY-MM-DD 格式的日期，如 2009-05-20",
        f"{g}{opens}: {E} [publicity.opens 公示开始] 必填字段为空；应为日期 YYYY-MM-DD；公示期开始的日期",
        f"{g}{at}: {E} [publicity.closes_at 截止时刻] “25:00”不是有效时刻；应为HH:MM 格式，如 17:30",
        "错误.xlsx：10 个错误，未导入",
    ]
    assert sheets.files() == before


def test_cross_record_problems_point_at_cells(sheets: Sheets) -> None:
    p, wb = personal(sheets, year=2009)
    ws, pub = wb["风险点"], wb["公示与确认"]
    who = fill(ws, "承诺人", "nobody")
    dept = fill(ws, "科室", "xxk")
    signed = fill(ws, "签署日期", dt.date(2009, 6, 5))
    fill(pub, "公示开始", dt.date(2009, 6, 1))
    fill(pub, "公示截止", dt.date(2009, 6, 5))
    fill(pub, "确认单位", "人民医院党政班子")
    on = fill(pub, "确认日期", dt.date(2009, 6, 5))
    wb.save(p)
    u, uwb = unit_form(sheets)
    t = Table(uwb["风险点"], "风险点")
    t.put(0, 制度文本="rmyy-ypcg", 承诺措施内容=None, 出台或实施时间=None, 拟建立制度类别=None)
    t.put(1, 承诺措施内容=None, 出台或实施时间=None)
    t.put(2, 权力事项="物资管理", 风险点="出入库账实不符", 表现形式="虚报损耗", 风险类别="业务流程", 重点领域="财务管理", 风险等级="低",
          关键环节="执行", **{"共性/个性": "个性"})
    uwb.save(u)
    before = sheets.files()
    run = sheets.run("import", str(p), str(u))
    assert run.code == 1
    f, g, h = f"{p} 风险点!", f"{p} 公示与确认!", f"{u} 风险点!"
    assert run.err.splitlines() == [
        f"{f}{who}: {E} [person 承诺人] 引用的编号“nobody”不存在；应为已有的人员编号；编号即记录的文件名",
        f"{f}{dept}: {E} [department 科室] 单位“rmyy”没有科室“xxk”；应为该单位的科室编号之一：yjk、nk、sbk",
        f"{f}{signed}: {E} [signed_on 签署日期] 签署日期（2009-06-05）晚于公示开始（2009-06-01）；应为不晚于公示开始；先签署承诺再公示",
        f"{g}{on}: {E} [confirmation.on 确认日期] 确认日期（2009-06-05）在公示期结束（2009年6月5日 24 时截止（当日结束））之前；"
        "应为公示期结束之后；党政班子应在公示期满、意见处理完毕后确认",
        f"{p}：4 个错误，未导入",
        f"{h}{t.ref(0, '制度文本')}: {E} [risks.1.measures_taken.1.rule 制度文本] 制度“药品采购操作规程（试行）”属于单位“rmyy”，"
        "不是本单位或上级单位的制度；应为本单位或上级单位制定的制度文本",
        f"{h}{t.ref(2, '风险点')}: {E} [risks.2 单位风险点] 风险点“出入库账实不符”既没有已采取的措施，也没有下一步承诺；"
        "在 measures_taken 中列出已出台的制度，或在 commitments 中写明措施内容及出台或实施时间；"
        "实施方案：凡已列入工作计划的，须在“下一步防控措施承诺”栏中明确措施内容及出台或实施时间",
        f"{h}{t.ref(2, '重点领域')}: {E} [risks.2.key_area 重点领域] “财务管理”领域的风险点没有引用操作规程，也没有承诺限期建立；"
        "在 measures_taken 中引用类别为“操作规程”的制度文本，或在 commitments 中承诺建立（establishes: 操作规程，due 不晚于 "
        "2010-06-30）；实施方案：涉及药、械、材和人、财、物管理重点环节的风险点必须建有操作规程",
        f"{u}：3 个错误，未导入",
    ]
    assert sheets.files() == before


def test_an_existing_record_is_replaced_only_with_force(sheets: Sheets) -> None:
    p, wb = personal(sheets, person="zhang-san", year=2009)
    fill(wb["风险点"], "科室", "药剂科（yjk）")
    wb.save(p)
    original = sheets.files()
    run = sheets.run("import", str(p))
    assert run.code == 1
    who = value_cell(wb["风险点"], "承诺人").coordinate
    assert run.err.splitlines()[0] == (
        f"{p} 风险点!{who}: {E} [记录编号] 记录编号“zhang-san-2009”已存在：content/forms/personal/zhang-san-2009.yml，未覆盖；"
        "确需用本表替换原记录，请加 --force")
    assert sheets.files() == original
    run = sheets.run("import", "--force", str(p))
    assert run.code == 0, run.err
    assert f"{p}：已导入 content/forms/personal/zhang-san-2009.yml" in run.out  # replaced where it was
    assert not (sheets.content / "forms/personal/2009").exists()
    assert sheets.records()["zhang-san-2009"]["risks"][0]["point"] == "开具大处方"


def test_one_bad_workbook_does_not_stop_the_others(sheets: Sheets) -> None:
    good, _ = personal(sheets, "good.xlsx")
    twin, twb = personal(sheets, "twin.xlsx")  # the same person and year again
    bad, bwb = personal(sheets, "bad.xlsx", person="张三（zhang-san）")
    t = Table(bwb["风险点"], "风险点")
    t.put(0, 风险等级="极高")
    bwb.save(bad)
    run = sheets.run("import", str(good), str(bad), str(twin))
    assert run.code == 1
    year = value_cell(twb["风险点"], "年度").coordinate
    assert f"{bad}：1 个错误，未导入" in run.err
    assert (f"{twin} 风险点!{year}: {E} [year 年度] 2010 年度已有一份个人廉政风险和自我防范承诺表："
            "content/forms/personal/2010/rmyy/li-si-2010.yml；应为每年一份；若要更正，请修改原记录，或撤回后再提交") in run.err
    assert f"{good}：已导入 content/forms/personal/2010/rmyy/li-si-2010.yml" in run.out
    assert run.out.splitlines()[-1] == "导入完毕：3 个文件，1 个已导入（1 份记录），2 个有错误未导入"
    assert set(sheets.records()) == {"zhang-san-2009", "li-si-2009", "zhou-ba-2009", "rmyy-yjk-2009", "rmyy-2009",
                                     "xjwsy-2009", "li-si-2010"}


def test_files_that_are_not_workbooks(sheets: Sheets) -> None:
    (sheets.root / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (sheets.root / "broken.xlsx").write_bytes(b"PK\x03\x04 not really")
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.save(sheets.root / "other.xlsx")
    (sheets.root / "~$p.xlsx").write_bytes(b"owner file")  # Excel's lock file beside an open workbook
    run = sheets.run("import", "old.xls", "broken.xlsx", "other.xlsx", "missing.xlsx", "~$p.xlsx")
    assert run.code == 1
    assert "读取 ~$p.xlsx：没有可导入的承诺表；跳过：Excel/WPS 打开文件时留下的临时文件" in run.out.splitlines()
    assert run.out.splitlines()[-1] == "导入完毕：5 个文件，0 个已导入（0 份记录），4 个有错误未导入"
    lines = run.err.splitlines()
    assert "old.xls: 错误 不支持 .xls 格式；应为Excel 工作簿（.xlsx）或 CSV 文件；" \
           "请在 Excel、WPS 或 LibreOffice 中“另存为”Excel 工作簿（*.xlsx）" in lines
    assert any(ln.startswith("broken.xlsx: 错误 无法打开工作簿，文件已损坏或不是 .xlsx 格式") for ln in lines)
    assert "other.xlsx: 错误 工作簿中找不到承诺表；应为填表模板的工作表“风险点”，或汇总表的工作表“个人承诺表”“科室承诺表”“单位承诺表”之一；" \
           "请用 python -m generator template 生成的模板填写，不要重命名工作表" in lines
    assert "missing.xlsx: 错误 找不到文件" in lines
    assert "Traceback" not in run.err


def _docprops(path: Path) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return z.read("docProps/app.xml")


def test_a_hand_made_gbk_csv_without_ids_reports_cells_by_column_and_row(sheets: Sheets) -> None:
    rows = [
        "承诺人,年度,岗位职责,岗位职权,承诺内容,签署日期,风险点,表现形式,风险类别,重点领域,风险等级,自我防范措施",
        "李四,2010,诊疗,处方权,不收红包,2010/5/20,大处方,多开药,思想道德,药械材使用,三级,处方点评",
        ",,,,,,,,,,,抗菌药物分级管理",
        "周八（zhou-ba）,2010,设备维护,询价权,询价公开,2010-05-21,泄露底价,透露报价,岗位职责,药械材采购,很高,两人询价",
    ]
    (sheets.root / "手工.csv").write_bytes("\r\n".join(rows).encode("gbk"))
    before = sheets.files()
    run = sheets.run("import", "手工.csv")
    assert run.code == 1
    assert run.out.splitlines()[0] == "读取 手工.csv（CSV，GBK 编码）：个人承诺表 2 份"
    assert run.err.splitlines() == [
        f"手工.csv K4: {E} [risks.1.level 风险等级] “很高”不是可选值；应为高、中、低 之一；是不是“高”？",
        "手工.csv：1 个错误，未导入",
    ]
    assert sheets.files() == before
    (sheets.root / "手工.csv").write_bytes("\r\n".join(rows).replace("很高", "高").encode("gbk"))
    run = sheets.run("import", "手工.csv")
    assert run.code == 0, run.err
    assert run.out.splitlines()[1:3] == ["手工.csv：已导入 content/forms/personal/2010/rmyy/li-si-2010.yml",
                                         "手工.csv：已导入 content/forms/personal/2010/rmyy/zhou-ba-2010.yml"]
    got = sheets.records()
    assert got["li-si-2010"]["risks"][0]["measures"] == ["处方点评", "抗菌药物分级管理"]
    assert got["li-si-2010"]["risks"][0]["level"] == "低"


def test_a_name_shared_by_two_people_asks_for_the_id(sheets: Sheets) -> None:
    (sheets.content / "people/li-si-2.yml").write_text("name: 李四\nunit: rmyy\npost: 护士\nroles: [医务人员]\n", encoding="utf-8")
    p, wb = personal(sheets, person="李四")
    who = value_cell(wb["风险点"], "承诺人").coordinate
    run = sheets.run("import", str(p))
    assert run.code == 1
    assert run.err.splitlines()[0] == (
        f"{p} 风险点!{who}: {E} [person 承诺人] “李四”不是有效的记录编号；应为小写字母、数字和连字符组成的编号（即记录文件名）；"
        "同名的有 李四（li-si）、李四（li-si-2）；请写“名称（编号）”或从下拉列表中选择")
