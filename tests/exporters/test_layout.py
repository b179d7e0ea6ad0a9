"""The Layout read back from Graphviz: every step boxed, flows as polylines from box to box, lanes
as bands in lane order that hold their steps."""
from __future__ import annotations

import pytest

import kamflow
from kamflow.rendering.layout import compute_layout
from tests.exporters.conftest import ALL_PROCESSES, process_ids


@pytest.mark.parametrize("direction", ["TB", "LR"])
@pytest.mark.parametrize("path", ALL_PROCESSES, ids=process_ids(ALL_PROCESSES))
def test_layout_boxes_flows_and_bands(path, direction):
    process = kamflow.load(path)
    layout = compute_layout(process, direction=direction)
    assert layout.direction == direction
    assert set(layout.nodes) == {step.id for step in process.steps}
    for box in layout.nodes.values():
        assert 0 <= box.x and box.right <= layout.width and 0 <= box.y and box.bottom <= layout.height
    known = [i for i, e in enumerate(process.edges) if e.target in process.steps_by_id]
    assert [edge.index for edge in layout.edges] == known
    for edge in layout.edges:
        source, target = layout.nodes[edge.source], layout.nodes[edge.target]
        assert source.contains(edge.points[0], margin=3) and target.contains(edge.points[-1], margin=3)
    lanes = [band.lane for band in layout.lanes]
    assert lanes[: len(process.lanes)] == [lane.id for lane in process.lanes]
    cross = (lambda b: (b.y, b.bottom)) if direction == "LR" else (lambda b: (b.x, b.right))
    spans = [cross(band.box) for band in layout.lanes]
    assert all(a[1] <= b[0] + 0.01 for a, b in zip(spans, spans[1:]))  # stacked, in order, no overlap
    for step in process.steps:
        band = layout.band_of(step.lane if step.lane in process.lanes_by_id else None)
        low, high = cross(band.box)
        box_low, box_high = cross(layout.nodes[step.id])
        assert low <= box_low and box_high <= high, step.id


def test_layout_moves_with_headers():
    process = kamflow.load(ALL_PROCESSES[0])
    layout = compute_layout(process)
    moved = layout.moved(30, 0)
    first = process.steps[0].id
    assert moved.nodes[first].x == layout.nodes[first].x + 30 and moved.width == layout.width + 30


@pytest.mark.parametrize("direction", ["TB", "LR"])
def test_export_bands_are_the_charts_bands(direction):
    """The export layout uses the chart's lane computation: bands tile the drawing in lane order,
    each boundary lies between the neighbouring lanes' steps with at least the requested padding on
    both sides (the lane clusters' margin), as on the chart."""
    process = kamflow.load(kamflow.library_path("kam"))
    layout = compute_layout(process, direction=direction, band_padding=40.0)
    cross = (lambda b: (b.y, b.bottom)) if direction == "LR" else (lambda b: (b.x, b.right))
    spans = [cross(band.box) for band in layout.lanes]
    assert all(abs(a[1] - b[0]) < 0.01 for a, b in zip(spans, spans[1:]))  # no gaps, no overlap
    for band, following in zip(layout.lanes, layout.lanes[1:]):
        boundary = cross(band.box)[1]
        inside = [cross(layout.nodes[s.id]) for s in process.steps if s.lane == band.lane]
        after = [cross(layout.nodes[s.id]) for s in process.steps if s.lane == following.lane]
        assert boundary - max(high for _, high in inside) >= 40.0 - 0.01
        assert min(low for low, _ in after) - boundary >= 40.0 - 0.01
    # the bands are the scene's own, moved to the export's origin
    from kamflow.model.overlay import Overlay
    from kamflow.rendering.chart import resolve_theme
    from kamflow.rendering.layout import MARGIN, RANK_GAP
    from kamflow.rendering.options import RenderOptions
    from kamflow.rendering.scene import build_scene

    options = RenderOptions(ghosts=False)
    scene = build_scene(process, overlay=Overlay(), options=options, theme=resolve_theme(process, options), direction=direction,
                        lane_pad=40.0, rank_gap=RANK_GAP, title=False)
    dx, dy = MARGIN - scene.chart.x, MARGIN - scene.chart.y
    assert [band.box for band in layout.lanes] == [lane.band.moved(dx, dy) for lane in scene.lanes]


def test_each_format_is_laid_out_in_its_own_direction():
    """BPMN pools run left to right whatever the process says; draw.io follows the process or
    --direction; text formats carry no geometry, so nothing is laid out for them."""
    from kamflow.exporters import get_exporter

    process = kamflow.load("kam")  # direction TB
    assert process.direction == "TB"
    assert [get_exporter("bpmn").layout_for(process, d) for d in (None, "TB")] == ["LR", "LR"]
    assert [get_exporter("drawio").layout_for(process, d) for d in (None, "LR")] == ["TB", "LR"]
    assert {get_exporter(name).layout_for(process, "LR") for name in ("mermaid", "graphml", "json")} == {None}
