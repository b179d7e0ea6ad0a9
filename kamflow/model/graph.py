"""The networkx view of a process and the graph reasoning shared by checks and renderers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import networkx as nx

if TYPE_CHECKING:
    from kamflow.model.process import Process


def to_digraph(process: "Process") -> nx.DiGraph:
    graph = nx.DiGraph(id=process.id, title=process.title)
    graph.add_nodes_from(
        (step.id, {"type": step.type, "label": step.label, "lane": step.lane, "metadata": dict(step.metadata)}) for step in process.steps
    )
    first: dict[tuple[str, str], dict[str, str | None]] = {}  # a repeated flow keeps the first one's label and kind
    for edge in process.edges:
        if edge.target in graph and (edge.source, edge.target) not in first:
            first[(edge.source, edge.target)] = {"label": edge.label, "kind": edge.kind}
    graph.add_edges_from((source, target, data) for (source, target), data in first.items())
    return graph


def start_ids(process: "Process") -> list[str]:
    return [step.id for step in process.steps if step.type == "start"]


def end_ids(process: "Process") -> list[str]:
    return [step.id for step in process.steps if step.type == "end"]


def reachable_from(graph: nx.DiGraph, sources: list[str]) -> set[str]:
    """Every node some source leads to, the sources included."""
    seen: set[str] = set()
    for source in sources:
        if source not in seen:
            seen.add(source)
            seen.update(nx.descendants(graph, source))
    return seen


def reaching(graph: nx.DiGraph, targets: list[str]) -> set[str]:
    """Every node that leads to some target, the targets included."""
    return reachable_from(graph.reverse(copy=False), targets)


def back_edges(graph: nx.DiGraph, starts: list[str]) -> set[tuple[str, str]]:
    """Edges that close a loop: depth-first from the starts (then any unvisited node), successors in
    file order; an edge to a node on the current path is a back edge."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    found: set[tuple[str, str]] = set()
    roots = list(starts) + [node for node in graph.nodes if node not in starts]
    for root in roots:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(graph.successors(root)))]
        while stack:
            node, successors = stack[-1]
            advanced = False
            for successor in successors:
                mark = state.get(successor)
                if mark == 1:
                    found.add((node, successor))
                elif mark is None:
                    state[successor] = 1
                    stack.append((successor, iter(graph.successors(successor))))
                    advanced = True
                    break
            if not advanced:
                state[node] = 2
                stack.pop()
    return found


def forward_graph(graph: nx.DiGraph, starts: list[str]) -> nx.DiGraph:
    """The graph without its back edges: a DAG that keeps the order the flow goes in (nodes and
    successors in the graph's order). It holds the structure only, not the attributes: what reads
    it asks for order and reach, and copying every step's attributes was most of its cost."""
    back = back_edges(graph, starts)
    forward = nx.DiGraph()
    forward.add_nodes_from(graph)
    forward.add_edges_from(edge for edge in graph.edges if edge not in back)
    return forward


def flow_order(process: "Process") -> list:
    """Steps in the order the flow visits them: the graph without its loop-closing edges, sorted
    topologically, ties broken by file order; steps no start reaches come last, in file order."""
    index = {step.id: i for i, step in enumerate(process.steps)}
    graph = process.graph
    starts = start_ids(process)
    reached = reachable_from(graph, starts)
    forward = forward_graph(graph, starts)
    order = nx.lexicographical_topological_sort(forward, key=lambda node: (node not in reached, index[node]))
    return [process.steps_by_id[node] for node in order]


def parallel_splits(process: "Process", forward: nx.DiGraph, *, only_parallel: bool = False) -> dict[str, list[set[str]]]:
    """Steps where the flow splits into parallel work, each with its branches: per distinct target
    of its outgoing flows, that target and everything after it in the forward flow. A split is a
    `parallel` step, or (unless `only_parallel`) any other step but a decision or an end with
    several outgoing flows (kamflow reads those as parallel work too)."""
    found: dict[str, list[set[str]]] = {}
    for step in process.steps:
        if step.type in ("decision", "end") or (only_parallel and step.type != "parallel") or step.id not in forward:
            continue
        targets = [t for t in dict.fromkeys(e.target for e in process.outgoing(step.id)) if t in forward]
        if len(targets) > 1:
            found[step.id] = [{target} | nx.descendants(forward, target) for target in targets]
    return found


def joins_parallel_work(branches: list[set[str]], sources: list[str]) -> bool:
    """Whether two different `sources` (flows entering one step) lie on two different branches of
    one split: then the step they enter waits for parallel work, it does not merge alternatives."""
    for i, first in enumerate(branches):
        for second in branches[i + 1 :]:
            if any(p != q for p in sources if p in first for q in sources if q in second):
                return True
    return False


def merges_of_alternatives(process: "Process", forward: nx.DiGraph, *, which: Callable[[str], bool]) -> list[tuple[str, list[str]]]:
    """(step id, its forward sources) of every step whose type `which` accepts that two or more forward
    flows enter when no split leads to two of those sources on different branches: only one of
    the flows ever arrives (join-without-split and fake-join both look for these)."""
    splits = list(parallel_splits(process, forward).values())
    found = []
    for step in process.steps:
        if not which(step.type) or step.id not in forward:
            continue
        sources = list(forward.predecessors(step.id))
        if len(sources) >= 2 and not any(joins_parallel_work(branches, sources) for branches in splits):
            found.append((step.id, sources))
    return found
