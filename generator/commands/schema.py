"""`schema`: write JSON Schemas so editors give completion and inline errors."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..schema import all_schemas, glob_for
from ..records import BY_NAME


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("schema", parents=[parent], help="为每种记录写出 JSON Schema（供编辑器补全和提示）",
                       description="把每种记录的字段声明写成 JSON Schema。在 VS Code 的 YAML 插件中按输出的 yaml.schemas "
                                   "设置关联后，编辑记录时即有字段补全和错误提示。")
    p.add_argument("--out", default="build/schema", metavar="DIR", help="输出目录（默认 build/schema）")
    p.set_defaults(run=run)


def run(ctx) -> int:  # type: ignore[no-untyped-def]
    out = Path(ctx.args.out)
    out.mkdir(parents=True, exist_ok=True)
    mapping = {}
    for name, schema in all_schemas().items():
        target = out / f"{name}.schema.json"
        target.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        rt = BY_NAME[name]
        if not rt.markdown:
            mapping[str(target)] = glob_for(rt)
    (out / "vscode-settings.json").write_text(
        json.dumps({"yaml.schemas": mapping}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"已写出 {len(mapping) + 1} 份 JSON Schema 到 {out}/")
    print(f"VS Code：把 {out}/vscode-settings.json 中的 yaml.schemas 合并进 .vscode/settings.json")
    return 0
