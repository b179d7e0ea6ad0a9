"""Compute a model.layout.Layout from Graphviz: the chart's DOT goes through `dot -Tjson` and the
positions come back as node boxes, edge polylines and lane bands (see kamflow/model/layout.py for
the coordinate system). Exporters that need geometry (BPMN DI, draw.io) get this value from the api.
"""
from __future__ import annotations

import json
import math

from kamflow.errors import RenderError
from kamflow.model.layout import Box, EdgePath, LaneBand, Layout, Point
from kamflow.model.process import Process
from kamflow.rendering.dot import build_dot
from kamflow.rendering.graphviz_run import render_bytes

POINTS_PER_INCH = 72.0
BAND_PADDING = 18.0  # space between a band's edge and the nearest node, across the flow
MARGIN = 12.0
# More room between ranks than the printed chart: BPMN needs space for joining gateways and labels.
_SPACING = '  graph [ranksep="1.4", nodesep="0.5"]\n'
_BEZIER_SAMPLES = 4  # points per cubic segment (t = 1/4 .. 1) when a spline becomes a polyline


def compute_layout(process: Process, *, direction: str | None = None, band_padding: float | None = None, timeout: float = 60.0) -> Layout:
    """Lay the process out with Graphviz `dot` and read the positions back. `band_padding` is the
    room between a lane band's border and its nearest step (default BAND_PADDING); exporters that
    put things beside steps (BPMN data objects) ask for more."""
    rankdir = direction or process.direction
    source = build_dot(process, direction=rankdir)
    closing = source.rstrip().rfind("}")
    source = source[:closing] + _SPACING + source[closing:]
    raw = render_bytes(source, ("json",), timeout=timeout)["json"]
    try:
        data = json.loads(raw.decode("utf-8"), strict=False)  # Graphviz copies control characters of labels as they are
    except ValueError as error:
        raise RenderError(f"Graphviz returned a layout kamflow cannot read: {error}") from None
    return layout_from_json(process, data, direction=rankdir, band_padding=BAND_PADDING if band_padding is None else band_padding)


def layout_from_json(process: Process, data: dict, *, direction: str, band_padding: float = BAND_PADDING) -> Layout:
    """Turn `dot -Tjson` output into a Layout: flip y, keep only the process's steps and flows, then
    stack the lanes into bands along the cross axis (the main axis keeps Graphviz's positions)."""
    top = _floats(data.get("bb", "0,0,0,0"))[3]
    flip = lambda x, y: (float(x), top - float(y))  # noqa: E731 - one formula, used everywhere below
    objects = data.get("objects", [])
    names = {obj.get("_gvid"): obj.get("name") for obj in objects}
    steps = process.steps_by_id
    nodes: dict[str, Box] = {}
    for obj in objects:
        name = obj.get("name")
        if name in steps and "pos" in obj:
            cx, cy = flip(*obj["pos"].split(",")[:2])
            width = float(obj.get("width", 0)) * POINTS_PER_INCH
            height = float(obj.get("height", 0)) * POINTS_PER_INCH
            nodes[name] = Box(cx - width / 2, cy - height / 2, width, height)
    missing = [step.id for step in process.steps if step.id not in nodes]
    if missing:
        raise RenderError(f"Graphviz placed no node for step(s) {', '.join(missing)}")

    pending: dict[tuple[str, str], list[int]] = {}
    for index, edge in enumerate(process.edges):
        if edge.target in steps:
            pending.setdefault((edge.source, edge.target), []).append(index)
    edges: list[EdgePath] = []
    for raw_edge in sorted(data.get("edges", []), key=lambda e: e.get("_gvid", 0)):
        pair = (names.get(raw_edge.get("tail")), names.get(raw_edge.get("head")))
        queue = pending.get(pair)
        if not queue:
            continue
        index = queue.pop(0)
        points = _edge_points(raw_edge.get("pos", ""), flip)
        if len(points) < 2:
            points = [nodes[pair[0]].center, nodes[pair[1]].center]
        label_at = flip(*raw_edge["lp"].split(",")[:2]) if raw_edge.get("lp") else None
        edges.append(EdgePath(index, pair[0], pair[1], tuple(points), label_at))
    edges.sort(key=lambda e: e.index)
    return _banded(process, direction, nodes, edges, band_padding)


def _floats(text: str) -> list[float]:
    return [float(part) for part in text.split(",")]


def _edge_points(pos: str, flip) -> list[Point]:
    """Graphviz edge `pos`: optional `s,x,y` / `e,x,y` arrow ends, then 3n+1 B-spline control points.
    The spline is sampled into a polyline; the arrow tip, when there is one, ends it."""
    start = end = None
    controls: list[Point] = []
    for part in pos.split():
        fields = part.split(",")
        if fields[0] == "e" and len(fields) == 3:
            end = flip(fields[1], fields[2])
        elif fields[0] == "s" and len(fields) == 3:
            start = flip(fields[1], fields[2])
        elif len(fields) == 2:
            controls.append(flip(fields[0], fields[1]))
    points: list[Point] = [start] if start else []
    if controls:
        points.append(controls[0])
        for i in range(0, len(controls) - 3, 3):
            p0, p1, p2, p3 = controls[i : i + 4]
            for step in range(1, _BEZIER_SAMPLES + 1):
                points.append(_bezier(p0, p1, p2, p3, step / _BEZIER_SAMPLES))
    if end:
        points.append(end)
    return [(round(x, 2), round(y, 2)) for x, y in points]


def _clamp(point: Point, cross: int, low: float, high: float) -> Point:
    """Keep a flow's bend inside the lane bands (Graphviz may route a long loop outside them)."""
    moved = list(point)
    moved[cross] = min(max(moved[cross], low), high)
    return (moved[0], moved[1])


def _bezier(p0: Point, p1: Point, p2: Point, p3: Point, t: float) -> Point:
    u = 1 - t
    a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
    return (a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1])




def _banded(process: Process, direction: str, nodes: dict[str, Box], edges: list[EdgePath], padding: float) -> Layout:
    """Stack the lanes along the cross axis (y for LR, x for TB) in lane order, each band as deep
    as its steps need, and move every step and flow with its band. The main-axis positions stay
    Graphviz's. A flow between two bands moves gradually from one band's shift to the other's."""
    cross = 1 if direction == "LR" else 0  # index of the cross-axis coordinate in a point
    lane_of = {step.id: (step.lane if step.lane in process.lanes_by_id else None) for step in process.steps}
    groups: list[str | None] = [lane.id for lane in process.lanes]
    if None in lane_of.values() or not groups:
        groups.append(None)

    def span(box: Box) -> tuple[float, float]:
        return (box.y, box.bottom) if cross else (box.x, box.right)

    extent: dict[str | None, tuple[float, float]] = {}
    for step_id, lane in lane_of.items():
        low, high = span(nodes[step_id])
        if lane in extent:
            low, high = min(low, extent[lane][0]), max(high, extent[lane][1])
        extent[lane] = (low, high)
    for path in edges:  # a flow that stays in its lane keeps its bends inside the band
        if lane_of[path.source] == lane_of[path.target]:
            low, high = extent[lane_of[path.source]]
            values = [p[cross] for p in path.points]
            extent[lane_of[path.source]] = (min([low] + values), max([high] + values))

    shift: dict[str | None, float] = {}
    bands: dict[str | None, tuple[float, float]] = {}
    cursor = MARGIN
    for group in groups:
        low, high = extent.get(group, (0.0, 40.0))  # an empty lane still gets a thin band
        depth = (high - low) + 2 * padding
        shift[group] = cursor + padding - low
        bands[group] = (cursor, depth)
        cursor += depth

    main_low = min([(b.x if cross else b.y) for b in nodes.values()] + [p[1 - cross] for e in edges for p in e.points])
    main_shift = MARGIN - main_low

    def move(point: Point, cross_shift: float) -> Point:
        moved = [point[0], point[1]]
        moved[cross] += cross_shift
        moved[1 - cross] += main_shift
        return (round(moved[0], 2), round(moved[1], 2))

    placed = {}
    for step_id, box in nodes.items():
        x, y = move((box.x, box.y), shift[lane_of[step_id]])
        placed[step_id] = Box(x, y, round(box.width, 2), round(box.height, 2))
    moved_edges = []
    for path in edges:
        start, stop = shift[lane_of[path.source]], shift[lane_of[path.target]]
        lengths = [0.0]
        for a, b in zip(path.points, path.points[1:]):
            lengths.append(lengths[-1] + math.dist(a, b))
        total = lengths[-1] or 1.0
        points = tuple(_clamp(move(p, start + (stop - start) * (run / total)), cross, MARGIN, cursor) for p, run in zip(path.points, lengths))
        label_at = move(path.label_at, (start + stop) / 2) if path.label_at else None
        moved_edges.append(EdgePath(path.index, path.source, path.target, points, label_at))

    main_high = max([(b.right if cross else b.bottom) for b in placed.values()] + [p[1 - cross] for e in moved_edges for p in e.points])
    main_length = main_high + MARGIN
    lanes = []
    for group in groups:
        start, depth = bands[group]
        box = Box(0.0, round(start, 2), round(main_length, 2), round(depth, 2)) if cross else Box(round(start, 2), 0.0, round(depth, 2), round(main_length, 2))
        lanes.append(LaneBand(group, box))
    total_cross = cursor + MARGIN
    width, height = (main_length, total_cross) if cross else (total_cross, main_length)
    return Layout(direction=direction, width=round(width, 2), height=round(height, 2), nodes=placed, edges=tuple(moved_edges), lanes=tuple(lanes))
