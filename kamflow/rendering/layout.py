"""Compute a model.layout.Layout for exporters that need geometry (BPMN DI, draw.io): the same
pipeline as the chart (kamflow's DOT, `geometry.lay_out` with lanes kept in declared order, flows
re-routed around steps) and the same lane bands (`svg.lane_bands`: full length along the flow,
split halfway between neighbouring lanes), so an exported diagram's lanes match the picture. The
export leaves more room between ranks and beside steps (BPMN needs space for joining gateways,
labels and data objects). See kamflow/model/layout.py for the coordinate system.
"""
from __future__ import annotations

from kamflow.model.layout import Box, EdgePath, LaneBand, Layout, Point
from kamflow.model.overlay import Overlay
from kamflow.model.process import Process
from kamflow.rendering.dot import UNASSIGNED, build_dot, lane_groups
from kamflow.rendering.geometry import Geometry

BAND_PADDING = 18.0  # space between a lane cluster's edge and its nearest step, across the flow
MARGIN = 12.0
# More room between ranks than the printed chart: BPMN needs space for joining gateways and labels.
_SPACING = '  graph [ranksep="1.4", nodesep="0.5"]\n'
_CLUSTER_MARGIN = "margin=10, peripheries=0"  # how build_dot pads a lane cluster
_BEZIER_SAMPLES = 4  # points per cubic segment when a spline becomes a polyline


def compute_layout(process: Process, *, direction: str | None = None, band_padding: float | None = None, timeout: float = 60.0) -> Layout:
    """Lay the process out with Graphviz `dot` as the chart does and read the positions back.
    `band_padding` is the room between a lane's cluster and its nearest step (default
    BAND_PADDING); exporters that put things beside steps (BPMN data objects) ask for more."""
    from kamflow.rendering.detour import fix_crossings
    from kamflow.rendering.geometry import lay_out

    rankdir = direction or process.direction
    padding = BAND_PADDING if band_padding is None else band_padding
    source = build_dot(process, direction=rankdir)
    source = source.replace(_CLUSTER_MARGIN, f"margin={padding:g}, peripheries=0")
    closing = source.rstrip().rfind("}")
    source = source[:closing] + _SPACING + source[closing:]
    lanes = [lane for lane, _ in lane_groups(process, Overlay())]
    geometry = lay_out(source, lanes, rankdir, timeout=timeout)
    geometry = fix_crossings(geometry, {step.id for step in process.steps})
    return layout_from_geometry(process, geometry, direction=rankdir)


def layout_from_geometry(process: Process, geometry: Geometry, *, direction: str) -> Layout:
    """The chart's geometry as a Layout: the process's steps and flows (flows as polylines from
    the source's outline to the arrow tip on the target's), and the chart's lane bands, cropped
    along the flow to what the steps and flows use and moved to start at MARGIN."""
    from kamflow.errors import RenderError
    from kamflow.rendering.detour import path_points
    from kamflow.rendering.svg import lane_bands

    cross = 0 if direction == "TB" else 1  # index of the cross-axis coordinate in a point
    steps = process.steps_by_id
    missing = [step.id for step in process.steps if step.id not in geometry.nodes]
    if missing:
        raise RenderError(f"Graphviz placed no node for step(s) {', '.join(missing)}")
    boxes = {sid: Box(n.cx - n.width / 2, n.cy - n.height / 2, n.width, n.height) for sid, n in geometry.nodes.items() if sid in steps}

    pending: dict[tuple[str, str], list[int]] = {}
    for index, edge in enumerate(process.edges):
        if edge.target in steps:
            pending.setdefault((edge.source, edge.target), []).append(index)
    paths: list[tuple[int, str, str, list[Point], Point | None]] = []
    for drawn in geometry.edges:
        queue = pending.get((drawn.tail, drawn.head))
        if not queue or not drawn.dot_id.startswith("flow-"):
            continue
        index = queue.pop(0)
        points = path_points(drawn.path, samples=_BEZIER_SAMPLES) if drawn.path else []
        if drawn.arrows and points:  # end at the arrow's tip: its point farthest from where the line stops
            points.append(max(drawn.arrows[0], key=lambda p: (p[0] - points[-1][0]) ** 2 + (p[1] - points[-1][1]) ** 2))
        if len(points) < 2:
            points = [boxes[drawn.tail].center, boxes[drawn.head].center]
        paths.append((index, drawn.tail, drawn.head, points, drawn.label_at))
    paths.sort(key=lambda item: item[0])

    bands = [(None if lane == UNASSIGNED else lane, box) for lane, _, box in lane_bands(process, geometry, Overlay(), direction)]
    if not bands:  # no lanes declared: one band for the whole drawing
        bands = [(None, (-10.0, -10.0, geometry.width + 10.0, geometry.height + 10.0))]
    main = 1 - cross
    used = [b.y if main else b.x for b in boxes.values()] + [p[main] for *_, points, _ in paths for p in points]
    ends = [b.bottom if main else b.right for b in boxes.values()] + [p[main] for *_, points, _ in paths for p in points]
    main_low, main_high = min(used), max(ends)
    cross_low = min(box[cross] for _, box in bands)
    shift = [0.0, 0.0]
    shift[main] = MARGIN - main_low
    shift[cross] = MARGIN - cross_low

    def move(point: Point) -> Point:
        return (round(point[0] + shift[0], 2), round(point[1] + shift[1], 2))

    nodes = {sid: Box(*move((box.x, box.y)), round(box.width, 2), round(box.height, 2)) for sid, box in boxes.items()}
    edges = tuple(EdgePath(index, tail, head, tuple(move(p) for p in points), move(label_at) if label_at else None)
                  for index, tail, head, points, label_at in paths)
    length = round(main_high - main_low + 2 * MARGIN, 2)
    lanes = []
    for lane, box in bands:
        low, high = box[cross] + shift[cross], box[cross + 2] + shift[cross]
        if cross == 0:
            lanes.append(LaneBand(lane, Box(round(low, 2), 0.0, round(high - low, 2), length)))
        else:
            lanes.append(LaneBand(lane, Box(0.0, round(low, 2), length, round(high - low, 2))))
    depth = round(max(box[cross + 2] for _, box in bands) + shift[cross] + MARGIN, 2)
    width, height = (depth, length) if cross == 0 else (length, depth)
    return Layout(direction=direction, width=width, height=height, nodes=nodes, edges=edges, lanes=tuple(lanes))
