"""`python -m generator schema` writes JSON Schemas that a stock validator
(jsonschema) accepts every valid record with — the mini fixture always, the
sample content/ once it has units — and that refuse what `check` refuses."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from generator.load import record_type_for
from generator.records import RECORD_TYPES

from .conftest import MINI, read_yaml

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "content"


@pytest.fixture(scope="module")
def schemas(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The command's own output, written by a separate process as a user runs it."""
    out = tmp_path_factory.mktemp("schema")
    proc = subprocess.run([sys.executable, "-m", "generator", "schema", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 0, proc.stderr
    assert f"已写出 {len(RECORD_TYPES)} 份 JSON Schema" in proc.stdout
    found = {p.name.removesuffix(".schema.json"): json.loads(p.read_text(encoding="utf-8")) for p in out.glob("*.schema.json")}
    assert set(found) == {rt.name for rt in RECORD_TYPES}
    for schema in found.values():
        jsonschema.Draft202012Validator.check_schema(schema)
    return found


def _front_matter(text: str) -> str:
    assert text.startswith("---\n"), "rule documents start with a front matter"
    return text.split("---\n", 2)[1]


def records(content: Path) -> list[tuple[str, str, Any]]:
    """(path, record type, data) of every record file under a content folder."""
    out = []
    for p in sorted(content.rglob("*")):
        rel = p.relative_to(content).as_posix()
        if not p.is_file() or any(part.startswith((".", "_")) for part in rel.split("/")):
            continue
        rt = record_type_for(rel)
        if rt is None:
            continue
        text = p.read_text(encoding="utf-8-sig")
        out.append((rel, rt.name, read_yaml(_front_matter(text) if rt.markdown else text)))
    return out


def errors(schema: dict[str, Any], data: Any) -> list[str]:
    v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(data)]


def test_the_schemas_accept_every_record_of_the_mini_fixture(schemas: dict[str, dict[str, Any]]) -> None:
    found = records(MINI / "content")
    assert {t for _, t, _ in found} == {rt.name for rt in RECORD_TYPES}  # every type exercised
    bad = {rel: errs for rel, t, data in found if (errs := errors(schemas[t], data))}
    assert bad == {}


def test_the_schemas_accept_the_sample_content(schemas: dict[str, dict[str, Any]]) -> None:
    if not any((SAMPLE / "units").glob("*.yml")):
        pytest.skip("content/ has no units yet")
    found = records(SAMPLE)
    bad = {rel: errs for rel, t, data in found if (errs := errors(schemas[t], data))}
    assert bad == {}
    assert len(found) > 10


@pytest.mark.parametrize(("rel", "edit", "message"), [
    ("units/zyy.yml", ("kind: 中医院", "kind: 诊所"), "kind: '诊所' is not one of"),
    ("units/zyy.yml", ("order: 3", "oder: 3"), ": Additional properties are not allowed ('oder' was unexpected)"),
    ("units/zyy.yml", ("name: 测试市中医院\n", ""), ": 'name' is a required property"),
    ("people/li-si.yml", ("unit: rmyy", "unit: 人民医院"), "unit: '人民医院' does not match"),
    ("people/zhang-san.yml", ("birth_year: 1970", "birth_year: 1870"), "birth_year: 1870 is less than the minimum of 1900"),
    ("forms/personal/li-si-2009.yml", ("signed_on: 2009-05-22", "signed_on: 2009-02-30"), "signed_on: '2009-02-30' is not a 'date'"),
    ("forms/personal/li-si-2009.yml", ("    measures: [严格执行处方点评制度]", "    measures: []"), "risks/0/measures: [] should be non-empty"),
    ("forms/personal/li-si-2009.yml", ("    level: 中", "    level: 极高"), "risks/0/level: '极高' is not one of"),
])
def test_the_schemas_refuse_what_check_refuses(schemas: dict[str, dict[str, Any]], rel: str, edit: tuple[str, str],
                                               message: str) -> None:
    text = (MINI / "content" / rel).read_text(encoding="utf-8")
    assert text.count(edit[0]) == 1
    rt = record_type_for(rel)
    assert rt is not None
    errs = errors(schemas[rt.name], read_yaml(text.replace(*edit)))
    assert any(e.startswith(message) or message in e for e in errs), errs


def test_level_aliases_are_in_the_schema(schemas: dict[str, dict[str, Any]]) -> None:
    # 一级/二级/三级 are accepted by check, so the editor must not flag them
    text = (MINI / "content/forms/personal/zhang-san-2009.yml").read_text(encoding="utf-8")
    assert "level: 一级" in text
    assert errors(schemas["personal"], read_yaml(text)) == []


def test_vscode_settings_map_each_folder_to_its_schema(tmp_path: Path) -> None:
    out = tmp_path / "s"
    proc = subprocess.run([sys.executable, "-m", "generator", "schema", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 0, proc.stderr
    mapping = json.loads((out / "vscode-settings.json").read_text(encoding="utf-8"))["yaml.schemas"]
    assert mapping[str(out / "unit.schema.json")] == "content/units/**/*.yml"
    assert mapping[str(out / "personal.schema.json")] == "content/forms/personal/**/*.yml"
    assert mapping[str(out / "campaign.schema.json")] == "content/campaign.yml"
    assert str(out / "rule.schema.json") not in mapping  # front matter: not a YAML file an editor maps
