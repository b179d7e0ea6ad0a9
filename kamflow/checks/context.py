"""What a rule sees: the process, its graph, shared graph facts, and a way to find other processes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable

from kamflow.errors import Span
from kamflow.model import graph as graphs
from kamflow.model.process import Process

# Finds a referenced process: `lookup(reference, relative_to=None)` returns (process or None, why it
# failed or None); `relative_to` is the path of the file that names the reference (default: the
# checked process). Passed in by the caller so the check stage never loads files itself.
Lookup = Callable[..., "tuple[Process | None, str | None]"]


def _no_lookup(reference: str, relative_to: str | None = None) -> "tuple[Process | None, str | None]":
    return None, "no process lookup available"


@dataclass
class CheckContext:
    process: Process
    lookup: Lookup = _no_lookup
    reference: Process | None = None
    reference_name: str | None = None  # as the user wrote it (based_on or --against)
    reference_span: Span | None = None
    reference_error: str | None = None  # why the named reference could not be used
    # Why the process's `theme:` cannot be used, or None; passed in by the api, which knows themes
    theme_problem: Callable[[str], "str | None"] = lambda theme: None

    @property
    def graph(self):
        return self.process.graph

    def span(self, step_id: str, key: str | None = None) -> Span:
        step = self.process.steps_by_id.get(step_id)
        if step is None:
            return self.process.span
        return step.span_of(key) if key else step.span

    @cached_property
    def starts(self) -> list[str]:
        return graphs.start_ids(self.process)

    @cached_property
    def ends(self) -> list[str]:
        return graphs.end_ids(self.process)

    @cached_property
    def reachable(self) -> set[str]:
        """Steps some start step leads to."""
        return graphs.reachable_from(self.graph, self.starts)

    @cached_property
    def reaches_end(self) -> set[str]:
        """Steps from which some end step can be reached."""
        return graphs.reaching(self.graph, self.ends)

    @cached_property
    def dangling_sources(self) -> set[str]:
        """Steps with a flow to an id that does not exist."""
        known = self.process.steps_by_id
        return {edge.source for edge in self.process.edges if edge.target not in known}

    @cached_property
    def forward(self):
        return graphs.forward_graph(self.graph, self.starts)

    @cached_property
    def implementers(self) -> dict[str, list[str]]:
        """Reference step id -> the ids of the steps implementing it, in file order."""
        from kamflow.checks.conformance import implementers

        return implementers(self.process, self.reference) if self.reference is not None else {}

    def where_reference(self) -> Span:
        """Where conformance findings about the reference as a whole are reported."""
        return self.reference_span or Span(self.process.path, 1, 1)
