"""Which field sits under which printed label, for each form type.

The template prints these labels, the import looks them up and the export
writes them as column headers: one declaration, so the three always agree.
Labels come from records.py; only labels that would be ambiguous on one sheet
are renamed here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..fields import Field, Shape
from ..records import BY_NAME, COMMENT, RecordType

ID_LABEL = "记录编号"
SEQ_LABEL = "序号"

# (shape name, dotted path below it) -> printed label, where the field's own
# label would repeat another label of the same sheet.
LABELS = {
    ("personal_risk", "duty"): "对应岗位职责",
    ("personal_risk", "power"): "对应岗位职权",
    ("department_form", "head"): "承诺人（科室负责人）",
    ("unit_form", "head"): "承诺人（单位主要负责人）",
    ("unit_risk", "measures_taken.text"): "已采取的措施",
    ("unit_risk", "commitments.content"): "承诺措施内容",
    ("unit_risk", "escalation.reason"): "无法控制的原因",
    ("comment", "received"): "意见收到日期",
    ("comment", "channel"): "意见渠道",
    ("comment", "disposition"): "意见处理结果",
    ("comment", "reason"): "意见处理理由",
    ("comment", "commenter"): "意见提出人（保密）",
}
# Column groups printed above their columns in the template's two-row header.
GROUPS = {
    ("unit_risk", "commitments"): "下一步防控措施承诺",
    ("unit_risk", "escalation"): "本级无法控制、需上级协调",
}
WIDTHS = {"text": 24.0, "str": 12.0, "date": 11.5, "time": 8.0, "int": 7.0, "ref": 14.0}


@dataclass(frozen=True)
class Column:
    """One column of a table: a risk point's field, or a comment's."""

    label: str
    path: tuple[str, ...]  # below the row's mapping; "*" marks one list item per row
    field: Field  # the leaf declaration: converts and validates the cell
    decl: Field  # the declaration explained in the instructions (the list, for a list item)
    group: str = ""
    width: float = 12.0

    @property
    def list_key(self) -> str | None:
        return self.path[0] if len(self.path) > 1 and self.path[1] == "*" else None

    @property
    def required(self) -> bool:
        return self.decl.required

    @property
    def private(self) -> bool:
        return self.field.private or self.decl.private


@dataclass(frozen=True)
class FormField:
    """A field filled once per form: a labelled cell in the template, a column in a table."""

    label: str
    path: tuple[str, ...]
    field: Field

    @property
    def private(self) -> bool:
        return self.field.private


@dataclass(frozen=True)
class Layout:
    rtype: RecordType
    short: str  # 个人承诺表: sheet name in an export and in messages
    form_fields: tuple[FormField, ...]
    risk_columns: tuple[Column, ...]
    identity: tuple[tuple[str, ...], ...]  # form paths that make a record one per year
    id_rule: str  # how the record id is made, for --help

    @property
    def name(self) -> str:
        return self.rtype.name

    @property
    def risk_shape(self) -> Shape:
        return _risk_shape(self.rtype)

    def form_field(self, path: tuple[str, ...]) -> FormField:
        for f in self.form_fields:
            if f.path == path:
                return f
        raise KeyError(path)

    def make_id(self, data: dict[str, Any]) -> str:
        year = data["year"]
        if self.name == "personal":
            return f"{data['person']}-{year}"
        if self.name == "department":
            return f"{data['unit']}-{data['department']}-{year}"
        return f"{data['unit']}-{year}"

    def labels(self) -> set[str]:
        return {c.label for c in self.risk_columns}


def _width(f: Field) -> float:
    if f.kind == "enum":
        return max(8.5, max(len(c) for c in f.choices) * 2.0 + 2.5)
    return WIDTHS.get(f.kind, 12.0)


def _columns(shape: Shape) -> tuple[Column, ...]:
    out: list[Column] = []
    for f in shape.fields:
        group = GROUPS.get((shape.name, f.key), "")
        if f.kind == "list" and f.item is not None and f.item.kind == "shape" and f.item.shape:
            for sub in f.item.shape.fields:
                label = LABELS.get((shape.name, f"{f.key}.{sub.key}"), sub.label)
                out.append(Column(label, (f.key, "*", sub.key), sub, sub, group, _width(sub)))
        elif f.kind == "list" and f.item is not None:
            label = LABELS.get((shape.name, f.key), f.label)
            out.append(Column(label, (f.key, "*"), f.item, f, group, 30.0))
        elif f.kind == "shape" and f.shape:
            for sub in f.shape.fields:
                label = LABELS.get((shape.name, f"{f.key}.{sub.key}"), sub.label)
                out.append(Column(label, (f.key, sub.key), sub, sub, group, _width(sub)))
        else:
            label = LABELS.get((shape.name, f.key), f.label)
            out.append(Column(label, (f.key,), f, f, group, _width(f)))
    return tuple(out)


def _form_fields(shape: Shape) -> tuple[FormField, ...]:
    out: list[FormField] = []
    for f in shape.fields:
        if f.kind == "list":
            continue  # risks and comments are tables of their own
        if f.kind == "shape" and f.shape:
            for sub in f.shape.fields:
                if sub.kind != "list":
                    out.append(FormField(LABELS.get((shape.name, f"{f.key}.{sub.key}"), sub.label), (f.key, sub.key), sub))
        else:
            out.append(FormField(LABELS.get((shape.name, f.key), f.label), (f.key,), f))
    return tuple(out)


def _risk_shape(rt: RecordType) -> Shape:
    f = rt.shape.get("risks")
    assert f is not None and f.item is not None and f.item.shape is not None
    return f.item.shape


def _layout(name: str, short: str, identity: tuple[tuple[str, ...], ...], id_rule: str) -> Layout:
    rt = BY_NAME[name]
    return Layout(rt, short, _form_fields(rt.shape), _columns(_risk_shape(rt)), identity, id_rule)


LAYOUTS: dict[str, Layout] = {
    lay.name: lay for lay in (
        _layout("personal", "个人承诺表", (("person",), ("year",)), "承诺人编号-年度，如 zhang-san-2009"),
        _layout("department", "科室承诺表", (("unit",), ("department",), ("year",)), "单位编号-科室编号-年度，如 rmyy-yjk-2009"),
        _layout("unitform", "单位承诺表", (("unit",), ("year",)), "单位编号-年度，如 rmyy-2009"),
    )
}
# The command line names the unit form "unit", like its folder forms/unit/.
FORM_ARG = {"personal": "personal", "department": "department", "unit": "unitform"}
FEEDBACK_COLUMNS: tuple[Column, ...] = tuple(
    Column(c.label, ("publicity", "feedback", "*") + c.path, c.field, c.decl, "公示期间收到的意见", c.width)
    for c in _columns(COMMENT)
)
# Fields whose value is a department id of the form's unit (shape name, key).
DEPARTMENT_FIELDS = frozenset({("personal", "department"), ("department_form", "department"), ("unit_risk", "owner_department")})


def normalise_label(text: Any) -> str:
    """A header as printed, without the decorations people add: spaces, line
    breaks, a trailing colon or required-field asterisk."""
    if text is None:
        return ""
    s = "".join(str(text).split())
    return s.strip("*＊").rstrip(":：").strip("*＊")
