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
from typing import Any, Callable

from kamflow.errors import LoadError, Problem, Span
from kamflow.loader import yamlsrc
from kamflow.loader.build import ProcessBuilder, _collector_paused
from kamflow.loader.schema import DIRECTIONS, ID_PATTERN, METADATA_FIELDS, STEP_FIELDS
from kamflow.model.nodelink import EDGE_KINDS, FORMAT, FORMAT_VERSION
from kamflow.model.process import RACI_LETTERS, STEP_TYPES, Edge, Lane, Process, Step
from kamflow.model.source import Mapping, Node, Scalar, Sequence, scalar


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _decoder(shown: str, text: str) -> json.JSONDecoder:
    """A strict decoder that returns a source tree: every value knows where it starts."""
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def span(offset: int) -> Span:
        line = _bisect(line_starts, offset)
        return Span(shown, line + 1, offset - line_starts[line] + 1)

    def positioned(scan_once: Callable[[str, int], tuple[Any, int]]) -> Callable[[str, int], tuple[Node, int]]:
        def scan(string: str, idx: int) -> tuple[Node, int]:
            value, end = scan_once(string, idx)
            if isinstance(value, (Mapping, Sequence)):
                return value, end
            return scalar(value, span(idx)), end

        return scan

    def parse_object(
        s_and_end: tuple[str, int], strict: bool, scan_once: Any, object_hook: Any, object_pairs_hook: Any, memo: Any = None
    ) -> tuple[Node, int]:
        pairs, end = json.decoder.JSONObject(s_and_end, strict, positioned(scan_once), object_hook, object_pairs_hook, memo)  # type: ignore[attr-defined]
        at = span(s_and_end[1] - 1)
        return Mapping([(Scalar("str", key, value.span), value) for key, value in pairs], at), end

    def parse_array(s_and_end: tuple[str, int], scan_once: Any) -> tuple[Node, int]:
        items, end = json.decoder.JSONArray(s_and_end, positioned(scan_once))  # type: ignore[attr-defined]
        return Sequence(items, span(s_and_end[1] - 1)), end

    decoder = json.JSONDecoder(object_pairs_hook=list, parse_constant=_no_constant)
    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    decoder.parse_array = parse_array  # type: ignore[attr-defined]
    # the C scanner would skip parse_object and parse_array
    decoder.scan_once = positioned(json.scanner.py_make_scanner(decoder))  # type: ignore[attr-defined]
    return decoder


def looks_like_export(path: Path | str) -> bool:
    """A file named on the command line that is read as a JSON export (and refused if it is none)."""
    return Path(path).suffix.lower() == ".json"


def exports_in(folder: Path) -> list[Path]:
    """The kamflow JSON exports under `folder` (by their opening `"format"`; hidden parts skipped),
    for the hint that a folder walk does not take them."""
    found = []
    for path in sorted(folder.rglob("*.json")):
        if any(part.startswith(".") for part in path.relative_to(folder).parts) or not path.is_file():
            continue
        try:
            with path.open("rb") as stream:
                head = stream.read(1024)  # an export names its format in its first lines
        except OSError:
            continue
        if f'"format": "{FORMAT}"'.encode() in head:
            found.append(path)
    return found


def load_process_json(path: Path | str, *, display: str | None = None) -> Process:
    shown = display or str(path)
    return load_process_json_text(yamlsrc.read_text(path, display=shown), shown)


def load_process_json_text(text: str, shown: str) -> Process:
    with _collector_paused():
        try:
            data = _decoder(shown, text).decode(text)
        except json.JSONDecodeError as error:
            raise LoadError([Problem(Span(shown, error.lineno, error.colno), f"invalid JSON: {error.msg}")]) from None
        except ValueError as error:
            raise LoadError([Problem(Span(shown, 1, 1), f"invalid JSON: {error}")]) from None
        except RecursionError:  # Python's decoder recurses per level: refuse deep nesting at its place
            line, column = _too_deep_at(text)
            raise LoadError([Problem(Span(shown, line, column), f"invalid JSON: nested more than {MAX_JSON_DEPTH} levels deep")]) from None
        return _Reader(shown).process(data)


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


_NULL = Scalar("null", "", Span(""))


class _Reader:
    """The node-link shape: which keys an object has; every value goes to the ProcessBuilder."""

    def __init__(self, shown: str):
        self.build = ProcessBuilder(shown)
        self.error = self.build.error

    def obj(self, value: Node, what: str, parent: Node, *, required: tuple[str, ...], allowed: tuple[str, ...]) -> dict[str, Node] | None:
        if not isinstance(value, Mapping):
            self.error(parent, f"{what} must be a JSON object")
            return None
        found: dict[str, Node] = {}
        for key, item in value.entries:
            assert isinstance(key, Scalar)
            if key.text in found:
                self.error(value, f"duplicate key {key.text!r} in {what}")
            elif key.text not in allowed:
                self.error(value, f"unknown key {key.text!r} in {what}; expected one of: {', '.join(allowed)}")
            found[key.text] = item
        for name in required:
            if name not in found:
                self.error(value, f"{what} is missing the required key {name!r}")
        return found

    def list(self, obj: dict[str, Node], key: str, what: str, parent: Node) -> list[Node]:
        value = obj.get(key)
        if value is None or (isinstance(value, Scalar) and value.kind == "null"):
            return []
        if not isinstance(value, Sequence):
            self.error(parent, f"{what} must be a list")
            return []
        return value.items

    # -- the document ---------------------------------------------------------------------
    def process(self, data: Node) -> Process:
        build = self.build
        marked = {key.text: value for key, value in data.entries if isinstance(key, Scalar)} if isinstance(data, Mapping) else None
        form = marked.get("format") if marked is not None else None
        if marked is not None and not (
            isinstance(form, Scalar) and form.kind == "str" and form.text == FORMAT
        ):  # other JSON (package.json, settings): one line, not each key
            self.error(data, f'not a kamflow export (no "format": "{FORMAT}"); kamflow reads process files (.yaml) and its own JSON exports')
            build.raise_problems()
        root = self.obj(data, "the export", data, required=tuple(EXPORT_SCHEMA["required"]), allowed=tuple(EXPORT_SCHEMA["properties"]))
        if root is None or build.problems:
            raise LoadError(build.problems or [Problem(Span(build.shown, 1, 1), "the export must be a JSON object")])
        version = root.get("kamflow")  # the format marker was checked above
        if not (isinstance(version, Scalar) and version.kind == "int" and version.text == str(FORMAT_VERSION)):
            self.error(data, f'not a kamflow export: expected "format": "{FORMAT}" and "kamflow": {FORMAT_VERSION}')
            build.raise_problems()
        graph_props = EXPORT_SCHEMA["properties"]["graph"]
        graph_node = root["graph"]
        graph = self.obj(graph_node, "`graph`", data, required=tuple(graph_props["required"]), allowed=tuple(graph_props["properties"]))
        if graph is None:
            build.raise_problems()
            raise AssertionError("unreachable")
        process_id = build.ident(graph["id"], "the process id") if "id" in graph else None
        values = {
            key: build.text(graph.get(key, _NULL), f"`graph.{key}`") for key in ("description", "version", "author", "date", "based_on", "theme")
        }
        title = build.label(graph["title"], "`graph.title`") if "title" in graph else None
        direction = build.direction(graph["direction"], "graph.direction") if "direction" in graph else "TB"
        disabled = build.text_list(graph.get("disabled_rules", _NULL), "`graph.disabled_rules`")
        lanes = self.lanes(graph, graph_node)
        steps = self.steps(root, data)
        edges = self.edges(root, data, {step.id: step for step in steps})
        return build.finish(
            id=process_id or "",
            title=title if title is not None else (process_id or ""),
            span=data.span,
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
            key_spans={"check.disable": graph_node.span} if disabled else {},
        )

    def lanes(self, graph: dict[str, Node], graph_node: Node) -> tuple[Lane, ...]:
        lanes: list[Lane] = []
        for item in self.list(graph, "lanes", "`graph.lanes`", graph_node):
            lane = self.obj(item, "a lane", graph_node, required=("id", "label"), allowed=("id", "label"))
            if lane is None or "id" not in lane or "label" not in lane:
                continue
            lane_id = self.build.ident(lane["id"], "a lane id")
            label = self.build.label(lane["label"], "a lane label")
            if lane_id and label is not None:
                lanes.append(Lane(lane_id, label, item.span))
        return self.build.unique(lanes, "lane", [lane.span for lane in lanes])

    def steps(self, root: dict[str, Node], data: Node) -> tuple[Step, ...]:
        build = self.build
        items = self.list(root, "nodes", "`nodes`", data)
        if not items:
            self.error(data, "`nodes` must be a list of at least one step")
            return ()
        node_props = EXPORT_SCHEMA["properties"]["nodes"]["items"]
        steps: list[Step] = []
        for item in items:
            node = self.obj(item, "a node", data, required=tuple(node_props["required"]), allowed=tuple(node_props["properties"]))
            if node is None or "id" not in node:
                continue
            step_id = build.ident(node["id"], "a step id")
            if step_id is None:
                continue
            where = f"step {step_id!r}"
            step_type = build.step_type(node["type"], where) if "type" in node else "step"
            label = build.label(node["label"], f"the label of {where}") if "label" in node else None
            process = build.text(node.get("process", _NULL), f"the process of {where}")
            if process is not None and step_type != "subprocess":
                self.error(item, f"`process` is only for subprocess steps, and {where} is a {step_type}")
            lane = node.get("lane", _NULL)
            steps.append(
                Step(
                    id=step_id,
                    type=step_type,
                    label=label if label is not None else step_id,
                    span=item.span,
                    label_given=build.boolean(node["label_given"], f"`label_given` of {where}") if "label_given" in node else False,
                    lane=build.ident(lane, f"the lane of {where}") if not (isinstance(lane, Scalar) and lane.kind == "null") else None,
                    process=process,
                    essential=build.boolean(node["essential"], f"`essential` of {where}") if "essential" in node else False,
                    implements=build.text_list(node.get("implements", _NULL), f"`implements` of {where}", ids=True),
                    ignore=build.text_list(node.get("ignore", _NULL), f"`ignore` of {where}"),
                    metadata=self.metadata(node.get("metadata"), item, where),
                )
            )
        return build.unique(steps, "step", [step.span for step in steps])

    def metadata(self, raw: Node | None, item: Node, where: str) -> dict[str, Any]:
        if raw is None:
            return {}
        if not isinstance(raw, Mapping):
            self.error(item, f"`metadata` of {where} must be a JSON object")
            return {}
        metadata: dict[str, Any] = {}
        for key, value in raw.entries:
            assert isinstance(key, Scalar)
            if key.text not in METADATA_FIELDS:
                self.error(raw, f"unknown metadata key {key.text!r} of {where}; expected one of: {', '.join(METADATA_FIELDS)}")
                continue
            checked = self.build.metadata_value(key.text, value, where)
            if checked is not None:
                metadata[key.text] = checked
        return metadata

    def edges(self, root: dict[str, Node], data: Node, steps: dict[str, Step]) -> tuple[Edge, ...]:
        build = self.build
        link_props = EXPORT_SCHEMA["properties"]["links"]["items"]
        edges: list[Edge] = []
        for item in self.list(root, "links", "`links`", data):
            link = self.obj(item, "a link", data, required=tuple(link_props["required"]), allowed=tuple(link_props["properties"]))
            if link is None or "source" not in link or "target" not in link:
                continue
            source = build.ident(link["source"], "a link source")
            target = build.ident(link["target"], "a link target")
            label = build.label(link.get("label", _NULL), "a link label")
            kind_node = link.get("kind", _NULL)
            kind = kind_node.text if isinstance(kind_node, Scalar) and kind_node.kind == "str" else None
            if kind not in EDGE_KINDS:
                self.error(item, f"a link's kind must be one of {', '.join(EDGE_KINDS)}, not {kind!r}")
            chance = link.get("probability", _NULL)
            probability = None
            if not (isinstance(chance, Scalar) and chance.kind == "null"):
                probability = build.probability(chance, "a link's probability")
            if source is not None and source not in steps:
                self.error(item, f"a link starts at {source!r}, which is not a node")
                continue
            if kind == "branch" and source in steps and steps[source].type != "decision":
                self.error(item, f"branch links start at decisions, and {source!r} is a {steps[source].type}")
            if source and target and kind in EDGE_KINDS:
                edges.append(Edge(source, target, label, kind, item.span, probability))
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
_METADATA_SCHEMAS: dict[str, Any] = {
    "text-list": _TEXTS,
    "raci": {"type": "object", "additionalProperties": False, "properties": {letter: _TEXTS for letter in RACI_LETTERS}},
}

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
                            name: _METADATA_SCHEMAS.get(STEP_FIELDS[name].kind, {"type": "string"}) | {"description": STEP_FIELDS[name].doc}
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
