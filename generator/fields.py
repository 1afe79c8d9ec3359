"""Typed field declarations: one declaration drives validation, messages,
skeletons, JSON Schema and the README's field tables."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

# Record ids (file names) and ids that become page paths: no separators, no "..".
ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"


@dataclass(frozen=True)
class Field:
    key: str
    label: str  # Chinese label shown in messages, forms and tables
    doc: str  # one-line description
    kind: str  # str | text | date | time | int | number | bool | enum | ref | list | shape | url
    required: bool = False
    private: bool = False  # never rendered, indexed or exported
    choices: tuple[str, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)  # accepted spellings -> canonical
    ref: tuple[str, ...] = ()  # record types a ref may point at
    item: "Field | None" = None  # element declaration of a list
    shape: "Shape | None" = None  # nested mapping
    default: Any = None
    example: Any = None
    max_len: int = 0  # 0: the loader's global limit applies
    minimum: float | None = None
    maximum: float | None = None
    pattern: str = ""  # regular expression a str value must match (ids that become page paths)

    @property
    def type_label(self) -> str:
        names = {
            "str": "文本", "text": "长文本", "date": "日期 YYYY-MM-DD", "time": "时刻 HH:MM",
            "int": "整数", "number": "数值", "bool": "是/否（true/false）", "url": "网址",
            "ref": "编号引用", "shape": "子项", "list": "列表",
        }
        if self.kind == "enum":
            return "取值：" + "/".join(self.choices)
        if self.kind == "list" and self.item is not None:
            inner = self.item.shape.label if self.item.kind == "shape" and self.item.shape else self.item.type_label
            return f"列表（{inner}）"
        if self.kind == "ref":
            return "编号引用（" + "/".join(self.ref) + "）"
        return names.get(self.kind, self.kind)


@dataclass(frozen=True)
class Shape:
    """An ordered mapping of fields, e.g. a record or one row of a risk table."""

    name: str
    label: str
    fields: tuple[Field, ...]
    checks: tuple[Callable[..., Any], ...] = ()

    def get(self, key: str) -> Field | None:
        for f in self.fields:
            if f.key == key:
                return f
        return None

    @property
    def keys(self) -> list[str]:
        return [f.key for f in self.fields]


def S(key: str, label: str, doc: str, **kw: Any) -> Field:
    return Field(key, label, doc, "str", **kw)


def T(key: str, label: str, doc: str, **kw: Any) -> Field:
    return Field(key, label, doc, "text", **kw)


def D(key: str, label: str, doc: str, **kw: Any) -> Field:
    return Field(key, label, doc, "date", **kw)


def E(key: str, label: str, doc: str, choices: Sequence[str], **kw: Any) -> Field:
    return Field(key, label, doc, "enum", choices=tuple(choices), **kw)


def R(key: str, label: str, doc: str, ref: Sequence[str], **kw: Any) -> Field:
    return Field(key, label, doc, "ref", ref=tuple(ref), **kw)


def L(key: str, label: str, doc: str, item: Field, **kw: Any) -> Field:
    return Field(key, label, doc, "list", item=item, **kw)


def M(key: str, label: str, doc: str, shape: Shape, **kw: Any) -> Field:
    return Field(key, label, doc, "shape", shape=shape, **kw)


def item_of(shape: Shape) -> Field:
    return Field("", shape.label, "", "shape", shape=shape)


def walk_private(shape: Shape, value: Any, out: list[str]) -> None:
    """Collect every private scalar value under a validated mapping."""
    if not isinstance(value, dict):
        return
    for f in shape.fields:
        v = value.get(f.key)
        if v is None:
            continue
        if f.private:
            _collect_scalars(v, out)
        elif f.kind == "shape" and f.shape:
            walk_private(f.shape, v, out)
        elif f.kind == "list" and f.item is not None and f.item.kind == "shape" and f.item.shape:
            for el in v:
                walk_private(f.item.shape, el, out)


def _collect_scalars(v: Any, out: list[str]) -> None:
    if isinstance(v, dict):
        for x in v.values():
            _collect_scalars(x, out)
    elif isinstance(v, list):
        for x in v:
            _collect_scalars(x, out)
    elif v not in (None, ""):
        out.append(str(v))


def strip_private(shape: Shape, value: Any, mask: Any = None) -> Any:
    """A copy of a validated mapping without any private field; with `mask`,
    each private field's value replaced by it instead."""
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for k, v in value.items():
        f = shape.get(k)
        if f is None:
            out[k] = v
            continue
        if f.private:
            if mask is not None:
                out[k] = mask
            continue
        if f.kind == "shape" and f.shape:
            out[k] = strip_private(f.shape, v, mask)
        elif f.kind == "list" and f.item is not None and f.item.kind == "shape" and f.item.shape and isinstance(v, list):
            out[k] = [strip_private(f.item.shape, el, mask) for el in v]
        else:
            out[k] = v
    return out


_PRIVATE_SHAPES: dict[int, bool] = {}  # id of a shape (declared once, kept) → may_hold_private


def may_hold_private(shape: Shape) -> bool:
    """Whether a value of this shape can hold a private field at all."""
    got = _PRIVATE_SHAPES.get(id(shape))
    if got is None:
        got = _PRIVATE_SHAPES[id(shape)] = any(
            f.private or (f.kind == "shape" and f.shape is not None and may_hold_private(f.shape)) or
            (f.kind == "list" and f.item is not None and f.item.kind == "shape" and f.item.shape is not None
             and may_hold_private(f.item.shape)) for f in shape.fields)
    return got
