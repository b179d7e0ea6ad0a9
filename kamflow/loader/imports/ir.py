"""What every importer produces (an intermediate representation with source positions) and the
one finishing pass that turns it into processes: folding, kamflow ids, branches, flow order.

An importer reads its format into `Source` (processes of nodes, flows and lanes, keyed by the
source's own ids) and says what it could not keep as `Note`s (`FILE:LINE:COL: warning: ...`).
`finish` then does what is the same for every format:
  - nodes marked `fold` (gateways that only merge, link events) are removed, their incoming flows
    joined to their outgoing ones;
  - kamflow ids: the source's id when it is a readable valid id (Mermaid, spreadsheets), else one
    made from the label (`Check invoice` -> `check_invoice`), else from the type; unique, at most
    64 characters; lanes and processes alike; subprocess steps refer to the id of the process
    their content became;
  - a decision's labelled flows become its branches (a repeated label stays a labelled `next`);
  - labels over the loader's limit are cut, with a note;
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from kamflow.errors import Span
from kamflow.loader.build import MAX_LABEL, MAX_TEXT
from kamflow.model.duration import DurationError, parse_duration
from kamflow.model.process import STEP_TYPES

MAX_ID = 64
_SLUG_LENGTH = 40
_VALID_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class Note:
    """Something an import could not keep exactly as the source had it."""

    span: Span
    message: str

    def __str__(self) -> str:
        return f"{self.span}: warning: {self.message}"


@dataclass
class Node:
    key: str  # the source's id, unique in its process
    type: str
    label: str | None
    span: Span
    lane: str | None = None  # a Lane key
    process: str | None = None  # subprocess: a SourceProcess key (child=True) or a reference as written
    child: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)
    fold: bool = False
    id_hint: str | None = None  # the source's id when it was chosen by a person


@dataclass
class Flow:
    source: str
    target: str
    label: str | None
    span: Span


@dataclass
class Lane:
    key: str
    label: str
    span: Span
    id_hint: str | None = None


@dataclass
class SourceProcess:
    key: str
    title: str
    span: Span
    nodes: list[Node] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)
    lanes: list[Lane] = field(default_factory=list)
    direction: str = "TB"
    description: str = ""
    id_hint: str | None = None


@dataclass
class Source:
    """What one importer read from one file."""

    path: str  # as shown in messages
    format: str
    processes: list[SourceProcess] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    def note(self, span: Span, message: str) -> None:
        self.notes.append(Note(span, message))


# -- the finished form: plain values in the process-file shape, with positions --------------------
@dataclass
class StepDoc:
    id: str
    type: str
    label: str | None
    span: Span
    lane: str | None = None
    process: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    next: list[tuple[str, str | None, Span]] = field(default_factory=list)  # (target, label, span)
    branches: list[tuple[str, str, Span]] = field(default_factory=list)  # (label, target, span)


@dataclass
class ProcessDoc:
    id: str
    title: str
    span: Span
    direction: str
    description: str
    lanes: list[tuple[str, str, Span]]  # (id, label, span)
    steps: list[StepDoc]


def slug(text: str, *, fallback: str) -> str:
    """A readable kamflow id from any text: ASCII letters and digits joined by `_`, lower case,
    starting with a letter (else `fallback` in front), at most 40 characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    word = re.sub(r"[^A-Za-z0-9]+", "_", ascii_text).strip("_").lower()[:_SLUG_LENGTH].rstrip("_")
    if not word:
        return fallback
    return word if word[0].isalpha() else f"{fallback}_{word}"[:_SLUG_LENGTH]


def readable_id(value: str | None) -> TypeGuard[str]:
    return value is not None and bool(_VALID_ID.match(value))


class _Ids:
    def __init__(self):
        self.taken: set[str] = set()
        self.next: dict[str, int] = {}  # base -> the next suffix to try

    def new(self, base: str) -> str:
        base = base[: MAX_ID - 8]
        candidate, n = base, self.next.get(base.lower(), 2)
        while candidate.lower() in self.taken:
            candidate, n = f"{base}_{n}", n + 1
        self.next[base.lower()] = n
        self.taken.add(candidate.lower())
        return candidate


def collapse(text: str | None) -> str | None:
    """Whitespace (newlines, tabs, runs of spaces) collapsed to single spaces; empty -> None."""
    if text is None:
        return None
    joined = " ".join(text.split())
    return joined or None


def finish(source: Source, *, taken: set[str] | None = None) -> list[ProcessDoc]:
    """The processes of `source` in the process-file shape; adds notes to `source` for what was
    cut. `taken`: process ids already used (by other files of the same import), extended here."""
    process_ids = _Ids()
    process_ids.taken = taken if taken is not None else set()
    by_key: dict[str, str] = {}
    for process in source.processes:
        base = process.id_hint if readable_id(process.id_hint) else slug(process.title or process.key, fallback="process")
        by_key[process.key] = process_ids.new(base)
    return [_finish_process(source, process, by_key) for process in source.processes]


def _finish_process(source: Source, process: SourceProcess, process_ids: dict[str, str]) -> ProcessDoc:
    flows = _folded(process)
    nodes = [node for node in process.nodes if not node.fold]
    ids = _Ids()
    step_id: dict[str, str] = {}
    for node in nodes:
        if readable_id(node.id_hint) and node.id_hint.lower() not in ids.taken:
            step_id[node.key] = ids.new(node.id_hint)
        else:
            base = slug(node.label, fallback=node.type) if node.label else node.type  # source ids are machine-made
            step_id[node.key] = ids.new(base)
    lane_ids = _Ids()
    lane_id: dict[str, str] = {}
    lanes = []
    for lane in process.lanes:
        lane_id[lane.key] = lane_ids.new(lane.id_hint if readable_id(lane.id_hint) else slug(lane.label or lane.key, fallback="lane"))
        lanes.append((lane_id[lane.key], _cut(source, lane.label, lane.span, "lane name") or lane_id[lane.key], lane.span))
    steps: dict[str, StepDoc] = {}
    for node in nodes:
        step_type = node.type if node.type in STEP_TYPES else "step"
        process_ref = None
        if step_type == "subprocess" and node.process:
            process_ref = process_ids.get(node.process) if node.child else node.process
        elif node.process and step_type != "subprocess":
            step_type = "step"
        steps[node.key] = StepDoc(
            id=step_id[node.key],
            type=step_type,
            label=_cut(source, node.label, node.span, "label"),
            span=node.span,
            lane=lane_id.get(node.lane) if node.lane else None,
            process=process_ref,
            metadata=_metadata(source, node),
        )
    branch_labels: dict[str, set[str]] = {}
    written: set[tuple[str, str, str | None]] = set()
    for flow in flows:
        if flow.source not in steps or flow.target not in steps:
            continue
        step = steps[flow.source]
        target = step_id[flow.target]
        label = _cut(source, flow.label, flow.span, "flow label")
        if (step.id, target, label) in written:
            continue
        written.add((step.id, target, label))
        labels = branch_labels.setdefault(step.id, set())
        if step.type == "decision" and label is not None and label not in labels:
            labels.add(label)
            step.branches.append((label, target, flow.span))
        else:
            step.next.append((target, label, flow.span))
    title = _cut(source, process.title, process.span, "title") or process_ids[process.key]
    return ProcessDoc(process_ids[process.key], title, process.span, process.direction, process.description, lanes, list(steps.values()))


def _folded(process: SourceProcess) -> list[Flow]:
    """The flows with every `fold` node taken out: each flow into it continues to each flow out
    of it, in the place of the flow in (so branch order is kept); exact repeats are dropped.
    Linear in the flows made: each flow has a sort key, and a flow that replaces a flow in gets
    that flow's key with the outgoing flow's position added."""
    flows: list[tuple[tuple[int, ...], Flow]] = []
    alive: set[int] = set()
    incoming: dict[str, list[int]] = {}
    outgoing: dict[str, list[int]] = {}

    def add(key: tuple[int, ...], flow: Flow) -> None:
        alive.add(len(flows))
        incoming.setdefault(flow.target, []).append(len(flows))
        outgoing.setdefault(flow.source, []).append(len(flows))
        flows.append((key, flow))

    for index, flow in enumerate(process.flows):
        add((index,), flow)
    for node in process.nodes:
        if not node.fold:
            continue
        ins = [n for n in incoming.pop(node.key, []) if n in alive]
        outs = [n for n in outgoing.pop(node.key, []) if n in alive]
        alive.difference_update(ins)
        alive.difference_update(outs)
        for number in ins:
            key, flow = flows[number]
            if flow.source == node.key:  # a flow from the node to itself goes nowhere
                continue
            for position, out_number in enumerate(n for n in outs if flows[n][1].target != node.key):
                out = flows[out_number][1]
                add(key + (position,), Flow(flow.source, out.target, flow.label or out.label, flow.span))
    seen: set[tuple] = set()
    unique = []
    for _, flow in sorted(flows[n] for n in alive):
        signature = (flow.source, flow.target, flow.label)
        if signature not in seen:
            seen.add(signature)
            unique.append(flow)
    return unique


def _cut(source: Source, text: str | None, span: Span, what: str, limit: int = MAX_LABEL) -> str | None:
    if text is None:
        return None
    if len(text) > limit:
        source.note(span, f"{what} is {len(text):,} characters long; kept its first {limit}")
        return text[:limit]
    return text


_LIST_KEYS = ("kpis", "inputs", "outputs", "tags")


def _metadata(source: Source, node: Node) -> dict[str, Any]:
    out: dict[str, Any] = {}
    notes: list[str] = []
    for key, value in node.metadata.items():
        if value in (None, "", [], ()):
            continue
        if key in _LIST_KEYS:
            items = [item for item in (value if isinstance(value, (list, tuple)) else [value]) if item]
            out[key] = [_cut(source, str(item), node.span, f"an item of `{key}`", MAX_TEXT) for item in items]
        elif key == "duration":
            try:
                parse_duration(str(value))
                out[key] = str(value)
            except DurationError as error:
                source.note(node.span, f"duration {value!r} of {node.label or node.key!r} is not a kamflow duration ({error}); kept in `notes`")
                notes.append(f"Duration: {value}")
        elif key == "notes":
            notes.insert(0, str(value))
        elif key in ("owner", "link"):
            out[key] = _cut(source, str(value), node.span, f"`{key}`", MAX_TEXT)
    if notes:
        out["notes"] = _cut(source, "\n".join(notes), node.span, "`notes`", MAX_TEXT)
    return {key: out[key] for key in ("owner", "duration", "kpis", "inputs", "outputs", "notes", "link", "tags") if key in out}
