"""The command line: --help everywhere, `new` skeletons, --config, and clear
messages (never a traceback) when the configuration or content is missing."""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import build_parser
from generator.records import RECORD_TYPES

from .conftest import MINI, PROBLEM_RE, Site, run_cli

ROOT = Path(__file__).resolve().parents[1]


def _commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path, groups' subcommands included."""
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out.append(prefix + (name,))
                out += _commands(sub, prefix + (name,))
    return out


COMMANDS = _commands(build_parser())


def test_the_documented_commands_are_there() -> None:
    assert {("check",), ("schema",), ("new",)} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_of_every_command(command: tuple[str, ...]) -> None:
    run = run_cli(*command, "--help")
    assert run.code == 0, run.err
    assert run.out.startswith("usage: python -m generator " + " ".join(command))
    assert "Traceback" not in run.err


def test_top_level_help_lists_the_commands() -> None:
    run = run_cli("--help")
    assert run.code == 0
    for (name,) in (c for c in COMMANDS if len(c) == 1):
        assert name in run.out


def test_no_command_prints_help_and_fails() -> None:
    run = run_cli()
    assert run.code == 2 and "usage: python -m generator" in run.out


def test_unknown_command_is_refused() -> None:
    run = run_cli("chek")
    assert run.code == 2 and "invalid choice: 'chek'" in run.err


def test_bad_as_of_date_is_a_clear_error(site: Site) -> None:
    run = run_cli("check", "--as-of", "2009-13-01")
    assert run.code == 2
    assert "“2009-13-01”不是 YYYY-MM-DD 格式的日期" in run.err


# ------------------------------------------------------------ new

@pytest.mark.parametrize("rt", RECORD_TYPES, ids=lambda rt: rt.name)
def test_new_writes_a_skeleton_that_check_reads(site: Site, rt) -> None:  # type: ignore[no-untyped-def]
    if rt.name == "campaign":
        site.remove("campaign.yml")
    run = run_cli("new", rt.name, "--id", "draft-1")
    assert run.code == 0, run.err
    target = site.path("campaign.yml" if rt.name == "campaign" else f"{rt.folder}/draft-1{'.md' if rt.markdown else '.yml'}")
    assert run.out.startswith(f"已生成 content/{target.relative_to(site.content).as_posix()}")
    text = target.read_text(encoding="utf-8")
    assert text.startswith("---\n# " if rt.markdown else "# ")
    for f in rt.fields:
        assert f"\n{f.key}:" in text, f.key
    # the skeleton is valid YAML: check names the empty required fields, nothing else goes wrong
    check = site.check()
    assert check.code == 1 and "Traceback" not in check.err
    shown = f"content/{target.relative_to(site.content).as_posix()}"
    mine = [p for p in check.problems if p.startswith(shown + ":")]
    assert mine and all(("必填字段为空" in p or "列表项为空" in p) for p in mine), mine
    assert not [p for p in check.problems if not p.startswith(shown + ":")]  # no cascade into other records
    assert {p.split(" [")[1].split(" ")[0] for p in mine} >= {f.key for f in rt.fields if f.required and f.kind != "list"}


def test_new_refuses_to_overwrite(site: Site) -> None:
    before = site.read("people/li-si.yml")
    run = run_cli("new", "person", "--id", "li-si")
    assert run.code == 2
    assert run.err == "错误：content/people/li-si.yml 已存在，未覆盖\n"
    assert site.read("people/li-si.yml") == before


def test_new_refuses_a_second_campaign(site: Site) -> None:
    run = run_cli("new", "campaign", "--id", "campaign")
    assert run.code == 2 and run.err == "错误：content/campaign.yml 已存在，未覆盖\n"


def test_new_refuses_a_bad_id(site: Site) -> None:
    run = run_cli("new", "person", "--id", "Li Si")
    assert run.code == 2
    assert run.err == "错误：“Li Si”不能作为记录编号：只能用小写字母、数字和连字符，以字母或数字开头\n"
    assert not site.path("people/Li Si.yml").exists()


def test_new_without_id_prints_the_skeleton(site: Site) -> None:
    before = sorted(p for p in site.content.rglob("*"))
    run = run_cli("new", "unit")
    assert run.code == 0
    assert run.out.startswith("# 单位：") and "\nname:  # 单位名称（必填）" in run.out
    assert sorted(p for p in site.content.rglob("*")) == before


def test_new_of_an_unknown_type(site: Site) -> None:
    run = run_cli("new", "memo")
    assert run.code == 2 and "invalid choice: 'memo'" in run.err


# ------------------------------------------------------------ --config and missing files

def test_config_pointing_at_another_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = tmp_path / "another"
    shutil.copytree(MINI, tree)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    (tree / "content/units/zyy.yml").write_text("name: 中医院\nkind: 诊所\n", encoding="utf-8")
    run = run_cli("check", "--config", str(tree / "site_config.yml"))
    assert run.code == 1
    # content is found relative to the config file; paths outside the working folder are shown in full
    assert run.problems == [f"{tree / 'content'}/units/zyy.yml:2:7: 错误 [kind 单位类别] “诊所”不是可选值；"
                            "应为局机关、医院、中医院、妇幼保健院、疾控中心、卫生监督所、中心卫生院、卫生院、其他 之一"]
    assert "检查了 19 个文件" in run.err


def test_config_with_a_relative_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(MINI, tmp_path / "site")
    monkeypatch.chdir(tmp_path)
    run = run_cli("check", "--config", "site/site_config.yml")
    assert run.code == 0, run.err
    assert "检查了 19 个文件：0 个错误，0 个警告" in run.err


def test_missing_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = run_cli("check")
    assert run.code == 2
    assert run.err.splitlines()[0] == "site_config.yml:0:0: 错误 找不到配置文件；用 --config 指定 site_config.yml 的位置"
    assert "Traceback" not in run.err


def test_missing_content_folder(site: Site) -> None:
    shutil.rmtree(site.content)
    run = run_cli("check")
    assert run.code == 2
    assert run.err.splitlines()[0] == ("site_config.yml:4:10: 错误 [content 内容目录] 内容目录 content 不存在；"
                                       "检查 site_config.yml 的 content 或 --config 的位置")


def test_content_folder_named_in_the_config_is_missing(site: Site) -> None:
    cfg = site.root / "site_config.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("content: content", "content: records"), encoding="utf-8")
    run = run_cli("check")
    assert run.code == 2
    assert run.err.splitlines()[0] == ("site_config.yml:4:10: 错误 [content 内容目录] 内容目录 records 不存在；"
                                       "检查 site_config.yml 的 content 或 --config 的位置")


def test_config_with_errors_is_reported_like_a_record(site: Site) -> None:
    cfg = site.root / "site_config.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("timezone: Asia/Shanghai", "timezone: Asia/Beijing\ntheme: 蓝色"),
                   encoding="utf-8")
    run = run_cli("check")
    assert run.code == 2
    lines = [ln for ln in run.err.splitlines() if PROBLEM_RE.match(ln)]
    assert lines[0] == "site_config.yml:7:11: 错误 [timezone 时区] 未知的时区“Asia/Beijing”；应为IANA 时区名；如 Asia/Shanghai"
    assert lines[1].startswith("site_config.yml:8:1: 错误 [theme] 未知的键“theme”；应为站点配置的字段之一：site_name、")


def test_config_with_a_bad_yes_no_value(site: Site) -> None:
    cfg = site.root / "site_config.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("archive: archive\n", "archive: archive\narchive_restricted: 也许\n"),
                   encoding="utf-8")
    run = run_cli("check")
    assert run.code == 2
    assert run.err.splitlines()[0] == "site_config.yml:7:21: 错误 [archive_restricted 版本库为受限存储] “也许”不是是/否；应为true 或 false"


def test_config_in_gbk(site: Site) -> None:
    cfg = site.root / "site_config.yml"
    cfg.write_bytes(cfg.read_text(encoding="utf-8").encode("gbk"))
    run = run_cli("check")
    assert run.code == 2
    assert "site_config.yml:1:3: 错误 文件不是 UTF-8 编码，看起来是 GBK/GB2312 编码" in run.err
    assert "Traceback" not in run.err


def test_empty_config(site: Site) -> None:
    (site.root / "site_config.yml").write_text("", encoding="utf-8")
    run = run_cli("check")
    assert run.code == 2
    assert run.err.splitlines()[0] == "site_config.yml:1:1: 错误 配置文件是空的；参见 README 中的 site_config.yml 说明"


# ------------------------------------------------------------ as a user runs it

def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", env=env)


def test_check_in_a_real_process(site: Site) -> None:
    ok = _run("check", cwd=site.root)
    assert ok.returncode == 0 and ok.stdout == ""
    assert "检查了 19 个文件：0 个错误，0 个警告" in ok.stderr
    site.edit("units/zyy.yml", "kind: 中医院", "kind: 诊所")
    bad = _run("check", cwd=site.root)
    assert bad.returncode == 1
    assert bad.stderr.splitlines()[0].startswith("content/units/zyy.yml:3:7: 错误 [kind 单位类别] “诊所”不是可选值")


def test_missing_config_in_a_real_process(tmp_path: Path) -> None:
    proc = _run("check", "--config", "nowhere/site_config.yml", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("nowhere/site_config.yml:0:0: 错误 找不到配置文件")
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("argv", [["check"], ["--config", "site_config.yml", "check"], ["--as-of", "2010-01-01", "check", "--strict"]])
def test_a_command_imports_only_its_own_module(argv: list[str]) -> None:
    """Options before the command do not make every command's module load
    (openpyxl, Jinja and the MkDocs glue cost a fifth of a second per run)."""
    code = ("import sys; from generator.cli import build_parser, _command_in; "
            f"build_parser(_command_in({argv!r})); "
            "print(sorted(m for m in sys.modules if m.startswith('generator.commands.')))")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "['generator.commands.check']"
