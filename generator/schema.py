"""JSON Schema for every record type, generated from the declarations."""
from __future__ import annotations

from typing import Any

from .fields import Field, Shape
from .load import ID_RE
from .records import RECORD_TYPES, RecordType

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


def field_schema(f: Field) -> dict[str, Any]:
    s: dict[str, Any]
    if f.kind == "shape" and f.shape:
        s = shape_schema(f.shape)
    elif f.kind == "list" and f.item is not None:
        s = {"type": "array", "items": field_schema(f.item)}
        if f.required:
            s["minItems"] = 1
    elif f.kind == "enum":
        s = {"enum": list(f.choices) + list(f.aliases)}
    elif f.kind == "date":
        s = {"type": "string", "pattern": DATE_PATTERN, "format": "date"}
    elif f.kind == "time":
        s = {"type": "string", "pattern": r"^\d{1,2}:\d{2}$"}
    elif f.kind == "int":
        s = {"type": "integer"}
    elif f.kind == "number":
        s = {"type": "number"}
    elif f.kind == "bool":
        s = {"type": "boolean"}
    elif f.kind == "ref":
        s = {"type": "string", "pattern": ID_RE.pattern}
    else:
        # text is taken literally: an unquoted 13900000000 is text to `check`, so not an editor error either
        s = {"type": ["string", "number"], "minLength": 1}
        if f.pattern:
            s = {"type": "string", "pattern": f.pattern}
    if f.kind in ("int", "number"):
        if f.minimum is not None:
            s["minimum"] = f.minimum
        if f.maximum is not None:
            s["maximum"] = f.maximum
    if f.label:
        s["title"] = f.label
    if f.doc:
        s["description"] = f.doc + ("（保密字段，不会公开）" if f.private and "保密" not in f.doc else "")
    return s


def shape_schema(shape: Shape) -> dict[str, Any]:
    return {
        "type": "object",
        "title": shape.label,
        "properties": {f.key: field_schema(f) for f in shape.fields},
        "required": [f.key for f in shape.fields if f.required],
        "additionalProperties": False,
    }


def record_schema(rt: RecordType) -> dict[str, Any]:
    s = shape_schema(rt.shape)
    s["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    s["$id"] = f"{rt.name}.schema.json"
    s["title"] = rt.label
    s["description"] = rt.doc
    return s


def all_schemas() -> dict[str, dict[str, Any]]:
    return {rt.name: record_schema(rt) for rt in RECORD_TYPES}


def glob_for(rt: RecordType) -> str:
    if rt.folder.endswith(".yml"):
        return f"content/{rt.folder}"
    return f"content/{rt.folder}/**/*.yml"
