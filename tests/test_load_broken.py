"""The corpus of broken files (tests/broken/): each kind of bad input gives
its own message with a position and exit code 1, never a traceback."""
from __future__ import annotations

import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from generator.load import MAX_FILE_BYTES

from .conftest import BROKEN, Site

# corpus file -> (where it goes under content/, the one expected problem line)
CORPUS = {
    "yaml-syntax.yml": ("units/yaml-syntax.yml",
                        "content/units/yaml-syntax.yml:4:11: 错误 YAML 语法错误：方括号 [ ] 没有闭合，或列表项之间缺少逗号；"
                        "（did not find expected ',' or ']'）（相关内容从第 3 行第 7 列开始）"),
    "unclosed-quote.yml": ("units/unclosed-quote.yml",
                           "content/units/unclosed-quote.yml:4:1: 错误 YAML 语法错误：文件意外结束（引号或括号没有闭合）；"
                           "（found unexpected end of stream）（相关内容从第 2 行第 7 列开始）"),
    "colon-in-value.yml": ("units/colon-in-value.yml",
                           "content/units/colon-in-value.yml:1:15: 错误 YAML 语法错误：此处不能出现“键: 值”（冒号后的内容可能需要加引号，或缩进不对）；"
                           "（mapping values are not allowed in this context）"),
    "undefined-alias.yml": ("units/undefined-alias.yml",
                            "content/units/undefined-alias.yml:1:7: 错误 YAML 语法错误：引用了未定义的锚点；（found undefined alias）"),
    "gbk.yml": ("units/gbk.yml",
                "content/units/gbk.yml:1:3: 错误 文件不是 UTF-8 编码，看起来是 GBK/GB2312 编码（Windows 记事本的“ANSI”），第 1 行无法识别；"
                "应为UTF-8 编码；请在编辑器中“另存为”并选择 UTF-8 编码（记事本：编码选 UTF-8）"),
    "latin1.yml": ("units/latin1.yml",
                   "content/units/latin1.yml:1:10: 错误 文件不是 UTF-8 编码，第 1 行无法识别；应为UTF-8 编码；"
                   "请在编辑器中“另存为”并选择 UTF-8 编码（记事本：编码选 UTF-8）"),
    "empty.yml": ("units/empty.yml",
                  "content/units/empty.yml:1:1: 错误 文件是空的；应为一条单位记录；可用 python -m generator new unit 生成模板"),
    "comments-only.yml": ("units/comments-only.yml",
                          "content/units/comments-only.yml:1:1: 错误 文件是空的；应为一条单位记录；可用 python -m generator new unit 生成模板"),
    "control-char.yml": ("units/control-char.yml",
                         "content/units/control-char.yml:2:8: 错误 含有 YAML 不允许的控制字符（U+001F）；删除这个不可见字符"),
    "tabs.yml": ("units/tabs.yml",
                 "content/units/tabs.yml:4:1: 错误 行首用了制表符（Tab）缩进；应为空格缩进；YAML 只能用空格缩进；请把 Tab 换成两个空格"),
    "nul.yml": ("units/nul.yml",
                "content/units/nul.yml:1:1: 错误 文件含有 NUL 字节，不是文本文件；请用文本编辑器另存为 UTF-8 文本"),
    "two-documents.yml": ("units/two-documents.yml",
                          "content/units/two-documents.yml:3:1: 错误 YAML 语法错误：一个文件只能有一条记录（发现了第二个文档分隔符 ---）；"
                          "（but found another document）"),
    "top-level-list.yml": ("units/top-level-list.yml",
                           "content/units/top-level-list.yml:1:1: 错误 [单位] 这里是列表；应为“键: 值”形式的单位"),
    "deep-nesting.yml": ("units/deep-nesting.yml",
                         "content/units/deep-nesting.yml:1:1006: 错误 YAML 语法错误：嵌套层数过多（括号或缩进层次超出上限）；"
                         "（exceeded maximum nesting depth）"),
    "billion-laughs.yml": ("flows/billion-laughs.yml",
                           "content/flows/billion-laughs.yml:15:146: 错误 结构过大或嵌套过深（可能是锚点/别名反复展开）；"
                           "应为展开后不超过 50000 个节点、40 层；请不要使用 & 锚点和 * 别名"),
    "unknown-top-level.yml": ("unknown-top-level.yml",
                              "content/unknown-top-level.yml:0:0: 错误 文件不在任何记录文件夹中，无法识别为记录；记录文件应放在 units/、people/、"
                              "forms/personal|department|unit/、rules/、flows/、assessments/ 下，或为 campaign.yml"),
}
ACCEPTED = {"bom.yml": "units/bom.yml", "crlf.yml": "units/crlf.yml"}


def place(site: Site, name: str, rel: str) -> None:
    target = site.path(rel)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(BROKEN / name, target)


def test_every_corpus_file_is_covered() -> None:
    on_disk = {p.name for p in BROKEN.iterdir() if not p.name.startswith(".")}
    assert on_disk == set(CORPUS) | set(ACCEPTED)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_broken_file(site: Site, name: str) -> None:
    rel, expected = CORPUS[name]
    place(site, name, rel)
    run = site.check()
    assert run.problems == [expected], run.err
    assert run.code == 1
    assert "Traceback" not in run.err + run.out


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_accepted_file(site: Site, name: str) -> None:
    place(site, name, ACCEPTED[name])
    run = site.check()
    assert (run.code, run.problems) == (0, []), run.err


def test_bom_file_is_read_without_the_bom(site: Site) -> None:
    from generator.load import load_file

    rec, probs = load_file(BROKEN / "bom.yml", "units/bom.yml", "bom.yml")
    assert probs == [] and rec is not None
    assert rec.data["name"] == "带 BOM 的医院"


def test_all_broken_files_at_once(site: Site) -> None:
    """Every problem is reported in one run: one bad file does not hide another."""
    for name, (rel, _) in CORPUS.items():
        place(site, name, rel)
    run = site.check()
    assert run.problems == sorted((exp for _, exp in CORPUS.values()), key=lambda s: s.split(":")[0])
    assert run.summary == (len(CORPUS), 0)
    assert run.code == 1


def test_alias_bomb_fails_fast_in_bounded_memory(site: Site) -> None:
    place(site, "billion-laughs.yml", "flows/billion-laughs.yml")
    tracemalloc.start()
    try:
        run = site.check()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert run.code == 1 and len(run.problems) == 1
    # a million expanded nodes would take hundreds of MB; the node budget stops far earlier
    assert peak < 32 * 1024 * 1024, peak


def test_absurdly_large_file_is_refused_unread(site: Site) -> None:
    big = site.path("units/huge.yml")
    with big.open("w", encoding="utf-8") as f:
        f.write("name: ")
        f.write("大" * (MAX_FILE_BYTES // 3 + 1024))  # 3 bytes a character in UTF-8
        f.write("\nkind: 医院\n")
    size_kb = big.stat().st_size // 1024
    run = site.check()
    assert run.problems == [f"content/units/huge.yml:0:0: 错误 文件过大（{size_kb} KB）；应为不超过 2 MB；一条记录一个文件；请拆分"]
    assert run.code == 1


def test_file_just_under_the_limit_is_read(site: Site) -> None:
    site.write("units/long.yml", "name: 长\nkind: 医院\naddress: " + "x" * 19_000 + "\n" + "#" * (MAX_FILE_BYTES - 19_100) + "\n")
    assert site.path("units/long.yml").stat().st_size <= MAX_FILE_BYTES
    assert site.check().code == 0


def test_rule_document_in_gbk(site: Site) -> None:
    site.write_bytes("rules/zyy-gbk.md", "---\ntitle: 制度\nkind: 制度\nunit: zyy\neffective: 2009-01-01\n---\n正文\n".encode("gbk"))
    run = site.check()
    assert run.code == 1
    assert run.problems[0].startswith("content/rules/zyy-gbk.md:2:8: 错误 文件不是 UTF-8 编码，看起来是 GBK/GB2312 编码")


def test_broken_files_through_a_real_process(site: Site) -> None:
    """The same, as a user runs it: a separate interpreter, stderr, exit status."""
    for name, (rel, _) in CORPUS.items():
        place(site, name, rel)
    proc = subprocess.run([sys.executable, "-m", "generator", "check"], cwd=site.root,
                          capture_output=True, text=True, encoding="utf-8", env=_env())
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    assert f"{len(CORPUS)} 个错误" in proc.stderr
    for _, expected in CORPUS.values():
        assert expected in proc.stderr.splitlines()


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    return env
