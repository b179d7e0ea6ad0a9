"""Untangling: a local search over choices the layout makes by rule, kept where they cross less.

Placement and routing decide by local rules (a loop's channel side, the order of ports on a side,
which side a decision branch leaves from, the order of steps Graphviz gave a rank); each rule is
right most of the time, and where it is not, the chart shows a crossing. For each crossing the
search tries the few choices that touch its two flows, one at a time, and keeps a change when the
routed chart has fewer crossings (first improvement, then search again from there). A fixed
budget of tries keeps it bounded and the result deterministic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from kamflow.rendering.place import Item, Placement, row_width
from kamflow.rendering.route import FlowSpec, Routing, Tweaks, crossing_pairs, loop_options

BUDGET = 16  # arrangements tried beyond the first, at most
SMALLER = 0.97  # a change kept for its area must save at least 3 %
BUDGET_FLOWS = 1200  # ... and at most this many flows routed in all (a big chart gets fewer tries)


@dataclass
class Arrangement:
    placement: Placement
    routing: Routing
    header_main: float
    where: dict[str, tuple[str | None, str]]  # loop -> (lane, side) of its channel
    way: tuple[bool, bool]  # (hand-offs on one rank, lanes as columns)
    tweaks: Tweaks
    at: dict[str, tuple[int, float]]  # each step's rank and cross position, as this arrangement left them
    flat: frozenset[str] = frozenset()  # flows drawn straight across on one rank
    crowded_labels: int = 0  # labels that found no clear spot beside their flow
    # the rest of what this try left on state every try shares (the items' main positions, the
    # lanes' header lines), so the winner can be set back without being arranged again
    mains: dict[str, float] = field(default_factory=dict, repr=False)
    header_lines: dict[str | None, list[str]] = field(default_factory=dict, repr=False)
    _pairs: list[tuple[str, str]] | None = field(default=None, repr=False)

    def crossing_pairs(self) -> list[tuple[str, str]]:
        """route.crossing_pairs of this routing, worked out once (the score and the search both read it)."""
        if self._pairs is None:
            self._pairs = crossing_pairs(self.routing)
        return self._pairs

    def crossings(self) -> int:
        return len(self.crossing_pairs())

    def score(self) -> tuple[int, int]:
        """Crossings, a label on a flow counted as two (it is harder to read), then the area."""
        breadth = max((band[1] for band in self.placement.band.values()), default=0.0)
        return (self.crossings() + 2 * self.crowded_labels, round(breadth * self.routing.length))


def untangle(
    start: Arrangement,
    arrange: Callable[[bool, bool, Tweaks, int], Arrangement],
    *,
    specs: list[FlowSpec],
    items: dict[str, Item],
    kinds: dict[str, str],
    lane_index: dict[str | None, int],
    direction: str,
    budget: int | None = None,
) -> Arrangement:
    """The best arrangement found from `start` within `budget` more tries (by default what
    BUDGET and BUDGET_FLOWS allow for this many flows)."""
    if budget is None:
        budget = min(BUDGET, BUDGET_FLOWS // max(1, len(specs)))
    best, best_score = start, start.score()
    seen = {start.tweaks}
    # first: a narrower lane where it costs no crossing
    for tweaks in _narrower(best, specs, items, lane_index, direction):
        if budget <= 0:
            break
        seen.add(tweaks)
        budget -= 1
        tried = arrange(*best.way, tweaks, best_score[0] + 1)
        score = tried.score()
        if score[0] <= best_score[0] and score[1] < best_score[1] * SMALLER:
            best, best_score = tried, score
    while best_score[0] and budget > 0:
        improved = False
        for tweaks in _candidates(best, specs, items, kinds, lane_index):
            if tweaks in seen:
                continue
            seen.add(tweaks)
            budget -= 1
            tried = arrange(*best.way, tweaks, best_score[0])
            score = tried.score()
            if score[0] < best_score[0]:
                best, best_score, improved = tried, score, True
                break
            if budget <= 0:
                break
        if not improved:
            break
    return best


def _candidates(
    best: Arrangement, specs: list[FlowSpec], items: dict[str, Item], kinds: dict[str, str], lane_index: dict[str | None, int]
) -> list[Tweaks]:
    """The tweaks worth a try, read off the crossings of `best` (generated before any other try
    moves the items)."""
    by_id = {spec.id: spec for spec in specs}
    flows = best.routing.flows
    along: dict[tuple[str, str], list[tuple[float, str]]] = {}  # (step, side) -> (position along the side, flow)
    for fid, flow in flows.items():
        spec = by_id[fid]
        for step, side, point in ((spec.source, flow.source_side, flow.points[0]), (spec.target, flow.target_side, flow.points[-1])):
            along.setdefault((step, side), []).append((point[0] if side in ("top", "bottom") else point[1], fid))
    for group in along.values():
        group.sort()
    rows = _rows(best, items)
    lane_at = {index: lane for lane, index in lane_index.items()}
    base = best.tweaks
    port_swaps: list[tuple[str, str]] = []
    loop_sides: list[tuple[str, tuple[str | None, str]]] = []
    branch_sides: list[tuple[tuple[str, str], ...]] = []
    out_of: dict[str, list[str]] = {}  # decision -> its branches that go to a later rank
    for spec in specs:
        if kinds.get(spec.source) == "decision" and not spec.loop and best.at[spec.target][0] > best.at[spec.source][0]:
            out_of.setdefault(spec.source, []).append(spec.id)
    item_swaps: list[tuple[str, str]] = []
    for pair in dict.fromkeys(best.crossing_pairs()):
        ends = [{(by_id[fid].source, flows[fid].source_side), (by_id[fid].target, flows[fid].target_side)} for fid in pair]
        for key in sorted(ends[0] & ends[1], key=str):  # the two cross by a side they share: on it, one steps past the other
            order = [f for _, f in along[key]]
            a, b = sorted(order.index(fid) for fid in pair)
            for one, other in ((order[a], order[a + 1]), (order[b - 1], order[b]), (order[a], order[b])):
                if one != other:
                    port_swaps.append((one, other) if one < other else (other, one))
        for fid in pair:
            spec, flow = by_id[fid], flows[fid]
            if spec.loop and spec.source != spec.target:
                for lane, side in loop_options(items, spec, lane_index):
                    option = (lane_at.get(lane), side)
                    if option != best.where.get(fid):
                        loop_sides.append((fid, option))
            if fid in out_of.get(spec.source, ()):
                mine = flow.source_side
                if mine in ("left", "right"):
                    branch_sides.append(((fid, "left" if mine == "right" else "right"),))
                for other in out_of[spec.source]:
                    theirs = flows[other].source_side
                    if other != fid and theirs != mine:
                        branch_sides.append(((fid, theirs), (other, mine)))
            for step in (spec.source, spec.target):
                row = rows[(items[step].lane, best.at[step][0])]
                at = row.index(step)
                for other in row[max(0, at - 1) : at + 2]:
                    if other != step:
                        item_swaps.append((step, other) if step < other else (other, step))
    out = [base.plus(port_swaps=(swap,)) for swap in dict.fromkeys(port_swaps)]
    out += [base.plus(loop_sides=(side,)) for side in dict.fromkeys(loop_sides)]
    out += [base.plus(branch_sides=sides) for sides in dict.fromkeys(branch_sides)]
    out += [base.plus(item_swaps=(swap,)) for swap in dict.fromkeys(item_swaps)]
    return out


def _narrower(best: Arrangement, specs: list[FlowSpec], items: dict[str, Item], lane_index: dict[str | None, int], direction: str) -> list[Tweaks]:
    """Steps worth moving to another rank: a lane is as wide as its widest row, and where that row
    holds several steps, one of them may fit a rank where its lane is empty, between its
    predecessors and successors (never a step a flat hand-off reaches: it would lose its line)."""
    rows = _rows(best, items)
    width = {key: row_width([items[n].extent(direction)[0] for n in members]) for key, members in rows.items()}
    widest: dict[str | None, float] = {}
    for (lane, _), w in width.items():
        widest[lane] = max(widest.get(lane, 0.0), w)
    after: dict[str, int] = {}  # the latest rank a step may move to: before each forward successor
    before: dict[str, int] = {}  # the earliest: after each forward predecessor
    pinned: set[str] = set()
    lane_at = {index: lane for lane, index in lane_index.items()}
    crossed: set[tuple[str | None, int]] = set()  # cells a flat hand-off runs through
    for spec in specs:
        if spec.loop or spec.source == spec.target:
            continue
        if spec.id in best.flat:
            pinned.update((spec.source, spec.target))
            a, b = sorted((lane_index.get(items[spec.source].lane, 0), lane_index.get(items[spec.target].lane, 0)))
            crossed.update((lane_at.get(m), best.at[spec.source][0]) for m in range(a, b + 1))
        after[spec.source] = min(after.get(spec.source, 10**9), best.at[spec.target][0] - 1)
        before[spec.target] = max(before.get(spec.target, 0), best.at[spec.source][0] + 1)
    last = max((rank for rank, _ in best.at.values()), default=0)
    out: list[Tweaks] = []
    for (lane, rank), members in sorted(rows.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        if len(members) < 2 or width[(lane, rank)] < widest[lane]:
            continue
        for name in members:
            if name in pinned:
                continue
            low, high = before.get(name, 0), min(after.get(name, last + 1), last + 1)
            spots = [r for r in range(low, high + 1) if r != rank and (lane, r) not in rows and (lane, r) not in crossed]
            for r in sorted(spots, key=lambda r: (abs(r - rank), r))[:2]:
                out.append(best.tweaks.plus(item_ranks=((name, r),)))
    return out


def _rows(best: Arrangement, items: dict[str, Item]) -> dict[tuple[str | None, int], list[str]]:
    """The steps of each (lane, rank), in cross order, as `best` left them."""
    rows: dict[tuple[str | None, int], list[str]] = {}
    for name, item in items.items():
        rows.setdefault((item.lane, best.at[name][0]), []).append(name)
    for members in rows.values():
        members.sort(key=lambda name: (best.at[name][1], name))
    return rows
