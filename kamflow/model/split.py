"""Cutting one process into parts that are each laid out whole, joined by ISO 5807 off-page
connectors, as a printed procedure manual does: every step is on exactly one part; a flow from a
step on one part to a step on another is cut, and becomes a flow into an off-page connector on
the source's part ("A → page 3") and a flow out of the matching connector on the target's part
("from page 2: A"). Flows to the same target share one letter. The parts are plain Processes, so
the ordinary layout draws them; which steps go together is the caller's choice (in flow order).
"""

from __future__ import annotations

import string
from dataclasses import dataclass, replace

from kamflow.model.overlay import Overlay
from kamflow.model.process import Edge, Process, Step

OFFPAGE = "offpage"  # the step type of an off-page connector (drawn as ISO 5807's pentagon)


@dataclass(frozen=True)
class Cut:
    """One cut flow target: the letter its connectors carry and the parts they join."""

    letter: str
    target: str  # the step the flow continues at
    target_part: int  # 1-based
    source_parts: tuple[int, ...]  # the parts whose flows lead there, in order


@dataclass(frozen=True)
class Part:
    number: int  # 1-based
    process: Process
    steps: tuple[str, ...]  # the ids of the process's own steps on this part, in file order
    overlay: Overlay


def letters():
    """A, B, ..., Z, AA, AB, ...: one per cut target."""
    size = 1
    while True:
        for index in range(len(string.ascii_uppercase) ** size):
            word, value = "", index
            for _ in range(size):
                value, rest = divmod(value, 26)
                word = string.ascii_uppercase[rest] + word
            yield word
        size += 1


def cuts_of(process: Process, groups: list[list[str]]) -> list[Cut]:
    """The cut flow targets of a grouping, lettered in the order their first cut flow is written."""
    part_of = {step_id: number for number, group in enumerate(groups, start=1) for step_id in group}
    found: dict[str, list[int]] = {}
    for edge in process.edges:
        source, target = part_of.get(edge.source), part_of.get(edge.target)
        if source is not None and target is not None and source != target:
            found.setdefault(edge.target, [])
            if source not in found[edge.target]:
                found[edge.target].append(source)
    names = letters()
    return [Cut(next(names), target, part_of[target], tuple(sources)) for target, sources in found.items()]


def split_process(process: Process, groups: list[list[str]], *, overlay: Overlay | None = None, unit: str = "page") -> list[Part]:
    """The parts of `process` for `groups` (lists of step ids covering every step once). `unit`
    names a part in connector text ("page" or "slide"); `overlay` (ghosts and marks of the whole
    chart) is shared out: a ghost goes with the first step it is drawn next to."""
    overlay = overlay or Overlay()
    part_of = {step_id: number for number, group in enumerate(groups, start=1) for step_id in group}
    missing = [step.id for step in process.steps if step.id not in part_of]
    if missing or len(part_of) != sum(len(group) for group in groups):
        raise ValueError(f"the groups must hold every step once (left out: {missing[:5]})")
    cuts = {cut.target: cut for cut in cuts_of(process, groups)}
    parts = []
    for number, group in enumerate(groups, start=1):
        members = set(group)
        steps: list[Step] = [step for step in process.steps if step.id in members]
        edges: list[Edge] = []
        outgoing: dict[str, Step] = {}
        for edge in process.edges:
            if edge.source not in members:
                continue
            target_part = part_of.get(edge.target)
            if target_part is None or target_part == number:
                edges.append(edge)  # within the part (or to a missing id: drawn as a ghost)
                continue
            cut = cuts[edge.target]
            connector_id = f"offpage-to-{cut.letter}"
            if connector_id not in outgoing:
                source_lane = process.steps_by_id[edge.source].lane
                outgoing[connector_id] = Step(connector_id, OFFPAGE, f"{cut.letter} → {unit} {cut.target_part}", edge.span, lane=source_lane)
            edges.append(replace(edge, target=connector_id))
        incoming: list[Step] = []
        for cut in cuts.values():
            if cut.target_part != number:
                continue
            target = process.steps_by_id[cut.target]
            sources = ", ".join(str(n) for n in cut.source_parts)
            plural = "s" if len(cut.source_parts) > 1 else ""
            connector = Step(f"offpage-from-{cut.letter}", OFFPAGE, f"from {unit}{plural} {sources}: {cut.letter}", target.span, lane=target.lane)
            incoming.append(connector)
            edges.append(Edge(connector.id, cut.target, None, "next", target.span))
        part_steps = tuple(incoming) + tuple(steps) + tuple(outgoing.values())
        used_lanes = {step.lane for step in part_steps}
        lanes = tuple(lane for lane in process.lanes if lane.id in used_lanes)
        sub = replace(process, steps=part_steps, edges=tuple(edges), lanes=lanes, title=f"{process.title} ({number}/{len(groups)})")
        parts.append(Part(number, sub, tuple(step.id for step in steps), _overlay_for(overlay, members, edges, number, part_of)))
    return parts


def _overlay_for(overlay: Overlay, members: set[str], edges: list[Edge], number: int, part_of: dict[str, int]) -> Overlay:
    ghosts = []
    for ghost in overlay.ghosts:
        homes = [part_of[s] for s in ghost.after + ghost.before if s in part_of]
        if not homes or homes[0] != number:  # a ghost sits with its first anchor only
            continue
        keep_after = tuple(i for i, s in enumerate(ghost.after) if s in members)
        keep_before = tuple(i for i, s in enumerate(ghost.before) if s in members)
        ghosts.append(
            replace(
                ghost,
                after=tuple(ghost.after[i] for i in keep_after),
                before=tuple(ghost.before[i] for i in keep_before),
                after_labels=tuple(ghost.after_labels[i] for i in keep_after if i < len(ghost.after_labels)),
                before_labels=tuple(ghost.before_labels[i] for i in keep_before if i < len(ghost.before_labels)),
            )
        )
    edge_pairs = {(edge.source, edge.target) for edge in edges}
    return Overlay(
        ghosts=tuple(ghosts),
        step_marks={step_id: mark for step_id, mark in overlay.step_marks.items() if step_id in members},
        edge_marks={pair: mark for pair, mark in overlay.edge_marks.items() if pair in edge_pairs},
        extra_edges=tuple(e for e in overlay.extra_edges if e[0] in members and e[1] in members),
    )


def flow_groups(order: list[str], count: int) -> list[list[str]]:
    """`order` (step ids in flow order) cut into `count` runs of nearly equal length."""
    count = max(1, min(count, len(order)))
    size, extra = divmod(len(order), count)
    groups, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        groups.append(order[start:end])
        start = end
    return groups


# --- choosing the parts ---------------------------------------------------------------------

READABLE = 9.0  # points: the smallest text a printed page or a projected slide may have


def smallest_text(scene) -> float:
    """The size of a scene's body text at full size: the smallest step label or lane header (flow
    labels are drawn at 0.86 of it by design, and are reported beside it, not measured)."""
    sizes = [step.text.size for step in scene.steps] + [lane.header_text.size for lane in scene.lanes]
    return min(sizes) if sizes else scene.font_size


@dataclass(frozen=True)
class Plan:
    """How a chart goes onto slides or pages: one part (not split) or several."""

    scenes: tuple  # one Scene per part, in order
    parts: tuple[Part, ...]  # empty when the chart was not split
    cuts: tuple[Cut, ...]
    smallest: float  # the smallest text at output size over all parts, in points
    unit: str

    @property
    def split(self) -> bool:
        return bool(self.parts)

    def summary(self, name: str) -> str:
        """One line for the output summary: what was split where, and how small the text got."""
        if not self.split:
            return f"{name}: one {self.unit}, step text {self.smallest:.1f} pt"
        letters_ = ", ".join(cut.letter for cut in self.cuts)
        floor = "" if self.smallest >= READABLE else f" (below {READABLE:g} pt: the chart's lanes do not fit across one {self.unit})"
        return (
            f"{name}: split into {len(self.parts)} {self.unit}s at {len(self.cuts)} cut flow{'s' if len(self.cuts) != 1 else ''}"
            f" (off-page connectors {letters_}), step text at least {self.smallest:.1f} pt{floor}"
        )


def plan_parts(
    process: Process,
    order: list[str],
    *,
    scene_of,
    text_at,
    overlay: Overlay | None = None,
    unit: str = "page",
    floor: float = READABLE,
    max_parts: int | None = None,
) -> Plan:
    """Lay the chart out whole; when its smallest text at output size (`text_at(scenes)`, for
    the scenes of all parts, since pages of one PDF share a scale and slides do not) is below
    `floor`, cut it in flow order (`order`) into as few parts as keep every part at or above the
    floor, each laid out whole by `scene_of(process, overlay)`. When no number of parts gets there
    (lanes side by side wider than the page), the most parts tried are returned."""
    overlay = overlay or Overlay()
    whole = scene_of(process, overlay)
    size = text_at((whole,))
    if size >= floor or len(order) < 4:
        return Plan((whole,), (), (), size, unit)
    limit = max_parts or max(2, len(order) // 2)
    count = max(2, min(limit, int(-(-floor // max(size, 0.1)))))
    best = None
    tries = stalled = 0
    while True:
        groups = flow_groups(order, count)
        parts = split_process(process, groups, overlay=overlay, unit=unit)
        scenes = tuple(scene_of(part.process, part.overlay) for part in parts)
        plan = Plan(scenes, tuple(parts), tuple(cuts_of(process, groups)), text_at(scenes), unit)
        tries += 1
        if best is None or plan.smallest > best.smallest * 1.01 or (plan.smallest >= floor > best.smallest):
            best, stalled = plan, 0  # more parts only when they make the text bigger
        else:
            stalled += 1
        if plan.smallest >= floor or count >= limit or tries >= 16 or stalled >= 3:
            break  # readable, or as many parts as may be, or more parts no longer help (lanes too wide)
        grow = min(floor / max(plan.smallest, 0.1) * 1.05, 2.0) if not stalled else 1.0
        count = min(limit, max(count + 1, int(count * grow + 0.999)))
    return best


def numbered(plan: Plan, offset: int) -> tuple:
    """The plan's scenes with their off-page connectors naming absolute slide, page or figure
    numbers (part n is number offset + n), as a deck or a document counts them."""
    if not plan.split:
        return plan.scenes
    by_letter = {cut.letter: cut for cut in plan.cuts}
    out = []
    for scene in plan.scenes:
        steps = []
        for step in scene.steps:
            if step.type == OFFPAGE and step.id.startswith(("offpage-to-", "offpage-from-")):
                letter = step.id.rsplit("-", 1)[1]
                cut = by_letter[letter]
                if step.id.startswith("offpage-to-"):
                    text = f"{letter} → {plan.unit} {offset + cut.target_part}"
                else:
                    numbers = ", ".join(str(offset + n) for n in cut.source_parts)
                    text = f"from {plan.unit}{'s' if len(cut.source_parts) > 1 else ''} {numbers}: {letter}"
                step = replace(step, text=replace(step.text, lines=(text,)))
            steps.append(step)
        out.append(replace(scene, steps=tuple(steps)))
    return tuple(out)
