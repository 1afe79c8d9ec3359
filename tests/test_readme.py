"""README: the field tables are generated from records.py and kept current."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator import docs
from generator.fields import Shape
from generator.records import RECORD_TYPES

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_field_tables_are_up_to_date() -> None:
    text = README.read_text(encoding="utf-8")
    assert docs.current_section(text) is not None, "README 缺少 <!-- fields:start --> / <!-- fields:end --> 标记"
    assert docs.current_section(text) == docs.render(), f"README 的字段表已过期；请运行 {docs.REGENERATE}"


def test_readme_keeps_the_two_commands_at_the_top() -> None:
    text = README.read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, flags=re.M)
    assert headings[0] == "两条命令"
    assert "make site" in text.split("## ", 2)[1] and "make test" in text.split("## ", 2)[1]


def test_readme_documents_the_regeneration_command_and_the_layout() -> None:
    text = README.read_text(encoding="utf-8")
    assert docs.REGENERATE in text.split(docs.START)[0]
    for rt in RECORD_TYPES:
        folder = rt.folder if rt.folder.endswith(".yml") else rt.folder + "/"
        assert folder in text.split(docs.START)[0], folder


def _all_fields(shape: Shape, prefix: str = "") -> list[str]:
    out = []
    for f in shape.fields:
        out.append(prefix + f.key)
        inner = f.shape if f.kind == "shape" else (f.item.shape if f.kind == "list" and f.item is not None else None)
        if inner is not None:
            out += _all_fields(inner, prefix + f.key + ("." if f.kind == "shape" else "[]."))
    return out


@pytest.mark.parametrize("rt", RECORD_TYPES, ids=lambda rt: rt.name)
def test_every_declared_field_has_a_row(rt) -> None:  # type: ignore[no-untyped-def]
    """Each field appears with its label and required flag, in its record's table or a shared block's."""
    section = docs.render()
    rows = {m[0]: m for m in re.findall(r"^\| `([^`]+)` \| ([^|]+) \| (.+?) \| (是|) \| (.*) \|$", section, flags=re.M)}
    shared = {s.name for s in docs._shared_shapes()[1]}
    for key in _all_fields(rt.shape):
        top = key.split(".")[0].split("[]")[0]
        f = rt.shape.get(top)
        assert f is not None
        if f.kind == "shape" and f.shape is not None and f.shape.name in shared and "." in key:
            key = key.split(".", 1)[1]  # documented once in the shared table
        assert key in rows, f"{rt.name}: {key} missing"


def test_rows_show_label_type_required_and_doc() -> None:
    section = docs.render()
    assert "| `risks[].level` | 风险等级 | 取值：高/中/低（也可写 一级/二级/三级/" in section
    assert "| `person` | 承诺人 | 编号（人员） | 是 | 承诺人的人员编号 |" in section
    assert "| `birth_year` | 出生年份 | 整数（1900–2100） |  | 出生年份 |" in section
    assert "| `publicity` | 公示 | 子项（见“公示”表） |  | 公示期及收到的意见；不填表示尚未安排公示 |" in section
    assert "| `feedback[].commenter` | 提出人 | 文本 |  | 提出意见者的身份（保密，永不公开） |" in section


def test_write_and_check_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# 标题\n\n前言\n\n{docs.START}\n旧的表\n{docs.END}\n\n后记\n", encoding="utf-8")
    assert docs.main(["--check", "--readme", str(readme)]) == 1
    assert "已过期" in capsys.readouterr().err
    assert docs.main(["--write", "--readme", str(readme)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# 标题\n\n前言\n\n") and text.endswith(f"{docs.END}\n\n后记\n")
    assert "旧的表" not in text
    assert docs.main(["--check", "--readme", str(readme)]) == 0


def test_missing_markers_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# 没有标记\n", encoding="utf-8")
    assert docs.main(["--write", "--readme", str(readme)]) == 2
    assert "缺少标记" in capsys.readouterr().err
    assert readme.read_text(encoding="utf-8") == "# 没有标记\n"
