"""Commented skeleton records (`new <type>`), generated from the declarations."""
from __future__ import annotations

from .fields import Field, Shape
from .records import RecordType


def _comment(f: Field) -> str:
    need = "必填" if f.required else "选填"
    extra = "；保密，不会公开" if f.private else ""
    return f"# {f.label}（{need}）：{f.doc}；{f.type_label}{extra}"


def _lines(shape: Shape, indent: int, first_prefix: str = "") -> list[str]:
    out: list[str] = []
    pad = " " * indent
    for i, f in enumerate(shape.fields):
        lead = first_prefix if (i == 0 and first_prefix) else pad
        if f.kind == "shape" and f.shape:
            out.append(f"{lead}{f.key}:  {_comment(f)}")
            out += _lines(f.shape, indent + 2)
        elif f.kind == "list" and f.item is not None:
            out.append(f"{lead}{f.key}:  {_comment(f)}")
            if f.item.kind == "shape" and f.item.shape:
                out += _lines(f.item.shape, indent + 4, pad + "  - ")
            else:
                out.append(f"{pad}  - ")
        else:
            out.append(f"{lead}{f.key}:  {_comment(f)}")
    return out


def skeleton(rt: RecordType) -> str:
    head = [f"# {rt.label}：{rt.doc}", "# 填写后运行 python -m generator check 检查；不用的选填字段可以删除。"]
    body = _lines(rt.shape, 0)
    if rt.markdown:
        return "\n".join(["---", *head, *body, "---", "", "（在此写制度正文，Markdown 格式）", ""])
    return "\n".join([*head, *body, ""])
