"""BPMN 2.0 export: the structure kamflow promises, checked by parsing the XML, and the real
tools from the npm registry: bpmn-moddle (no warnings) and bpmnlint's recommended rules."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

import kamflow
from tests.exporters.conftest import ALL_PROCESSES, BUNDLED, process_ids

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
BPMNDI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
DC = "{http://www.omg.org/spec/DD/20100524/DC}"
DI = "{http://www.omg.org/spec/DD/20100524/DI}"
ELEMENTS = {
    "start": "startEvent", "end": "endEvent", "step": "task", "manual": "manualTask",
    "decision": "exclusiveGateway", "subprocess": "callActivity", "wait": "intermediateCatchEvent",
    "document": "task", "data": "task", "parallel": "parallelGateway",
}
NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
FLOW_NODES = ("startEvent", "endEvent", "task", "manualTask", "exclusiveGateway", "parallelGateway", "callActivity", "intermediateCatchEvent")


def parsed(path):
    root = ET.parse(path).getroot()
    return root, root.find(f"{BPMN}process")


def bounds(shape):
    b = shape.find(f"{DC}Bounds")
    return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))


@pytest.mark.parametrize("path", ALL_PROCESSES, ids=process_ids(ALL_PROCESSES))
def test_every_step_becomes_its_bpmn_element_with_its_label(path, exported):
    process = kamflow.load(path)
    root, proc = parsed(exported[(path.stem, "bpmn")])
    by_id = {el.get("id"): el for el in proc}
    for step in process.steps:
        matches = [el for el in proc if el.tag == BPMN + ELEMENTS[step.type] and el.get("id", "").endswith("_" + step.id) and el.get("name") == step.label]
        assert len(matches) == 1, (step.id, step.type)
        element = matches[0]
        if step.type in ("document", "data"):
            association = element.find(f"{BPMN}dataOutputAssociation")
            reference = by_id[association.find(f"{BPMN}targetRef").text]
            assert reference.tag == BPMN + "dataObjectReference"
            assert by_id[reference.get("dataObjectRef")].tag == BPMN + "dataObject"
            outputs = step.metadata.get("outputs")
            assert reference.get("name") == ("; ".join(outputs) if outputs else step.label)
        if step.type == "wait":
            assert element.find(f"{BPMN}timerEventDefinition") is not None
    participant = root.find(f"{BPMN}collaboration/{BPMN}participant")
    assert participant.get("name") == process.title and participant.get("processRef") == proc.get("id")


@pytest.mark.parametrize("path", ALL_PROCESSES, ids=process_ids(ALL_PROCESSES))
def test_decisions_name_their_outgoing_flows_and_lanes_hold_their_steps(path, exported):
    process = kamflow.load(path)
    _, proc = parsed(exported[(path.stem, "bpmn")])
    flows = [el for el in proc if el.tag == BPMN + "sequenceFlow"]
    nodes = {el.get("id"): el for el in proc if el.tag.removeprefix(BPMN) in FLOW_NODES}
    step_of = {el.get("id"): el.get("id").split("_", 1)[1] for el in nodes.values() if not el.get("id").startswith("Gateway_join_") and not el.get("id").startswith("Gateway_fork_")}
    for step in process.steps:
        if step.type != "decision":
            continue
        gateway = next(i for i, s in step_of.items() if s == step.id)
        names = sorted(f.get("name") or "" for f in flows if f.get("sourceRef") == gateway)
        wanted = {}
        for edge in process.outgoing(step.id):
            wanted.setdefault(edge.target, []).append(edge.label)
        assert names == sorted(" / ".join(labels) for labels in wanted.values())
    for flow in flows:  # every flow is listed as outgoing/incoming on its ends
        assert flow.get("id") in [o.text for o in nodes[flow.get("sourceRef")].findall(f"{BPMN}outgoing")]
        assert flow.get("id") in [i.text for i in nodes[flow.get("targetRef")].findall(f"{BPMN}incoming")]
    lanes = proc.findall(f"{BPMN}laneSet/{BPMN}lane")
    assert [lane.get("name") for lane in lanes] == [lane.label for lane in process.lanes]
    for lane, model_lane in zip(lanes, process.lanes):
        members = {step_of.get(ref.text) for ref in lane.findall(f"{BPMN}flowNodeRef")} - {None}
        assert members == {s.id for s in process.steps if s.lane == model_lane.id}


@pytest.mark.parametrize("path", ALL_PROCESSES, ids=process_ids(ALL_PROCESSES))
def test_diagram_has_a_shape_or_edge_for_everything_inside_its_lane(path, exported):
    process = kamflow.load(path)
    root, proc = parsed(exported[(path.stem, "bpmn")])
    plane = root.find(f"{BPMNDI}BPMNDiagram/{BPMNDI}BPMNPlane")
    shapes = {s.get("bpmnElement"): s for s in plane.findall(f"{BPMNDI}BPMNShape")}
    edges = {e.get("bpmnElement"): e for e in plane.findall(f"{BPMNDI}BPMNEdge")}
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids)) and all(NCNAME.match(i) for i in ids)
    participant = root.find(f"{BPMN}collaboration/{BPMN}participant").get("id")
    pool = bounds(shapes[participant])
    lane_box = {lane.get("id"): bounds(shapes[lane.get("id")]) for lane in proc.iter(f"{BPMN}lane")}
    lane_of = {ref.text: lane.get("id") for lane in proc.iter(f"{BPMN}lane") for ref in lane.findall(f"{BPMN}flowNodeRef")}
    for element in proc:
        kind = element.tag.removeprefix(BPMN)
        if kind in FLOW_NODES or kind == "dataObjectReference":
            x, y, w, h = bounds(shapes[element.get("id")])
            assert w > 0 and h > 0
            cx, cy = x + w / 2, y + h / 2
            px, py, pw, ph = pool
            assert px <= cx <= px + pw and py <= cy <= py + ph
            if element.get("id") in lane_of:
                lx, ly, lw, lh = lane_box[lane_of[element.get("id")]]
                assert lx <= cx <= lx + lw and ly <= cy <= ly + lh, element.get("id")
        if kind == "sequenceFlow":
            points = edges[element.get("id")].findall(f"{DI}waypoint")
            assert len(points) >= 2
            source = bounds(shapes[element.get("sourceRef")])
            first = (float(points[0].get("x")), float(points[0].get("y")))
            assert source[0] - 1 <= first[0] <= source[0] + source[2] + 1 and source[1] - 1 <= first[1] <= source[1] + source[3] + 1
    if process.lanes:  # lanes are bands: stacked without overlap, each as wide as the pool
        boxes = sorted(lane_box.values(), key=lambda b: b[1])
        for upper, lower in zip(boxes, boxes[1:]):
            assert upper[1] + upper[3] <= lower[1] + 0.01
        assert all(abs((b[0] + b[2]) - (pool[0] + pool[2])) < 0.01 for b in boxes)


def test_bpmn_is_deterministic_and_ids_are_stable():
    process = kamflow.load(BUNDLED[0])
    first, second = kamflow.export(process, to="bpmn"), kamflow.export(process, to="bpmn")
    assert first == second
    assert 'id="Process_account-planning"' in first


@pytest.mark.parametrize("path", ALL_PROCESSES, ids=process_ids(ALL_PROCESSES))
def test_bpmn_moddle_parses_without_warnings(path, node_results):
    result = node_results[(path.stem, "bpmn")]
    assert result["ok"], result.get("error")
    assert result["warnings"] == []


@pytest.mark.parametrize("path", ALL_PROCESSES, ids=process_ids(ALL_PROCESSES))
def test_bpmnlint_recommended_reports_no_errors(path, node_results):
    result = node_results[(path.stem, "bpmn")]
    assert result["ok"], result.get("error")
    assert [item for item in result["lint"] if item["category"] == "error"] == []


def test_kam_process_passes_bpmnlint_without_a_single_report(node_results):
    result = node_results[("kam", "bpmn")]
    assert result["ok"] and result["lint"] == []


def test_bpmnlint_does_report_a_broken_diagram(node_modules, tmp_path, exported):
    """The lint run is real: remove the DI of one task and bpmnlint says no-bpmndi."""
    from tests.exporters.conftest import run_node_checks

    text = exported[("kam", "bpmn")].read_text(encoding="utf-8")
    broken = re.sub(r'\s*<bpmndi:BPMNShape id="Activity_define_criteria_di".*?</bpmndi:BPMNShape>', "", text, flags=re.S)
    assert broken != text
    path = tmp_path / "broken.bpmn"
    path.write_text(broken, encoding="utf-8")
    result = run_node_checks(node_modules, [{"kind": "bpmn", "path": str(path)}], tmp_path)[str(path)]
    assert any(item["rule"] == "no-bpmndi" and item["id"] == "Activity_define_criteria" for item in result["lint"])
