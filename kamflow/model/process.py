"""Process, Lane, Step and Edge: what a process file says, each item with its source position."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable

from kamflow.errors import Span

if TYPE_CHECKING:  # networkx is imported lazily: start-up time matters for the CLI
    import networkx as nx

STEP_TYPES = ("start", "end", "step", "decision", "subprocess", "document", "data", "manual", "wait", "parallel")
METADATA_KEYS = ("owner", "duration", "kpis", "inputs", "outputs", "notes", "link", "tags", "raci")
# A step's `raci` metadata: letter -> the lanes or roles named, as a list, in this order (only the
# letters given): Responsible, Accountable, Consulted, Informed.
RACI_LETTERS = ("R", "A", "C", "I")


def raci_text(raci: dict[str, list[str]]) -> str:
    """A RACI as one line of text, for formats that hold only text: `R: kam; A: sponsor; C: team`."""
    return "; ".join(f"{letter}: {', '.join(raci[letter])}" for letter in RACI_LETTERS if raci.get(letter))


@dataclass(frozen=True)
class Lane:
    id: str
    label: str
    span: Span


@dataclass(frozen=True)
class Edge:
    """One flow out of a step, from `next` or from a decision's `branches`, in file order."""

    source: str
    target: str
    label: str | None
    kind: str  # "next" or "branch"
    span: Span
    probability: float | None = None


@dataclass(frozen=True)
class Step:
    id: str
    type: str
    label: str
    span: Span
    label_given: bool = True
    lane: str | None = None
    process: str | None = None  # subprocess: the id of the linked process
    essential: bool = False
    implements: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    key_spans: dict[str, Span] = field(default_factory=dict)

    def span_of(self, key: str) -> Span:
        """Position of one of the step's keys, or of the step itself."""
        return self.key_spans.get(key, self.span)


@dataclass
class Process:
    id: str
    title: str
    path: str
    span: Span
    steps: tuple[Step, ...]
    edges: tuple[Edge, ...]
    lanes: tuple[Lane, ...] = ()
    description: str = ""
    direction: str = "TB"
    version: str | None = None
    author: str | None = None
    date: str | None = None
    based_on: str | None = None
    theme: str | None = None
    disabled_rules: tuple[str, ...] = ()
    key_spans: dict[str, Span] = field(default_factory=dict)
    # Process -> SVG text, for Jupyter: set on the processes kamflow.api hands out (the model never
    # imports rendering); not part of what the process says, so never compared or shown.
    renderer: Callable[["Process"], str] | None = field(default=None, compare=False, repr=False)

    def span_of(self, key: str) -> Span:
        return self.key_spans.get(key, self.span)

    def _repr_svg_(self) -> str | None:
        """Jupyter shows a process as its chart (None, so plain text is shown, without a renderer)."""
        return self.renderer(self) if self.renderer is not None else None

    @cached_property
    def steps_by_id(self) -> dict[str, Step]:
        return {step.id: step for step in self.steps}

    @cached_property
    def lanes_by_id(self) -> dict[str, Lane]:
        return {lane.id: lane for lane in self.lanes}

    def outgoing(self, step_id: str) -> list[Edge]:
        return self._edges_by_source.get(step_id, [])

    @cached_property
    def _edges_by_source(self) -> dict[str, list[Edge]]:
        by_source: dict[str, list[Edge]] = {}
        for edge in self.edges:
            by_source.setdefault(edge.source, []).append(edge)
        return by_source

    @cached_property
    def graph(self) -> "nx.DiGraph":
        """The flow as a DiGraph: nodes are step ids in file order, edges carry their label.

        Flows to ids that do not exist are left out (the check reports them); when two flows join
        the same pair, the first one's label is kept.
        """
        from kamflow.model.graph import to_digraph

        return to_digraph(self)
