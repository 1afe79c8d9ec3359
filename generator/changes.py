"""What changed between two sets of records, field by field, in Chinese.

Used by `diff`, by each edition's report and by the 版本记录 page.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from .fields import Field, Shape
from .records import BY_NAME, Record


@dataclass
class FieldChange:
    path: str  # Chinese label path, e.g. 风险点第2项 › 风险等级
    key: str  # dotted key path
    before: str
    after: str


@dataclass
class RecordChange:
    kind: str  # 新增 | 删除 | 修改
    id: str
    type: str  # Chinese record type label
    title: str
    fields: list[FieldChange] = field(default_factory=list)

    def lines(self) -> list[str]:
        head = f"{self.kind} {self.type} {self.id}（{self.title}）"
        return [head] + [f"    {c.path}：{c.before or '（空）'} → {c.after or '（空）'}" for c in self.fields]


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (list, dict)):
        return "；".join(_text(x) for x in (v.values() if isinstance(v, dict) else v))
    return str(v)


def _title(rec: Record) -> str:
    d = rec.data
    for key in ("title", "name"):
        if d.get(key):
            return str(d[key])
    parts = [str(d[k]) for k in ("person", "unit", "department", "year") if d.get(k)]
    return " ".join(parts)


def compare_shape(shape: Shape, a: dict[str, Any], b: dict[str, Any], label: str, key: str, out: list[FieldChange]) -> None:
    for f in shape.fields:
        if f.private:
            continue  # private values never appear in a change list
        compare_field(f, a.get(f.key), b.get(f.key), f"{label} › {f.label}" if label else f.label, f"{key}.{f.key}" if key else f.key, out)


def compare_field(f: Field, a: Any, b: Any, label: str, key: str, out: list[FieldChange]) -> None:
    if a == b:
        return
    if f.kind == "shape" and f.shape and isinstance(a, dict) and isinstance(b, dict):
        compare_shape(f.shape, a, b, label, key, out)
        return
    if f.kind == "list" and f.item is not None and f.item.kind == "shape" and f.item.shape and isinstance(a, list) and isinstance(b, list):
        for i in range(max(len(a), len(b))):
            ea = a[i] if i < len(a) else None
            eb = b[i] if i < len(b) else None
            il, ik = f"{label}第{i + 1}项", f"{key}.{i + 1}"
            if ea is None or eb is None:
                out.append(FieldChange(il, ik, "" if ea is None else "（有）", "" if eb is None else "（有）"))
            else:
                compare_shape(f.item.shape, ea, eb, il, ik, out)
        return
    out.append(FieldChange(label, key, _text(a), _text(b)))


def compare(old: list[Record], new: list[Record]) -> list[RecordChange]:
    a = {r.id: r for r in old}
    b = {r.id: r for r in new}
    out: list[RecordChange] = []
    for rid in sorted(set(a) | set(b)):
        ra, rb = a.get(rid), b.get(rid)
        if ra is None and rb is not None:
            out.append(RecordChange("新增", rid, rb.rtype.label, _title(rb)))
        elif rb is None and ra is not None:
            out.append(RecordChange("删除", rid, ra.rtype.label, _title(ra)))
        elif ra is not None and rb is not None and (ra.data != rb.data or ra.body != rb.body or ra.type != rb.type):
            ch = RecordChange("修改", rid, rb.rtype.label, _title(rb))
            compare_shape(BY_NAME[rb.type].shape, ra.data, rb.data, "", "", ch.fields)
            if ra.body != rb.body:
                ch.fields.append(FieldChange("正文", "body", "（原文）", "（已修改）"))
            if ch.fields:  # a change in private fields only is no public change
                out.append(ch)
    return out


def summary(changes: list[RecordChange]) -> str:
    n = {k: sum(1 for c in changes if c.kind == k) for k in ("新增", "修改", "删除")}
    return f"新增 {n['新增']} 条、修改 {n['修改']} 条、删除 {n['删除']} 条记录"


def to_json(changes: list[RecordChange]) -> list[dict[str, Any]]:
    return [asdict(c) for c in changes]


def from_json(items: list[dict[str, Any]]) -> list[RecordChange]:
    return [RecordChange(i["kind"], i["id"], i["type"], i["title"], [FieldChange(**f) for f in i.get("fields", [])]) for i in items]
