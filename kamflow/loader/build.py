"""The one process builder: a source tree (kamflow.model.source) -> model.Process, every problem
gathered, then raised as one LoadError.

Every source feeds it, so limits, ids, durations, probabilities and positions are checked once:

- YAML process files: `yamlsrc.source_tree(text, path)` -> `build_process(tree, path)`.
- JSON exports (`kamflow export --to json`): jsonsrc checks the node-link shape and hands each value
  to the same `ProcessBuilder` methods (`label`, `ident`, `duration`, `probability`, ...), then
  `ProcessBuilder.finish`.
- Importers (BPMN, draw.io, Mermaid, CSV; issue #15): build a tree in the process file's own shape
  with `source.plain({...}, span)` (wrapping values whose position is known in `source.At`) and call
  `build_process(tree, path)`; the result is exactly what the same YAML file would give, with
  positions pointing into the imported file. An importer that needs more control calls the
  ProcessBuilder methods itself, as jsonsrc does.

Limits: labels (steps, flows, branches, lanes) and titles at MAX_LABEL characters, other text at
MAX_TEXT; ids match schema.ID_PATTERN; durations parse with model.duration; probabilities are
numbers from 0 to 1.
"""

from __future__ import annotations

import difflib
import gc
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from kamflow.errors import LoadError, Problem, Span
from kamflow.loader import yamlsrc
from kamflow.loader.schema import (
    CHECK_FIELDS,
    DIRECTIONS,
    FORMAT_VERSION,
    ID_PATTERN,
    LANE_FIELDS,
    METADATA_FIELDS,
    STEP_FIELDS,
    TOP_FIELDS,
)
from kamflow.model.duration import DurationError, parse_duration
from kamflow.model.process import RACI_LETTERS, STEP_TYPES, Edge, Lane, Process, Step
from kamflow.model.source import Mapping, Node, Scalar, Sequence, describe

_ID = re.compile(ID_PATTERN)
# Labels are drawn on a chart, wrapped at about 24 characters; a label of thousands of characters is
# a mistake (or an attack on the layout engine), and any other text is bounded too.
MAX_LABEL = 500
MAX_TEXT = 20_000


def load_process(path: Path | str, *, display: str | None = None) -> Process:
    """Read and validate one process file."""
    shown = display or str(path)
    return load_process_text(yamlsrc.read_text(path, display=shown), shown)


def load_process_text(text: str, shown: str) -> Process:
    """Validate process text; `shown` is the path used in positions and messages."""
    with _collector_paused():
        return build_process(yamlsrc.source_tree(text, shown), shown)


def build_process(root: Node | None, shown: str) -> Process:
    """A source tree in the process file's shape (kamflow: 1, id, steps, ...) -> Process."""
    return ProcessBuilder(shown).process(root)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while millions of nodes are created: the trees
    have no reference cycles, and collection passes made loading a 100k-step file 5x slower."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class ProcessBuilder:
    """Checks values and assembles a Process; collects every problem and raises them together."""

    def __init__(self, shown: str):
        self.shown = shown
        self.problems: list[Problem] = []
        self.lane_labels: tuple[Lane, ...] = ()  # for "did you mean" when a step names a lane by its label

    # -- problems --------------------------------------------------------------------------------
    def error(self, at: Node | Span | None, message: str) -> None:
        span = at if isinstance(at, Span) else at.span if at is not None else Span(self.shown, 1, 1)
        self.problems.append(Problem(span, message))

    def raise_problems(self) -> None:
        if self.problems:
            raise LoadError(self.problems)

    # -- values: every reader checks its values here -------------------------------------------
    def mapping(self, node: Node, allowed: dict[str, Any], what: str) -> dict[str, tuple[Scalar, Node]] | None:
        """A mapping's entries by key (key node, value node); unknown keys reported with a hint."""
        if not isinstance(node, Mapping):
            self.error(node, f"{what} must be a mapping of keys to values, not {describe(node)}")
            return None
        entries: dict[str, tuple[Scalar, Node]] = {}
        previous: tuple[str, str] | None = None  # the key before and its value, when that was plain text
        for key, value in node.entries:
            if not isinstance(key, Scalar):
                self.error(key, f"keys in {what} must be text")
                continue
            if key.text not in allowed:
                hint = difflib.get_close_matches(key.text, list(allowed), n=1)
                suffix = f"; did you mean {hint[0]!r}?" if hint else f"; expected one of: {', '.join(allowed)}"
                if not hint and isinstance(value, Scalar) and value.kind == "null" and previous is not None:
                    # `{label: Visit (Warsaw, Kraków), ...}`: the comma ended the label and `Kraków)` became a key
                    name, text = previous
                    suffix = (
                        f': a comma ends a value inside {{...}}, so `{name}` stopped at {text!r}; quote the whole value: {name}: "{text}, {key.text}"'
                    )
                self.error(key, f"unknown key {key.text!r} in {what}{suffix}")
                previous = None
                continue
            previous = (key.text, value.text) if isinstance(value, Scalar) and value.kind == "str" else None
            entries[key.text] = (key, value)
        for name, spec in allowed.items():
            if spec.required and name not in entries:
                self.error(node, f"{what} is missing the required key {name!r}")
        return entries

    def text(self, node: Node, what: str, *, allow_empty: bool = True, limit: int = MAX_TEXT) -> str | None:
        """Any scalar as the exact text written (so `Yes`, `N/A`, `1.0` stay text); null -> None."""
        if not isinstance(node, Scalar):
            self.error(node, f"{what} must be text, not {describe(node)}")
            return None
        if node.kind == "null":
            return None
        if not allow_empty and not node.text.strip():
            self.error(node, f"{what} must not be empty")
            return None
        if len(node.text) > limit:
            self.error(node, f"{what} is {len(node.text):,} characters long; at most {limit:,} are allowed")
            return None
        return node.text

    def label(self, node: Node, what: str) -> str | None:
        """Text drawn on the chart (a step, flow, branch or lane label, a title): MAX_LABEL."""
        return self.text(node, what, limit=MAX_LABEL)

    def ident(self, node: Node, what: str) -> str | None:
        value = self.text(node, what)
        if value is None:
            if isinstance(node, Scalar):
                self.error(node, f"{what} must not be empty")
            return None
        if not _ID.match(value):
            self.error(node, f"{what} {value!r} is not a valid id: start with a letter, then letters, digits, '_' or '-', at most 64 characters")
            return None
        return value

    def text_list(self, node: Node, what: str, *, ids: bool = False) -> tuple[str, ...]:
        if isinstance(node, Scalar):
            if node.kind == "null":
                return ()
            items: list[Node] = [node]  # a single value is accepted for a one-item list
        elif isinstance(node, Sequence):
            items = node.items
        else:
            self.error(node, f"{what} must be a list of text, not {describe(node)}")
            return ()
        values = []
        for item in items:
            value = self.ident(item, f"an item of {what}") if ids else self.text(item, f"an item of {what}")
            if value is not None:
                values.append(value)
        return tuple(values)

    def boolean(self, node: Node, what: str) -> bool:
        if isinstance(node, Scalar) and node.kind == "bool":
            return node.text.lower() in ("true", "yes", "on", "y")
        self.error(node, f"{what} must be true or false")
        return False

    def probability(self, node: Node, what: str) -> float | None:
        if isinstance(node, Scalar) and node.kind in ("int", "float"):
            try:
                value = float(node.text)
            except ValueError:
                value = -1.0
            if 0.0 <= value <= 1.0:
                return value
        self.error(node, f"{what} must be a number from 0 to 1")
        return None

    def direction(self, node: Node, field: str = "direction") -> str:
        value = self.text(node, f"`{field}`")
        if value is not None and value not in DIRECTIONS:
            what = "direction" if field == "direction" else f"`{field}`"
            self.error(node, f"{what} must be one of {', '.join(DIRECTIONS)}, not {value!r}")
            return "TB"
        return value or "TB"

    def step_type(self, node: Node, where: str) -> str:
        value = self.text(node, f"the type of {where}")
        if value is not None and value not in STEP_TYPES:
            hint = difflib.get_close_matches(value, STEP_TYPES, n=1)
            suffix = f"; did you mean {hint[0]!r}?" if hint else ""
            self.error(node, f"unknown step type {value!r} for {where}; expected one of: {', '.join(STEP_TYPES)}{suffix}")
            return "step"
        return value or "step"

    def metadata_value(self, name: str, node: Node, where: str) -> str | list[str] | dict[str, list[str]] | None:
        """One metadata field (owner, duration, kpis, ...): text or a text list; a duration must parse."""
        if STEP_FIELDS[name].kind == "raci":
            return self.raci(node, f"`raci` of {where}") or None
        if STEP_FIELDS[name].kind == "text-list":
            items = self.text_list(node, f"`{name}` of {where}")
            return list(items) if items else None
        value = self.text(node, f"`{name}` of {where}")
        if name == "duration" and value is not None:
            try:
                parse_duration(value)
            except DurationError as error:
                self.error(node, f"{error} (`duration` of {where})")
                return None
        return value

    def raci(self, node: Node, what: str) -> dict[str, list[str]]:
        """`{R: [...], A: ..., C: [...], I: [...]}` -> letter -> names, in RACI order (the
        raci-incomplete rule, not the loader, says whether there is one A and an R)."""
        entries = self.mapping(node, _RACI_KEYS, what)
        if not entries:
            return {}
        values = {}
        for letter in RACI_LETTERS:
            if letter in entries:
                names = [name.strip() for name in self.text_list(entries[letter][1], f"`{letter}` of {what}")]
                if any(not name for name in names):
                    self.error(entries[letter][1], f"a name under `{letter}` of {what} must not be empty")
                values[letter] = [name for name in names if name]
        return values

    def target(self, node: Node, where: str) -> str | None:
        return self.ident(node, f"a flow target of {where}")

    # -- assembly ------------------------------------------------------------------------------
    def unique(self, items: list[Any], what: str, spans: list[Span]) -> tuple[Any, ...]:
        """Items (lanes or steps) with a new id each: a repeated id is reported at its place."""
        seen: dict[str, Span] = {}
        kept = []
        for item, span in zip(items, spans):
            if item.id in seen:
                self.error(span, f"duplicate {what} id {item.id!r} (first at line {seen[item.id].line})")
                continue
            seen[item.id] = span
            kept.append(item)
        return tuple(kept)

    def finish(self, **fields: Any) -> Process:
        """The Process, or every problem found on the way as one LoadError."""
        self.raise_problems()
        return Process(path=self.shown, **fields)

    # -- the process file's shape ------------------------------------------------------------
    def process(self, root: Node | None) -> Process:
        if root is None:
            raise LoadError([Problem(Span(self.shown, 1, 1), "empty file: a process needs at least `kamflow: 1`, `id` and `steps`")])
        entries = self.mapping(root, TOP_FIELDS, "the process file")
        if entries is None:
            raise LoadError(self.problems)
        if "kamflow" in entries:
            node = entries["kamflow"][1]
            if not (isinstance(node, Scalar) and node.kind == "int" and node.text.strip() == str(FORMAT_VERSION)):
                shown = node.text if isinstance(node, Scalar) else describe(node)
                self.error(node, f"unsupported format version {shown!r}; this kamflow reads version {FORMAT_VERSION}")
        values: dict[str, Any] = {}
        key_spans = {name: key.span for name, (key, _) in entries.items()}
        process_id = self.ident(entries["id"][1], "the process id") if "id" in entries else None
        for name in ("title", "description", "version", "author", "date", "theme", "based_on"):
            if name in entries:
                node = entries[name][1]
                values[name] = self.label(node, f"`{name}`") if name == "title" else self.text(node, f"`{name}`")
        direction = self.direction(entries["direction"][1]) if "direction" in entries else "TB"
        disabled: tuple[str, ...] = ()
        if "check" in entries:
            check = self.mapping(entries["check"][1], CHECK_FIELDS, "`check`")
            if check and "disable" in check:
                disabled = self.text_list(check["disable"][1], "`check.disable`")
                key_spans["check.disable"] = check["disable"][1].span
        lanes = self.lanes(entries["lanes"][1]) if "lanes" in entries else ()
        self.lane_labels = lanes
        steps, edges = self.steps(entries["steps"][1]) if "steps" in entries else ((), ())
        return self.finish(
            id=process_id or "",
            title=values.get("title") or process_id or "",
            span=root.span,
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

    def lanes(self, node: Node) -> tuple[Lane, ...]:
        if isinstance(node, Scalar) and node.kind == "null":
            return ()
        if not isinstance(node, Sequence):
            self.error(node, f"`lanes` must be a list of lanes, not {describe(node)}")
            return ()
        lanes: list[Lane] = []
        for item in node.items:
            if isinstance(item, Scalar) and item.kind != "null":
                lane_id, label = self.ident(item, "a lane id"), None
            else:
                entries = self.mapping(item, LANE_FIELDS, "a lane")
                if entries is None:
                    continue
                lane_id = self.ident(entries["id"][1], "a lane id") if "id" in entries else None
                label = self.label(entries["label"][1], "a lane label") if "label" in entries else None
            if lane_id is not None:
                lanes.append(Lane(lane_id, label if label else lane_id, item.span))
        return self.unique(lanes, "lane", [lane.span for lane in lanes])

    def steps(self, node: Node) -> tuple[tuple[Step, ...], tuple[Edge, ...]]:
        if not isinstance(node, Sequence):
            self.error(node, f"`steps` must be a list of steps, not {describe(node)}")
            return (), ()
        if not node.items:
            self.error(node, "`steps` is empty: a process needs at least one step")
        steps: list[Step] = []
        edges: list[Edge] = []
        seen: dict[str, Span] = {}
        for item in node.items:
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

    def step(self, node: Node) -> tuple[Step, list[Edge]] | None:
        entries = self.mapping(node, STEP_FIELDS, "a step")
        if entries is None or "id" not in entries:
            return None
        step_id = self.ident(entries["id"][1], "the step id")
        if step_id is None:
            return None
        where = f"step {step_id!r}"
        step_type = self.step_type(entries["type"][1], where) if "type" in entries else "step"
        label = self.label(entries["label"][1], f"the label of {where}") if "label" in entries else None
        lane = self.lane_ref(entries["lane"][1], where) if "lane" in entries else None
        process = self.text(entries["process"][1], f"the process of {where}", allow_empty=False) if "process" in entries else None
        essential = self.boolean(entries["essential"][1], f"`essential` of {where}") if "essential" in entries else False
        implements = self.text_list(entries["implements"][1], f"`implements` of {where}", ids=True) if "implements" in entries else ()
        ignore = self.text_list(entries["ignore"][1], f"`ignore` of {where}") if "ignore" in entries else ()
        metadata: dict[str, Any] = {}
        for name in METADATA_FIELDS:
            if name in entries:
                value = self.metadata_value(name, entries[name][1], where)
                if value is not None:
                    metadata[name] = value
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
            span=node.span,
            lane=lane,
            process=process,
            essential=bool(essential),
            implements=implements,
            ignore=ignore,
            metadata=metadata,
            key_spans={name: key.span for name, (key, _) in entries.items()},
        )
        return step, edges

    def lane_ref(self, node: Node, where: str) -> str | None:
        """A step's lane: a lane id; a lane's label written instead gets "did you mean" its id."""
        if isinstance(node, Scalar) and node.kind != "null" and not _ID.match(node.text):
            wanted = node.text.strip().casefold()
            match = next((lane for lane in self.lane_labels if lane.label.strip().casefold() == wanted), None)
            if match is not None:
                self.error(
                    node, f"the lane of {where} is {node.text!r}, the label of lane {match.id!r}; steps name lanes by id: did you mean {match.id!r}?"
                )
                return None
        return self.ident(node, f"the lane of {where}")

    def next_flows(self, source: str, node: Node, where: str) -> list[Edge]:
        if isinstance(node, Scalar):
            if node.kind == "null":
                return []
            target = self.target(node, where)
            return [Edge(source, target, None, "next", node.span)] if target else []
        if not isinstance(node, Sequence):
            self.error(node, f"`next` of {where} must be an id, a list of ids or a list of {{to, label}}, not {describe(node)}")
            return []
        edges = []
        for item in node.items:
            if isinstance(item, Scalar):
                target = self.target(item, where)
                if target:
                    edges.append(Edge(source, target, None, "next", item.span))
                continue
            entries = self.mapping(item, {"to": _REQUIRED, "label": _OPTIONAL}, f"a flow of {where}")
            if not entries or "to" not in entries:
                continue
            target = self.target(entries["to"][1], where)
            label = self.label(entries["label"][1], f"a flow label of {where}") if "label" in entries else None
            if target:
                edges.append(Edge(source, target, label, "next", item.span))
        return edges

    def branch_flows(self, source: str, node: Node, where: str) -> list[Edge]:
        if not isinstance(node, Mapping):
            self.error(node, f"`branches` of {where} must be a mapping of branch label to target id, not {describe(node)}")
            return []
        edges = []
        for key, value in node.entries:
            if not isinstance(key, Scalar):
                self.error(key, f"a branch label of {where} must be text, not {describe(key)}")
                continue
            label = key.text
            if len(label) > MAX_LABEL:
                self.error(key, f"a branch label of {where} is {len(label):,} characters long; at most {MAX_LABEL:,} are allowed")
                continue
            probability = None
            if isinstance(value, Mapping):
                entries = self.mapping(value, {"to": _REQUIRED, "p": _OPTIONAL}, f"branch {label!r} of {where}")
                if not entries or "to" not in entries:
                    continue
                target = self.target(entries["to"][1], where)
                if "p" in entries:
                    probability = self.probability(entries["p"][1], f"the probability of branch {label!r}")
            else:
                target = self.target(value, where)
            if target:
                edges.append(Edge(source, target, label, "branch", key.span, probability))
        return edges


class _Spec:
    def __init__(self, required: bool):
        self.required = required


_REQUIRED = _Spec(True)
_OPTIONAL = _Spec(False)
_RACI_KEYS = {letter: _OPTIONAL for letter in RACI_LETTERS}
