"""The JSON Schema of the YAML process format, derived from kamflow/loader/schema.py (the same
declaration the loader checks against), for editor completion through the YAML language server.

The schema describes what the loader accepts: text fields take any scalar (kamflow keeps `Yes`,
`1.0` and `2024-01-01` as the text written, where a YAML 1.2 editor sees booleans, numbers or
dates), and list fields also take a single value.
"""

from __future__ import annotations

from typing import Any

from kamflow.loader.schema import DIRECTIONS, FORMAT_VERSION, ID_PATTERN, TOP_FIELDS, Field
from kamflow.model.process import RACI_LETTERS

_TEXT = {"type": ["string", "number", "boolean", "null"]}
_ID = {"type": "string", "pattern": ID_PATTERN}
_TO = {"type": "object", "required": ["to"], "additionalProperties": False}


def _one_or_many(item: dict) -> dict:
    return {"anyOf": [item, {"type": "array", "items": item}, {"type": "null"}]}


def _object(fields: dict[str, Field], *, exclude: tuple[str, ...] = ()) -> dict:
    schema: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {name: _field(name, spec) for name, spec in fields.items() if name not in exclude},
    }
    required = [name for name, spec in fields.items() if spec.required]
    if required:
        schema["required"] = required
    return schema


def _field(name: str, spec: Field) -> dict:
    kind = spec.kind
    if kind == "text":
        schema: dict[str, Any] = dict(_TEXT)
    elif kind == "id":
        schema = dict(_ID)
    elif kind == "integer":
        schema = {"const": FORMAT_VERSION} if name == "kamflow" else {"type": "integer"}
    elif kind == "boolean":
        schema = {"type": "boolean"}
    elif kind == "enum":
        schema = {"enum": list(spec.choices)}
    elif kind == "text-list":
        schema = _one_or_many(_TEXT)
    elif kind == "id-list":
        schema = _one_or_many(_ID)
    elif kind == "flow":
        flow = {**_TO, "properties": {"to": _ID, "label": _TEXT}}
        schema = {"anyOf": [_ID, {"type": "null"}, {"type": "array", "items": {"anyOf": [_ID, flow]}}]}
    elif kind == "branches":
        target = {**_TO, "properties": {"to": _ID, "p": {"type": "number", "minimum": 0, "maximum": 1}}}
        schema = {"type": "object", "additionalProperties": {"anyOf": [_ID, target]}}
    elif kind == "lanes":
        schema = {"anyOf": [{"type": "array", "items": {"anyOf": [_ID, _object(spec.fields)]}}, {"type": "null"}]}
    elif kind == "steps":
        schema = {"type": "array", "minItems": 1, "items": _object(spec.fields)}
    elif kind == "raci":
        schema = {"type": "object", "additionalProperties": False, "properties": {letter: _one_or_many(_TEXT) for letter in RACI_LETTERS}}
    elif kind == "check":
        schema = _object(spec.fields)
    else:  # a new kind in schema.py must be described here too
        raise ValueError(f"no JSON Schema for field kind {kind!r}")
    return {"description": spec.doc, **schema}


def process_json_schema() -> dict:
    """The JSON Schema (draft-07, which the YAML language server reads) of a process file."""
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "kamflow process file (format version 1)",
        "description": "A business process for kamflow: lanes, steps and the flows between them.",
        **_object(TOP_FIELDS),
    }


__all__ = ["DIRECTIONS", "process_json_schema"]


def schema_text(of: str = "process") -> str:
    """A JSON Schema as text: `process` for the YAML process format, `export` for the node-link
    JSON export. The files in docs/json-schema/ are exactly these."""
    import json

    from kamflow.errors import UsageError
    from kamflow.loader.jsonsrc import EXPORT_SCHEMA

    schemas = {"process": process_json_schema, "export": lambda: EXPORT_SCHEMA}
    if of not in schemas:
        raise UsageError(f"unknown schema {of!r}; choose process or export")
    return json.dumps(schemas[of](), ensure_ascii=False, indent=2) + "\n"
