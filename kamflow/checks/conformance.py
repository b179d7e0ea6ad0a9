"""Conformance to a reference process: which steps implement which reference steps, what is
missing, what comes in the wrong order, and where the missing steps belong in the chart.

A step implements a reference step when it has the same id or lists it in `implements`. Order
comes from the forward flow (the graph without its back edges, see model.graph.forward_graph).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable

import networkx as nx

from kamflow.model import graph as graphs
from kamflow.model.overlay import GhostStep, Mark, Overlay
from kamflow.model.process import Process, Step


def implementers(process: Process, reference: Process) -> dict[str, list[str]]:
    """Reference step id -> ids of the process steps implementing it (file order); only ids the
    reference has."""
    known = reference.steps_by_id
    found: dict[str, list[str]] = {}
    for step in process.steps:
        for ref_id in dict.fromkeys((step.id, *step.implements)):
            if ref_id in known:
                found.setdefault(ref_id, []).append(step.id)
    return found


def missing_essentials(process: Process, reference: Process) -> list[Step]:
    """Essential reference steps no process step implements, in the reference's file order."""
    done = implementers(process, reference)
    return [step for step in reference.steps if step.essential and step.id not in done]


@dataclass(frozen=True)
class OrderViolation:
    before: str  # reference step that must come first (A)
    after: str  # reference step that must come later (B)
    step: str  # the implementer of B that runs ahead of A
    reaches: str  # the implementer of A it leads to


def forward_of(process: Process) -> nx.DiGraph:
    return graphs.forward_graph(process.graph, graphs.start_ids(process))


def order_violations(process: Process, reference: Process, done: dict[str, list[str]] | None = None) -> list[OrderViolation]:
    """Essential A before B in the reference (B reachable from A in its forward flow), both
    implemented, where some implementer of B reaches an implementer of A in the process's forward
    flow and no implementer of A reaches one of B. One violation per (A, B), on the first
    implementer of B (file order) that reaches an implementer of A."""
    done = implementers(process, reference) if done is None else done
    essentials = [step.id for step in reference.steps if step.essential and step.id in done]
    if len(essentials) < 2:
        return []
    ref_forward = forward_of(reference)
    own_forward = forward_of(process)
    # reachability only from the implementers that matter, so a large process stays cheap
    below = {x: nx.descendants(own_forward, x) for ref_id in essentials for x in done[ref_id] if x in own_forward}
    found: list[OrderViolation] = []
    for a in essentials:
        later = nx.descendants(ref_forward, a)
        for b in essentials:
            if b == a or b not in later:
                continue
            a_steps, b_steps = done[a], done[b]
            if any(set(b_steps) & below.get(x, set()) for x in a_steps):
                continue
            for y in b_steps:
                hit = next((x for x in a_steps if x in below.get(y, ())), None)
                if hit is not None:
                    found.append(OrderViolation(a, b, y, hit))
                    break
    return found


def ghost_id(name: str, taken) -> str:
    candidate = f"ghost-{name}"
    while candidate in taken:
        candidate += "-"
    return candidate


def ghost_overlay(
    process: Process,
    reference: Process | None = None,
    *,
    missing: list[str] | None = None,
    dangling: Iterable[tuple[str, str]] = (),
    dead_ends: Iterable[str] = (),
    structural: dict[str, str] | None = None,
) -> Overlay:
    """What the chart adds for missing steps.

    `missing`: reference step ids to draw as ghosts "Missing: <reference label>" (default: every
    missing essential step), each placed after the implementers of its reference predecessors
    and before the implementers of its reference successors (walking past reference steps that
    have no implementer, and linking straight to a neighbouring ghost). `dangling`: (source,
    target) flows to ids that do not exist, drawn as "Missing: <target>" ghosts. `dead_ends`:
    steps marked "dead end". `structural`: step id -> mark kind (unreachable, no-exit, one-way)
    from `structural_marks`.
    """
    taken = set(process.steps_by_id)
    ghosts: list[GhostStep] = []
    ghost_of: dict[str, str] = {}
    if reference is not None:
        done = implementers(process, reference)
        if missing is None:
            missing = [step.id for step in missing_essentials(process, reference)]
        wanted = [step for step in reference.steps if step.id in set(missing) and step.id not in done]
        for step in wanted:
            ghost_of[step.id] = ghost_id(step.id, taken)
            taken.add(ghost_of[step.id])
        ref_forward = forward_of(reference)
        ref_labels: dict[tuple[str, str], str] = {}
        for edge in reference.edges:
            if edge.label:
                ref_labels.setdefault((edge.source, edge.target), edge.label)
        for step in wanted:
            after_labels: dict[str, str | None] = {}
            before_labels: dict[str, str | None] = {}
            after = _neighbours(ref_forward, step.id, done, ghost_of, upstream=True, labels=ref_labels, found_labels=after_labels)
            before = _neighbours(ref_forward, step.id, done, ghost_of, upstream=False, labels=ref_labels, found_labels=before_labels)
            ghosts.append(
                GhostStep(
                    id=ghost_of[step.id],
                    label=f"Missing: {step.label}",
                    kind="missing",
                    step_type=step.type if step.type not in ("start", "end") else "step",
                    lane=_lane(process, step, after, before),
                    after=tuple(after),
                    before=tuple(before),
                    after_labels=tuple(after_labels.get(s) for s in after),
                    before_labels=tuple(before_labels.get(s) for s in before),
                )
            )
    sources: dict[str, list[str]] = {}
    for source, target in dangling:
        if source in process.steps_by_id:
            sources.setdefault(target, [])
            if source not in sources[target]:
                sources[target].append(source)
    flow_labels: dict[tuple[str, str], str] = {}  # a dangling branch keeps its label ("No") on the way to its ghost
    for edge in process.edges:
        if edge.label:
            flow_labels.setdefault((edge.source, edge.target), edge.label)
    for target, froms in sources.items():
        if target in ghost_of:  # the dangling flow points at a missing reference step: one ghost
            index = next(i for i, g in enumerate(ghosts) if g.id == ghost_of[target])
            ghost = ghosts[index]
            extra = tuple(s for s in froms if s not in ghost.after)
            ghosts[index] = replace(
                ghost,
                after=ghost.after + extra,
                after_labels=tuple(ghost.flow_label(s, ghost.id) for s in ghost.after) + tuple(flow_labels.get((s, target)) for s in extra),
            )
            continue
        new_id = ghost_id(target, taken)
        taken.add(new_id)
        lane = process.steps_by_id[froms[0]].lane
        ghosts.append(
            GhostStep(
                id=new_id,
                label=f"Missing: {target}",
                kind="dangling",
                lane=lane,
                after=tuple(froms),
                after_labels=tuple(flow_labels.get((s, target)) for s in froms),
            )
        )
    marks = {step_id: Mark("dead-end", "dead end") for step_id in dead_ends if step_id in process.steps_by_id}
    for step_id, kind in (structural or {}).items():
        if step_id in process.steps_by_id and step_id not in marks:
            marks[step_id] = Mark(kind, STRUCTURAL_BADGES[kind])
    return Overlay(ghosts=tuple(ghosts), step_marks=marks)


# The structural findings a chart marks on the steps themselves, with the badge each shows.
STRUCTURAL_RULES = {"unreachable": "unreachable", "no-path-to-end": "no-exit", "decision-branches": "one-way"}
STRUCTURAL_BADGES = {"unreachable": "unreachable", "no-exit": "no way out", "one-way": "one way out"}


def structural_marks(process: Process, findings) -> dict[str, str]:
    """Step id -> mark kind for the structural errors among `findings`: every step of an
    unreachable region (the finding names where it starts), each step on a loop with no exit, each
    decision with one way out. Only what the findings report is marked (suppressed ones are not)."""
    from kamflow.model import graph as graphs

    marks: dict[str, str] = {}
    unreachable = None
    for finding in findings:
        kind = STRUCTURAL_RULES.get(finding.rule)
        if kind is None or not finding.step or finding.step not in process.steps_by_id:
            continue
        if kind == "unreachable":
            if unreachable is None:
                unreachable = set(process.steps_by_id) - graphs.reachable_from(process.graph, graphs.start_ids(process))
            region = graphs.reachable_from(process.graph, [finding.step]) & unreachable
            for step in process.steps:
                if step.id in region:
                    marks.setdefault(step.id, kind)
        else:
            marks.setdefault(finding.step, kind)
    return marks


def _neighbours(
    ref_forward: nx.DiGraph,
    start: str,
    done: dict[str, list[str]],
    ghost_of: dict[str, str],
    *,
    upstream: bool,
    labels: dict[tuple[str, str], str] | None = None,
    found_labels: dict[str, str | None] | None = None,
) -> list[str]:
    """Implementers of the nearest implemented reference steps before (upstream) or after a
    reference step. Downstream, a neighbouring ghost is linked by id; upstream it is left out,
    since that ghost links to this one itself. `found_labels` receives, per neighbour found, the
    branch label of the reference flow it was reached by (a decision's branch keeps its label on
    the ghost's flow)."""
    found: list[str] = []
    labels = labels or {}
    found_labels = found_labels if found_labels is not None else {}
    seen = {start}
    frontier = [start]
    while frontier:
        node = frontier.pop(0)
        nxt = ref_forward.predecessors(node) if upstream else ref_forward.successors(node)
        for other in nxt:
            if other in seen:
                continue
            seen.add(other)
            label = labels.get((other, node) if upstream else (node, other))
            if other in done:
                for implementer in done[other]:
                    if implementer not in found:
                        found.append(implementer)
                        found_labels[implementer] = label
            elif other in ghost_of:
                if not upstream:
                    found.append(ghost_of[other])
                    found_labels[ghost_of[other]] = label
            else:
                frontier.append(other)
    return found


def _lane(process: Process, step: Step, after: list[str], before: list[str]) -> str | None:
    if step.lane and step.lane in process.lanes_by_id:
        return step.lane
    for neighbour in after + before:
        own = process.steps_by_id.get(neighbour)
        if own is not None and own.lane in process.lanes_by_id:
            return own.lane
    return None
