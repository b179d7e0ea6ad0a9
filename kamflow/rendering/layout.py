"""The chart's scene as the Layout exporters read (BPMN DI, draw.io): the same placement and the
same orthogonal routes as the picture, with more room between ranks and beside steps (BPMN needs
space for joining gateways, labels and data objects), moved so the drawing starts at MARGIN.
See kamflow/model/layout.py for the coordinate system."""

from __future__ import annotations

from kamflow.model.layout import EdgePath, LaneBand, Layout
from kamflow.model.overlay import Overlay
from kamflow.model.process import Process
from kamflow.model.scene import Box

BAND_PADDING = 18.0  # space between a lane's side and its nearest step, across the flow
MARGIN = 12.0
RANK_GAP = 80.0  # the least room between two ranks in an export


def compute_layout(process: Process, *, direction: str | None = None, band_padding: float | None = None, timeout: float = 60.0) -> Layout:
    """Lay the process out as the chart does (its scene, without overlay, title or legend) and
    read the positions back as a Layout."""
    from kamflow.rendering.chart import resolve_theme
    from kamflow.rendering.options import RenderOptions
    from kamflow.rendering.scene import build_scene

    options = RenderOptions(ghosts=False)
    scene = build_scene(
        process,
        overlay=Overlay(),
        options=options,
        theme=resolve_theme(process, options),
        direction=direction or process.direction,
        timeout=timeout,
        lane_pad=BAND_PADDING if band_padding is None else band_padding,
        rank_gap=RANK_GAP,
        title=False,
    )
    edges_by_id = {flow.id: flow for flow in scene.flows}
    dx, dy = MARGIN - scene.chart.x, MARGIN - scene.chart.y
    nodes = {step.id: step.box.moved(dx, dy) for step in scene.steps if step.ghost is None}
    edges = []
    seen: set[tuple[str, str]] = set()
    for index, edge in enumerate(process.edges):
        pair = (edge.source, edge.target)
        flow = edges_by_id.get(f"flow-{edge.source}-{edge.target}")
        if flow is None or pair in seen:
            continue
        seen.add(pair)
        points = tuple((round(x + dx, 2), round(y + dy, 2)) for x, y in flow.points)
        label_at = (round(flow.label_box.cx + dx, 2), round(flow.label_box.cy + dy, 2)) if flow.label_box else None
        edges.append(EdgePath(index, edge.source, edge.target, points, label_at))
    lanes = tuple(LaneBand(None if not lane.declared else lane.id, lane.band.moved(dx, dy)) for lane in scene.lanes)
    if not lanes:
        lanes = (LaneBand(None, Box(0.0, 0.0, scene.chart.width + 2 * MARGIN, scene.chart.height + 2 * MARGIN)),)
    return Layout(
        direction=scene.direction,
        width=round(scene.chart.width + 2 * MARGIN, 2),
        height=round(scene.chart.height + 2 * MARGIN, 2),
        nodes=nodes,
        edges=tuple(edges),
        lanes=lanes,
    )
