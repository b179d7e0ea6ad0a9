"""Path analytics for one process: counts, the shortest and longest paths from start to each end by
duration (the longest overall is the critical path), the expected duration and end probabilities
from branch probabilities (loops included), hand-offs between lanes, and steps missing an owner or a
duration. `process_stats` returns a plain, JSON-ready dict (documented in docs/diff.md) that the CLI,
reports and notebooks can all use.

Definitions, stated once:
- Durations are working time (model.duration: 1d = 8h, 1w = 5d). A step without a duration counts
  as 0; start, end and decision steps are moments and need none, every other step is listed when it
  has none, and a result that includes such a step says so.
- A path is acyclic when it follows the forward flow: the flow without the edges that close a loop
  (found depth-first from the start in file order, the same rule the chart uses).
- A hand-off is a flow between two consecutive steps that sit in different lanes.
- The expected duration treats the process as an absorbing Markov chain: a decision's branches carry
  probabilities `p` that add up to 1, a step with one way out takes it, and the process stops at a
  step with no way out. Expected visits come from solving (I - Q)^T n = e_start.
"""

from __future__ import annotations

import json
from typing import Any

import networkx as nx

from kamflow.analysis.durations import (
    DAYS_PER_WEEK,
    HOURS_PER_DAY,
    format_hours,
    needs_duration,
    needs_owner,
    rounded,
    step_hours,
)
from kamflow.errors import UsageError
from kamflow.model.graph import back_edges, end_ids, forward_graph, reaching, start_ids
from kamflow.model.overlay import Mark, Overlay
from kamflow.model.process import STEP_TYPES, Process

STATS_FORMAT_VERSION = 1
PROBABILITY_TOLERANCE = 1e-6
TEXT_LIST_LIMIT = 20  # ids per line in the text output
MAX_LOOP_STATES = 3000  # steps in one loop for the exact expected duration (dense elimination)


def process_stats(process: Process) -> dict[str, Any]:
    """Every number `kamflow stats` shows, as plain data (lists and dicts, no model objects)."""
    graph = process.graph
    starts = start_ids(process)
    loops = _loops(process, graph, starts)
    paths = _paths(process, graph, starts)
    reachable = [p for p in paths if p["shortest"] is not None]
    critical = max(reachable, key=lambda p: (p["longest"]["hours"], len(p["longest"]["steps"])), default=None)
    return {
        "format": "kamflow-stats",
        "version": STATS_FORMAT_VERSION,
        "process": {"id": process.id, "title": process.title, "path": process.path},
        "units": {"hours_per_day": HOURS_PER_DAY, "days_per_week": DAYS_PER_WEEK},
        "counts": _counts(process, loops),
        "loops": loops,
        "paths": paths,
        "critical_path": {"end": critical["end"], **critical["longest"]} if critical else None,
        "expected": [_expected(process, start) for start in starts],
        "missing": {
            "owner": [s.id for s in process.steps if needs_owner(s)],
            "duration": [s.id for s in process.steps if needs_duration(s)],
        },
    }


# -- counts and loops ----------------------------------------------------------------------------
def _counts(process: Process, loops: list[dict]) -> dict[str, Any]:
    by_type = {kind: sum(1 for s in process.steps if s.type == kind) for kind in STEP_TYPES}
    by_lane = [{"lane": lane.id, "label": lane.label, "steps": sum(1 for s in process.steps if s.lane == lane.id)} for lane in process.lanes]
    return {
        "steps": len(process.steps),
        "flows": len(process.edges),
        "by_type": by_type,
        "by_lane": by_lane,
        "without_lane": sum(1 for s in process.steps if s.lane not in process.lanes_by_id),
        "decisions": by_type["decision"],
        "ends": by_type["end"],
        "loops": len(loops),
    }


def _loops(process: Process, graph: nx.DiGraph, starts: list[str]) -> list[dict[str, Any]]:
    """One entry per flow that closes a loop, with the steps the loop goes round (the shortest way
    from where it jumps back to, to where it jumps from), in file order of the closing flow."""
    order = {s.id: i for i, s in enumerate(process.steps)}
    found = []
    for source, target in sorted(back_edges(graph, starts), key=lambda e: (order[e[0]], order[e[1]])):
        around = nx.shortest_path(graph, target, source) if source != target else [source]
        found.append({"from": source, "to": target, "steps": around})
    return found


# -- acyclic paths -------------------------------------------------------------------------------
def _paths(process: Process, graph: nx.DiGraph, starts: list[str]) -> list[dict[str, Any]]:
    """For each end: the shortest and the longest forward path from a start, by duration (ties go to
    fewer steps for the shortest and more steps for the longest, then to file order)."""
    forward = forward_graph(graph, starts)
    order = {s.id: i for i, s in enumerate(process.steps)}
    hours = {s.id: step_hours(s) or 0.0 for s in process.steps}
    # best (hours, steps) per node and the predecessor it came from; paths are rebuilt at the ends
    shortest: dict[str, tuple[float, int, str | None]] = {}
    longest: dict[str, tuple[float, int, str | None]] = {}
    for node in nx.lexicographical_topological_sort(forward, key=lambda n: order[n]):
        if node in starts:
            shortest[node] = longest[node] = (hours[node], 1, None)
            continue
        for pred in sorted((p for p in forward.predecessors(node) if p in shortest), key=lambda p: order[p]):
            h, n, _ = shortest[pred]
            if node not in shortest or (h + hours[node], n + 1) < shortest[node][:2]:
                shortest[node] = (h + hours[node], n + 1, pred)
            h, n, _ = longest[pred]
            if node not in longest or (h + hours[node], n + 1) > longest[node][:2]:
                longest[node] = (h + hours[node], n + 1, pred)

    def path_to(best: dict, end: str) -> list[str]:
        path = [end]
        while best[path[-1]][2] is not None:
            path.append(best[path[-1]][2])
        return path[::-1]

    result = []
    for end in end_ids(process):
        entry: dict[str, Any] = {"end": end, "label": process.steps_by_id[end].label, "shortest": None, "longest": None}
        if end in shortest:
            entry["shortest"] = _path_entry(process, path_to(shortest, end))
            entry["longest"] = _path_entry(process, path_to(longest, end))
        result.append(entry)
    return result


def _path_entry(process: Process, steps: list[str]) -> dict[str, Any]:
    by_id = process.steps_by_id
    total = sum(step_hours(by_id[s]) or 0.0 for s in steps)
    handoffs = _handoffs(process, steps)
    return {
        "steps": steps,
        "hours": rounded(total),
        "duration": format_hours(total),
        "handoffs": len(handoffs),
        "handoff_list": handoffs,
        "steps_without_duration": [s for s in steps if needs_duration(by_id[s])],
    }


def _handoffs(process: Process, steps: list[str]) -> list[dict[str, str]]:
    by_id = process.steps_by_id
    found = []
    for before, after in zip(steps, steps[1:]):
        a, b = by_id[before].lane, by_id[after].lane
        if a and b and a != b:
            found.append({"from_step": before, "to_step": after, "from_lane": a, "to_lane": b})
    return found


# -- expected duration ---------------------------------------------------------------------------
def _transitions(process: Process, step_id: str) -> tuple[dict[str, float], str | None]:
    """Where the flow goes from a step and with which probability, or why that is unknown."""
    step = process.steps_by_id[step_id]
    edges = process.outgoing(step_id)
    missing = [e.target for e in edges if e.target not in process.steps_by_id]
    if missing:
        return {}, f"step {step_id!r} flows to {missing[0]!r}, which is not a step"
    targets = list(dict.fromkeys(e.target for e in edges))
    if len(targets) <= 1:
        return {t: 1.0 for t in targets}, None
    if step.type != "decision":
        return {}, (f"step {step_id!r} ({step.label}) has {len(targets)} ways out but is not a decision: only decision branches carry probabilities")
    without = [e.label or e.target for e in edges if e.probability is None]
    if without:
        listed = ", ".join(repr(w) for w in without)
        return {}, f"decision {step_id!r} ({step.label}): no probability `p` on branch {listed}"
    total = sum(e.probability or 0.0 for e in edges)  # none is None here
    if abs(total - 1.0) > PROBABILITY_TOLERANCE:
        return {}, f"decision {step_id!r} ({step.label}): branch probabilities add up to {total:g}, not 1"
    moves: dict[str, float] = {}
    for edge in edges:
        moves[edge.target] = moves.get(edge.target, 0.0) + (edge.probability or 0.0)
    return moves, None


def _expected(process: Process, start: str) -> dict[str, Any]:
    """Expected duration, end probabilities and hand-offs from one start, or the reasons there is no
    answer (missing or inconsistent probabilities, or a loop that never exits)."""
    entry: dict[str, Any] = {"start": start, "available": False, "problems": []}
    # Walk what can happen from the start with positive probability.
    moves: dict[str, dict[str, float]] = {}
    order = {s.id: i for i, s in enumerate(process.steps)}
    todo, problems = [start], []
    while todo:
        node = todo.pop()
        if node in moves:
            continue
        found, problem = _transitions(process, node)
        if problem:
            problems.append((order[node], problem))
        moves[node] = {t: p for t, p in found.items() if p > 0}
        todo.extend(t for t in moves[node] if t not in moves)
    if problems:
        entry["problems"] = [text for _, text in sorted(problems)]
        return entry
    states = sorted(moves, key=lambda s: order[s])
    absorbing = [s for s in states if not moves[s]]
    chain = nx.DiGraph()
    chain.add_nodes_from(states)
    chain.add_edges_from((u, v) for u in states for v in moves[u])
    can_end = reaching(chain, absorbing)
    stuck = [s for s in states if s not in can_end]
    if stuck:
        looping = {n for c in nx.strongly_connected_components(chain) if len(c) > 1 for n in c} | {n for n in states if chain.has_edge(n, n)}
        step = process.steps_by_id[next((s for s in stuck if s in looping), stuck[0])]
        entry["problems"] = [f"from step {step.id!r} ({step.label}) the process never ends: its loop has no way out with these probabilities"]
        return entry
    transient = [s for s in states if moves[s]]
    try:
        visits = _expected_visits(transient, moves, start) if start in transient else {}
    except _TooLarge as error:
        entry["problems"] = [f"a loop of {error.states} steps is too large to solve exactly (at most {MAX_LOOP_STATES})"]
        return entry
    if start not in transient:  # a start with no way out: the process is only that step
        end_visits = {start: 1.0}
    else:
        end_visits = {a: sum(visits[u] * moves[u].get(a, 0.0) for u in transient) for a in absorbing}
    all_visits = {**visits, **end_visits}
    by_id = process.steps_by_id
    total = sum(n * (step_hours(by_id[s]) or 0.0) for s, n in all_visits.items())
    handoffs = sum(
        visits[u] * p for u in transient for v, p in moves[u].items() if by_id[u].lane and by_id[v].lane and by_id[u].lane != by_id[v].lane
    )
    entry.update(
        available=True,
        hours=rounded(total),
        duration=format_hours(total),
        handoffs=rounded(handoffs),
        ends=[{"step": a, "label": by_id[a].label, "type": by_id[a].type, "probability": rounded(end_visits[a])} for a in absorbing],
        visits={s: rounded(all_visits[s]) for s in states if s in all_visits},
        steps_without_duration=[s for s in states if needs_duration(by_id[s]) and all_visits.get(s, 0) > 0],
    )
    return entry


def _expected_visits(transient: list[str], moves: dict[str, dict[str, float]], start: str) -> dict[str, float]:
    """Expected visits n of each transient state from `start`: (I - Q)^T n = e_start, solved one
    loop (strongly connected component) at a time in flow order, so the cost follows the size of
    the largest loop, not of the process."""
    rank = {s: i for i, s in enumerate(transient)}
    inside = set(transient)
    chain = nx.DiGraph()
    chain.add_nodes_from(transient)
    chain.add_edges_from((u, v) for u in transient for v in moves[u] if v in inside)
    condensed = nx.condensation(chain)
    members = {c: sorted(condensed.nodes[c]["members"], key=rank.__getitem__) for c in condensed}
    inflow = {start: 1.0}
    visits: dict[str, float] = {}
    for component in nx.lexicographical_topological_sort(condensed, key=lambda c: rank[members[c][0]]):
        group = members[component]
        if len(group) > MAX_LOOP_STATES:
            raise _TooLarge(len(group))
        index = {s: i for i, s in enumerate(group)}
        size = len(group)
        # row v: n_v - sum over u in the loop of n_u * Q[u][v] = inflow into v from outside
        matrix = [[0.0] * size + [inflow.get(v, 0.0)] for v in group]
        for v in group:
            matrix[index[v]][index[v]] = 1.0
        for u in group:
            for v, p in moves[u].items():
                if v in index:
                    matrix[index[v]][index[u]] -= p
        solution = _solve(matrix)
        for u in group:
            visits[u] = solution[index[u]]
            for v, p in moves[u].items():
                if v in inside and v not in index:
                    inflow[v] = inflow.get(v, 0.0) + visits[u] * p
    return visits


class _TooLarge(Exception):
    def __init__(self, states: int):
        super().__init__(states)
        self.states = states


def _solve(augmented: list[list[float]]) -> list[float]:
    """Gaussian elimination with partial pivoting on an augmented n x (n+1) matrix."""
    size = len(augmented)
    rows = [row[:] for row in augmented]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(rows[r][col]))
        if abs(rows[pivot][col]) < 1e-12:
            raise ArithmeticError("singular system")  # cannot happen once every state reaches an end
        rows[col], rows[pivot] = rows[pivot], rows[col]
        lead = rows[col][col]
        for r in range(size):
            if r != col and rows[r][col]:
                factor = rows[r][col] / lead
                target, source = rows[r], rows[col]
                for c in range(col, size + 1):
                    target[c] -= factor * source[c]
    return [rows[i][size] / rows[i][i] for i in range(size)]


# -- text and overlay ----------------------------------------------------------------------------
def stats_json(stats: dict[str, Any]) -> str:
    return json.dumps(stats, indent=2, ensure_ascii=False) + "\n"


def stats_text(stats: dict[str, Any], process: Process) -> str:
    by_id = process.steps_by_id
    lanes = process.lanes_by_id

    def name(step_id: str) -> str:
        step = by_id[step_id]
        return f"{step.label} ({step_id})" if step.label != step_id else step_id

    def lane_name(lane_id: str) -> str:
        return lanes[lane_id].label if lane_id in lanes else lane_id

    info = stats["process"]
    counts = stats["counts"]
    lines = [f"{info['title']} ({info['id']}), {info['path']}", f"Durations are working time: 1d = {HOURS_PER_DAY}h, 1w = {DAYS_PER_WEEK}d.", ""]
    types = ", ".join(f"{n} {kind}" for kind, n in counts["by_type"].items() if n)
    lines.append(f"Steps: {counts['steps']} ({types}); flows: {counts['flows']}")
    if counts["by_lane"]:
        per_lane = ", ".join(f"{lane['label']} {lane['steps']}" for lane in counts["by_lane"])
        extra = f", no lane {counts['without_lane']}" if counts["without_lane"] else ""
        lines.append(f"Steps per lane: {per_lane}{extra}")
    lines.append(f"Decisions: {counts['decisions']}, ends: {counts['ends']}, loops: {counts['loops']}")
    for loop in stats["loops"][:TEXT_LIST_LIMIT]:
        lines.append(f"  loop: {name(loop['from'])} goes back to {name(loop['to'])} ({len(loop['steps'])} steps round)")
    if len(stats["loops"]) > TEXT_LIST_LIMIT:
        lines.append(f"  ... and {len(stats['loops']) - TEXT_LIST_LIMIT} more loops (--format json lists them all)")
    lines.append("")
    lines.append("Paths from start to each end (forward flow, no loop taken)")
    for path in stats["paths"]:
        lines.append(f"  to {name(path['end'])}:")
        if path["shortest"] is None:
            lines.append("    not reachable from a start")
            continue
        for which in ("shortest", "longest"):
            lines.append(f"    {which + ':':<9} {_path_summary(path[which])}")
    critical = stats["critical_path"]
    lines.append("")
    if critical is None:
        lines.append("Critical path: none (no end is reachable from a start)")
    else:
        lines.append(f"Critical path (longest): {_path_summary(critical)}")
        for number, step_id in enumerate(critical["steps"], 1):
            step = by_id[step_id]
            took = step.metadata.get("duration") or ("-" if step.type in ("start", "end", "decision") else "no duration")
            where = f" [{lane_name(step.lane)}]" if step.lane else ""
            lines.append(f"  {number:>2}. {name(step_id)}{where}: {took}")
    for expected in stats["expected"]:
        lines.append("")
        heading = f"Expected duration from {name(expected['start'])} (branch probabilities, loops included)"
        if not expected["available"]:
            lines.append(f"{heading}: no answer")
            lines.extend(f"  {problem}" for problem in expected["problems"])
            continue
        bound = "at least " if expected["steps_without_duration"] else ""
        lines.append(f"{heading}: {bound}{expected['duration']} ({expected['hours']:g}h)")
        for end in expected["ends"]:
            lines.append(f"  ends at {name(end['step'])}: {end['probability'] * 100:.1f}%")
        lines.append(f"  expected hand-offs between lanes: {expected['handoffs']:.2f}")
        if expected["steps_without_duration"]:
            lines.append(f"  counted as 0 (no duration): {_listed(expected['steps_without_duration'])}")
    lines.append("")
    missing = stats["missing"]
    lines.append(f"Steps without owner: {_listed(missing['owner'])}")
    lines.append(f"Steps without duration: {_listed(missing['duration'])}")
    return "\n".join(lines) + "\n"


def _listed(ids: list[str]) -> str:
    """Ids for a text line; a long list is cut short (the JSON has them all)."""
    if not ids:
        return "none"
    shown = ", ".join(ids[:TEXT_LIST_LIMIT])
    return shown + (f" and {len(ids) - TEXT_LIST_LIMIT} more" if len(ids) > TEXT_LIST_LIMIT else "")


def _path_summary(path: dict[str, Any]) -> str:
    text = f"{path['duration']} over {len(path['steps'])} steps, {path['handoffs']} hand-off{'s' if path['handoffs'] != 1 else ''}"
    if path["steps_without_duration"]:
        text += f" ({len(path['steps_without_duration'])} without duration, counted as 0)"
    return text


def critical_path_overlay(stats: dict[str, Any]) -> Overlay:
    """The critical path as marks of kind "critical" on its steps and flows."""
    critical = stats.get("critical_path")
    if not critical:
        return Overlay()
    steps = critical["steps"]
    return Overlay(
        step_marks={s: Mark("critical", "critical path") for s in steps},
        edge_marks={(a, b): Mark("critical", "critical path") for a, b in zip(steps, steps[1:])},
    )


def format_stats(numbers: dict[str, Any], process: Process, *, fmt: str = "text") -> str:
    """Path analytics as text lines or as JSON."""
    if fmt not in ("text", "json"):
        raise UsageError(f"unknown stats format {fmt!r}; choose text or json")
    return stats_json(numbers) if fmt == "json" else stats_text(numbers, process)


def critical_path_warnings(process: Process, stats: dict[str, Any]) -> list[str]:
    """What a chart that highlights the critical path must say: that there is none, or that steps
    on it have no duration (so it may not be the longest in time)."""
    critical = stats.get("critical_path")
    if not critical:
        return [f"{process.path}: warning: no critical path to highlight: no end can be reached from a start"]
    if critical["steps_without_duration"]:
        missing, total = len(critical["steps_without_duration"]), len(critical["steps"])
        return [
            f"{process.path}: warning: {missing} of the {total} steps on the highlighted critical path "
            f"{'has' if missing == 1 else 'have'} no duration (counted as 0), so it may not be the longest; `kamflow stats` lists them"
        ]
    return []
