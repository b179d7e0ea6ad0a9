"""The scene of every bundled process, in both directions, read as coordinates: flows are
orthogonal from outline to outline, never through a step, never on top of each other; arrowheads
lie along the last segment; labels clear of steps, labels and other flows; lanes full-length bands
in declared order; text inside its symbol; number badges clear of text and flow ends."""

from __future__ import annotations

from pathlib import Path

import pytest

import kamflow
from kamflow import api
from kamflow.model.scene import Box, Scene
from kamflow.rendering.chart import chart_scene
from kamflow.rendering.options import RenderOptions
from kamflow.rendering.text import text_width

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = sorted((ROOT / "processes").glob("*.yaml"))
CASES = [(path, direction) for path in BUNDLED for direction in ("TB", "LR")]
EPS = 0.6


def _scene(path: Path, direction: str, **options) -> Scene:
    process = kamflow.load(path)
    overlay = api.ghost_overlay(process)
    return chart_scene(process, overlay=overlay, options=RenderOptions(direction=direction, **options))


@pytest.fixture(scope="module", params=CASES, ids=[f"{p.stem}-{d}" for p, d in CASES])
def scene(request) -> Scene:
    path, direction = request.param
    return _scene(path, direction)


def _segments(points):
    return list(zip(points, points[1:]))


def _inside(box: Box, a, b, shrink: float = 1.0) -> bool:
    """An axis-parallel segment a-b runs through the inside of box (shrunk by `shrink`)."""
    x0, x1 = sorted((a[0], b[0]))
    y0, y1 = sorted((a[1], b[1]))
    return x0 < box.right - shrink and x1 > box.x + shrink and y0 < box.bottom - shrink and y1 > box.y + shrink


def _on_outline(box: Box, point, tolerance: float = 1.0) -> bool:
    x, y = point
    inside = box.x - tolerance <= x <= box.right + tolerance and box.y - tolerance <= y <= box.bottom + tolerance
    return (
        inside
        and not (box.x + tolerance * 3 < x < box.right - tolerance * 3 and box.y + tolerance * 3 < y < box.bottom - tolerance * 3)
        or _on_slant(box, point)
    )


def _on_slant(box: Box, point) -> bool:
    """Ports on slanted or curved outlines (diamonds, stadiums) lie inside the bounding box."""
    return box.contains(point, margin=1.0)


def test_no_two_steps_overlap(scene):
    for index, step in enumerate(scene.steps):
        for other in scene.steps[index + 1 :]:
            assert not step.box.overlaps(other.box, margin=4.0), (step.id, other.id)


def test_flows_are_orthogonal(scene):
    for flow in scene.flows:
        assert len(flow.points) >= 2, flow.id
        for (ax, ay), (bx, by) in _segments(flow.points):
            assert abs(ax - bx) < 0.01 or abs(ay - by) < 0.01, f"{flow.id}: diagonal segment {ax},{ay} -> {bx},{by}"


def test_flows_run_from_outline_to_outline(scene):
    for flow in scene.flows:
        source, target = scene.step(flow.source), scene.step(flow.target)
        assert _on_outline(source.box, flow.points[0]), f"{flow.id} starts off its source"
        assert _on_outline(target.box, flow.points[-1]), f"{flow.id} ends off its target"


def test_no_flow_through_a_step(scene):
    for flow in scene.flows:
        for step in scene.steps:
            for index, (a, b) in enumerate(_segments(flow.points)):
                if step.id == flow.source and index == 0 or step.id == flow.target and index == len(flow.points) - 2:
                    continue
                if step.id in (flow.source, flow.target) and len(flow.points) == 2:
                    continue
                assert not _inside(step.box, a, b), f"{flow.id} runs through {step.id}"


def test_flows_never_run_on_top_of_each_other(scene):
    runs = []
    for flow in scene.flows:
        for a, b in _segments(flow.points):
            runs.append((flow.id, a, b))
    for i, (fa, a0, a1) in enumerate(runs):
        for fb, b0, b1 in runs[i + 1 :]:
            if fa == fb:
                continue
            if abs(a0[0] - a1[0]) < 0.01 and abs(b0[0] - b1[0]) < 0.01 and abs(a0[0] - b0[0]) < 1.0:  # both vertical, same x
                overlap = min(max(a0[1], a1[1]), max(b0[1], b1[1])) - max(min(a0[1], a1[1]), min(b0[1], b1[1]))
                assert overlap <= 1.0, f"{fa} and {fb} share {overlap:.1f} pt at x={a0[0]}"
            if abs(a0[1] - a1[1]) < 0.01 and abs(b0[1] - b1[1]) < 0.01 and abs(a0[1] - b0[1]) < 1.0:  # both horizontal, same y
                overlap = min(max(a0[0], a1[0]), max(b0[0], b1[0])) - max(min(a0[0], a1[0]), min(b0[0], b1[0]))
                assert overlap <= 1.0, f"{fa} and {fb} share {overlap:.1f} pt at y={a0[1]}"


def test_no_kink_next_to_a_port(scene):
    """A flow does not leave or enter a step with a jog of a few points (a port a hair off the
    line it joins): the port slides along its side instead."""

    def along(a, b) -> bool:  # the two segments a and b run the same way
        return (abs(a[0][0] - a[1][0]) < 0.01) == (abs(b[0][0] - b[1][0]) < 0.01)

    for flow in scene.flows:
        segments = _segments(flow.points)
        if len(segments) < 3 or flow.kind == "loop":
            continue
        for first, middle, last in (segments[:3], segments[-3:]):
            length = abs(middle[0][0] - middle[1][0]) + abs(middle[0][1] - middle[1][1])
            assert not (along(first, last) and not along(first, middle) and length < 8.0), f"{flow.id}: a {length:.1f} pt jog by a port"


def test_arrowheads_point_along_the_last_segment_into_the_target(scene):
    for flow in scene.flows:
        (ax, ay), (bx, by) = flow.points[-2], flow.points[-1]
        wing, tip, other = flow.arrow
        assert tip == flow.points[-1]
        base = ((wing[0] + other[0]) / 2, (wing[1] + other[1]) / 2)
        # the arrow's axis (base -> tip) has the last segment's direction
        assert (tip[0] - base[0]) * (bx - ax) >= 0 and (tip[1] - base[1]) * (by - ay) >= 0, flow.id
        assert abs((tip[0] - base[0]) * (by - ay) - (tip[1] - base[1]) * (bx - ax)) < 0.5 * (abs(bx - ax) + abs(by - ay)), flow.id
        last = abs(bx - ax) + abs(by - ay)
        assert last >= 8.0, f"{flow.id}: last segment {last:.1f} pt is shorter than its arrowhead"


def test_labels_clear_of_steps_labels_and_other_flows(scene):
    labels = [(flow.id, flow.label_box) for flow in scene.flows if flow.label_box]
    for fid, box in labels:
        for step in scene.steps:
            assert not box.overlaps(step.box), f"label of {fid} on {step.id}"
        for other, other_box in labels:
            if other != fid:
                assert not box.overlaps(other_box), f"label of {fid} on label of {other}"
        for flow in scene.flows:
            if flow.id == fid:
                continue
            for a, b in _segments(flow.points):
                assert not _inside(box, a, b, shrink=0.5), f"{flow.id} crosses the label of {fid}"


def test_lanes_are_full_length_bands_in_declared_order(scene):
    if not scene.lanes:
        return
    tb = scene.direction == "TB"
    for lane, following in zip(scene.lanes, scene.lanes[1:]):
        if tb:
            assert abs(lane.band.right - following.band.x) < 0.05
        else:
            assert abs(lane.band.bottom - following.band.y) < 0.05
    for lane in scene.lanes:
        assert (
            (lane.band.y, lane.band.height) == (scene.chart.y, scene.chart.height)
            if tb
            else (lane.band.x, lane.band.width) == (scene.chart.x, scene.chart.width)
        )
    for step in scene.steps:
        lane = scene.lane(step.lane)
        assert lane is not None
        assert lane.band.contains((step.box.x, step.box.y)) and lane.band.contains((step.box.right, step.box.bottom)), f"{step.id} outside its lane"
        assert not step.box.overlaps(lane.header), f"{step.id} on the lane header"


def test_text_fits_its_symbol(scene):
    for step in scene.steps:
        text = step.text
        width = max(text_width(line, text.size) for line in text.lines)
        height = len(text.lines) * text.size * text.line_height
        if step.type == "decision":  # the text block fits inside the diamond
            assert width / step.box.width + height / step.box.height <= 1.001, step.id
        else:
            assert width <= step.box.width - 8 and height <= step.box.height, step.id


def test_lanes_are_compact():
    """A lane is as wide as its own content: its steps, its padding, the loop channels that run
    beside them and the room a label of a hand-off from it takes; nothing more."""
    from kamflow.rendering.place import CHANNEL_FIRST, CHANNEL_STEP, LANE_PAD

    for name in ("kam", "accounts-payable", "billing"):
        scene = _scene(ROOT / "processes" / f"{name}.yaml", "TB")
        for lane in scene.lanes:
            steps = [s for s in scene.steps if s.lane == lane.id]
            low, high = min(s.box.x for s in steps), max(s.box.right for s in steps)
            channels = {"left": set(), "right": set()}
            for flow in scene.flows:
                for (x0, y0), (x1, y1) in zip(flow.points, flow.points[1:]):
                    if x0 == x1 and lane.band.x < x0 < lane.band.right and not low <= x0 <= high:
                        channels["left" if x0 < low else "right"].add(x0)
            room = sum(CHANNEL_FIRST + CHANNEL_STEP * (len(found) - 1) for found in channels.values() if found)
            labels = [f.label_box.width for f in scene.flows if f.label_box and f.source in {s.id for s in steps}]
            allowed = (high - low) + 2 * LANE_PAD + room + max(labels, default=0.0) + 12
            assert lane.band.width <= allowed + 0.5, (name, lane.id, lane.band.width, allowed)


def test_number_badges_clear_of_text_and_flow_ends():
    scene = _scene(ROOT / "processes" / "kam.yaml", "TB", number=True)
    for step in scene.steps:
        if step.number is None:
            continue
        nx, ny = step.number_at
        r = step.number_radius
        badge = Box(nx - r, ny - r, 2 * r, 2 * r)
        text = step.text
        width = max(text_width(line, text.size) for line in text.lines)
        height = len(text.lines) * text.size * text.line_height
        assert not badge.overlaps(Box(text.x - width / 2, text.y - height / 2, width, height)), step.id
        for flow in scene.flows_of(step.id):
            end = flow.points[0] if flow.source == step.id else flow.points[-1]
            assert not badge.contains(end, margin=2.0), (step.id, flow.id)


def test_a_long_label_grows_its_box(tmp_path):
    label = " ".join(["word"] * 100)  # 499 characters
    file = tmp_path / "long.yaml"
    file.write_text(
        f"kamflow: 1\nid: long\ntitle: Long\nsteps:\n  - {{id: s, type: start, next: a}}\n  - id: a\n    label: {label}\n    next: d\n"
        f"  - id: d\n    type: decision\n    label: {label}\n    branches: {{Yes: e, No: a}}\n  - {{id: e, type: end}}\n"
    )
    scene = chart_scene(kamflow.load(file))
    for step_id in ("a", "d"):
        step = scene.step(step_id)
        width = max(text_width(line, step.text.size) for line in step.text.lines)
        height = len(step.text.lines) * step.text.size * step.text.line_height
        assert width <= step.box.width and height <= step.box.height


def test_an_undeclared_lane_shows_its_id(tmp_path):
    file = tmp_path / "lanes.yaml"
    file.write_text(
        "kamflow: 1\nid: lanes\ntitle: Lanes\nlanes: [{id: a, label: Alpha}]\nsteps:\n  - {id: s, type: start, lane: a, next: x}\n"
        "  - {id: x, label: Do it, lane: sales, next: e}\n  - {id: e, type: end, lane: a}\n"
    )
    scene = chart_scene(kamflow.load(file))
    lane = scene.lane("sales")
    assert lane is not None and "sales" in lane.label and "(undeclared)" in lane.label
    assert scene.step("x").lane == "sales"


def test_structural_errors_are_marked(tmp_path):
    file = tmp_path / "broken.yaml"
    file.write_text(
        "kamflow: 1\nid: broken\ntitle: Broken\nsteps:\n  - {id: s, type: start, next: d}\n"
        "  - id: d\n    type: decision\n    label: Ok?\n    branches: {Yes: e}\n  - {id: e, type: end}\n"
        "  - {id: lost, label: Orphan, next: e}\n  - {id: spin, label: Spin, next: spin2}\n  - {id: spin2, label: Spin 2, next: spin}\n"
    )
    process = kamflow.load(file)
    scene = chart_scene(process, overlay=api.ghost_overlay(process), options=RenderOptions(legend=True))
    kinds = {step.id: {b.kind for b in step.marks} for step in scene.steps}
    assert "one-way" in kinds["d"]
    assert "unreachable" in kinds["lost"]
    assert kinds["spin"] and kinds["spin2"]
    legend = {entry.key for entry in scene.legend.entries}
    assert {"one-way", "unreachable"} <= legend


def test_labels_stay_inside_the_lanes(scene):
    if not scene.lanes:
        return
    chart = scene.chart
    for flow in scene.flows:
        if flow.label_box:
            box = flow.label_box
            assert chart.x <= box.x and box.right <= chart.right and chart.y <= box.y and box.bottom <= chart.bottom, flow.id


def test_hand_offs_between_lanes_go_straight_across():
    """In the KAM chart most hand-offs to another lane are one straight line on one rank."""
    scene = _scene(ROOT / "processes" / "kam.yaml", "TB")
    lane_of = {step.id: step.lane for step in scene.steps}
    across = [f for f in scene.flows if lane_of[f.source] != lane_of[f.target] and f.kind != "loop"]
    straight = [f for f in across if len(f.points) == 2 and f.points[0][1] == f.points[1][1]]
    assert len(straight) >= len(across) / 2, (len(straight), len(across))
