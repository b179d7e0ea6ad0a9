"""Orthogonal routing in flow space (see place.py): every flow becomes horizontal and vertical
segments from a port on its source to a port on its target, and the ranks are spaced by what the
flows between them need.

- Forward flows leave the bottom of their source (a decision's first branch; its other branches
  leave from the side their target lies on) and enter the top of their target. Between two ranks a
  flow runs straight down or jogs once along a *track* of the gap between them; a flow that skips
  ranks passes them in a free column (its own, the target's, or where Graphviz left room for it).
  The horizontal runs in one gap are put on tracks the way channel routers do it (ELK layered, the
  orthogonal edge routers of Sander and of Wybrow, Marriott and Stuckey): runs whose spans overlap
  get different tracks, ordered so as to cross as few of each other's vertical ends as possible.
- Loops (flows back against the flow direction) run in a channel along the side of their target's
  lane, one channel each, nested: the shortest loop innermost, so loops do not cross each other.
- Each flow has its own port on a side; ports on one side are ordered by where the flow goes, so
  flows leaving one step do not cross each other.
- A label sits beside its flow's first segment, next to its exit, where nothing else is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from kamflow.model.scene import Box, Point
from kamflow.rendering.place import CHANNEL_FIRST, CHANNEL_STEP, PASSAGE_WIDTH, Item, Placement
from kamflow.rendering.sizes import outline_point, side_room

TRACK_STEP = 9.0  # between neighbouring tracks in a gap
GAP_MARGIN = 17.0  # between a rank and the first or last track of a gap (room for arrowheads)
MIN_GAP = 24.0  # between two ranks (a gap no flow turns in needs only room for arrowheads)
STRAIGHT_GAP = 24.0
STUB = 16.0  # how far a side exit runs out before it turns
CLEAR = 6.0  # how far a run keeps from steps it passes
LABEL_GAP = 4.0
SHORT_JOG = 8.0  # a jog shorter than this reads as a kink, not a turn

# flow-space side -> page side, per direction
PAGE_SIDE = {
    "TB": {"top": "top", "bottom": "bottom", "left": "left", "right": "right"},
    "LR": {"top": "left", "bottom": "right", "left": "top", "right": "bottom"},
}


@dataclass
class FlowSpec:
    id: str
    source: str
    target: str
    loop: bool  # closes a loop: routed in a channel
    first_branch: bool = True  # a decision's first way out (leaves forward); others leave sideways
    label: tuple[float, float] | None = None  # the label's page size (width, height)


@dataclass(frozen=True)
class Tweaks:
    """Choices the untangling search (untangle.py) makes against the defaults, each tried because
    it may remove a crossing: a loop's channel side, two flows' order on a side they share, the
    side a decision branch leaves from, two steps of one rank of a lane swapped; or because it
    may make the chart smaller: a step moved to another rank, out of the row that sets its lane's
    width."""

    loop_sides: tuple[tuple[str, tuple[str | None, str]], ...] = ()  # (loop flow, (lane, side))
    port_swaps: tuple[tuple[str, str], ...] = ()  # (flow, flow) sharing a side of a step
    branch_sides: tuple[tuple[str, str], ...] = ()  # (decision branch, side it leaves from: left, right, bottom)
    item_swaps: tuple[tuple[str, str], ...] = ()  # (step, step) in one rank of one lane
    item_ranks: tuple[tuple[str, int], ...] = ()  # (step, rank): moved out of the row that makes its lane wide

    def plus(self, **more: tuple) -> Tweaks:
        return Tweaks(**{name: getattr(self, name) + more.get(name, ()) for name in self.__dataclass_fields__})


NO_TWEAKS = Tweaks()


@dataclass
class Routed:
    points: list[Point]  # flow space, source port -> target port
    source_side: str  # flow space
    target_side: str
    label_box: tuple[float, float, float, float] | None = None  # cross0, main0, cross1, main1


@dataclass
class _Seg:
    """A horizontal run in a gap, between two columns; at each end the flow goes on up or down."""

    flow: str
    a: float
    b: float
    up_at_a: bool
    up_at_b: bool
    track: int = 0

    @property
    def low(self) -> float:
        return min(self.a, self.b)

    @property
    def high(self) -> float:
        return max(self.a, self.b)


@dataclass
class _Port:
    flow: str
    item: str
    side: str
    outgoing: bool
    key: float = 0.0  # ordering along the side
    offset: float = 0.0


@dataclass
class Routing:
    flows: dict[str, Routed]
    rank_main: list[float]  # centre line of each rank
    rank_size: list[float]  # main size of each rank
    length: float  # main extent of the whole chart (header zone included)
    gaps: dict[int, float] = field(default_factory=dict)


def loop_options(items: dict[str, Item], spec: FlowSpec, lane_index: dict[str | None, int]) -> list[tuple[int, str]]:
    """The channels a loop may run in, as (lane index, side): either side of its target's lane,
    the outer side of the first lane, the outer side of the last."""
    ti = lane_index.get(items[spec.target].lane, 0)
    last = max(lane_index.values(), default=0)
    return [(ti, "right"), (ti, "left"), (0, "left"), (last, "right")]


def loop_channels(
    items: dict[str, Item],
    specs: list[FlowSpec],
    lane_index: dict[str | None, int],
    passages: dict | None = None,
    forced: dict[str, tuple[str | None, str]] | None = None,
) -> tuple[dict[str, tuple[str | None, str]], dict[tuple[str | None, str], int], dict[str, int]]:
    """Which lane side each loop runs along, how many channels each side needs, and each loop's
    channel (0 = innermost). A loop within one lane takes the side of its lane that fewer flows
    between lanes cross over its ranks (the outer side of the first and the last lane, which no
    such flow crosses, when it is there); a loop between lanes runs along its target's lane on the
    side that faces its source. Loops whose rank spans overlap get different channels; shorter
    loops lie inside longer ones. `forced`: loops whose side the caller chose."""
    crossing: list[tuple[int, int, int, int]] = []  # (low lane, high lane, low rank, high rank) of flows between lanes
    for spec in specs:
        if spec.loop or spec.source == spec.target:
            continue
        a, b = lane_index.get(items[spec.source].lane, 0), lane_index.get(items[spec.target].lane, 0)
        if a != b:
            crossing.append((min(a, b), max(a, b), items[spec.source].rank, items[spec.target].rank))
    last = max(lane_index.values(), default=0)

    by_start: dict[int, list[tuple[int, int, int, int]]] = {}  # flows by the rank they start in: a loop looks only near its span
    for flow in crossing:
        by_start.setdefault(flow[2], []).append(flow)
    reach = max((r1 - r0 for _, _, r0, r1 in crossing), default=0)

    def cost(lane: int, side: str, low: int, high: int) -> int:
        total = 0
        for start in range(low - reach, high + 1):
            for a, b, r0, r1 in by_start.get(start, ()):
                if r1 < low or r0 > high:
                    continue
                if (side == "right" and a <= lane < b) or (side == "left" and a < lane <= b):
                    total += 1
        return total

    lane_at = {index: lane for lane, index in lane_index.items()}

    passing: dict[tuple[int, int], int] = {}  # (rank, lane index) -> long flows passing there
    for found in (passages or {}).values():
        for passage in found:
            key = (passage.rank, lane_index.get(passage.lane, 0))
            passing[key] = passing.get(key, 0) + 1

    running: dict[int, list[tuple[int, int]]] = {}  # lane index -> rank spans of long flows that run down it to their target
    for spec in specs:
        if not spec.loop and spec.source != spec.target:
            r0, r1 = items[spec.source].rank, items[spec.target].rank
            if r1 - r0 >= 2:
                running.setdefault(lane_index.get(items[spec.target].lane, 0), []).append((r0, r1))

    def between(k: int, boundary: float, rank: int) -> int:
        """What a connector from lane k to a channel at `boundary` (a lane index +- 0.5), at a
        rank, crosses: each lane it passes, and each long flow passing there."""
        low, high = sorted((k, boundary))
        lanes = [m for m in range(last + 1) if low < m < high and m != k]
        return len(lanes) + sum(passing.get((rank, m), 0) + sum(1 for r0, r1 in running.get(m, ()) if r0 < rank < r1) for m in lanes)

    where: dict[str, tuple[str | None, str]] = {}
    taken: dict[tuple[int, str], list[tuple[int, int]]] = {}  # rank spans of the loops each channel group holds
    loops = [spec for spec in specs if spec.loop and spec.source != spec.target]
    loops.sort(key=lambda sp: (-abs(items[sp.source].rank - items[sp.target].rank), sp.id))  # long loops choose first
    for spec in loops:
        si, ti = lane_index.get(items[spec.source].lane, 0), lane_index.get(items[spec.target].lane, 0)
        low, high = sorted((items[spec.source].rank, items[spec.target].rank))
        options = loop_options(items, spec, lane_index)
        if forced and spec.id in forced:
            lane_id, side = forced[spec.id]
            group = (lane_index.get(lane_id, 0), side)
            where[spec.id] = (lane_id, side)
            taken.setdefault(group, []).append((low, high))
            continue
        best = None
        for order, (lane, side) in enumerate(options):
            boundary = lane + (0.5 if side == "right" else -0.5)
            vertical = 0 if (lane, side) in ((0, "left"), (last, "right")) else cost(lane, side, low, high)
            # loops in one group cross when their spans interleave (neither holds the other)
            interleaved = sum(1 for a, b in taken.get((lane, side), []) if a < low < b < high or low < a < high < b)
            total = vertical + between(si, boundary, items[spec.source].rank) + between(ti, boundary, items[spec.target].rank) + interleaved
            key = (total, order)
            if best is None or key < best[0]:
                best = (key, (lane_at.get(lane), side))
        assert best is not None
        where[spec.id] = best[1]
        group = options[best[0][1]]
        taken.setdefault(group, []).append((low, high))
    by_id = {spec.id: spec for spec in specs}
    tracks: dict[str, int] = {}
    busy: dict[tuple[str | None, str], list[list[tuple[int, int]]]] = {}
    by_length = sorted(where, key=lambda fid: (_span_of(items, by_id[fid]), fid))
    for fid in by_length:
        spec = by_id[fid]
        low, high = sorted((items[spec.source].rank, items[spec.target].rank))
        lanes = busy.setdefault(where[fid], [])
        for index, used in enumerate(lanes):
            if all(high < a or low > b for a, b in used):
                used.append((low, high))
                tracks[fid] = index
                break
        else:
            lanes.append([(low, high)])
            tracks[fid] = len(lanes) - 1
    counts = {key: len(value) for key, value in busy.items()}
    return where, counts, tracks


def _span_of(items: dict[str, Item], spec: FlowSpec) -> int:
    return abs(items[spec.source].rank - items[spec.target].rank)


def route(
    placement: Placement,
    specs: list[FlowSpec],
    types: dict[str, str],
    *,
    where: dict[str, tuple[str | None, str]],
    channel_of: dict[str, int],
    start_main: float,
    rank_gap: float | None = None,
    numbered: frozenset[str] = frozenset(),
    tweaks: Tweaks = NO_TWEAKS,
) -> Routing:
    """Route every flow; returns the routes in flow space and the main position of each rank."""
    items, direction = placement.items, placement.direction
    ext = {name: item.extent(direction) for name, item in items.items()}
    rank_count = len(placement.ranks)
    branch_side = _decision_sides(items, specs, types, ext)
    for fid, side in tweaks.branch_sides:
        if side == "bottom":
            branch_side.pop(fid, None)
        else:
            branch_side[fid] = side
    _straighten(placement, specs, branch_side, ext)

    ranges: dict[tuple[str, str], tuple[float, float]] = {}

    def port_range(name: str, side: str) -> tuple[float, float]:
        """How far from a side's middle its ports may lie, each way."""
        found = ranges.get((name, side))
        if found is None:
            room = _room(types.get(name, "step"), items[name], direction, side)
            if name in numbered and PAGE_SIDE[direction][side] in ("top", "left"):
                found = (-room / 3, room)  # the number badge sits at the top-left corner: keep ports off it
            else:
                found = (-room, room)
            ranges[(name, side)] = found
        return found

    # what each rank holds before any flow claims a column in it: the steps (with room for the
    # turns of their flows out sideways) and the long flows passing where Graphviz put them
    reach_out: dict[str, set[str]] = {}  # the sides a step's flows leave from sideways: their turns need room
    for spec in specs:
        if spec.id in branch_side:
            reach_out.setdefault(spec.source, set()).add(branch_side[spec.id])
    unclaimed: dict[int, list[tuple[float, float, str]]] = {r: [] for r in range(-1, rank_count + 1)}
    for name, item in items.items():
        half = ext[name][0] / 2
        sides_out = reach_out.get(name, set())
        left = half + (STUB + TRACK_STEP if "left" in sides_out else 0.0)
        right = half + (STUB + TRACK_STEP if "right" in sides_out else 0.0)
        unclaimed[item.rank].append((item.cross - left, item.cross + right, name))
    for fid, found in placement.passages.items():
        for p in found:
            unclaimed[p.rank].append((p.cross - PASSAGE_WIDTH / 2, p.cross + PASSAGE_WIDTH / 2, "~" + fid))

    def channel_cross(fid: str) -> float:
        lane, side = where[fid]
        span = placement.lane_span[lane]
        step = CHANNEL_STEP * channel_of[fid] + CHANNEL_FIRST
        return span[1] + step if side == "right" else span[0] - step

    # 1. sides (they read only the unclaimed ranks: alike in both passes below)
    sides: dict[str, tuple[str, str]] = {}
    for spec in specs:
        s, t = items[spec.source], items[spec.target]
        if spec.source == spec.target:
            sides[spec.id] = ("right", "right")
            continue
        if spec.loop:
            x = channel_cross(spec.id)
            s_half, t_half = ext[spec.source][0] / 2, ext[spec.target][0] / 2
            s_side = "right" if x > s.cross else "left"
            t_side = "right" if x > t.cross else "left"
            s_edge = s.cross + (s_half if s_side == "right" else -s_half)
            t_edge = t.cross + (t_half if t_side == "right" else -t_half)
            s_ok = _free(unclaimed, s.rank, min(s_edge, x), max(s_edge, x), (spec.source,))
            t_ok = _free(unclaimed, t.rank, min(t_edge, x), max(t_edge, x), (spec.target,))
            sides[spec.id] = (s_side if s_ok else "bottom", t_side if t_ok else "top")
            continue
        if s.rank == t.rank:  # a hand-off on the same rank: straight across
            out = branch_side.get(spec.id, "right" if t.cross > s.cross else "left")
            sides[spec.id] = (out, "left" if out == "right" else "right")
            continue
        sides[spec.id] = (branch_side.get(spec.id, "bottom"), "top")
    planned = sorted(specs, key=lambda sp: (not sp.loop, -_span_of(items, sp), sp.id))  # loops first, then the longest

    # ports, columns and gap runs are planned twice: the second time, the ports on a step's top
    # are ordered by the columns their flows really arrive from, so flows into one step do not cross
    approach: dict[str, float] = {}
    for _attempt in range(2):
        arrived: dict[str, float] = {}
        occupied = {rank: list(spans) for rank, spans in unclaimed.items()}

        def free(rank: int, low: float, high: float, *, ignore: tuple[str, ...] = (), occupied=occupied) -> bool:
            return _free(occupied, rank, low, high, ignore)

        def nearest_free(rank: int, cross: float, own: str, occupied=occupied) -> float:
            """The free column in a rank nearest to `cross` (beside the rank's items)."""
            spans = sorted((a, b) for a, b, who in occupied.get(rank, []) if who != own)
            options = [spans[0][0] - CLEAR - 4] if spans else [cross]
            options += [b + CLEAR + 4 for _, b in spans]
            options = [x for x in options if free(rank, x - 3, x + 3, ignore=(own,))]
            return min(options, key=lambda x: (abs(x - cross), x)) if options else cross

        # 2. ports: spread along each side, ordered by where the flow goes
        ports: dict[tuple[str, str], list[_Port]] = {}
        for spec in specs:
            s_side, t_side = sides[spec.id]
            other_t, other_s = items[spec.target], items[spec.source]
            first_pass = placement.passages.get(spec.id)
            s_key = (
                first_pass[0].cross
                if first_pass and s_side in ("top", "bottom")
                else (other_t.cross if s_side in ("top", "bottom") else other_t.main)
            )
            t_key = (
                first_pass[-1].cross
                if first_pass and t_side in ("top", "bottom")
                else (other_s.cross if t_side in ("top", "bottom") else other_s.main)
            )
            if t_side in ("top", "bottom") and spec.id in approach:
                t_key = approach[spec.id]  # second pass: the column it really arrives from
            if spec.loop and s_side in ("left", "right"):
                s_key = other_s.main - 1000 - channel_of.get(spec.id, 0)  # loops leave above forward branches
            if spec.loop and t_side in ("left", "right"):
                t_key = -channel_of.get(spec.id, 0)  # the outer a loop's channel, the higher it comes in: nested loops do not cross
            ports.setdefault((spec.source, s_side), []).append(_Port(spec.id, spec.source, s_side, True, s_key))
            if spec.source == spec.target:
                ports[(spec.source, s_side)][-1].key = -1e9
                ports.setdefault((spec.target, t_side), []).append(_Port(spec.id, spec.target, t_side, False, 1e9))
            else:
                ports.setdefault((spec.target, t_side), []).append(_Port(spec.id, spec.target, t_side, False, t_key))
        port_of: dict[tuple[str, bool], _Port] = {}
        for (name, side), group in ports.items():
            group.sort(key=lambda p: (p.key, p.flow))
            if tweaks.port_swaps and _attempt == 1 and len(group) > 1:  # on the final order: the first pass only finds approaches
                at = {p.flow: i for i, p in enumerate(group)}
                for one, other in tweaks.port_swaps:
                    if one in at and other in at:
                        i, j = at[one], at[other]
                        group[i], group[j] = group[j], group[i]
                        at[one], at[other] = j, i
            low, room = port_range(name, side)
            count = len(group)
            for index, port in enumerate(group):
                port.offset = 0.0 if count == 1 else low + (room - low) * index / (count - 1)
                port_of[(port.flow, port.outgoing)] = port

        def port_cross(port: _Port) -> float:
            item = items[port.item]
            if port.side in ("top", "bottom"):
                return item.cross + port.offset
            half = ext[port.item][0] / 2
            return item.cross + (half if port.side == "right" else -half)

        # 3. columns and gap runs
        gap_runs: dict[int, list[_Seg]] = {}
        plans: dict[str, list] = {}  # flow -> waypoints: ("port", outgoing) | ("col", cross, rank-or-gap marker)
        for spec in planned:
            s, t = items[spec.source], items[spec.target]
            s_side, t_side = sides[spec.id]
            sp, tp = port_of[(spec.id, True)], port_of[(spec.id, False)]
            if spec.source == spec.target:
                plans[spec.id] = ["self"]
                continue
            if spec.loop:
                x = channel_cross(spec.id)
                plan: list = [("port", True)]
                if s_side in ("left", "right"):
                    plan.append(("at-port-main", x, True))
                else:
                    c = port_cross(sp)
                    gap_runs.setdefault(s.rank, []).append(_Seg(spec.id, c, x, True, True))
                    plan += [("track", c, s.rank, len(gap_runs[s.rank]) - 1), ("track", x, s.rank, len(gap_runs[s.rank]) - 1)]
                if t_side in ("left", "right"):
                    plan.append(("at-port-main", x, False))
                else:
                    c = port_cross(tp)
                    arrived[spec.id] = x
                    gap = t.rank - 1
                    gap_runs.setdefault(gap, []).append(_Seg(spec.id, x, c, False, False))
                    plan += [("track", x, gap, len(gap_runs[gap]) - 1), ("track", c, gap, len(gap_runs[gap]) - 1)]
                plan.append(("port", False))
                plans[spec.id] = plan
                continue
            plan = [("port", True)]
            column = port_cross(sp)
            target_column = port_cross(tp)
            if s.rank == t.rank:
                middle = round((column + target_column) / 2, 2)
                plans[spec.id] = plan + [("at-port-main", middle, True), ("at-port-main", middle, False), ("port", False)]
                continue
            if s_side in ("left", "right"):
                toward = 1 if s_side == "right" else -1
                beyond = (target_column - column) * toward >= STUB
                direct = beyond and free(s.rank, min(column, target_column), max(column, target_column) + 0.01, ignore=(spec.source,))
                direct = direct and all(free(r, target_column - 3, target_column + 3, ignore=("~" + spec.id,)) for r in range(s.rank + 1, t.rank))
                if direct:
                    plan += [("at-port-main", target_column, True), ("port", False)]
                    plans[spec.id] = plan
                    _claim(occupied, spec.id, [(r, target_column) for r in range(s.rank + 1, t.rank)])
                    continue
                group = ports[(spec.source, s_side)]
                rank_on_side = sorted(group, key=lambda p: -abs(p.offset)).index(sp)  # the outer ports turn first
                reach = STUB + rank_on_side * TRACK_STEP
                for tried in [reach + k * TRACK_STEP for k in range(6)] + [10.0, 6.0]:  # turn where no other flow passes
                    turn = column + toward * tried
                    if free(s.rank, min(column, turn) - 3, max(column, turn) + 3, ignore=(spec.source,)):
                        reach = tried
                        break
                column = column + toward * reach
                _claim(occupied, spec.id + "^", [(s.rank, column)])
                plan.append(("at-port-main", column, True))
            # the columns it passes the skipped ranks in
            skipped = list(range(s.rank + 1, t.rank))
            own = "~" + spec.id
            columns: list[float] = []
            if skipped:
                for candidate in (column, target_column):
                    if all(free(r, candidate - 3, candidate + 3, ignore=(own,)) for r in skipped):
                        columns = [candidate] * len(skipped)
                        break
                if not columns:
                    suggested_at = {p.rank: p.cross for p in placement.passages.get(spec.id, [])}
                    current = column
                    for r in skipped:
                        if not free(r, current - 3, current + 3, ignore=(own,)):
                            suggested = suggested_at.get(r, current)
                            current = suggested if free(r, suggested - 3, suggested + 3, ignore=(own,)) else nearest_free(r, suggested, own)
                        columns.append(current)
                _claim(occupied, spec.id, list(zip(skipped, columns)))
            path = [column] + columns + [target_column]
            arrived[spec.id] = path[-2]
            for k in range(len(path) - 1):
                gap = s.rank + k
                a, b = path[k], path[k + 1]
                if abs(a - b) > 0.5:
                    gap_runs.setdefault(gap, []).append(_Seg(spec.id, a, b, True, False))
                    index = len(gap_runs[gap]) - 1
                    plan += [("track", a, gap, index), ("track", b, gap, index)]
            plan.append(("port", False))
            plans[spec.id] = plan

        approach = arrived

    # 4. tracks per gap, then the gaps' sizes
    tracks_in: dict[int, int] = {gap: _assign_tracks(runs) for gap, runs in gap_runs.items()}
    label_zone: dict[int, float] = {}
    for spec in specs:
        if spec.label and sides[spec.id][0] == "bottom":
            w, h = spec.label if direction == "TB" else (spec.label[1], spec.label[0])
            gap = items[spec.source].rank
            label_zone[gap] = max(label_zone.get(gap, 0.0), h + 2 * LABEL_GAP)
    rank_size = [0.0] * rank_count
    for name, item in items.items():
        rank_size[item.rank] = max(rank_size[item.rank], ext[name][1])
    gaps: dict[int, float] = {}
    for gap in range(-1, rank_count):
        tracks = tracks_in.get(gap, 0)
        # a label sits beside the start of its flow, the first track runs just under it
        labelled = label_zone.get(gap, 0.0)
        need = _first_track(labelled) + (tracks - 1) * TRACK_STEP + GAP_MARGIN if tracks else max(STRAIGHT_GAP, labelled)
        inner = 0 <= gap < rank_count - 1  # between two ranks; the outer gaps exist only when used
        gaps[gap] = max(rank_gap or MIN_GAP, need) if inner else (need if tracks or gap in label_zone else 0.0)
    rank_main: list[float] = []
    cursor = start_main + gaps[-1] + (GAP_MARGIN if gaps[-1] == 0 else 0.0)
    gap_top: dict[int, float] = {-1: start_main}
    for r in range(rank_count):
        rank_main.append(round(cursor + rank_size[r] / 2, 2))
        cursor += rank_size[r]
        gap_top[r] = cursor
        cursor += gaps.get(r, 0.0)
    length = cursor + GAP_MARGIN
    for item in items.values():
        item.main = rank_main[item.rank]

    def track_main(gap: int, index: int) -> float:
        seg = gap_runs[gap][index]
        return round(gap_top[gap] + _first_track(label_zone.get(gap, 0.0)) + seg.track * TRACK_STEP, 2)

    # 5. points
    def port_point(port: _Port) -> Point:
        item = items[port.item]
        dx, dy = _outline_offset(types.get(port.item, "step"), item.width, item.height, PAGE_SIDE[direction][port.side], port.offset)
        if direction == "TB":
            return (round(item.cross + dx, 2), round(item.main + dy, 2))
        return (round(item.cross + dy, 2), round(item.main + dx, 2))

    routed: dict[str, Routed] = {}
    for spec in specs:
        sp, tp = port_of[(spec.id, True)], port_of[(spec.id, False)]
        start, end = port_point(sp), port_point(tp)
        plan = plans[spec.id]
        if plan == ["self"]:
            reach = start[0] + STUB + 4
            points = [start, (reach, start[1]), (reach, end[1]), end]
        else:
            points = []
            for step in plan:
                if step[0] == "port":
                    points.append(start if step[1] else end)
                elif step[0] == "at-port-main":
                    points.append((step[1], start[1] if step[2] else end[1]))
                else:
                    _, cross, gap, index = step
                    points.append((cross, track_main(gap, index)))
            points = _snap_ends([(round(c, 2), round(m, 2)) for c, m in points])
            points = _orthogonal(points)
        routed[spec.id] = Routed(points, sides[spec.id][0], sides[spec.id][1])

    # 6. a jog too short to read (a step a few points off the line into it) goes: one of the two
    # ports slides along its side, where that side has room and nothing else is drawn on the way
    def along(a: Point, b: Point) -> bool:
        return abs(a[0] - b[0]) < 0.01 and abs(a[1] - b[1]) > 0.01

    for spec in specs:
        points = routed[spec.id].points
        if spec.loop or len(points) < 4:
            continue
        # a short jog just before the target (the last three segments: along, across, along),
        # or just after the source (the first three)
        ends = []
        if along(points[-3], points[-4]) and along(points[-2], points[-1]) and 0.01 < abs(points[-3][0] - points[-2][0]) < SHORT_JOG:
            ends.append((port_of[(spec.id, False)], points[-3][0]))
        if along(points[0], points[1]) and along(points[2], points[3]) and 0.01 < abs(points[1][0] - points[2][0]) < SHORT_JOG:
            ends.append((port_of[(spec.id, True)], points[3][0]))
        for port, column in ends:
            offset = round(port.offset + column - port_cross(port), 2)
            low, high = port_range(port.item, port.side)
            neighbours = [p.offset for p in ports[(port.item, port.side)] if p is not port]
            if not low - 0.01 <= offset <= high + 0.01 or any(abs(offset - other) < SHORT_JOG for other in neighbours):
                continue
            moved = port_point(_Port(port.flow, port.item, port.side, port.outgoing, port.key, offset))
            if abs(moved[0] - column) > 0.01:
                continue
            if port.outgoing:  # the source's port moves under the line the flow goes on with
                straight = [moved, points[3]]
                kept = points[3:]
            else:
                straight = [points[-4], moved]
                kept = points[:-3]
            if not _clear(routed, spec.id, *straight):
                continue
            port.offset = offset
            new_points = [moved] + kept if port.outgoing else kept + [moved]
            routed[spec.id] = Routed(_orthogonal(new_points), sides[spec.id][0], sides[spec.id][1])
            break
    return Routing(routed, rank_main, rank_size, length, gaps)


def _free(occupied: dict[int, list[tuple[float, float, str]]], rank: int, low: float, high: float, ignore: tuple[str, ...] = ()) -> bool:
    """Nothing in the rank (but `ignore`) comes within CLEAR of the span low..high."""
    return all(b + CLEAR <= low or a - CLEAR >= high for a, b, who in occupied.get(rank, ()) if who not in ignore)


def _clear(routed: dict[str, Routed], own: str, a: Point, b: Point) -> bool:
    """The segment a-b (along the flow) crosses and touches no other flow."""
    x = a[0]
    y0, y1 = sorted((a[1], b[1]))
    for fid, flow in routed.items():
        if fid == own:
            continue
        for (p0, p1), (q0, q1) in zip(flow.points, flow.points[1:]):
            if abs(p1 - q1) < 0.01:  # across
                if min(p0, q0) - CLEAR < x < max(p0, q0) + CLEAR and y0 - 0.5 < p1 < y1 + 0.5:
                    return False
            elif abs(p0 - x) < CLEAR and min(p1, q1) < y1 and max(p1, q1) > y0:
                return False
    return True


def _first_track(label_zone: float) -> float:
    """From the top of a gap to its first track: room for an arrowhead, or for the labels that sit
    at the top of the gap (a label's zone holds the label and its gaps above and below)."""
    return max(GAP_MARGIN, label_zone)


def _decision_sides(items: dict[str, Item], specs: list[FlowSpec], types: dict[str, str], ext: dict[str, tuple[float, float]]) -> dict[str, str]:
    """The side each of a decision's branches leaves from, but for the one that leaves forward:
    the first branch, unless its target lies off to the side while another branch's target lies
    straight ahead (then that one goes straight on and no two branches cross). The others go to
    the side their target lies on; two of them, one each side."""
    out_flows: dict[str, list[FlowSpec]] = {}
    for spec in specs:
        if not spec.loop and spec.source != spec.target:
            out_flows.setdefault(spec.source, []).append(spec)
    sides: dict[str, str] = {}
    every_out: dict[str, list[FlowSpec]] = {}
    for spec in specs:
        every_out.setdefault(spec.source, []).append(spec)
    for name, group in list(out_flows.items()):
        flat = [sp for sp in group if items[sp.target].rank == items[name].rank]
        for sp in flat:  # a hand-off on the same rank leaves sideways, toward its target
            sides[sp.id] = "right" if items[sp.target].cross > items[name].cross else "left"
        out_flows[name] = [sp for sp in group if sp not in flat]
    for name, group in out_flows.items():
        if types.get(name) != "decision" or not group:
            continue
        source = items[name]
        half = ext[name][0] / 2
        first = next((sp for sp in group if sp.first_branch), group[0])
        ahead = [sp for sp in group if abs(items[sp.target].cross - source.cross) < half * 0.5]
        if abs(items[first.target].cross - source.cross) >= half and ahead:
            first = min(ahead, key=lambda sp: (abs(items[sp.target].cross - source.cross), sp.id))
        taken = {sides[sp.id] for sp in every_out.get(name, ()) if sp.id in sides}
        others = sorted((sp for sp in group if sp is not first), key=lambda sp: (items[sp.target].cross, sp.id))
        if taken and len(others) == 1:
            left_free = {"left", "right"} - taken
            if left_free:
                sides[others[0].id] = left_free.pop()  # the side a flat hand-off left free
        if len(others) == 2:
            sides[others[0].id], sides[others[1].id] = "left", "right"
        elif len(others) > 2:
            for index, sp in enumerate(others):
                sides[sp.id] = "left" if index < len(others) / 2 else "right"
        for sp in others:
            # beside the branch that goes straight on: left of it when its target lies left of that one's
            pivot = items[first.target].cross if abs(items[first.target].cross - source.cross) < half else source.cross
            sides.setdefault(
                sp.id,
                "left" if items[sp.target].cross < pivot - 1 or (abs(items[sp.target].cross - pivot) <= 1 and pivot > source.cross) else "right",
            )
    return sides


def _straighten(placement: Placement, specs: list[FlowSpec], branch_side: dict[str, str], ext: dict[str, tuple[float, float]]) -> None:
    """Rank by rank, move a step that has one flow in, from straight above it, under that flow's
    exit when there is room in its rank and lane: chains come out as straight lines, not jogs."""
    items = placement.items
    incoming: dict[str, list[FlowSpec]] = {}
    bottom_out: dict[str, list[FlowSpec]] = {}
    for spec in specs:
        if spec.loop or spec.source == spec.target:
            continue
        incoming.setdefault(spec.target, []).append(spec)
        if spec.id not in branch_side:
            bottom_out.setdefault(spec.source, []).append(spec)
    spacing = 2 * CLEAR + 8
    for members in placement.ranks:
        for name in members:
            flows = incoming.get(name, [])
            if len(flows) != 1:
                continue
            flow = flows[0]
            source = items[flow.source]
            if source.rank != items[name].rank - 1 or flow.id in branch_side or len(bottom_out.get(flow.source, [])) != 1:
                continue
            item = items[name]
            want = source.cross
            half = ext[name][0] / 2
            low, high = placement.lane_span.get(item.lane, (want - half, want + half))
            if want - half < low - 0.01 or want + half > high + 0.01:
                continue
            clash = False
            for other in members:
                if other == name:
                    continue
                o_half = ext[other][0] / 2
                if abs(items[other].cross - want) < half + o_half + spacing:
                    clash = True
                    break
            for found in placement.passages.values():
                for passage in found:
                    if passage.rank == item.rank and abs(passage.cross - want) < half + spacing:
                        clash = True
            if not clash:
                item.cross = want
        members.sort(key=lambda n: items[n].cross)


def _room(step_type: str, item: Item, direction: str, side: str) -> float:
    return _side_room(step_type, item.width, item.height, PAGE_SIDE[direction][side])


# Sizes repeat across a chart and across the untangling search's tries: each symbol's geometry is
# worked out once per size, side and offset.
@lru_cache(maxsize=4096)
def _side_room(step_type: str, width: float, height: float, page_side: str) -> float:
    return side_room(step_type, Box(0, 0, width, height), page_side)


@lru_cache(maxsize=16384)
def _outline_offset(step_type: str, width: float, height: float, page_side: str, offset: float) -> Point:
    """Where a port lies on a symbol's outline, from the symbol's centre."""
    x, y = outline_point(step_type, Box(-width / 2, -height / 2, width, height), page_side, offset)
    return (x, y)


def _claim(occupied: dict[int, list[tuple[float, float, str]]], fid: str, columns: list[tuple[int, float]]) -> None:
    """A flow's passages move to the columns it took."""
    who = "~" + fid
    for rank in {r for r, _ in columns}:  # a flow passes only the ranks it skips
        occupied[rank] = [entry for entry in occupied[rank] if entry[2] != who]
    for rank, cross in columns:
        occupied[rank].append((cross - PASSAGE_WIDTH / 2, cross + PASSAGE_WIDTH / 2, who))


def _snap_ends(points: list[Point]) -> list[Point]:
    """A port a hair off the line that reaches it moves onto the line (it slides along its side),
    rather than the flow taking a jog too short to see."""
    if len(points) >= 2:
        (ax, ay), (bx, by) = points[-2], points[-1]
        if 0.01 < abs(ax - bx) < 2.0 and abs(ay - by) >= 2.0:
            points[-1] = (ax, by)
    if len(points) >= 3:
        (ax, ay), (bx, by) = points[0], points[1]
        if 0.01 < abs(ax - bx) < 2.0 and abs(ay - by) >= 2.0:
            points[0] = (bx, ay)
    return points


def _orthogonal(points: list[Point]) -> list[Point]:
    """Make the polyline strictly orthogonal: a diagonal step (a port on a slanted outline, a
    column that moved) gets a corner; repeated and collinear points go."""
    out: list[Point] = [points[0]]
    for point in points[1:]:
        last = out[-1]
        if abs(point[0] - last[0]) < 0.01 and abs(point[1] - last[1]) < 0.01:
            continue
        if abs(point[0] - last[0]) > 0.01 and abs(point[1] - last[1]) > 0.01:
            out.append((last[0], point[1]))  # a corner: along the flow first, then across
        out.append(point)
    cleaned: list[Point] = [out[0]]
    for index in range(1, len(out) - 1):
        a, b, c = cleaned[-1], out[index], out[index + 1]
        if (abs(a[0] - b[0]) < 0.01 and abs(b[0] - c[0]) < 0.01) or (abs(a[1] - b[1]) < 0.01 and abs(b[1] - c[1]) < 0.01):
            continue
        cleaned.append(b)
    cleaned.append(out[-1])
    return cleaned


def _assign_tracks(runs: list[_Seg]) -> int:
    """Put overlapping runs on different tracks, ordered to cross few vertical ends; returns the
    number of tracks. A run 'above' another is on a smaller track."""
    if not runs:
        return 0
    n = len(runs)
    above: dict[int, set[int]] = {i: set() for i in range(n)}  # i -> runs that must be below i
    pairs = []
    for i in range(n):
        for j in range(i + 1, n):
            a, b = runs[i], runs[j]
            if a.high + TRACK_STEP * 0.6 < b.low or b.high + TRACK_STEP * 0.6 < a.low:
                continue
            i_over = _crossings(a, b)
            j_over = _crossings(b, a)
            pairs.append((abs(i_over - j_over), i, j, i_over <= j_over))
    # hard: a run that goes on down from a column must lie below a run that comes down into the
    # same column, or their two vertical pieces would be drawn on top of each other
    for i in range(n):
        for j in range(n):
            if i != j and _feeds(runs[i], runs[j]) and not _reaches(above, j, i):
                above[i].add(j)
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    for _, i, j, i_first in pairs:
        first, second = (i, j) if i_first else (j, i)
        if not _reaches(above, second, first):
            above[first].add(second)
        else:
            above[second].add(first)
    depth = [0] * n
    for node in _topological(above, n):
        for below in above[node]:
            depth[below] = max(depth[below], depth[node] + 1)
    for index, run in enumerate(runs):
        run.track = depth[index]
    return 1 + max(depth)


def _feeds(upper: _Seg, lower: _Seg) -> bool:
    """`upper` comes down into a column (an end going up) that `lower` leaves downward."""
    ups = [x for x, up in ((upper.a, upper.up_at_a), (upper.b, upper.up_at_b)) if up]
    downs = [x for x, up in ((lower.a, lower.up_at_a), (lower.b, lower.up_at_b)) if not up]
    return any(abs(x - y) < 1.0 for x in ups for y in downs)


def _crossings(top: _Seg, bottom: _Seg) -> int:
    """Crossings when `top` runs on a track above `bottom`: top's ends that go down cross bottom's
    run, bottom's ends that go up cross top's run."""
    count = 0
    for x, up in ((top.a, top.up_at_a), (top.b, top.up_at_b)):
        if not up and bottom.low < x < bottom.high:
            count += 1
    for x, up in ((bottom.a, bottom.up_at_a), (bottom.b, bottom.up_at_b)):
        if up and top.low < x < top.high:
            count += 1
    return count


def _reaches(graph: dict[int, set[int]], start: int, goal: int) -> bool:
    stack, seen = [start], {start}
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        for nxt in graph[node]:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False


def _topological(graph: dict[int, set[int]], n: int) -> list[int]:
    indegree = [0] * n
    for node in range(n):
        for nxt in graph[node]:
            indegree[nxt] += 1
    ready = [node for node in range(n) if indegree[node] == 0]
    order = []
    while ready:
        node = ready.pop(0)
        order.append(node)
        for nxt in sorted(graph[node]):
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                ready.append(nxt)
    return order


def place_labels(
    routing: Routing,
    specs: list[FlowSpec],
    boxes: dict[str, tuple[float, float, float, float]],
    *,
    direction: str,
    bounds: tuple[float, float] | None = None,
) -> int:
    """Put each flow's label beside the first segment of its flow, next to the exit, on the first
    spot that touches no step, no other flow and no other label (else the least crowded one,
    trying spots beside the flow's later segments too). Boxes and labels are in flow space:
    (cross0, main0, cross1, main1). A grid index keeps this linear in the size of the chart.
    Returns how many labels found no clear spot."""
    crowded = 0
    index = _Grid()
    for fid, flow in routing.flows.items():
        for a, b in zip(flow.points, flow.points[1:]):
            index.add((min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])), ("flow", fid, a, b))
    for name, box in boxes.items():
        index.add(box, ("box", name, box))
    for spec in specs:
        if not spec.label:
            continue
        flow = routing.flows[spec.id]
        w, h = spec.label if direction == "TB" else (spec.label[1], spec.label[0])
        (c0, m0), (c1, m1) = flow.points[0], flow.points[1]
        own = boxes[spec.source]
        g = LABEL_GAP
        if abs(c0 - c1) < 0.01:  # leaves along the flow (down in flow space)
            sign = 1 if m1 >= m0 else -1
            top = own[3] + g if sign > 0 else own[1] - g - h
            candidates = [(c0 + g, top), (c0 - g - w, top)]
        else:  # leaves sideways
            sign = 1 if c1 >= c0 else -1
            left = own[2] + g if sign > 0 else own[0] - g - w
            candidates = [(left, m0 - g - h), (left, m0 + g)]
        if abs(c0 - c1) < 0.01:  # further down the first segment
            run = abs(m1 - m0)
            step = h + g
            candidates += [(cross, main + sign * step * k) for k in range(1, int(run // step) + 1) for cross, main in candidates[:2]]
        else:  # further along the first segment, above or below it
            for share in (0.25, 0.5, 0.75):
                mid = c0 + (c1 - c0) * share - w / 2
                candidates += [(mid, m0 - g - h), (mid, m0 + g)]
        for (a0, a1), (b0, b1) in zip(flow.points[1:], flow.points[2:]):  # further along, beside each later segment
            if abs(a0 - b0) < 0.01:
                mid = (a1 + b1) / 2 - h / 2
                candidates += [(a0 + g, mid), (a0 - g - w, mid)]
            else:
                for share in (0.5, 0.25, 0.75):
                    mid = a0 + (b0 - a0) * share - w / 2
                    candidates += [(mid, a1 - g - h), (mid, a1 + g)]
        best, best_score = None, None
        for cross, main in candidates:
            box = (cross, main, cross + w, main + h)
            score = 0.0
            if bounds is not None and (box[0] < bounds[0] + 2 or box[2] > bounds[1] - 2):
                score += 0.5  # outside the lanes: the outer lane grows for it, but inside is better
            for entry in index.near(box):
                if entry[0] == "flow":
                    score += entry[1] != spec.id and _hits(box, entry[2], entry[3])
                else:  # on a step is worst, on another label next: a line under a plate still reads
                    score += (3 if entry[0] == "box" else 2) * _overlap(box, entry[2], 1.0)
            if best_score is None or score < best_score:
                best, best_score = box, score
            if score == 0:
                break
        assert best is not None and best_score is not None
        crowded += best_score >= 1
        flow.label_box = (round(best[0], 2), round(best[1], 2), round(best[2], 2), round(best[3], 2))
        index.add(best, ("label", spec.id, best))
    return crowded


class _Grid:
    """Things with a bounding box, found by the cells of a coarse grid they touch."""

    CELL = 96.0

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[tuple]] = {}
        self.count = 0

    def _keys(self, box: tuple[float, float, float, float]):
        c = self.CELL
        for i in range(int(box[0] // c), int(box[2] // c) + 1):
            for j in range(int(box[1] // c), int(box[3] // c) + 1):
                yield (i, j)

    def add(self, box: tuple[float, float, float, float], entry: tuple) -> None:
        self.count += 1
        tagged = (self.count,) + entry
        for key in self._keys(box):
            self.cells.setdefault(key, []).append(tagged)

    def near(self, box: tuple[float, float, float, float]) -> list[tuple]:
        seen: dict[int, tuple] = {}
        for key in self._keys(box):
            for tagged in self.cells.get(key, ()):
                seen[tagged[0]] = tagged[1:]
        return [seen[k] for k in sorted(seen)]


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float], margin: float) -> bool:
    return a[0] - margin < b[2] and b[0] < a[2] + margin and a[1] - margin < b[3] and b[1] < a[3] + margin


def _hits(box: tuple[float, float, float, float], a: Point, b: Point) -> bool:
    """An axis-parallel segment passes through the box (touching its edge does not count)."""
    x0, x1 = sorted((a[0], b[0]))
    y0, y1 = sorted((a[1], b[1]))
    if x1 - x0 > 0.01 and y1 - y0 > 0.01:
        return False
    return x0 < box[2] and box[0] < x1 + 0.01 and y0 < box[3] and box[1] < y1 + 0.01


def crossing_pairs(routing: Routing) -> list[tuple[str, str]]:
    """(flow running across, flow running along) for each time one flow's segment crosses
    another's (ends and touching do not count), in a stable order."""
    across: list[tuple[float, float, float, str]] = []  # y, x0, x1, flow  (flow space: main, cross range)
    along: list[tuple[float, float, float, str]] = []  # x, y0, y1, flow
    for fid, flow in routing.flows.items():
        for (a0, a1), (b0, b1) in zip(flow.points, flow.points[1:]):
            if abs(a1 - b1) < 0.01:
                across.append((a1, min(a0, b0), max(a0, b0), fid))
            else:
                along.append((a0, min(a1, b1), max(a1, b1), fid))
    grid: dict[int, list[tuple[float, float, float, str]]] = {}
    for segment in along:
        for cell in range(int(segment[1] // 96), int(segment[2] // 96) + 1):
            grid.setdefault(cell, []).append(segment)
    pairs = []
    for y, x0, x1, fid in across:  # a segment is in a cell once: each meets the run at most once
        for x, y0, y1, other in grid.get(int(y // 96), ()):
            if x0 + 0.5 < x < x1 - 0.5 and y0 + 0.5 < y < y1 - 0.5 and other != fid:
                pairs.append((fid, other))
    return pairs
