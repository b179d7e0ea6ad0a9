"""As-is versus to-be: what changed between two versions of a process, as a list of changes a client
can read one by one (text), a stable JSON document (docs/diff.md), and a chart overlay.

Steps are matched by id. When both processes implement the same reference process (the same
`based_on`, or one is the other's reference), steps left over are also matched through the reference
step they implement (their own id or an id in `implements`), so a renamed step is seen as changed,
not as removed plus added. Flows are compared between matched steps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from kamflow.analysis.durations import format_hours, step_hours
from kamflow.errors import UsageError
from kamflow.model.overlay import GhostStep, Mark, Overlay
from kamflow.model.process import Edge, Process, Step

DIFF_FORMAT_VERSION = 1

# Process-level fields compared, in the order they are reported.
PROCESS_FIELDS = ("id", "title", "description", "direction", "version", "author", "date", "based_on", "theme")
# Step details compared besides label, type and lane, in the order they are reported.
STEP_FIELDS = ("process", "essential", "implements", "owner", "duration", "kpis", "inputs", "outputs", "notes", "link", "tags")
FIELD_NAMES = {
    "process": "linked process",
    "essential": "essential",
    "implements": "implemented reference steps",
    "owner": "owner",
    "duration": "duration",
    "kpis": "KPIs",
    "inputs": "inputs",
    "outputs": "outputs",
    "notes": "notes",
    "link": "link",
    "tags": "tags",
}
# Every kind of change, in the order the text report groups them.
CHANGE_KINDS = (
    "process-changed",
    "lane-added",
    "lane-removed",
    "lane-relabelled",
    "step-added",
    "step-removed",
    "step-renamed",
    "step-relabelled",
    "step-retyped",
    "step-moved",
    "step-detail-changed",
    "flow-added",
    "flow-removed",
    "flow-relabelled",
    "flow-probability-changed",
)


# Fields a change record may carry in JSON, in output order (docs/diff.md lists them per kind).
_RECORD_FIELDS = ("step", "old_step", "reference_step", "step_type", "lane", "label", "source", "target", "flow_kind", "field")
_VALUE_KINDS = frozenset(
    {
        "process-changed",
        "lane-relabelled",
        "step-renamed",
        "step-relabelled",
        "step-retyped",
        "step-moved",
        "step-detail-changed",
        "flow-relabelled",
        "flow-probability-changed",
    }
)


@dataclass(frozen=True)
class Change:
    """One difference, with a sentence for people and fields for programs.

    Steps and flows that exist in the new process are named by their new ids; removed ones by their
    old ids. `old`/`new` hold the values before and after for the kinds in `_VALUE_KINDS`.
    """

    kind: str
    text: str
    step: str | None = None
    old_step: str | None = None
    reference_step: str | None = None
    step_type: str | None = None
    lane: str | None = None
    label: str | None = None
    source: str | None = None
    target: str | None = None
    flow_kind: str | None = None
    field: str | None = None
    old: Any = None
    new: Any = None

    @property
    def sign(self) -> str:
        return "+" if self.kind.endswith("-added") else "-" if self.kind.endswith("-removed") else "~"

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        for name in _RECORD_FIELDS:
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        if self.kind in _VALUE_KINDS:
            data["old"] = self.old
            data["new"] = self.new
        data["text"] = self.text
        return data


@dataclass
class ProcessDiff:
    old: Process
    new: Process
    matches: dict[str, str]  # old step id -> new step id
    matched_by_reference: dict[str, str]  # new step id -> the reference step id both implement
    changes: list[Change] = field(default_factory=list)
    lane_map: dict[str, str] = field(default_factory=dict)  # old lane id -> the same lane's new id

    @property
    def identical(self) -> bool:
        return not self.changes

    def changed_steps(self) -> dict[str, list[str]]:
        """New step id -> the short names of what changed about it, in report order."""
        found: dict[str, list[str]] = {}
        short = {"step-renamed": "id", "step-relabelled": "label", "step-retyped": "type", "step-moved": "lane"}
        for change in self.changes:
            if change.kind in short:
                found.setdefault(change.step, []).append(short[change.kind])
            elif change.kind == "step-detail-changed":
                found.setdefault(change.step, []).append(FIELD_NAMES[change.field])
        return found

    def summary(self) -> dict[str, int]:
        kinds = [c.kind for c in self.changes]
        return {
            "changes": len(kinds),
            "steps_added": kinds.count("step-added"),
            "steps_removed": kinds.count("step-removed"),
            "steps_changed": len(self.changed_steps()),
            "flows_added": kinds.count("flow-added"),
            "flows_removed": kinds.count("flow-removed"),
            "flows_changed": len({(c.source, c.target) for c in self.changes if c.kind in ("flow-relabelled", "flow-probability-changed")}),
            "lanes_added": kinds.count("lane-added"),
            "lanes_removed": kinds.count("lane-removed"),
            "lanes_changed": kinds.count("lane-relabelled"),
            "process_changed": kinds.count("process-changed"),
        }


def diff_processes(old: Process, new: Process, *, old_reference: str | None = None, new_reference: str | None = None) -> ProcessDiff:
    """Every change from `old` to `new`. `old_reference`/`new_reference` are the ids of the
    reference processes the two are based on (the api resolves `based_on`); with a shared reference,
    steps are also matched through the reference steps they implement."""
    matches, by_reference = _match_steps(old, new, old_reference, new_reference)
    result = ProcessDiff(old=old, new=new, matches=matches, matched_by_reference=by_reference)
    names = _Names(old, new)
    result.lane_map = names.lane_map
    result.changes.extend(_process_changes(old, new))
    result.changes.extend(_lane_changes(old, new))
    result.changes.extend(_step_changes(old, new, matches, by_reference, names))
    result.changes.extend(_flow_changes(old, new, matches, names))
    return result


# -- matching ------------------------------------------------------------------------------------
def _match_steps(old: Process, new: Process, old_reference: str | None, new_reference: str | None) -> tuple[dict[str, str], dict[str, str]]:
    matches = {step.id: step.id for step in old.steps if step.id in new.steps_by_id}
    by_reference: dict[str, str] = {}
    shared = _shared_reference(old, new, old_reference, new_reference)
    if shared is None:
        return matches, by_reference
    matched_new = set(matches.values())
    old_left = [s for s in old.steps if s.id not in matches]
    new_left = [s for s in new.steps if s.id not in matched_new]
    old_keys = {s.id: _reference_keys(s, is_reference=old.id == shared) for s in old_left}
    new_keys = {s.id: _reference_keys(s, is_reference=new.id == shared) for s in new_left}
    old_by_key: dict[str, list[str]] = {}
    new_by_key: dict[str, list[str]] = {}
    for step_id, keys in old_keys.items():
        for key in keys:
            old_by_key.setdefault(key, []).append(step_id)
    for step_id, keys in new_keys.items():
        for key in keys:
            new_by_key.setdefault(key, []).append(step_id)
    for old_step in old_left:
        candidates = sorted({n for key in old_keys[old_step.id] for n in new_by_key.get(key, [])})
        if len(candidates) != 1:
            continue  # none, or a step split in several: reported as removed and added
        rivals = {o for key in new_keys[candidates[0]] for o in old_by_key.get(key, [])}
        if rivals != {old_step.id}:
            continue  # several steps merged into one: reported as removed and added
        matches[old_step.id] = candidates[0]
        by_reference[candidates[0]] = sorted(old_keys[old_step.id] & new_keys[candidates[0]])[0]
    return matches, by_reference


def _shared_reference(old: Process, new: Process, old_reference: str | None, new_reference: str | None) -> str | None:
    """The id of the reference process both sides implement (one side may be that reference)."""
    if old_reference and old_reference == new_reference:
        return old_reference
    if new_reference and new_reference == old.id:
        return old.id
    if old_reference and old_reference == new.id:
        return new.id
    return None


def _reference_keys(step: Step, *, is_reference: bool) -> set[str]:
    """The reference step ids a step stands for: its own id, plus the ids it `implements`."""
    return {step.id} if is_reference else {step.id, *step.implements}


# -- naming things in sentences ------------------------------------------------------------------
class _Names:
    def __init__(self, old: Process, new: Process):
        self.old, self.new = old, new
        # a lane whose id changed but whose label did not is the same lane for its steps
        self.lane_map = {lane.id: lane.id for lane in old.lanes if lane.id in new.lanes_by_id}
        for lane in old.lanes:
            if lane.id not in new.lanes_by_id:
                same = [n.id for n in new.lanes if n.label == lane.label and n.id not in old.lanes_by_id]
                if len(same) == 1:
                    self.lane_map[lane.id] = same[0]

    def same_lane(self, old_lane: str | None, new_lane: str | None) -> bool:
        return old_lane == new_lane or (old_lane is not None and self.lane_map.get(old_lane) == new_lane)

    def step(self, step_id: str, *, old: bool = False) -> str:
        first, second = (self.old, self.new) if old else (self.new, self.old)
        step = first.steps_by_id.get(step_id) or second.steps_by_id.get(step_id)
        return _step_name(step) if step else f"{step_id} (not a step)"

    def lane(self, lane_id: str | None, *, old: bool = False) -> str:
        if lane_id is None:
            return "no lane"
        first, second = (self.old, self.new) if old else (self.new, self.old)
        lane = first.lanes_by_id.get(lane_id) or second.lanes_by_id.get(lane_id)
        return f"lane {_q(lane.label)}" if lane else f"lane {lane_id}"


def _step_name(step: Step) -> str:
    return f"{_q(step.label)} ({step.id})" if step.label != step.id else step.id


def _q(value: Any) -> str:
    """A value quoted for a sentence: text in double quotes, lists item by item."""
    if isinstance(value, (list, tuple)):
        return ", ".join(_q(v) for v in value) if value else "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return json.dumps(str(value), ensure_ascii=False)


_TYPE_WORDS = {
    "start": "start",
    "end": "end",
    "step": "step",
    "decision": "decision",
    "subprocess": "subprocess",
    "document": "document step",
    "data": "data step",
    "manual": "manual step",
    "wait": "wait",
    "parallel": "parallel split / join",
}


# -- process and lanes ---------------------------------------------------------------------------
def _process_changes(old: Process, new: Process) -> list[Change]:
    changes = []
    for name in PROCESS_FIELDS:
        before, after = getattr(old, name) or None, getattr(new, name) or None
        if before == after:
            continue
        if before is None:
            text = f"set the process {name} to {_q(after)}"
        elif after is None:
            text = f"removed the process {name} (was {_q(before)})"
        else:
            text = f"changed the process {name} from {_q(before)} to {_q(after)}"
        changes.append(Change("process-changed", text, field=name, old=before, new=after))
    return changes


def _lane_changes(old: Process, new: Process) -> list[Change]:
    changes = []
    for lane in new.lanes:
        before = old.lanes_by_id.get(lane.id)
        if before is None:
            changes.append(Change("lane-added", f"added lane {_q(lane.label)} ({lane.id})", lane=lane.id, label=lane.label))
        elif before.label != lane.label:
            changes.append(
                Change(
                    "lane-relabelled",
                    f"renamed lane {lane.id} from {_q(before.label)} to {_q(lane.label)}",
                    lane=lane.id,
                    old=before.label,
                    new=lane.label,
                )
            )
    for lane in old.lanes:
        if lane.id not in new.lanes_by_id:
            changes.append(Change("lane-removed", f"removed lane {_q(lane.label)} ({lane.id})", lane=lane.id, label=lane.label))
    return changes


# -- steps ---------------------------------------------------------------------------------------
def _step_changes(old: Process, new: Process, matches: dict[str, str], by_reference: dict[str, str], names: _Names) -> list[Change]:
    """Walks the new process in file order; a removed step is reported where it used to be, after
    the kept step that came before it in the old process."""
    back = {new_id: old_id for old_id, new_id in matches.items()}
    removed_after: dict[str | None, list[Step]] = {}
    anchor: str | None = None
    for step in old.steps:
        if step.id in matches:
            anchor = matches[step.id]
        else:
            removed_after.setdefault(anchor, []).append(step)
    incoming: dict[str, list[str]] = {}
    for edge in new.edges:
        incoming.setdefault(edge.target, []).append(edge.source)
    changes = [_removed(step, names) for step in removed_after.get(None, [])]
    for step in new.steps:
        if step.id in back:
            changes.extend(_compare_steps(old.steps_by_id[back[step.id]], step, by_reference.get(step.id), names))
        else:
            changes.append(_added(step, list(dict.fromkeys(incoming.get(step.id, []))), names))
        changes.extend(_removed(gone, names) for gone in removed_after.get(step.id, []))
    return changes


def _added(step: Step, before: list[str], names: _Names) -> Change:
    text = f"added {_TYPE_WORDS[step.type]} {_step_name(step)}"
    if step.lane:
        text += f" in {names.lane(step.lane)}"
    if before:
        shown = " and ".join(names.step(s) for s in before[:2])
        text += f", after {shown}" + (f" and {len(before) - 2} more" if len(before) > 2 else "")
    return Change("step-added", text, step=step.id, step_type=step.type, lane=step.lane, label=step.label)


def _removed(step: Step, names: _Names) -> Change:
    text = f"removed {_TYPE_WORDS[step.type]} {_step_name(step)}"
    if step.lane:
        text += f" from {names.lane(step.lane, old=True)}"
    return Change("step-removed", text, step=step.id, step_type=step.type, lane=step.lane, label=step.label)


def _compare_steps(before: Step, after: Step, reference_step: str | None, names: _Names) -> list[Change]:
    changes = []
    name = _step_name(after)
    if before.id != after.id:
        changes.append(
            Change(
                "step-renamed",
                f"renamed step id {before.id} to {after.id} for {_q(after.label)} (both implement reference step {reference_step})",
                step=after.id,
                old_step=before.id,
                reference_step=reference_step,
                old=before.id,
                new=after.id,
            )
        )
    if before.label != after.label:
        changes.append(
            Change(
                "step-relabelled",
                f"relabelled {_q(before.label)} to {_q(after.label)} ({after.id})",
                step=after.id,
                old=before.label,
                new=after.label,
            )
        )
    if before.type != after.type:
        changes.append(
            Change(
                "step-retyped",
                f"changed {name} from a {_TYPE_WORDS[before.type]} to a {_TYPE_WORDS[after.type]}",
                step=after.id,
                old=before.type,
                new=after.type,
            )
        )
    if not names.same_lane(before.lane, after.lane):
        changes.append(
            Change(
                "step-moved",
                f"moved {name} from {names.lane(before.lane, old=True)} to {names.lane(after.lane)}",
                step=after.id,
                old=before.lane,
                new=after.lane,
            )
        )
    for key in STEP_FIELDS:
        old_value, new_value = _detail(before, key), _detail(after, key)
        if key == "implements" and reference_step is not None:
            # matched through reference step R: a step whose id became R no longer lists R
            old_value, new_value = (sorted(set(v) | ({s.id} & {reference_step})) for v, s in ((old_value, before), (new_value, after)))
        if key == "duration" and _same_duration(before, after):
            continue
        if old_value == new_value:
            continue
        changes.append(
            Change(
                "step-detail-changed",
                _detail_text(key, name, old_value, new_value, before, after),
                step=after.id,
                field=key,
                old=old_value,
                new=new_value,
            )
        )
    return changes


def _detail(step: Step, key: str) -> Any:
    if key == "process":
        return step.process
    if key == "essential":
        return step.essential
    if key == "implements":
        return list(step.implements)
    value = step.metadata.get(key)
    if isinstance(value, (list, tuple)):
        return list(value)
    return value


def _same_duration(before: Step, after: Step) -> bool:
    """`2d` and `16h` are the same duration: only a different amount of time is a change."""
    return step_hours(before) == step_hours(after) and (step_hours(before) is not None or _detail(before, "duration") == _detail(after, "duration"))


def _detail_text(key: str, name: str, old_value: Any, new_value: Any, before: Step, after: Step) -> str:
    what = FIELD_NAMES[key]
    if key == "essential":
        return f"{'marked' if new_value else 'unmarked'} {name} as essential"
    if isinstance(old_value, list) or isinstance(new_value, list):
        old_items, new_items = old_value or [], new_value or []
        parts = []
        added = [v for v in new_items if v not in old_items]
        removed = [v for v in old_items if v not in new_items]
        if added:
            parts.append(f"added {_q(added)}")
        if removed:
            parts.append(f"removed {_q(removed)}")
        if not parts:
            parts.append(f"reordered to {_q(new_items)}")
        return f"changed the {what} of {name}: " + "; ".join(parts)
    if key == "duration" and step_hours(before) is not None and step_hours(after) is not None:
        delta = step_hours(after) - step_hours(before)
        sign = "+" if delta > 0 else "-"
        return f"changed the duration of {name} from {old_value} to {new_value} ({sign}{format_hours(abs(delta))})"
    if old_value is None:
        return f"set the {what} of {name} to {_q(new_value)}"
    if new_value is None:
        return f"removed the {what} of {name} (was {_q(old_value)})"
    return f"changed the {what} of {name} from {_q(old_value)} to {_q(new_value)}"


# -- flows ---------------------------------------------------------------------------------------
def _flow_changes(old: Process, new: Process, matches: dict[str, str], names: _Names) -> list[Change]:
    """Flows are the same when they join the same (matched) steps; several flows between the same
    two steps are paired in file order."""

    def key_of_old(edge: Edge) -> tuple:
        return (_mapped(edge.source, old, matches), _mapped(edge.target, old, matches))

    old_by_key: dict[tuple, list[Edge]] = {}
    for edge in old.edges:
        old_by_key.setdefault(key_of_old(edge), []).append(edge)

    def key_of_new(edge: Edge) -> tuple:
        # a flow that still points at a step the new version removed is the same flow as before,
        # not a new one (the check reports it as a flow to a missing step)
        if edge.target not in new.steps_by_id and edge.target in old.steps_by_id and edge.target not in matches:
            return (edge.source, ("removed", edge.target))
        return (edge.source, edge.target)

    paired: dict[int, Edge] = {}  # id(old edge) -> new edge
    added, changed = [], []
    for edge in new.edges:
        waiting = old_by_key.get(key_of_new(edge))
        if waiting:
            before = waiting.pop(0)
            paired[id(before)] = edge
            changed.extend(_compare_flows(before, edge, names))
        else:
            added.append(_flow_change("flow-added", "added", edge, names, old=False))
    removed = [_flow_change("flow-removed", "removed", edge, names, old=True) for edge in old.edges if id(edge) not in paired]
    return added + removed + changed


def _mapped(step_id: str, process: Process, matches: dict[str, str]) -> Any:
    if step_id in matches:
        return matches[step_id]
    if step_id in process.steps_by_id:
        return ("removed", step_id)  # never equal to an id in the new process
    return step_id  # a flow to a missing step keeps the name it was given


def _flow_words(edge: Edge, names: _Names, *, old: bool) -> str:
    text = f"{names.step(edge.source, old=old)} -> {names.step(edge.target, old=old)}"
    return text + (f" [{edge.label}]" if edge.label else "")


def _flow_change(kind: str, verb: str, edge: Edge, names: _Names, *, old: bool) -> Change:
    what = "branch" if edge.kind == "branch" else "flow"
    return Change(
        kind, f"{verb} {what} {_flow_words(edge, names, old=old)}", source=edge.source, target=edge.target, label=edge.label, flow_kind=edge.kind
    )


def _compare_flows(before: Edge, after: Edge, names: _Names) -> list[Change]:
    changes = []
    what = "branch" if after.kind == "branch" else "flow"
    ends = f"{names.step(after.source)} -> {names.step(after.target)}"
    common = dict(source=after.source, target=after.target, flow_kind=after.kind)
    if (before.label or None) != (after.label or None):
        if before.label and after.label:
            text = f"relabelled {what} {_q(before.label)} to {_q(after.label)} on {ends}"
        elif after.label:
            text = f"labelled {what} {ends} {_q(after.label)}"
        else:
            text = f"removed the label {_q(before.label)} from {what} {ends}"
        changes.append(Change("flow-relabelled", text, label=after.label, field="label", old=before.label, new=after.label, **common))
    if before.probability != after.probability:
        shown = lambda p: "none" if p is None else f"{p:g}"  # noqa: E731
        text = (
            f"changed the probability of {what} {_flow_words(after, names, old=False)} from {shown(before.probability)} to {shown(after.probability)}"
        )
        changes.append(
            Change("flow-probability-changed", text, label=after.label, field="probability", old=before.probability, new=after.probability, **common)
        )
    return changes


# -- output --------------------------------------------------------------------------------------
_SECTIONS = (
    ("Process", ("process-changed",)),
    ("Lanes", ("lane-added", "lane-removed", "lane-relabelled")),
    ("Steps", ("step-added", "step-removed", "step-renamed", "step-relabelled", "step-retyped", "step-moved", "step-detail-changed")),
    ("Flows", ("flow-added", "flow-removed", "flow-relabelled", "flow-probability-changed")),
)


def _side(process: Process) -> dict[str, str]:
    return {"id": process.id, "title": process.title, "path": process.path}


def diff_json(diff: ProcessDiff) -> str:
    """The documented JSON form (docs/diff.md): stable keys, changes in report order."""
    document = {
        "format": "kamflow-diff",
        "version": DIFF_FORMAT_VERSION,
        "old": _side(diff.old),
        "new": _side(diff.new),
        "identical": diff.identical,
        "summary": diff.summary(),
        "changes": [change.as_dict() for change in diff.changes],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def diff_text(diff: ProcessDiff) -> str:
    """A change log: one line per change, grouped by process, lanes, steps and flows."""
    old, new = diff.old, diff.new
    lines = [f"Changes from {old.id} ({old.path}) to {new.id} ({new.path})"]
    if diff.identical:
        lines.append("No differences: both files describe the same process.")
        return "\n".join(lines) + "\n"
    for title, kinds in _SECTIONS:
        section = [c for c in diff.changes if c.kind in kinds]
        if section:
            lines.append("")
            lines.append(title)
            lines.extend(f"  {c.sign} {c.text}" for c in section)
    lines.append("")
    lines.append(_summary_line(diff.summary()))
    return "\n".join(lines) + "\n"


def _summary_line(summary: dict[str, int]) -> str:
    parts = []
    for key, singular, plural in (
        ("steps_added", "step added", "steps added"),
        ("steps_removed", "step removed", "steps removed"),
        ("steps_changed", "step changed", "steps changed"),
        ("flows_added", "flow added", "flows added"),
        ("flows_removed", "flow removed", "flows removed"),
        ("flows_changed", "flow changed", "flows changed"),
        ("lanes_added", "lane added", "lanes added"),
        ("lanes_removed", "lane removed", "lanes removed"),
        ("lanes_changed", "lane renamed", "lanes renamed"),
        ("process_changed", "process detail changed", "process details changed"),
    ):
        count = summary[key]
        if count:
            parts.append(f"{count} {singular if count == 1 else plural}")
    total = summary["changes"]
    return f"{total} change{'s' if total != 1 else ''}: " + ", ".join(parts)


# -- chart ---------------------------------------------------------------------------------------
def diff_overlay(diff: ProcessDiff) -> Overlay:
    """The diff drawn on the new process: added steps and flows marked "new", changed steps marked
    with what changed, removed steps as ghosts (kind "removed") with their old flows dashed."""
    new = diff.new
    step_marks: dict[str, Mark] = {}
    edge_marks: dict[tuple[str, str], Mark] = {}
    for change in diff.changes:
        if change.kind == "step-added":
            step_marks[change.step] = Mark("added", "new")
    for step_id, what in diff.changed_steps().items():
        aspects = list(dict.fromkeys(what))
        shown = ", ".join(aspects[:3]) + (f" +{len(aspects) - 3} more" if len(aspects) > 3 else "")
        step_marks[step_id] = Mark("changed", f"changed: {shown}")
    ghost_ids: dict[str, str] = {}
    removed_steps = [c for c in diff.changes if c.kind == "step-removed"]
    taken = set(new.steps_by_id)
    for change in removed_steps:
        ghost_id = f"removed-{change.step}"
        while ghost_id in taken:
            ghost_id += "_"
        taken.add(ghost_id)
        ghost_ids[change.step] = ghost_id
    for change in diff.changes:
        if change.kind == "flow-added" and change.source in new.steps_by_id and change.target in new.steps_by_id:
            edge_marks[(change.source, change.target)] = Mark("added", "new")
        elif change.kind in ("flow-relabelled", "flow-probability-changed"):
            edge_marks.setdefault((change.source, change.target), Mark("changed", "changed"))
    # A removed flow that touches a removed step is drawn as the ghost's own flow, which places the
    # ghost where it used to be in the flow; a removed flow between kept steps is an extra edge.
    after: dict[str, dict[str, str | None]] = {}  # removed step -> {source: branch label}
    before: dict[str, dict[str, str | None]] = {}
    extra = []
    for change in diff.changes:
        if change.kind != "flow-removed":
            continue
        source = diff.matches.get(change.source) or ghost_ids.get(change.source)
        target = diff.matches.get(change.target) or ghost_ids.get(change.target)
        if not (source and target):
            continue  # a flow to a step that did not exist
        if change.source in ghost_ids:
            before.setdefault(change.source, {}).setdefault(target, change.label)
        elif change.target in ghost_ids:
            after.setdefault(change.target, {}).setdefault(source, change.label)
        else:
            extra.append((source, target, change.label, "removed"))
    ghosts = tuple(
        GhostStep(
            id=ghost_ids[c.step],
            label=f"Removed: {c.label}",
            kind="removed",
            step_type=c.step_type,
            lane=diff.lane_map.get(c.lane),  # the old lane, when the new process still has it
            after=tuple(after.get(c.step, {})),
            before=tuple(before.get(c.step, {})),
            after_labels=tuple(after.get(c.step, {}).values()),
            before_labels=tuple(before.get(c.step, {}).values()),
        )
        for c in removed_steps
    )
    return Overlay(ghosts=ghosts, step_marks=step_marks, edge_marks=edge_marks, extra_edges=tuple(extra))


def format_diff(result: ProcessDiff, *, fmt: str = "text") -> str:
    """A diff as a change log (`text`) or as the JSON documented in docs/diff.md (`json`)."""
    if fmt not in ("text", "json"):
        raise UsageError(f"unknown diff format {fmt!r}; choose text or json")
    return diff_json(result) if fmt == "json" else diff_text(result)


def diff_chart_process(result: ProcessDiff) -> Process:
    """The process a diff chart draws: the new one, as `<new id>-diff`, titled with the change."""
    from dataclasses import replace

    new = result.new
    title = f"{new.title}: changes from {result.old.title}" if new.title != result.old.title else f"{new.title}: changes"
    return replace(new, id=f"{new.id}-diff", title=title)
