"""What a chart shows besides the process itself: ghost steps (missing essential steps, dangling
targets, steps removed in a diff) and marks on existing steps and flows (dead ends, added, changed,
critical path). Checks, diffs and analytics produce an overlay; renderers draw it. Marks always come
with a text (badge) so that meaning is never carried by colour alone."""

from __future__ import annotations

from dataclasses import dataclass, field

GHOST_KINDS = ("missing", "dangling", "removed")
MARK_KINDS = ("dead-end", "unreachable", "no-exit", "one-way", "added", "changed", "removed", "critical")


@dataclass(frozen=True)
class GhostStep:
    id: str  # node id, unique in the chart and not a step id (e.g. "ghost-map_dmu")
    label: str  # the full text shown, e.g. "Missing: Map the DMU"
    kind: str = "missing"
    step_type: str = "step"  # symbol to draw, dashed
    lane: str | None = None
    after: tuple[str, ...] = ()  # step ids drawn flowing into the ghost (dashed)
    before: tuple[str, ...] = ()  # step ids the ghost is drawn flowing to (dashed)
    # branch labels of those flows, one per entry of `after` / `before` (None: no label); shorter
    # tuples mean the remaining flows have no label
    after_labels: tuple[str | None, ...] = ()
    before_labels: tuple[str | None, ...] = ()

    def flow_label(self, source: str, target: str) -> str | None:
        """The label of the ghost's flow source -> target (one end is the ghost), if it has one."""
        if target == self.id and source in self.after:
            index = self.after.index(source)
            return self.after_labels[index] if index < len(self.after_labels) else None
        if source == self.id and target in self.before:
            index = self.before.index(target)
            return self.before_labels[index] if index < len(self.before_labels) else None
        return None


@dataclass(frozen=True)
class Mark:
    kind: str
    text: str = ""  # a short badge, e.g. "dead end", "new", "changed"


@dataclass(frozen=True)
class Overlay:
    ghosts: tuple[GhostStep, ...] = ()
    step_marks: dict[str, Mark] = field(default_factory=dict)
    edge_marks: dict[tuple[str, str], Mark] = field(default_factory=dict)
    # flows between existing steps drawn only on the chart (e.g. a removed flow in a diff)
    extra_edges: tuple[tuple[str, str, str | None, str], ...] = ()  # (source, target, label, mark kind)

    def merged(self, other: "Overlay") -> "Overlay":
        return Overlay(
            ghosts=self.ghosts + other.ghosts,
            step_marks={**self.step_marks, **other.step_marks},
            edge_marks={**self.edge_marks, **other.edge_marks},
            extra_edges=self.extra_edges + other.extra_edges,
        )
