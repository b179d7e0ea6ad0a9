"""Reading kamflow's node-link JSON export back into a Process, so `check`, `render` and `export`
accept the .json files `kamflow export --to json` writes. The round trip is lossless: everything
the model holds except source positions (which point into the file read) comes back equal.

The JSON is parsed by the standard json module (strict: no NaN, no duplicate keys); every JSON
object remembers where it starts, so problems are reported as `FILE:LINE:COL: error: ...` at the
lane, step or link they concern. EXPORT_SCHEMA is the format's JSON Schema (docs/json-schema/).
"""
from __future__ import annotations

import json
import json.decoder
import json.scanner
import re
from pathlib import Path
from typing import Any

from kamflow.errors import LoadError, Problem, Span
from kamflow.loader import yamlsrc
from kamflow.loader.schema import DIRECTIONS, ID_PATTERN, METADATA_FIELDS, STEP_FIELDS
from kamflow.model.process import STEP_TYPES, Edge, Lane, Process, Step

FORMAT = "kamflow-node-link"
FORMAT_VERSION = 1
EDGE_KINDS = ("next", "branch")
_ID = re.compile(ID_PATTERN)


class _Object(dict):
    """A JSON object that knows its offset in the text and which keys it repeated."""

    offset = 0
    duplicates: tuple[str, ...] = ()


def _pairs(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        obj.duplicates = tuple(key for key, _ in pairs if key in seen or seen.add(key))
    return obj


def _no_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _decoder() -> json.JSONDecoder:
    decoder = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_no_constant)

    def parse_object(s_and_end, *args):
        obj, end = json.decoder.JSONObject(s_and_end, *args)
        obj.offset = s_and_end[1] - 1
        return obj, end

    decoder.parse_object = parse_object
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # the C scanner would skip parse_object
    return decoder


def looks_like_export(path: Path | str) -> bool:
    return Path(path).suffix.lower() == ".json"


def load_process_json(path: Path | str, *, display: str | None = None) -> Process:
    shown = display or str(path)
    return load_process_json_text(yamlsrc.read_text(path, display=shown), shown)


def load_process_json_text(text: str, shown: str) -> Process:
    try:
        data = _decoder().decode(text)
    except json.JSONDecodeError as error:
        raise LoadError([Problem(Span(shown, error.lineno, error.colno), f"invalid JSON: {error.msg}")]) from None
    except ValueError as error:
        raise LoadError([Problem(Span(shown, 1, 1), f"invalid JSON: {error}")]) from None
    except RecursionError:  # Python's decoder recurses per level: refuse deep nesting at its place
        line, column = _too_deep_at(text)
        raise LoadError([Problem(Span(shown, line, column), f"invalid JSON: nested more than {MAX_JSON_DEPTH} levels deep")]) from None
    return _Reader(shown, text).process(data)


MAX_JSON_DEPTH = 200  # an export is four levels deep; Python's decoder fails near 1000


def _too_deep_at(text: str) -> tuple[int, int]:
    """Line and column of the first bracket past MAX_JSON_DEPTH (outside strings)."""
    depth, in_string, escaped = 0, False, False
    for offset, char in enumerate(text):
        if in_string:
            escaped, in_string = (not escaped and char == "\\"), in_string and (escaped or char != '"')
            continue
        if char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                line = text.count("\n", 0, offset) + 1
                return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
        elif char in "]}":
            depth -= 1
    return 1, 1


class _Reader:
    def __init__(self, shown: str, text: str):
        self.shown = shown
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.problems: list[Problem] = []

    def span(self, obj: Any) -> Span:
        offset = getattr(obj, "offset", 0)
        line = _bisect(self.line_starts, offset)
        return Span(self.shown, line + 1, offset - self.line_starts[line] + 1)

    def error(self, obj: Any, message: str) -> None:
        self.problems.append(Problem(self.span(obj), message))

    def obj(self, value: Any, what: str, parent: Any, *, required: tuple[str, ...], allowed: tuple[str, ...]) -> dict | None:
        if not isinstance(value, dict):
            self.error(parent, f"{what} must be a JSON object")
            return None
        for key in value.duplicates:
            self.error(value, f"duplicate key {key!r} in {what}")
        for key in value:
            if key not in allowed:
                self.error(value, f"unknown key {key!r} in {what}; expected one of: {', '.join(allowed)}")
        for key in required:
            if key not in value:
                self.error(value, f"{what} is missing the required key {key!r}")
        return value

    def text(self, obj: dict, key: str, what: str, *, optional: bool = True) -> str | None:
        value = obj.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, str):
            self.error(obj, f"{what} must be {'text or null' if optional else 'text'}")
            return None
        return value

    def ident(self, obj: dict, key: str, what: str, *, optional: bool = False) -> str | None:
        value = obj.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, str) or not _ID.match(value):
            self.error(obj, f"{what} {value!r} is not a valid id: start with a letter, then letters, digits, '_' or '-', at most 64 characters")
            return None
        return value

    def texts(self, obj: dict, key: str, what: str, *, ids: bool = False) -> tuple[str, ...]:
        value = obj.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.error(obj, f"{what} must be a list of text")
            return ()
        if ids:
            bad = [item for item in value if not _ID.match(item)]
            if bad:
                self.error(obj, f"{what} holds invalid ids: {', '.join(map(repr, bad))}")
        return tuple(value)

    def flag(self, obj: dict, key: str, what: str) -> bool:
        value = obj.get(key, False)
        if not isinstance(value, bool):
            self.error(obj, f"{what} must be true or false")
            return False
        return value

    # -- the document ---------------------------------------------------------------------
    def process(self, data: Any) -> Process:
        root = self.obj(data, "the export", data, required=tuple(EXPORT_SCHEMA["required"]), allowed=tuple(EXPORT_SCHEMA["properties"]))
        if root is None or self.problems:
            raise LoadError(self.problems or [Problem(Span(self.shown, 1, 1), "the export must be a JSON object")])
        if root.get("format") != FORMAT or root.get("kamflow") != FORMAT_VERSION or isinstance(root.get("kamflow"), bool):
            self.error(root, f"not a kamflow export: expected \"format\": \"{FORMAT}\" and \"kamflow\": {FORMAT_VERSION}")
            raise LoadError(self.problems)
        graph_props = EXPORT_SCHEMA["properties"]["graph"]
        graph = self.obj(root.get("graph"), "`graph`", root, required=tuple(graph_props["required"]), allowed=tuple(graph_props["properties"]))
        if graph is None:
            raise LoadError(self.problems)
        process_id = self.ident(graph, "id", "the process id")
        values = {key: self.text(graph, key, f"`graph.{key}`") for key in ("title", "description", "version", "author", "date", "based_on", "theme")}
        direction = graph.get("direction")
        if direction not in DIRECTIONS:
            self.error(graph, f"`graph.direction` must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
            direction = "TB"
        disabled = self.texts(graph, "disabled_rules", "`graph.disabled_rules`")
        lanes = self.lanes(graph)
        steps = self.steps(root)
        edges = self.edges(root, {step.id: step for step in steps})
        if self.problems:
            raise LoadError(self.problems)
        return Process(
            id=process_id or "",
            title=values["title"] if values["title"] is not None else (process_id or ""),
            path=self.shown,
            span=self.span(root),
            steps=steps,
            edges=edges,
            lanes=lanes,
            description=values["description"] or "",
            direction=direction,
            version=values["version"],
            author=values["author"],
            date=values["date"],
            based_on=values["based_on"],
            theme=values["theme"],
            disabled_rules=disabled,
            key_spans={"check.disable": self.span(graph)} if disabled else {},
        )

    def lanes(self, graph: dict) -> tuple[Lane, ...]:
        items = graph.get("lanes", [])
        if not isinstance(items, list):
            self.error(graph, "`graph.lanes` must be a list")
            return ()
        lanes: list[Lane] = []
        seen: set[str] = set()
        for item in items:
            lane = self.obj(item, "a lane", graph, required=("id", "label"), allowed=("id", "label"))
            if lane is None:
                continue
            lane_id = self.ident(lane, "id", "a lane id")
            label = self.text(lane, "label", "a lane label", optional=False)
            if lane_id in seen:
                self.error(lane, f"duplicate lane id {lane_id!r}")
            elif lane_id and label is not None:
                seen.add(lane_id)
                lanes.append(Lane(lane_id, label, self.span(lane)))
        return tuple(lanes)

    def steps(self, root: dict) -> tuple[Step, ...]:
        items = root.get("nodes")
        if not isinstance(items, list) or not items:
            self.error(root, "`nodes` must be a list of at least one step")
            return ()
        node_props = EXPORT_SCHEMA["properties"]["nodes"]["items"]
        steps: list[Step] = []
        seen: set[str] = set()
        for item in items:
            node = self.obj(item, "a node", root, required=tuple(node_props["required"]), allowed=tuple(node_props["properties"]))
            if node is None:
                continue
            step_id = self.ident(node, "id", "a step id")
            if step_id is None:
                continue
            where = f"step {step_id!r}"
            step_type = node.get("type")
            if step_type not in STEP_TYPES:
                self.error(node, f"unknown step type {step_type!r} for {where}; expected one of: {', '.join(STEP_TYPES)}")
                step_type = "step"
            label = self.text(node, "label", f"the label of {where}", optional=False)
            process = self.text(node, "process", f"the process of {where}")
            if process is not None and step_type != "subprocess":
                self.error(node, f"`process` is only for subprocess steps, and {where} is a {step_type}")
            metadata = self.metadata(node, where)
            if step_id in seen:
                self.error(node, f"duplicate step id {step_id!r}")
                continue
            seen.add(step_id)
            steps.append(Step(
                id=step_id,
                type=step_type,
                label=label if label is not None else step_id,
                span=self.span(node),
                label_given=self.flag(node, "label_given", f"`label_given` of {where}"),
                lane=self.ident(node, "lane", f"the lane of {where}", optional=True),
                process=process,
                essential=self.flag(node, "essential", f"`essential` of {where}"),
                implements=self.texts(node, "implements", f"`implements` of {where}", ids=True),
                ignore=self.texts(node, "ignore", f"`ignore` of {where}"),
                metadata=metadata,
            ))
        return tuple(steps)

    def metadata(self, node: dict, where: str) -> dict[str, Any]:
        raw = node.get("metadata", {})
        if not isinstance(raw, dict):
            self.error(node, f"`metadata` of {where} must be a JSON object")
            return {}
        metadata: dict[str, Any] = {}
        for key, value in raw.items():
            if key not in METADATA_FIELDS:
                self.error(raw, f"unknown metadata key {key!r} of {where}; expected one of: {', '.join(METADATA_FIELDS)}")
            elif STEP_FIELDS[key].kind == "text-list":
                if isinstance(value, list) and all(isinstance(item, str) for item in value):
                    metadata[key] = list(value)
                else:
                    self.error(raw, f"`{key}` of {where} must be a list of text")
            elif isinstance(value, str):
                metadata[key] = value
            else:
                self.error(raw, f"`{key}` of {where} must be text")
        return metadata

    def edges(self, root: dict, steps: dict[str, Step]) -> tuple[Edge, ...]:
        items = root.get("links", [])
        if not isinstance(items, list):
            self.error(root, "`links` must be a list")
            return ()
        link_props = EXPORT_SCHEMA["properties"]["links"]["items"]
        edges: list[Edge] = []
        for item in items:
            link = self.obj(item, "a link", root, required=tuple(link_props["required"]), allowed=tuple(link_props["properties"]))
            if link is None:
                continue
            source = self.ident(link, "source", "a link source")
            target = self.ident(link, "target", "a link target")
            label = self.text(link, "label", "a link label")
            kind = link.get("kind")
            if kind not in EDGE_KINDS:
                self.error(link, f"a link's kind must be one of {', '.join(EDGE_KINDS)}, not {kind!r}")
            probability = link.get("probability")
            if probability is not None and (isinstance(probability, bool) or not isinstance(probability, (int, float)) or not 0 <= probability <= 1):
                self.error(link, "a link's probability must be a number from 0 to 1, or null")
                probability = None
            if source is not None and source not in steps:
                self.error(link, f"a link starts at {source!r}, which is not a node")
                continue
            if kind == "branch" and source in steps and steps[source].type != "decision":
                self.error(link, f"branch links start at decisions, and {source!r} is a {steps[source].type}")
            if source and target and kind in EDGE_KINDS:
                edges.append(Edge(source, target, label, kind, self.span(link), float(probability) if probability is not None else None))
        return tuple(edges)


def _bisect(starts: list[int], offset: int) -> int:
    low, high = 0, len(starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= offset:
            low = middle
        else:
            high = middle - 1
    return low


_TEXT_OR_NULL = {"type": ["string", "null"]}
_ID_SCHEMA = {"type": "string", "pattern": ID_PATTERN}
_TEXTS = {"type": "array", "items": {"type": "string"}}

EXPORT_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "kamflow node-link export",
    "description": "A kamflow process as node-link JSON (`kamflow export --to json`); kamflow loads it back losslessly.",
    "type": "object",
    "required": ["kamflow", "format", "directed", "multigraph", "graph", "nodes", "links"],
    "additionalProperties": False,
    "properties": {
        "kamflow": {"const": FORMAT_VERSION, "description": "Version of this export format."},
        "format": {"const": FORMAT},
        "directed": {"const": True},
        "multigraph": {"const": True, "description": "Two flows may join the same pair of steps."},
        "graph": {
            "type": "object",
            "description": "The process and its metadata.",
            "required": ["id", "title", "direction", "lanes"],
            "additionalProperties": False,
            "properties": {
                "id": {**_ID_SCHEMA, "description": "Process id."},
                "title": {"type": "string"},
                "description": {"type": "string"},
                "direction": {"enum": list(DIRECTIONS)},
                "version": _TEXT_OR_NULL,
                "author": _TEXT_OR_NULL,
                "date": _TEXT_OR_NULL,
                "based_on": {**_TEXT_OR_NULL, "description": "Reference process id or relative path."},
                "theme": _TEXT_OR_NULL,
                "disabled_rules": {**_TEXTS, "description": "Check rules switched off for this process."},
                "lanes": {
                    "type": "array",
                    "description": "Swimlanes in display order.",
                    "items": {
                        "type": "object",
                        "required": ["id", "label"],
                        "additionalProperties": False,
                        "properties": {"id": _ID_SCHEMA, "label": {"type": "string"}},
                    },
                },
            },
        },
        "nodes": {
            "type": "array",
            "minItems": 1,
            "description": "The steps, in file order.",
            "items": {
                "type": "object",
                "required": ["id", "type", "label"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID_SCHEMA,
                    "type": {"enum": list(STEP_TYPES)},
                    "label": {"type": "string"},
                    "label_given": {"type": "boolean", "description": "False when the label defaulted to the id."},
                    "lane": {"anyOf": [_ID_SCHEMA, {"type": "null"}]},
                    "process": {**_TEXT_OR_NULL, "description": "Subprocess steps: the linked process."},
                    "essential": {"type": "boolean"},
                    "implements": {"type": "array", "items": _ID_SCHEMA},
                    "ignore": _TEXTS,
                    "metadata": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            name: (_TEXTS if STEP_FIELDS[name].kind == "text-list" else {"type": "string"}) | {"description": STEP_FIELDS[name].doc}
                            for name in METADATA_FIELDS
                        },
                    },
                },
            },
        },
        "links": {
            "type": "array",
            "description": "The flows, in file order.",
            "items": {
                "type": "object",
                "required": ["source", "target", "kind"],
                "additionalProperties": False,
                "properties": {
                    "source": _ID_SCHEMA,
                    "target": _ID_SCHEMA,
                    "label": _TEXT_OR_NULL,
                    "kind": {"enum": list(EDGE_KINDS), "description": "next: a `next` flow; branch: a decision's branch."},
                    "probability": {"anyOf": [{"type": "number", "minimum": 0, "maximum": 1}, {"type": "null"}]},
                },
            },
        },
    },
}
