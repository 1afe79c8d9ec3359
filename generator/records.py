"""The record types, each declared once: folder, labels and typed fields."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import reads
from .fields import ID_PATTERN, D, E, Field, L, M, R, S, Shape, T, item_of

LEVELS = ("高", "中", "低")
LEVEL_ALIASES = {
    "一级": "高", "二级": "中", "三级": "低",
    "Ⅰ级": "高", "Ⅱ级": "中", "Ⅲ级": "低", "I级": "高", "II级": "中", "III级": "低",
    "高风险": "高", "中风险": "中", "低风险": "低",
}
CATEGORIES = ("思想道德", "岗位职责", "业务流程", "制度机制", "外部环境")
KEY_AREAS = (
    "药械材采购", "药械材使用", "药械材结算",
    "人事管理", "财务管理", "物资管理",
    "三重一大", "行政许可", "行政处罚", "其他",
)
# Key areas where the seed demands an 操作规程 ("必须建有'操作规程'").
RULE_REQUIRED_AREAS = frozenset(KEY_AREAS[:6])
STAGES = ("决策", "执行", "监督检查")
SCOPES = ("共性", "个性")
RULE_KINDS = ("操作规程", "办事规则", "办事程序", "操作办法", "限定裁量标准", "制度")
UNIT_KINDS = ("局机关", "医院", "中医院", "妇幼保健院", "疾控中心", "卫生监督所", "中心卫生院", "卫生院", "其他")
ROLES = ("班子成员", "中层干部", "党员干部", "护士长", "处方医师", "医务人员", "重点岗位人员", "其他工作人员")
CADRE_ROLES = frozenset({"班子成员", "中层干部", "党员干部"})
MEDICAL_ROLES = frozenset({"护士长", "处方医师", "医务人员"})
ARCHIVE_CADRE = "党员干部廉政档案"
ARCHIVE_ETHICS = "医务人员医德档案"
DISPOSITIONS = ("采纳", "部分采纳", "不采纳")
CHANNELS = ("意见箱", "电话", "电子邮件", "网上意见表", "当面", "信函", "其他")
GRADES = ("优秀", "良好", "一般", "较差")
VETO_ITEMS = {
    "YPJC01": "在医疗服务活动中索要患者及其亲友财物或者牟取其他不正当利益的",
    "YPJC02": "在临床诊疗活动中，收受药品、医用设备、医用耗材等生产、经营企业或经销人员以各种名义给予的财物或提成的",
    "YPJC03": "违反医疗服务和药品价格政策，多记费、多收费或者私自收取费用，情节严重的",
    "YPJC04": "隐匿、伪造或擅自销毁医学文书及有关资料的",
    "YPJC05": "不认真履行职责，导致发生医疗事故或严重医疗差错的",
    "YPJC06": "出具虚假医学证明文件或参与虚假医疗广告宣传和药品医疗器械促销的",
    "YPJC07": "医疗服务态度恶劣，造成恶劣影响或者严重后果的",
}
FORM_TYPES = ("personal", "department", "unit")

# ---------------------------------------------------------------- shared blocks

PHASE = Shape("phase", "阶段", (
    S("name", "阶段名称", "如：动员部署、排查风险/落实措施、明确责任/检查验收", required=True),
    D("starts", "开始日期", "阶段开始的日期", required=True),
    D("ends", "结束日期", "阶段结束的日期（含当日）", required=True),
    T("summary", "主要内容", "本阶段的主要工作"),
))

COMMENT = Shape("comment", "意见", (
    D("received", "收到日期", "意见收到的日期", required=True),
    E("channel", "渠道", "意见的来源渠道", CHANNELS, required=True),
    T("summary", "意见摘要", "意见内容的摘要（公开）", required=True),
    E("disposition", "处理结果", "采纳、部分采纳或不采纳；未处理时留空", DISPOSITIONS),
    T("reason", "处理理由", "处理结果的理由（公开）"),
    S("commenter", "提出人", "提出意见者的身份（保密，永不公开）", private=True),
))

PUBLICITY = Shape("publicity", "公示", (
    D("opens", "公示开始", "公示期开始的日期", required=True),
    D("closes", "公示截止", "公示期最后一天；不填则按工作日天数推算"),
    Field("working_days", "公示工作日数", "不填截止日期时，按此工作日数推算截止日（默认见 site_config.yml）", "int", minimum=1, maximum=60),
    Field("closes_at", "截止时刻", "截止日当天的截止时刻 HH:MM；不填则为当日 24 时", "time"),
    T("where", "公示地点", "如：院务公开栏、内网公示栏"),
    L("feedback", "收到的意见", "公示期间收到的意见及处理情况", item_of(COMMENT)),
))

CONFIRMATION = Shape("confirmation", "辨识确认", (
    S("by", "确认单位", "如：人民医院党政班子", required=True),
    D("on", "确认日期", "党政班子辨识确认的日期", required=True),
    T("opinion", "确认意见", "党政班子的确认意见"),
))

WITHDRAWAL = Shape("withdrawal", "撤回", (
    D("on", "撤回日期", "撤回的日期", required=True),
    T("reason", "撤回理由", "公开的撤回理由", required=True),
))

MEASURE = Shape("measure", "已采取的措施", (
    T("text", "措施内容", "已采取的措施", required=True),
    R("rule", "制度文本", "所依据的制度文本编号（制度汇编中的记录）", ("rule",)),
))

COMMITMENT = Shape("commitment", "下一步防控措施承诺", (
    T("content", "措施内容", "下一步出台或实施的措施", required=True),
    D("due", "出台或实施时间", "承诺完成的日期", required=True),
    E("establishes", "拟建立制度类别", "若承诺建立制度文本，填写其类别", RULE_KINDS),
    D("done", "完成日期", "实际完成的日期（完成后填写）"),
))

ESCALATION = Shape("escalation", "本级无法控制", (
    T("reason", "原因", "本级无法单独防控的原因", required=True),
    T("request", "需上级协调事项", "需上级协调或向上级提出的建议", required=True),
    S("to", "上级部门", "建议协调的上级部门"),
))

_RISK_CORE = (
    T("point", "风险点", "廉政风险的内容", required=True),
    T("manifestation", "表现形式", "风险的具体表现", required=True),
    E("category", "风险类别", "风险的种类", CATEGORIES, required=True),
    E("key_area", "重点领域", "风险所在的重点领域", KEY_AREAS, required=True),
    E("level", "风险等级", "高/中/低；也可写一级/二级/三级（一级=高）", LEVELS, required=True, aliases=LEVEL_ALIASES),
)

PERSONAL_RISK = Shape("personal_risk", "个人风险点", (
    T("duty", "岗位职责", "该风险对应的岗位职责"),
    T("power", "岗位职权", "该风险对应的岗位职权"),
    *_RISK_CORE,
    L("measures", "自我防范措施", "本人的防范措施", Field("", "措施", "", "text"), required=True),
))

DEPARTMENT_RISK = Shape("department_risk", "科室风险点", (
    T("link", "重要环节", "重要环节或业务事项"),
    *_RISK_CORE,
    S("posts", "涉及岗位", "风险点涉及的岗位"),
    L("measures", "防控措施", "科室的防控措施", Field("", "措施", "", "text"), required=True),
    R("owner", "直接责任人", "直接责任人的人员编号", ("person",)),
    R("head", "科室负责人", "科室负责人的人员编号", ("person",)),
    R("leader", "分管领导", "分管领导的人员编号", ("person",)),
))

UNIT_RISK = Shape("unit_risk", "单位风险点", (
    S("power_item", "权力事项", "风险所属的权力事项", required=True),
    *_RISK_CORE,
    E("stage", "关键环节", "决策、执行或监督检查", STAGES, required=True),
    E("scope", "共性/个性", "共性风险点或本单位个性风险点", SCOPES, required=True),
    L("measures_taken", "已采取的措施", "已出台的制度与措施，注明制度文本", item_of(MEASURE)),
    L("commitments", "下一步防控措施承诺", "措施内容及出台或实施时间", item_of(COMMITMENT)),
    S("owner_department", "责任科室", "责任科室（本单位科室编号）"),
    R("leader", "责任领导", "责任领导的人员编号", ("person",)),
    M("escalation", "本级无法控制", "本级无法单独防控、需上级协调时填写", ESCALATION),
))

_FORM_TAIL = (
    T("pledge", "承诺内容", "承诺人的承诺", required=True),
    D("signed_on", "签署日期", "承诺签署日期（不晚于公示开始）", required=True),
    M("publicity", "公示", "公示期及收到的意见；不填表示尚未安排公示", PUBLICITY),
    M("confirmation", "辨识确认", "党政班子辨识确认（公示期结束后）", CONFIRMATION),
    M("withdrawal", "撤回", "撤回的日期和公开理由", WITHDRAWAL),
)

YEAR = Field("year", "年度", "承诺所属年度", "int", required=True, minimum=2000, maximum=2100)

# ---------------------------------------------------------------- record types


@dataclass(frozen=True)
class RecordType:
    name: str  # internal name
    label: str  # Chinese name
    doc: str
    folder: str  # top-level folder (or file) under content/
    shape: Shape
    markdown: bool = False  # rule documents: front matter + Markdown body

    @property
    def fields(self) -> tuple[Field, ...]:
        return self.shape.fields


CAMPAIGN = RecordType("campaign", "专项工作", "专项工作的文件信息与阶段安排（仅一份：content/campaign.yml）", "campaign.yml", Shape("campaign", "专项工作", (
    S("title", "标题", "专项工作名称", required=True),
    S("doc_number", "文号", "如：东卫〔2009〕95号", required=True),
    S("issuer", "发文机关", "如：东台市卫生局", required=True),
    D("issued_on", "发文日期", "文件印发日期"),
    S("document", "文件正文", "实施方案全文的 Markdown 文件名（相对 content/）"),
    L("phases", "阶段安排", "各阶段及起止日期", item_of(PHASE), required=True),
    D("rules_deadline", "操作规程限期", "尚未建立的操作规程的最迟建立日期", required=True),
    S("office", "专项工作办公室", "如：局监察室"),
)))

DEPARTMENT = Shape("department", "科室", (
    S("id", "科室编号", "本单位内唯一的科室编号（小写字母、数字、连字符）", required=True, pattern=ID_PATTERN),  # a page path
    S("name", "科室名称", "如：药剂科", required=True),
    E("kind", "科室类别", "职能科室、临床科室或医技科室", ("职能科室", "临床科室", "医技科室", "其他")),
))

LEADER = Shape("leader", "班子成员", (
    R("person", "人员", "班子成员的人员编号", ("person",), required=True),
    S("role", "职务", "如：院长、党委书记、副院长", required=True),
    T("charge", "分管工作", "分管的工作"),
))

UNIT = RecordType("unit", "单位", "医疗卫生单位及其科室与班子", "units", Shape("unit", "单位", (
    S("name", "单位名称", "如：东台市人民医院", required=True),
    S("short_name", "简称", "如：人民医院"),
    E("kind", "单位类别", "单位的类别", UNIT_KINDS, required=True),
    R("parent", "上级单位", "主管的上级单位编号；局机关不填", ("unit",)),
    Field("order", "排序", "在列表中的顺序（小的在前）", "int"),
    S("leadership_body", "党政班子", "负责辨识确认的党政班子，如：人民医院党政班子"),
    L("departments", "科室", "内设科室", item_of(DEPARTMENT)),
    L("leadership", "班子成员", "单位领导班子成员", item_of(LEADER)),
    S("address", "地址", "单位地址"),
)))

POSITION = Shape("position", "任职经历", (
    R("unit", "单位", "曾任职单位编号", ("unit",), required=True),
    S("department", "科室", "曾任职科室编号"),
    S("post", "职务/岗位", "曾任职务或岗位"),
    D("start", "起始日期", "任职开始"),
    D("end", "结束日期", "任职结束", required=True),
))

PERSON = RecordType("person", "人员", "参加专项工作的干部职工；档案归属由角色推定", "people", Shape("person", "人员", (
    S("name", "姓名", "姓名", required=True),
    E("gender", "性别", "男或女", ("男", "女")),
    Field("birth_year", "出生年份", "出生年份", "int", minimum=1900, maximum=2100),
    S("political", "政治面貌", "如：中共党员、群众"),
    R("unit", "单位", "现所在单位编号", ("unit",), required=True),
    S("department", "科室", "现所在科室编号（单位内）"),
    S("post", "职务/岗位", "现任职务或岗位", required=True),
    S("title", "职称", "专业技术职称"),
    L("roles", "人员类别", "决定档案归属：班子成员/中层干部/党员干部→廉政档案；护士长/处方医师/医务人员→医德档案",
      Field("", "类别", "", "enum", choices=ROLES), required=True),
    L("history", "任职经历", "此前的单位、科室和岗位（调动后保留）", item_of(POSITION)),
    S("phone", "联系电话", "（保密）", private=True),
    S("id_number", "身份证号", "（保密）", private=True),
    S("home_address", "家庭住址", "（保密）", private=True),
)))

PERSONAL_FORM = RecordType("personal", "个人廉政风险和自我防范承诺表", "个人的岗位职责、职权、风险点与自我防范措施", "forms/personal", Shape("personal", "个人承诺表", (
    R("person", "承诺人", "承诺人的人员编号", ("person",), required=True),
    YEAR,
    R("unit", "单位", "填表时所在单位编号（不填取人员的现单位）", ("unit",)),
    S("department", "科室", "填表时所在科室编号（不填取人员的现科室）"),
    S("post", "职务/岗位", "填表时的职务或岗位（不填取人员的现岗位）"),
    T("duties", "岗位职责", "本岗位的职责", required=True),
    T("powers", "岗位职权", "本岗位的职权", required=True),
    L("risks", "风险点", "本人查找的廉政风险点", item_of(PERSONAL_RISK), required=True),
    *_FORM_TAIL,
)))

DEPARTMENT_FORM = RecordType("department", "科（处）室廉政风险和防控承诺表", "科室的风险点、防控措施与责任人", "forms/department", Shape("department_form", "科室承诺表", (
    R("unit", "单位", "单位编号", ("unit",), required=True),
    S("department", "科室", "科室编号（单位内）", required=True),
    YEAR,
    R("head", "科室负责人", "承诺的科室负责人", ("person",)),
    L("risks", "风险点", "科室的廉政风险点", item_of(DEPARTMENT_RISK), required=True),
    *_FORM_TAIL,
)))

UNIT_FORM = RecordType("unitform", "单位（部门）廉政风险和防控承诺表", "单位层面的风险点、已采取的措施与下一步承诺", "forms/unit", Shape("unit_form", "单位承诺表", (
    R("unit", "单位", "单位编号", ("unit",), required=True),
    YEAR,
    R("head", "单位主要负责人", "签署承诺的单位主要负责人", ("person",)),
    L("risks", "风险点", "单位整体层面的廉政风险点", item_of(UNIT_RISK), required=True),
    *_FORM_TAIL,
)))

RULE = RecordType("rule", "制度文本", "制度汇编中的一份制度（Markdown 正文 + 文件头）", "rules", Shape("rule", "制度文本", (
    S("title", "标题", "制度名称，如：药品采购操作规程", required=True),
    E("kind", "类别", "制度文本的类别", RULE_KINDS, required=True),
    R("unit", "制定单位", "制定单位编号", ("unit",), required=True),
    S("number", "文号", "如：东人医〔2009〕12号"),
    D("effective", "施行日期", "开始施行的日期", required=True),
    D("repealed", "废止日期", "废止的日期"),
    T("summary", "摘要", "一句话说明"),
)), markdown=True)

FLOW_RISK = Shape("flow_risk", "环节风险点", (
    S("id", "风险编号", "流程内唯一的风险编号", required=True),
    T("point", "风险点", "该环节的风险点", required=True),
    E("level", "风险等级", "高/中/低；也可写一级/二级/三级", LEVELS, required=True, aliases=LEVEL_ALIASES),
    L("controls", "防控措施", "该环节的防控措施", Field("", "措施", "", "text"), required=True),
    S("owner", "责任人", "责任岗位或责任人"),
))

BRANCH = Shape("branch", "分支", (
    S("label", "条件", "如：符合条件、不符合", required=True),
    S("to", "去往环节", "分支去往的环节编号", required=True),
))

STEP = Shape("step", "环节", (
    S("id", "环节编号", "流程内唯一的环节编号", required=True),
    S("name", "环节名称", "如：受理、审查、决定、办结", required=True),
    E("kind", "环节类型", "开始、办理、决策或结束", ("开始", "办理", "决策", "结束")),
    S("actor", "责任岗位", "办理该环节的岗位或科室", required=True),
    L("next", "下一环节", "顺序进入的下一环节编号", Field("", "环节编号", "", "str")),
    L("branches", "决策分支", "决策环节的分支", item_of(BRANCH)),
    L("risks", "风险点", "该环节上的风险点", item_of(FLOW_RISK)),
))

FLOW = RecordType("flow", "权力运行流程图", "一项权力事项的办理环节、分支与各环节风险点", "flows", Shape("flow", "权力运行流程", (
    S("title", "标题", "如：药品采购权力运行流程图", required=True),
    R("unit", "单位", "单位编号", ("unit",), required=True),
    S("power_item", "权力事项", "流程对应的权力事项", required=True),
    T("basis", "依据", "行使权力的依据"),
    Field("year", "年度", "流程适用年度", "int", minimum=2000, maximum=2100),
    L("steps", "环节", "按顺序列出的办理环节", item_of(STEP), required=True),
)))

ETHICS = Shape("ethics", "医德考评", (
    E("grade", "考评等次", "优秀/良好/一般/较差", GRADES, required=True),
    Field("score", "得分", "考评得分（0-100）", "number", minimum=0, maximum=100),
    Field("deduction", "扣分", "累计扣分", "number", minimum=0, maximum=100),
    L("vetoes", "一票否决情形", "一票否决项编号 YPJC01-YPJC07", Field("", "否决项", "", "enum", choices=tuple(VETO_ITEMS))),
    E("self_grade", "自评等次", "本人自评等次", GRADES),
    E("department_grade", "科室评价等次", "科室评价等次", GRADES),
    T("summary", "医德医风工作总结", "本年度医德医风工作总结"),
    S("confirmed_by_person", "本人确认", "被考核人对等次的确认：同意或不同意"),
))

AWARD = Shape("award", "奖惩", (
    D("on", "日期", "发生日期", required=True),
    E("kind", "类别", "奖励、表扬、批评或处分", ("奖励", "表扬", "批评", "处分"), required=True),
    T("content", "内容", "奖惩内容", required=True),
))

ASSESSMENT = RecordType("assessment", "年度考评", "每人每年一份：践诺情况、医德考评、述职述廉", "assessments", Shape("assessment", "年度考评", (
    R("person", "被考评人", "人员编号", ("person",), required=True),
    Field("year", "年度", "考评年度", "int", required=True, minimum=2000, maximum=2100),
    T("fulfilment", "践诺情况", "本年度履行廉政承诺的情况", required=True),
    E("fulfilment_grade", "践诺评价", "好/较好/一般/差", ("好", "较好", "一般", "差")),
    M("ethics", "医德考评", "医务人员的医德考评（医德档案）", ETHICS),
    T("report", "述职述廉", "干部述职述廉要点（廉政档案）"),
    L("awards", "奖惩情况", "本年度的奖励与处分", item_of(AWARD)),
    D("assessed_on", "考评日期", "考评完成的日期"),
)))

RECORD_TYPES: tuple[RecordType, ...] = (
    CAMPAIGN, UNIT, PERSON, PERSONAL_FORM, DEPARTMENT_FORM, UNIT_FORM, RULE, FLOW, ASSESSMENT,
)
BY_NAME = {t.name: t for t in RECORD_TYPES}
FORM_RECORD_TYPES = (PERSONAL_FORM, DEPARTMENT_FORM, UNIT_FORM)
FORM_TYPE_NAMES = frozenset(t.name for t in FORM_RECORD_TYPES)


@dataclass
class Record:
    """A validated record: plain data plus where it came from."""

    type: str
    id: str
    path: str  # file path relative to the content folder
    _data: dict[str, Any]
    _body: str = ""  # Markdown body of a rule document

    # Every way to a record's content notes the read (reads.py); its id,
    # type and path are those of its file, the same for as long as it exists.
    @property
    def data(self) -> dict[str, Any]:
        if reads.current is not None:
            reads.current.add(self.id)
        return self._data

    @property
    def body(self) -> str:
        if reads.current is not None:
            reads.current.add(self.id)
        return self._body

    def __getitem__(self, key: str) -> Any:
        if reads.current is not None:
            reads.current.add(self.id)
        return self._data[key]

    def get(self, key: str, default: Any = None) -> Any:
        if reads.current is not None:
            reads.current.add(self.id)
        return self._data.get(key, default)

    @property
    def rtype(self) -> RecordType:
        return BY_NAME[self.type]


def archives_for(roles: list[str]) -> list[str]:
    out = []
    if CADRE_ROLES.intersection(roles):
        out.append(ARCHIVE_CADRE)
    if MEDICAL_ROLES.intersection(roles):
        out.append(ARCHIVE_ETHICS)
    return out


def private_keys() -> frozenset[str]:
    """The keys of every private field of every record type."""
    keys: set[str] = set()

    def walk(shape: Any) -> None:
        for f in shape.fields:
            if f.private:
                keys.add(f.key)
            if f.kind == "shape" and f.shape:
                walk(f.shape)
            elif f.kind == "list" and f.item is not None and f.item.kind == "shape" and f.item.shape:
                walk(f.item.shape)

    for rtype in BY_NAME.values():
        walk(rtype.shape)
    return frozenset(keys)
