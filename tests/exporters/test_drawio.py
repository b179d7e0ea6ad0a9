"""draw.io export: the mxGraph file structure, cell by cell."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

import kamflow
from kamflow.exporters.drawio import STYLES
from tests.exporters.conftest import ALL_PROCESSES, process_ids


def cells(path):
    root = ET.parse(path).getroot()
    assert root.tag == "mxfile"
    model = root.find("diagram/mxGraphModel")
    assert model is not None  # uncompressed: the model is XML, not a base64 blob
    return root, {cell.get("id"): cell for cell in model.find("root")}


def geometry(cell):
    g = cell.find("mxGeometry")
    return tuple(float(g.get(k)) for k in ("x", "y", "width", "height"))


@pytest.mark.parametrize("path", ALL_PROCESSES, ids=process_ids(ALL_PROCESSES))
def test_every_lane_step_and_flow_is_a_cell_with_geometry_and_parent(path, exported):
    process = kamflow.load(path)
    root, by_id = cells(exported[(path.stem, "drawio")])
    assert root.find("diagram").get("name") == process.title
    assert by_id["0"].get("parent") is None and by_id["1"].get("parent") == "0"
    lanes = {lane.id: by_id[f"lane-{lane.id}"] for lane in process.lanes}
    for lane in process.lanes:
        cell = lanes[lane.id]
        assert cell.get("vertex") == "1" and cell.get("parent") == "1"
        assert cell.get("style").startswith("swimlane;") and "html=0" in cell.get("style")
        assert cell.get("value") == lane.label
    lane_boxes = [geometry(cell) for cell in lanes.values()]
    for a, b in zip(lane_boxes, lane_boxes[1:]):  # bands side by side or stacked, never overlapping
        assert a[0] + a[2] <= b[0] + 0.01 or a[1] + a[3] <= b[1] + 0.01
    for step in process.steps:
        cell = by_id[f"step-{step.id}"]
        assert cell.get("vertex") == "1" and cell.get("value") == step.label
        assert cell.get("style") == STYLES[step.type]
        x, y, w, h = geometry(cell)
        assert w > 0 and h > 0
        if step.lane in lanes:
            assert cell.get("parent") == f"lane-{step.lane}"
            _, _, lane_w, lane_h = geometry(lanes[step.lane])
            assert 0 <= x and x + w <= lane_w and 0 <= y and y + h <= lane_h  # relative to the lane
        else:
            assert cell.get("parent") == "1"
    edges = [cell for cell in by_id.values() if cell.get("edge") == "1"]
    known = [(i, e) for i, e in enumerate(process.edges) if e.target in process.steps_by_id]
    assert len(edges) == len(known)
    for cell, (index, edge) in zip(edges, known):
        assert cell.get("source") == f"step-{edge.source}" and cell.get("target") == f"step-{edge.target}"
        assert cell.get("value") == (edge.label or "") and cell.get("parent") == "1"
        g = cell.find("mxGeometry")
        assert g.get("relative") == "1"
        assert g.find("mxPoint[@as='sourcePoint']") is not None and g.find("mxPoint[@as='targetPoint']") is not None
    assert all("html=0" in (c.get("style") or "html=0") for c in by_id.values())


def test_labels_stay_text_not_markup(exported):
    text = exported[("awkward", "drawio")].read_text(encoding="utf-8")
    assert "<script>" not in text and "<b>" not in text
    assert "&lt;script&gt;" in text and "&#10;" in text  # newline kept as a character reference


def test_draws_the_same_file_twice():
    process = kamflow.load(ALL_PROCESSES[0])
    assert kamflow.export(process, to="drawio") == kamflow.export(process, to="drawio")
