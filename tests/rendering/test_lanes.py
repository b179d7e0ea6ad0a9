"""Lanes are true bands: read from the SVG's coordinates, for KAM and every bundled process, in
both directions: declared order, side by side without gaps or overlap, full length along the
flow, a header at the band's start, and every step inside its own band."""
import pytest

import kamflow
from kamflow.rendering.options import RenderOptions
from tests.conftest import PROCESSES, SIMPLE
from tests.rendering import svg as S

BUNDLED = sorted(p.stem for p in PROCESSES.glob("*.yaml"))


def _bands(root):
    lanes = S.groups(root, "lane")
    return [(lane.get("id").removeprefix("lane-"), S.rect(lane.find(f"{S.SVG}rect[@class='band']")), lane) for lane in lanes]


def _assert_banded(process, direction, root):
    bands = _bands(root)
    assert [lane_id for lane_id, _, _ in bands] == [lane.id for lane in process.lanes]
    outline = S.rect(root.find(f".//{S.SVG}rect[@class='lane-outline']"))
    across = (0, 2) if direction == "TB" else (1, 3)  # the axis the bands are stacked along
    along = (1, 3) if direction == "TB" else (0, 2)
    # side by side, no gap, no overlap, from one outline edge to the other
    assert bands[0][1][across[0]] == pytest.approx(outline[across[0]])
    assert bands[-1][1][across[1]] == pytest.approx(outline[across[1]])
    for (_, a, _), (_, b, _) in zip(bands, bands[1:]):
        assert a[across[1]] == pytest.approx(b[across[0]])
    for lane_id, box, group in bands:
        assert box[across[1]] - box[across[0]] > 40  # no sliver of a lane
        # full length along the flow
        assert box[along[0]] == pytest.approx(outline[along[0]]) and box[along[1]] == pytest.approx(outline[along[1]])
        # a header at the band's start, naming the lane
        header = S.rect(group.find(f"{S.SVG}rect[@class='lane-header']"))
        assert header[along[0]] == pytest.approx(box[along[0]])
        assert header[across[0]] == pytest.approx(box[across[0]]) and header[across[1]] == pytest.approx(box[across[1]])
        label = process.lanes_by_id[lane_id].label
        assert " ".join(" ".join(S.texts(group)).split()) == label
    # every step inside its lane's band, and past the header
    band_of = {lane_id: box for lane_id, box, _ in bands}
    header_end = max(S.rect(g.find(f"{S.SVG}rect[@class='lane-header']"))[along[1]] for _, _, g in bands)
    for node in S.groups(root, "node"):
        step = process.steps_by_id[S.step_id(node)]
        x0, y0, x1, y1 = S.bbox(S.symbol(node).get("d"))
        bx0, by0, bx1, by1 = band_of[step.lane]
        assert bx0 <= x0 and x1 <= bx1 and by0 <= y0 and y1 <= by1, (step.id, (x0, y0, x1, y1), band_of[step.lane])
        assert (y0 if direction == "TB" else x0) >= header_end


@pytest.mark.parametrize("direction", ["TB", "LR"])
def test_kam_lanes_are_bands_in_order(direction):
    process = kamflow.load(PROCESSES / "kam.yaml")
    root = S.parse(kamflow.render_charts(process, formats=("svg",), options=RenderOptions(direction=direction, ghosts=False))["svg"])
    _assert_banded(process, direction, root)
    # decisions and loops cross lanes in KAM, and the bands still hold
    crossing = [e for e in process.edges if process.steps_by_id.get(e.target) and process.steps_by_id[e.target].lane != process.steps_by_id[e.source].lane]
    assert any(process.steps_by_id[e.source].type == "decision" for e in crossing)


@pytest.mark.parametrize("name", [n for n in BUNDLED if n != "kam"])
@pytest.mark.parametrize("direction", ["TB", "LR"])
def test_every_bundled_process_is_banded(name, direction):
    process = kamflow.load(PROCESSES / f"{name}.yaml")
    root = S.parse(kamflow.render_charts(process, formats=("svg",), options=RenderOptions(direction=direction, ghosts=False))["svg"])
    _assert_banded(process, direction, root)


def test_steps_without_a_lane_get_a_band_of_their_own_at_the_end(write):
    text = SIMPLE.replace("  - {id: finish, type: end, label: Finished, lane: b}", "  - {id: finish, type: end, label: Finished}")
    process = kamflow.load(write(text))
    root = S.parse(kamflow.render_charts(process, formats=("svg",))["svg"])
    bands = _bands(root)
    assert [lane_id for lane_id, _, _ in bands] == ["a", "b", "_unassigned"]
    finish = next(n for n in S.groups(root, "node") if S.step_id(n) == "finish")
    x0, _, x1, _ = S.bbox(S.symbol(finish).get("d"))
    assert bands[-1][1][0] <= x0 and x1 <= bands[-1][1][2]


def test_no_lanes_no_bands(write):
    text = "\n".join(line.replace(", lane: a", "").replace(", lane: b", "") for line in SIMPLE.splitlines() if "Team" not in line and "lanes:" not in line)
    process = kamflow.load(write(text + "\n"))
    root = S.parse(kamflow.render_charts(process, formats=("svg",))["svg"])
    assert S.groups(root, "lane") == []
    assert len(S.groups(root, "node")) == 4


@pytest.mark.parametrize("direction", ["TB", "LR"])
def test_lanes_graphviz_would_reorder_stay_in_declared_order(direction):
    """billing's plain Graphviz layout puts the Customer lane last (it saves crossings); kamflow
    takes only the order within each lane from Graphviz and lays the lanes out in declared order,
    every flow drawn once."""
    from kamflow.rendering.chart import chart_scene

    process = kamflow.load(PROCESSES / "billing.yaml")
    scene = chart_scene(process, options=RenderOptions(direction=direction, ghosts=False))
    assert [lane.id for lane in scene.lanes] == [lane.id for lane in process.lanes]
    axis = (lambda box: box.x) if direction == "TB" else (lambda box: box.y)
    assert [axis(lane.band) for lane in scene.lanes] == sorted(axis(lane.band) for lane in scene.lanes)
    for step in process.steps:
        band = scene.lane(step.lane).band
        box = scene.step(step.id).box
        assert band.contains((box.x, box.y)) and band.contains((box.right, box.bottom)), step.id
    assert {(f.source, f.target) for f in scene.flows} == {(e.source, e.target) for e in process.edges}
    assert {(f.source, f.target) for f in scene.flows if f.label} == {(e.source, e.target) for e in process.edges if e.label}


@pytest.mark.parametrize("name", BUNDLED)
@pytest.mark.parametrize("direction", ["TB", "LR"])
def test_no_flow_runs_through_a_step(name, direction):
    """Read back from the SVG: no flow's line enters a step it does not start or end at."""
    path_points = S.path_points

    process = kamflow.load(PROCESSES / f"{name}.yaml")
    root = S.parse(kamflow.render_charts(process, formats=("svg",), options=RenderOptions(direction=direction, ghosts=False))["svg"])
    boxes = {S.step_id(n): S.bbox(S.symbol(n).get("d")) for n in S.groups(root, "node")}
    for edge in S.groups(root, "edge"):
        tail, head = S.title(edge).split("->")
        for x, y in path_points(next(edge.iter(f"{S.SVG}path")).get("d")):
            for step_id, (x0, y0, x1, y1) in boxes.items():
                if step_id not in (tail, head):
                    assert not (x0 + 2 < x < x1 - 2 and y0 + 2 < y < y1 - 2), (tail, head, step_id)
