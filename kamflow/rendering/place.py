"""Placement: ranks and order from one Graphviz `dot -Tjson` run, coordinates from kamflow.

Everything here works in *flow space*: `main` runs along the flow (down in TB, right in LR) and
`cross` across it (right in TB, down in LR), so one algorithm serves both directions; `route.py`
and `scene.py` turn flow space back into page coordinates.

Graphviz is asked only for what it is good at: which rank each step goes in and the order of the
steps (and of the long flows passing between them) across each rank, with lanes as clusters. Loops
are left out of its graph: they are routed in a channel along their lane's side, not through the
ranks. kamflow then packs each lane to its own content, puts the lanes side by side in declared
order, and spaces the ranks by what the flows between them need (`route.py` says how much).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from kamflow.errors import RenderError

PASSAGE_WIDTH = 10.0  # cross room a long flow takes where it passes a rank
LANE_PAD = 14.0  # room between a lane's side and its content
CHANNEL_STEP = 10.0  # distance between neighbouring loop channels
CHANNEL_FIRST = 18.0  # from a lane's content to its innermost loop channel (room for an arrowhead)
NODESEP = 0.45  # inches between neighbours in a rank (room for side exits and labels)


@dataclass
class Item:
    """A step or ghost to place: its real size and, once placed, its centre in flow space."""

    id: str
    lane: str | None
    width: float  # real width and height
    height: float
    rank: int = 0
    cross: float = 0.0  # centre, flow space
    main: float = 0.0

    def extent(self, direction: str) -> tuple[float, float]:
        """(cross size, main size)."""
        return (self.width, self.height) if direction == "TB" else (self.height, self.width)


@dataclass
class Passage:
    """Where a long flow crosses a rank it does not stop in."""

    flow: str
    rank: int
    cross: float
    lane: str | None


@dataclass
class Placement:
    direction: str
    items: dict[str, Item]
    ranks: list[list[str]]  # item ids per rank, in cross order
    passages: dict[str, list[Passage]]  # flow id -> its passages in rank order
    lanes: list[str | None]  # band ids in declared order; [None] without lanes
    lane_span: dict[str | None, tuple[float, float]] = field(default_factory=dict)  # content cross range per lane
    band: dict[str | None, tuple[float, float]] = field(default_factory=dict)  # band cross range per lane
    channels: dict[tuple[str | None, str], int] = field(default_factory=dict)  # (lane, side) -> loop channel count


def rank_and_order(
    dot_source: str, items: dict[str, Item], forward: list[tuple[str, str, str]], *, direction: str, timeout: float
) -> tuple[dict[str, float], dict[str, list[tuple[float, float]]], dict[str, tuple[float, float]]]:
    """Run dot once: (cross position of each item in Graphviz's frame, the polyline of each
    forward flow in flow space, cluster cross ranges per lane). Ranks come from main positions."""
    from kamflow.rendering.graphviz_run import render_bytes

    raw = render_bytes(dot_source, ("json",), timeout=timeout)["json"]
    try:
        data = json.loads(raw.decode("utf-8"), strict=False)
    except ValueError as error:
        raise RenderError(f"Graphviz returned a layout kamflow cannot read: {error}") from None
    tb = direction == "TB"

    def flow_space(x: float, y: float) -> tuple[float, float]:
        return (x, -y) if tb else (-y, x)  # (cross, main); Graphviz's y grows upward

    names: dict[int, str] = {}
    position: dict[str, tuple[float, float]] = {}
    clusters: dict[str, tuple[float, float]] = {}
    for obj in data.get("objects", []):
        name = obj.get("name", "")
        names[obj.get("_gvid")] = name
        if "bb" in obj and name.startswith("cluster_lane_"):
            x0, y0, x1, y1 = (float(v) for v in obj["bb"].split(","))
            a, b = flow_space(x0, y0)[0], flow_space(x1, y1)[0]
            clusters[name[len("cluster_lane_") :]] = (min(a, b), max(a, b))
        elif "pos" in obj and name in items:
            x, y = (float(v) for v in obj["pos"].split(",")[:2])
            position[name] = flow_space(x, y)
    missing = [name for name in items if name not in position]
    if missing:
        raise RenderError(f"Graphviz placed no node for step(s) {', '.join(missing)}")
    lines: dict[str, list[tuple[float, float]]] = {}
    by_pair = {(s, t): fid for fid, s, t in forward}
    for edge in data.get("edges", []):
        pair = (names.get(edge.get("tail")), names.get(edge.get("head")))
        fid = by_pair.get(pair)  # type: ignore[arg-type]
        if fid is None:
            continue
        for op in edge.get("_draw_", []):
            if op.get("op") == "b":
                lines[fid] = _sample([flow_space(px, py) for px, py in op["points"]])
    # ranks: items sharing a main position (dot centres each rank on one line)
    levels = sorted({round(main, 1) for _, main in position.values()})
    index = {level: i for i, level in enumerate(levels)}
    for name, item in items.items():
        cross, main = position[name]
        item.rank = index[round(main, 1)]
        item.cross = cross
        item.main = main
    return {name: position[name][0] for name in items}, lines, clusters


def _sample(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """A cubic B-spline's control points (as Graphviz gives them) as a polyline."""
    out = [points[0]]
    for i in range(0, len(points) - 3, 3):
        p0, p1, p2, p3 = points[i : i + 4]
        for k in range(1, 9):
            t = k / 8
            u = 1 - t
            out.append(
                (
                    u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                    u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
                )
            )
    return out


def cross_at(line: list[tuple[float, float]], main: float) -> float | None:
    """Where a polyline in flow space crosses the given main position."""
    for (c0, m0), (c1, m1) in zip(line, line[1:]):
        if min(m0, m1) <= main <= max(m0, m1) and m0 != m1:
            return c0 + (c1 - c0) * (main - m0) / (m1 - m0)
    return None


def compact_ranks(items: dict[str, Item], forward: list[tuple[str, str, str]], lanes: list[str | None]) -> set[str]:
    """Swimlane ranks: a hand-off to another lane goes sideways on the same rank, as in a BPMN
    or Visio swimlane chart, when the step handed to has no other way in, its lane is free on
    that rank and so are the lanes between; every other flow goes one rank down. Longest-path
    layering over Graphviz's order (ties by its rank, then across). Returns the flows made flat."""
    index = {lane: i for i, lane in enumerate(lanes)}
    preds: dict[str, list[tuple[str, str]]] = {name: [] for name in items}
    succs: dict[str, list[str]] = {name: [] for name in items}
    for fid, source, target in forward:
        preds[target].append((fid, source))
        succs[source].append(target)
    order = sorted(items, key=lambda name: (items[name].rank, items[name].cross, name))
    indegree = {name: len(preds[name]) for name in items}
    ready = [name for name in order if indegree[name] == 0]
    position = {name: i for i, name in enumerate(order)}
    rank: dict[str, int] = {}
    cells: dict[tuple[str | None, int], int] = {}  # (lane, rank) -> steps in it
    closed: set[tuple[str | None, int]] = set()  # cells a flat flow runs through or ends in: nothing more goes there
    flat: set[str] = set()
    flat_sides: set[tuple[str, int]] = set()  # (step, direction across) already used by a flat flow
    while ready:
        ready.sort(key=lambda name: position[name])
        name = ready.pop(0)
        item = items[name]
        here = preds[name]
        chosen = max((rank[source] + 1 for _, source in here), default=0)
        made_flat = False
        if len(here) == 1:
            fid, source = here[0]
            a, b = index.get(items[source].lane, 0), index.get(item.lane, 0)
            r = rank[source]
            toward = 1 if b > a else -1
            between = [(lanes[m], r) for m in range(min(a, b) + 1, max(a, b))]
            clear = a != b and (item.lane, r) not in cells and (item.lane, r) not in closed and (source, toward) not in flat_sides
            clear = clear and cells.get((items[source].lane, r), 0) == 1  # alone in its cell: nothing beside it in the way
            clear = clear and all(cell not in cells and cell not in closed for cell in between)
            if clear:
                chosen, made_flat = r, True
                flat.add(fid)
                flat_sides.add((source, toward))
                flat_sides.add((name, -toward))
                closed.update(between + [(item.lane, r), (items[source].lane, r)])
        while not made_flat and (item.lane, chosen) in closed:
            chosen += 1
        rank[name] = chosen
        cells[(item.lane, chosen)] = cells.get((item.lane, chosen), 0) + 1
        for nxt in succs[name]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                ready.append(nxt)
    for name in items:  # anything a cycle kept out (none: forward flows form a DAG) stays where it was
        items[name].rank = rank.get(name, items[name].rank)
    return flat


def find_passages(
    items: dict[str, Item], forward: list[tuple[str, str, str]], lines: dict[str, list[tuple[float, float]]], clusters: dict[str, tuple[float, float]]
) -> dict[str, list[Passage]]:
    """Where each forward flow that skips ranks crosses them, as Graphviz routed it."""
    level_main: dict[int, float] = {}
    for item in items.values():
        level_main.setdefault(item.rank, item.main)
    passages: dict[str, list[Passage]] = {}
    for fid, source, target in forward:
        low, high = items[source].rank, items[target].rank
        if high - low < 2 or fid not in lines:
            continue
        found = []
        for rank in range(low + 1, high):
            cross = cross_at(lines[fid], level_main.get(rank, 0.0))
            if cross is None:
                break
            found.append(Passage(fid, rank, cross, _lane_at(cross, clusters, items[source].lane, items[target].lane)))
        if len(found) == high - low - 1:
            passages[fid] = found
    return passages


def pack(
    items: dict[str, Item],
    passages: dict[str, list[Passage]],
    lanes: list[str | None],
    *,
    direction: str,
    channels: dict[tuple[str | None, str], int],
    header_cross: Callable[[str | None, float], float],
    lane_pad: float | None = None,
    columns: bool = True,
    spaced: tuple[tuple[str, str, float], ...] | list[tuple[str, str, float]] = (),
) -> Placement:
    """Each lane packed to its own content (plus its loop channels on each side, and at least as
    wide as its header needs), the lanes side by side in declared order, no gaps between bands.
    `spaced`: (source, target, room) of flows straight across to a neighbouring lane that need
    that much room between the two steps (for their label); the source's lane grows on that side
    by what is missing."""
    count = 1 + max((item.rank for item in items.values()), default=0)
    if columns:
        _columns(items, passages, direction)
    else:
        _separate(items, passages, direction)
    content: dict[str | None, list[tuple[float, float]]] = {lane: [] for lane in lanes}
    for item in items.values():
        half = item.extent(direction)[0] / 2
        content.setdefault(item.lane, []).append((item.cross - half, item.cross + half))
    for found in passages.values():
        for passage in found:
            content.setdefault(passage.lane, []).append((passage.cross - PASSAGE_WIDTH / 2, passage.cross + PASSAGE_WIDTH / 2))
    pad = LANE_PAD if lane_pad is None else lane_pad
    bounds = {lane: (min(r[0] for r in ranges), max(r[1] for r in ranges)) for lane, ranges in content.items() if ranges}
    position = {lane: i for i, lane in enumerate(lanes)}
    room: dict[tuple[str | None, str], float] = {}
    for source, target, need in spaced:
        s, t = items[source], items[target]
        a, b = position.get(s.lane, 0), position.get(t.lane, 0)
        if abs(a - b) != 1:
            continue  # a lane between them leaves room enough
        s_half, t_half = s.extent(direction)[0] / 2, t.extent(direction)[0] / 2
        if b > a:
            side, far = "right", "left"
            natural = (bounds[s.lane][1] - s.cross - s_half) + (t.cross - t_half - bounds[t.lane][0])
        else:
            side, far = "left", "right"
            natural = (s.cross - s_half - bounds[s.lane][0]) + (bounds[t.lane][1] - t.cross - t_half)
        natural += 2 * pad + _channel_room(channels.get((s.lane, side), 0)) + _channel_room(channels.get((t.lane, far), 0))
        if natural < need:
            room[(s.lane, side)] = max(room.get((s.lane, side), 0.0), need - natural)
    shift: dict[str | None, float] = {}
    band: dict[str | None, tuple[float, float]] = {}
    span: dict[str | None, tuple[float, float]] = {}
    cursor = 0.0
    for lane in lanes:
        ranges = content.get(lane) or [(0.0, 0.0)]
        low, high = min(r[0] for r in ranges), max(r[1] for r in ranges)
        left = _channel_room(channels.get((lane, "left"), 0)) + room.get((lane, "left"), 0.0)
        right = _channel_room(channels.get((lane, "right"), 0)) + room.get((lane, "right"), 0.0)
        width = (high - low) + 2 * pad + left + right
        extra = max(0.0, header_cross(lane, high - low) - width)
        start = cursor + pad + left + extra / 2
        shift[lane] = start - low
        span[lane] = (round(start, 2), round(start + high - low, 2))
        band[lane] = (round(cursor, 2), round(cursor + width + extra, 2))
        cursor += width + extra
    for item in items.values():
        item.cross = round(item.cross + shift[item.lane], 2)
    for found in passages.values():
        for passage in found:
            passage.cross = round(passage.cross + shift[passage.lane], 2)
    ranks: list[list[str]] = [[] for _ in range(count)]
    for name, item in items.items():
        ranks[item.rank].append(name)
    for members in ranks:
        members.sort(key=lambda name: items[name].cross)
    return Placement(direction, items, ranks, passages, lanes, span, band, dict(channels))


ITEM_GAP = 32.0  # between neighbours in one rank of one lane


def row_width(widths: list[float]) -> float:
    """Cross size of steps side by side in one rank of one lane."""
    return sum(widths) + ITEM_GAP * (len(widths) - 1)


def _lane_rows(
    items: dict[str, Item], passages: dict[str, list[Passage]], direction: str
) -> dict[tuple[str | None, int], list[tuple[float, float, object]]]:
    """(lane, rank) -> (cross position, width, step or passage) of everything in that row of a lane."""
    rows: dict[tuple[str | None, int], list[tuple[float, float, object]]] = {}
    for item in items.values():
        rows.setdefault((item.lane, item.rank), []).append((item.cross, item.extent(direction)[0], item))
    for found in passages.values():
        for passage in found:
            rows.setdefault((passage.lane, passage.rank), []).append((passage.cross, PASSAGE_WIDTH, passage))
    return rows


def _columns(items: dict[str, Item], passages: dict[str, list[Passage]], direction: str) -> None:
    """Each lane becomes a column: a step alone in its rank of its lane sits on the lane's centre
    line, steps sharing a rank sit side by side around it in Graphviz's order. Flows within a lane
    then run straight, and a lane is as wide as its widest rank."""
    rows = _lane_rows(items, passages, direction)
    centre: dict[str | None, float] = {}
    for (lane, _), members in rows.items():
        centre.setdefault(lane, sorted(m[0] for m in members)[len(members) // 2])
    for (lane, _), members in sorted(rows.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        members.sort(key=lambda m: m[0])
        total = row_width([width for _, width, _ in members])
        x = centre[lane] - total / 2
        for _, width, thing in members:
            thing.cross = x + width / 2  # type: ignore[attr-defined]
            x += width + ITEM_GAP


def _separate(items: dict[str, Item], passages: dict[str, list[Passage]], direction: str) -> None:
    """Steps keep Graphviz's positions across the flow, but no two in one rank of one lane (or
    beside a long flow passing there) overlap: each is pushed on past its left neighbour. Ranks
    changed after Graphviz spaced them (hand-offs moved onto one rank), so this is needed."""
    rows = _lane_rows(items, passages, direction)
    for _, members in sorted(rows.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        members.sort(key=lambda m: m[0])
        edge = None
        for cross, width, thing in members:
            low = cross - width / 2
            if edge is not None and low < edge + ITEM_GAP:
                cross = edge + ITEM_GAP + width / 2
                thing.cross = cross  # type: ignore[attr-defined]
            edge = cross + width / 2


def _channel_room(count: int) -> float:
    return CHANNEL_FIRST + (count - 1) * CHANNEL_STEP if count else 0.0


def _lane_at(cross: float, clusters: dict[str, tuple[float, float]], *candidates: str | None) -> str | None:
    """The lane a passage sits in: the cluster that holds it, else the nearer of its flow's lanes."""
    for lane in candidates:
        if lane in clusters and clusters[lane][0] <= cross <= clusters[lane][1]:
            return lane
    for lane, (low, high) in clusters.items():
        if low <= cross <= high:
            return lane
    known = [lane for lane in candidates if lane in clusters]
    if not known:
        return candidates[0]
    return min(known, key=lambda lane: min(abs(cross - clusters[lane][0]), abs(cross - clusters[lane][1])))
