"""The README's content-format reference, generated from the declarations in
records.py so the tables cannot drift from what `check` accepts.

    python -m generator.docs            # print the section
    python -m generator.docs --write    # replace it in README.md (between the markers)
    python -m generator.docs --check    # exit 1 when README.md is out of date
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from .fields import Field, Shape
from .records import BY_NAME, RECORD_TYPES, RecordType

START = "<!-- fields:start -->"
END = "<!-- fields:end -->"
README = Path(__file__).resolve().parent.parent / "README.md"
REGENERATE = ".venv/bin/python -m generator.docs --write"

_KINDS = {
    "str": "文本", "text": "长文本", "date": "日期 YYYY-MM-DD", "time": "时刻 HH:MM", "int": "整数",
    "number": "数值", "bool": "是/否（true/false）", "url": "网址",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _range(f: Field) -> str:
    if f.minimum is None and f.maximum is None:
        return ""
    lo = "" if f.minimum is None else f"{f.minimum:g}"
    hi = "" if f.maximum is None else f"{f.maximum:g}"
    return f"（{lo}–{hi}）"


def type_text(f: Field, shared: frozenset[str] = frozenset()) -> str:
    """The 类型 column: readable Chinese, record types by their labels."""
    if f.kind == "enum":
        text = "取值：" + "/".join(f.choices)
        if f.aliases:
            text += "（也可写 " + "/".join(f.aliases) + "）"
        return text
    if f.kind == "ref":
        return "编号（" + "/".join(BY_NAME[t].label for t in f.ref) + "）"
    if f.kind == "shape" and f.shape is not None:
        return f"子项（见“{f.shape.label}”表）" if f.shape.name in shared else "子项"
    if f.kind == "list" and f.item is not None:
        item = f.item
        if item.kind == "shape" and item.shape is not None:
            inner = item.shape.label + ("，见同名表" if item.shape.name in shared else "")
        else:
            inner = type_text(item, shared)
        return f"列表（{inner}）"
    return _KINDS.get(f.kind, f.kind) + _range(f)


def _rows(shape: Shape, prefix: str, shared: frozenset[str]) -> list[str]:
    out: list[str] = []
    for f in shape.fields:
        key = f"{prefix}{f.key}"
        doc = f.doc + ("（保密，不会公开）" if f.private and "保密" not in f.doc else "")
        out.append(f"| `{key}` | {_cell(f.label)} | {_cell(type_text(f, shared))} | {'是' if f.required else ''} | {_cell(doc)} |")
        if f.kind == "shape" and f.shape is not None and f.shape.name not in shared:
            out += _rows(f.shape, key + ".", shared)
        elif f.kind == "list" and f.item is not None and f.item.kind == "shape" and f.item.shape is not None \
                and f.item.shape.name not in shared:
            out += _rows(f.item.shape, key + "[].", shared)
    return out


def _table(shape: Shape, shared: frozenset[str]) -> list[str]:
    return ["| 键 | 中文标签 | 类型 | 必填 | 说明 |", "| --- | --- | --- | --- | --- |", *_rows(shape, "", shared)]


def _nested(shape: Shape) -> set[str]:
    """Names of the shapes directly inside a record type (at any depth)."""
    out: set[str] = set()
    for f in shape.fields:
        inner = f.shape if f.kind == "shape" else (f.item.shape if f.kind == "list" and f.item is not None else None)
        if inner is not None:
            out.add(inner.name)
            out |= _nested(inner)
    return out


def _shared_shapes() -> tuple[frozenset[str], list[Shape]]:
    """Blocks used by several record types (publicity, confirmation…) get one table of their own."""
    counts: Counter[str] = Counter()
    by_name: dict[str, Shape] = {}
    for rt in RECORD_TYPES:
        for f in rt.fields:
            inner = f.shape if f.kind == "shape" else None
            if inner is not None:
                counts[inner.name] += 1
                by_name[inner.name] = inner
    names = frozenset(n for n, c in counts.items() if c > 1)
    return names, [by_name[n] for n in by_name if n in names]


def _where(rt: RecordType) -> str:
    if rt.name == "campaign":
        return "`content/campaign.yml`"
    ext = ".md" if rt.markdown else ".yml"
    return f"`content/{rt.folder}/<编号>{ext}`"


def render() -> str:
    """The Markdown between the README markers."""
    shared, shared_shapes = _shared_shapes()
    out = [
        f"<!-- 由 generator/docs.py 按 generator/records.py 的声明生成，请勿手改；重新生成：{REGENERATE} -->",
        "",
        "| 记录类型 | 位置 | 模板 |",
        "| --- | --- | --- |",
    ]
    for rt in RECORD_TYPES:
        out.append(f"| {rt.label} | {_where(rt)} | `python -m generator new {rt.name}` |")
    for rt in RECORD_TYPES:
        out += ["", f"### {rt.label}", "", f"{rt.doc}。位置：{_where(rt)}" + ("，YAML 文件头 + Markdown 正文。" if rt.markdown else "。"),
                "", *_table(rt.shape, shared)]
    if shared_shapes:
        users = [rt.label for rt in RECORD_TYPES if any(f.kind == "shape" and f.shape in shared_shapes for f in rt.fields)]
        out += ["", "### 共用的子项", "", "以下子项在" + "、".join(f"《{u}》" for u in users) + "中相同。", ""]
        for shape in shared_shapes:
            out += [f"#### {shape.label}（`{_key_of(shape)}`）", "", *_table(shape, shared), ""]
        out.pop()
    from .config import CONFIG

    out += ["", "### 站点配置 `site_config.yml`", "",
            "卫生局只需修改这一个文件；`check` 和 `build` 先检查它，问题同样按“文件:行:列”报告。", "",
            *_table(CONFIG, frozenset())]
    return "\n".join(out) + "\n"


def _key_of(shape: Shape) -> str:
    for rt in RECORD_TYPES:
        for f in rt.fields:
            if f.kind == "shape" and f.shape is shape:
                return f.key
    return shape.name  # pragma: no cover


def current_section(readme: str) -> str | None:
    """The text between the markers, or None when they are missing."""
    if START not in readme or END not in readme:
        return None
    return readme.split(START, 1)[1].split(END, 1)[0].strip("\n") + "\n"


def updated(readme: str) -> str:
    if current_section(readme) is None:
        raise ValueError(f"README 中缺少标记 {START} 和 {END}")
    head, rest = readme.split(START, 1)
    tail = rest.split(END, 1)[1]
    return f"{head}{START}\n{render()}{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m generator.docs", description="生成 README 中的记录字段表（来自 generator/records.py 的声明）。")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--write", action="store_true", help="替换 README.md 中两个标记之间的内容")
    g.add_argument("--check", action="store_true", help="README.md 与声明不一致时以退出码 1 结束")
    p.add_argument("--readme", type=Path, default=README, metavar="PATH", help="README 文件（默认仓库根目录的 README.md）")
    args = p.parse_args(argv)
    if not (args.write or args.check):
        sys.stdout.write(render())
        return 0
    try:
        text = args.readme.read_text(encoding="utf-8")
        new = updated(text)
    except (OSError, ValueError) as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    if args.check:
        if new != text:
            print(f"{args.readme} 的字段表已过期；请运行 {REGENERATE}", file=sys.stderr)
            return 1
        return 0
    if new != text:
        args.readme.write_text(new, encoding="utf-8")
        print(f"已更新 {args.readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
