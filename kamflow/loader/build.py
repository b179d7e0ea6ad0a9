"""YAML node tree -> model.Process. Gathers every problem, then raises one LoadError."""
from __future__ import annotations

import difflib
import gc
from contextlib import contextmanager
import re
from pathlib import Path

import yaml

from kamflow.errors import LoadError, Problem, Span
from kamflow.loader import yamlsrc
from kamflow.loader.schema import (
    DIRECTIONS,
    FORMAT_VERSION,
    ID_PATTERN,
    LANE_FIELDS,
    METADATA_FIELDS,
    STEP_FIELDS,
    TOP_FIELDS,
    CHECK_FIELDS,
)
from kamflow.model.duration import DurationError, parse_duration
from kamflow.model.process import STEP_TYPES, Edge, Lane, Process, Step

_ID = re.compile(ID_PATTERN)
# Labels are drawn on a chart, wrapped at about 24 characters; a label of thousands of characters is
# a mistake (or an attack on the layout engine), and any other text is bounded too.
MAX_LABEL = 500
MAX_TEXT = 20_000
_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"


def load_process(path: Path | str, *, display: str | None = None) -> Process:
    """Read and validate one process file."""
    shown = display or str(path)
    return load_process_text(yamlsrc.read_text(path, display=shown), shown)


def load_process_text(text: str, shown: str) -> Process:
    """Validate process text; `shown` is the path used in positions and messages."""
    with _collector_paused():
        root = yamlsrc.compose(text, shown)
        return _Builder(shown).process(root)


@contextmanager
def _collector_paused():
    """Pause Python's cyclic garbage collector while millions of YAML nodes are created: the node
    tree has no reference cycles, and collection passes made loading a 100k-step file 5x slower."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Builder:
    def __init__(self, shown: str):
        self.shown = shown
        self.problems: list[Problem] = []

    # -- helpers -------------------------------------------------------------------------------
    def span(self, node: yaml.Node) -> Span:
        return yamlsrc.span_at(self.shown, node.start_mark)

    def error(self, node: yaml.Node | None, message: str) -> None:
        span = self.span(node) if node is not None else Span(self.shown, 1, 1)
        self.problems.append(Problem(span, message))

    def mapping(self, node: yaml.Node, allowed: dict, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
        """A mapping's entries by key (key node, value node); unknown keys reported with a hint."""
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{what} must be a mapping of keys to values, not {_kind(node)}")
            return None
        entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                self.error(key, f"keys in {what} must be text")
                continue
            if key.value not in allowed:
                hint = difflib.get_close_matches(key.value, list(allowed), n=1)
                suffix = f"; did you mean {hint[0]!r}?" if hint else f"; expected one of: {', '.join(allowed)}"
                self.error(key, f"unknown key {key.value!r} in {what}{suffix}")
                continue
            entries[key.value] = (key, value)
        for name, spec in allowed.items():
            if spec.required and name not in entries:
                self.error(node, f"{what} is missing the required key {name!r}")
        return entries

    def text(self, node: yaml.Node, what: str, *, allow_empty: bool = True, limit: int = MAX_TEXT) -> str | None:
        """Any scalar as the exact text written (so `Yes`, `N/A`, `1.0` stay text); null -> None."""
        if not isinstance(node, yaml.ScalarNode):
            self.error(node, f"{what} must be text, not {_kind(node)}")
            return None
        if node.tag == _NULL and not node.style:
            return None
        if not allow_empty and not node.value.strip():
            self.error(node, f"{what} must not be empty")
            return None
        if len(node.value) > limit:
            self.error(node, f"{what} is {len(node.value):,} characters long; at most {limit:,} are allowed")
            return None
        return node.value

    def ident(self, node: yaml.Node, what: str) -> str | None:
        value = self.text(node, what)
        if value is None:
            if isinstance(node, yaml.ScalarNode):
                self.error(node, f"{what} must not be empty")
            return None
        if not _ID.match(value):
            self.error(node, f"{what} {value!r} is not a valid id: start with a letter, then letters, digits, '_' or '-', at most 64 characters")
            return None
        return value

    def text_list(self, node: yaml.Node, what: str, *, ids: bool = False) -> tuple[str, ...]:
        if isinstance(node, yaml.ScalarNode) and node.tag != _NULL:
            items = [node]  # a single value is accepted for a one-item list
        elif isinstance(node, yaml.SequenceNode):
            items = node.value
        elif isinstance(node, yaml.ScalarNode):
            return ()
        else:
            self.error(node, f"{what} must be a list of text, not {_kind(node)}")
            return ()
        values = []
        for item in items:
            value = self.ident(item, f"an item of {what}") if ids else self.text(item, f"an item of {what}")
            if value is not None:
                values.append(value)
        return tuple(values)

    # -- the document ------------------------------------------------------------------------
    def process(self, root: yaml.Node | None) -> Process:
        if root is None:
            raise LoadError([Problem(Span(self.shown, 1, 1), "empty file: a process needs at least `kamflow: 1`, `id` and `steps`")])
        entries = self.mapping(root, TOP_FIELDS, "the process file")
        if entries is None:
            raise LoadError(self.problems)
        if "kamflow" in entries:
            node = entries["kamflow"][1]
            if not (isinstance(node, yaml.ScalarNode) and node.tag == _INT and node.value.strip() == str(FORMAT_VERSION)):
                shown = node.value if isinstance(node, yaml.ScalarNode) else _kind(node)
                self.error(node, f"unsupported format version {shown!r}; this kamflow reads version {FORMAT_VERSION}")
        values: dict[str, object] = {}
        key_spans = {name: self.span(key) for name, (key, _) in entries.items()}
        process_id = self.ident(entries["id"][1], "the process id") if "id" in entries else None
        for name in ("title", "description", "version", "author", "date", "theme", "based_on"):
            if name in entries:
                values[name] = self.text(entries[name][1], f"`{name}`", limit=MAX_LABEL if name == "title" else MAX_TEXT)
        direction = "TB"
        if "direction" in entries:
            node = entries["direction"][1]
            value = self.text(node, "`direction`")
            if value is not None and value not in DIRECTIONS:
                self.error(node, f"direction must be one of {', '.join(DIRECTIONS)}, not {value!r}")
            elif value:
                direction = value
        disabled: tuple[str, ...] = ()
        if "check" in entries:
            check = self.mapping(entries["check"][1], CHECK_FIELDS, "`check`")
            if check and "disable" in check:
                disabled = self.text_list(check["disable"][1], "`check.disable`")
                key_spans["check.disable"] = self.span(check["disable"][1])
        lanes = self.lanes(entries["lanes"][1]) if "lanes" in entries else ()
        steps, edges = self.steps(entries["steps"][1]) if "steps" in entries else ((), ())
        if self.problems:
            raise LoadError(self.problems)
        return Process(
            id=process_id or "",
            title=values.get("title") or process_id or "",
            path=self.shown,
            span=self.span(root),
            steps=steps,
            edges=edges,
            lanes=lanes,
            description=values.get("description") or "",
            direction=direction,
            version=values.get("version"),
            author=values.get("author"),
            date=values.get("date"),
            based_on=values.get("based_on"),
            theme=values.get("theme"),
            disabled_rules=disabled,
            key_spans=key_spans,
        )

    def lanes(self, node: yaml.Node) -> tuple[Lane, ...]:
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
            return ()
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, f"`lanes` must be a list of lanes, not {_kind(node)}")
            return ()
        lanes: list[Lane] = []
        seen: dict[str, Span] = {}
        for item in node.value:
            if isinstance(item, yaml.ScalarNode) and item.tag != _NULL:
                lane_id, label = self.ident(item, "a lane id"), None
            else:
                entries = self.mapping(item, LANE_FIELDS, "a lane")
                if entries is None:
                    continue
                lane_id = self.ident(entries["id"][1], "a lane id") if "id" in entries else None
                label = self.text(entries["label"][1], "a lane label", limit=MAX_LABEL) if "label" in entries else None
            if lane_id is None:
                continue
            if lane_id in seen:
                self.error(item, f"duplicate lane id {lane_id!r} (first at line {seen[lane_id].line})")
                continue
            seen[lane_id] = self.span(item)
            lanes.append(Lane(lane_id, label if label else lane_id, self.span(item)))
        return tuple(lanes)

    def steps(self, node: yaml.Node) -> tuple[tuple[Step, ...], tuple[Edge, ...]]:
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, f"`steps` must be a list of steps, not {_kind(node)}")
            return (), ()
        if not node.value:
            self.error(node, "`steps` is empty: a process needs at least one step")
        steps: list[Step] = []
        edges: list[Edge] = []
        seen: dict[str, Span] = {}
        for item in node.value:
            built = self.step(item)
            if built is None:
                continue
            step, step_edges = built
            if step.id in seen:
                self.error(item, f"duplicate step id {step.id!r} (first at line {seen[step.id].line})")
                continue
            seen[step.id] = step.span
            steps.append(step)
            edges.extend(step_edges)
        return tuple(steps), tuple(edges)

    def step(self, node: yaml.Node) -> tuple[Step, list[Edge]] | None:
        entries = self.mapping(node, STEP_FIELDS, "a step")
        if entries is None or "id" not in entries:
            return None
        step_id = self.ident(entries["id"][1], "the step id")
        if step_id is None:
            return None
        where = f"step {step_id!r}"
        step_type = "step"
        if "type" in entries:
            type_node = entries["type"][1]
            value = self.text(type_node, f"the type of {where}")
            if value is not None and value not in STEP_TYPES:
                hint = difflib.get_close_matches(value, STEP_TYPES, n=1)
                suffix = f"; did you mean {hint[0]!r}?" if hint else ""
                self.error(type_node, f"unknown step type {value!r} for {where}; expected one of: {', '.join(STEP_TYPES)}{suffix}")
            elif value:
                step_type = value
        label = self.text(entries["label"][1], f"the label of {where}", limit=MAX_LABEL) if "label" in entries else None
        lane = self.ident(entries["lane"][1], f"the lane of {where}") if "lane" in entries else None
        process = self.text(entries["process"][1], f"the process of {where}", allow_empty=False) if "process" in entries else None
        essential = self.boolean(entries["essential"][1], f"`essential` of {where}") if "essential" in entries else False
        implements = self.text_list(entries["implements"][1], f"`implements` of {where}", ids=True) if "implements" in entries else ()
        ignore = self.text_list(entries["ignore"][1], f"`ignore` of {where}") if "ignore" in entries else ()
        metadata: dict[str, object] = {}
        for name in METADATA_FIELDS:
            if name in entries:
                spec = STEP_FIELDS[name]
                value_node = entries[name][1]
                value = self.text_list(value_node, f"`{name}` of {where}") if spec.kind == "text-list" else self.text(value_node, f"`{name}` of {where}")
                if name == "duration" and value is not None:
                    try:
                        parse_duration(value)
                    except DurationError as error:
                        self.error(value_node, f"{error} (`duration` of {where})")
                        value = None
                if value not in (None, ()):
                    metadata[name] = list(value) if isinstance(value, tuple) else value
        edges: list[Edge] = []
        if "next" in entries:
            edges.extend(self.next_flows(step_id, entries["next"][1], where))
        if "branches" in entries:
            edges.extend(self.branch_flows(step_id, entries["branches"][1], where))
        if process is not None and step_type != "subprocess":
            self.error(entries["process"][0], f"`process` is only for subprocess steps; give {where} `type: subprocess`")
        if "branches" in entries and step_type != "decision":
            self.error(entries["branches"][0], f"`branches` is only for decisions; give {where} `type: decision` or use `next`")
        step = Step(
            id=step_id,
            type=step_type,
            label=label if label else step_id,
            label_given=bool(label),
            span=self.span(node),
            lane=lane,
            process=process,
            essential=bool(essential),
            implements=implements,
            ignore=ignore,
            metadata=metadata,
            key_spans={name: self.span(key) for name, (key, _) in entries.items()},
        )
        return step, edges

    def boolean(self, node: yaml.Node, what: str) -> bool:
        if isinstance(node, yaml.ScalarNode) and node.tag == _BOOL:
            return node.value.lower() in ("true", "yes", "on", "y")
        self.error(node, f"{what} must be true or false")
        return False

    def target(self, node: yaml.Node, where: str) -> str | None:
        return self.ident(node, f"a flow target of {where}")

    def next_flows(self, source: str, node: yaml.Node, where: str) -> list[Edge]:
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _NULL and not node.style:
                return []
            target = self.target(node, where)
            return [Edge(source, target, None, "next", self.span(node))] if target else []
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, f"`next` of {where} must be an id, a list of ids or a list of {{to, label}}, not {_kind(node)}")
            return []
        edges = []
        for item in node.value:
            if isinstance(item, yaml.ScalarNode):
                target = self.target(item, where)
                if target:
                    edges.append(Edge(source, target, None, "next", self.span(item)))
                continue
            entries = self.mapping(item, {"to": _REQUIRED_TO, "label": _LABEL}, f"a flow of {where}")
            if not entries or "to" not in entries:
                continue
            target = self.target(entries["to"][1], where)
            label = self.text(entries["label"][1], f"a flow label of {where}", limit=MAX_LABEL) if "label" in entries else None
            if target:
                edges.append(Edge(source, target, label, "next", self.span(item)))
        return edges

    def branch_flows(self, source: str, node: yaml.Node, where: str) -> list[Edge]:
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"`branches` of {where} must be a mapping of branch label to target id, not {_kind(node)}")
            return []
        edges = []
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                self.error(key, f"a branch label of {where} must be text, not {_kind(key)}")
                continue
            label = key.value
            if len(label) > MAX_LABEL:
                self.error(key, f"a branch label of {where} is {len(label):,} characters long; at most {MAX_LABEL:,} are allowed")
                continue
            probability = None
            if isinstance(value, yaml.MappingNode):
                entries = self.mapping(value, {"to": _REQUIRED_TO, "p": _PROBABILITY}, f"branch {label!r} of {where}")
                if not entries or "to" not in entries:
                    continue
                target = self.target(entries["to"][1], where)
                if "p" in entries:
                    probability = self.probability(entries["p"][1], f"the probability of branch {label!r}")
            else:
                target = self.target(value, where)
            if target:
                edges.append(Edge(source, target, label, "branch", self.span(key), probability))
        return edges

    def probability(self, node: yaml.Node, what: str) -> float | None:
        if isinstance(node, yaml.ScalarNode) and node.tag in (_INT, _FLOAT):
            try:
                value = float(node.value)
            except ValueError:
                value = -1.0
            if 0.0 <= value <= 1.0:
                return value
        self.error(node, f"{what} must be a number from 0 to 1")
        return None


class _Spec:
    def __init__(self, required: bool):
        self.required = required


_REQUIRED_TO = _Spec(True)
_LABEL = _Spec(False)
_PROBABILITY = _Spec(False)


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == _NULL:
        return "empty"
    return f"the value {node.value!r}"
