"""Real diagrams made by other tools (../shared/corpus: the BPMN interchange test suite's reference
models and two tools' exports, diagrams.net templates, Mermaid documentation examples) import,
check and render; what each file holds is counted here independently of the importer, from the
raw XML or text, and compared with what was imported."""
import base64
import re
import urllib.parse
import xml.etree.ElementTree as ET
import zlib
from collections import Counter
from pathlib import Path

import pytest

import kamflow
from kamflow.errors import LoadError

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"  # ../shared/corpus from the repository
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
TASKS = ("task", "userTask", "serviceTask", "sendTask", "receiveTask", "scriptTask", "businessRuleTask", "manualTask")

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the corpus of real diagrams is not at {CORPUS} (CI has it at ../shared/corpus)")


def _files(pattern):
    return sorted(CORPUS.glob(pattern)) if CORPUS.is_dir() else []


BPMN_FILES = _files("bpmn/*/*.bpmn")
DRAWIO_FILES = _files("drawio/*/*.xml")
MERMAID_FILES = _files("mermaid/*.mmd")
ALL = BPMN_FILES + DRAWIO_FILES + MERMAID_FILES


def _ids(files):
    return [str(p.relative_to(CORPUS)) for p in files]


def _name(element):
    return " ".join((element.get("name") or "").split())


@pytest.mark.parametrize("path", ALL, ids=_ids(ALL))
def test_every_corpus_file_imports_checks_and_renders(path):
    try:
        processes = kamflow.import_file(path)
    except LoadError as error:  # only the empty export stub may refuse, and it says why
        assert path.name == "A.4.1.bpmn" and "camunda-eclipse" in str(path), error
        assert [str(p) for p in error.problems] == [f"{path}:2:1: error: no process content: the file has no process with tasks, events or gateways (an empty export?)"]
        return
    assert processes
    for process in processes:
        findings = kamflow.check(process)
        assert all(f.rule for f in findings)
        svg = kamflow.render(process, formats=("svg",), output_dir=None)["svg"].decode()
        for step in process.steps:
            assert f'id="step-{step.id}"' in svg


@pytest.mark.parametrize("path", [p for p in BPMN_FILES if p.stat().st_size > 1000], ids=_ids([p for p in BPMN_FILES if p.stat().st_size > 1000]))
def test_bpmn_counts_match_the_file(path):
    root = ET.parse(path).getroot()
    processes = kamflow.import_file(path)
    steps = [step for process in processes for step in process.steps]
    labels = Counter(step.label for step in steps)
    by_type = Counter(step.type for step in steps)
    every = [e for e in root.iter() if e.tag.startswith(BPMN)]
    local = lambda e: e.tag[len(BPMN):]  # noqa: E731

    # every named task and activity is a step with its name
    for element in every:
        if local(element) in TASKS + ("subProcess", "callActivity") and _name(element):
            assert labels[_name(element)] >= 1, _name(element)
    # start and end events one for one
    assert by_type["start"] == sum(1 for e in every if local(e) == "startEvent")
    assert by_type["end"] == sum(1 for e in every if local(e) == "endEvent")
    # parallel gateways that split or join are parallel steps
    def flows(e, way):
        return len([c for c in e if c.tag == f"{BPMN}{way}"])
    assert by_type["parallel"] == sum(1 for e in every if local(e) == "parallelGateway" and (flows(e, "incoming") > 1 or flows(e, "outgoing") > 1))
    # gateways that split are decisions, and so are tasks with conditional flows
    conditional = {f.get("sourceRef") for f in every if local(f) == "sequenceFlow" and f.find(f"{BPMN}conditionExpression") is not None}
    splitting = [e for e in every if local(e) in ("exclusiveGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway") and flows(e, "outgoing") > 1]
    tasks_deciding = [e for e in every if local(e) in TASKS and e.get("id") in conditional]
    assert by_type["decision"] == len(splitting) + len(tasks_deciding)
    # boundary events are steps reached from their host
    boundary = [e for e in every if local(e) == "boundaryEvent"]
    assert sum(1 for p in processes for e in p.edges if e.label and e.label.split(" (")[0] in ("Timer", "Message", "Error", "Escalation", "Conditional", "Signal", "Event", "Compensation", "Cancel")) >= len(boundary)
    # lanes: every named lane without sub-lanes is a lane
    lane_labels = {lane.label for p in processes for lane in p.lanes}
    for lane in (e for e in every if local(e) == "lane"):
        if _name(lane) and lane.find(f"{BPMN}childLaneSet") is None:
            assert any(label.endswith(_name(lane)) for label in lane_labels), _name(lane)
    # flows: sequence flows + boundary attachments + link jumps, less what folding merged
    expected = sum(1 for e in every if local(e) == "sequenceFlow") + len(boundary)
    for gateway in every:
        if local(gateway) in ("exclusiveGateway", "inclusiveGateway", "complexGateway", "eventBasedGateway") and flows(gateway, "outgoing") <= 1:
            i, o = flows(gateway, "incoming"), flows(gateway, "outgoing")
            expected += i * o - i - o
    links = [e for e in every if local(e) in ("intermediateThrowEvent", "intermediateCatchEvent") and e.find(f"{BPMN}linkEventDefinition") is not None]
    for event in links:  # a throw's incoming flows continue after the catch: each link pair folds away
        expected += -flows(event, "incoming") - flows(event, "outgoing")
    expected += sum(1 for e in links if local(e) == "intermediateThrowEvent")  # ... through the joined pair
    edges = sum(len(p.edges) for p in processes)
    assert edges == expected or (links and abs(edges - expected) <= len(links))


def _drawio_pages(path):
    root = ET.parse(path).getroot()
    for diagram in root.iter("diagram"):
        model = diagram.find("mxGraphModel")
        if model is None:
            model = ET.fromstring(urllib.parse.unquote(zlib.decompress(base64.b64decode(diagram.text), -15).decode()))
        yield model


@pytest.mark.parametrize("path", DRAWIO_FILES, ids=_ids(DRAWIO_FILES))
def test_drawio_counts_match_the_file(path):
    (model,) = list(_drawio_pages(path))
    cells = {c.get("id"): c for c in model.iter("mxCell")}
    style = lambda c: c.get("style") or ""  # noqa: E731
    swimlanes = [c for c in cells.values() if style(c).startswith("swimlane")]
    edges = [c for c in cells.values() if c.get("edge") == "1"]
    edge_ids = {c.get("id") for c in edges}
    shapes = [c for c in cells.values() if c.get("vertex") == "1" and not style(c).startswith(("swimlane", "text", "edgeLabel")) and c.get("parent") not in edge_ids]
    shape_ids = {c.get("id") for c in shapes}
    (process,) = kamflow.import_file(path)
    assert len(process.steps) == len(shapes)
    assert len(process.edges) == len({(e.get("source"), e.get("target")) for e in edges if e.get("source") in shape_ids and e.get("target") in shape_ids})
    leaf_lanes = [c for c in swimlanes if not any(d.get("parent") == c.get("id") for d in swimlanes)]
    assert len(process.lanes) == len(leaf_lanes)
    decisions = [c for c in shapes if "rhombus" in style(c) or "decision" in style(c)]
    assert sum(1 for s in process.steps if s.type == "decision") == len(decisions)
    text = lambda v: " ".join(re.sub(r"<[^>]+>", " ", v or "").replace("&nbsp;", " ").split())  # noqa: E731
    assert sorted(s.label for s in process.steps if s.label_given) == sorted(text(c.get("value")) for c in shapes if text(c.get("value")))
    for lane in leaf_lanes:
        assert text(lane.get("value")) in {l.label for l in process.lanes}


def test_drawio_free_text_becomes_the_labels_of_the_decisions_edges():
    (process,) = kamflow.import_file(CORPUS / "drawio/flowcharts/flowchart_2.xml")
    decisions = [s for s in process.steps if s.type == "decision"]
    assert len(decisions) == 5
    # the template's ten yes/no texts sit beside the decisions' flows: all ten are read as labels
    labels = [e.label for d in decisions for e in process.outgoing(d.id) if e.label]
    assert sorted(labels) == ["no"] * 5 + ["yes"] * 5


MERMAID = {
    # file: (steps by type, flows, lanes, labels)
    "fc01_decision_loop.mmd": ({"step": 4, "decision": 1}, 5, [], ["Start", "Is it?", "OK", "Rethink", "End"]),
    "fc04_examples_basic.mmd": ({"step": 3, "decision": 1}, 4, [], ["Square Rect", "Circle", "Round Rect", "Rhombus"]),
    "fc06_subgraphs_linked.mmd": ({"step": 6}, 7, ["one", "two", "three"], ["c1", "a1", "a2", "b1", "b2", "c2"]),
    "fc09_chaining_ampersand.mmd": ({"step": 4}, 4, [], ["a", "b", "c", "d"]),
    "sl01_support_escalation.mmd": ({"step": 6}, 6, ["Customer", "Support", "Engineering"], ["Request service", "Triage request", "Investigate issue", "Prepare fix", "Send answer", "Receive update"]),
}


@pytest.mark.parametrize("path", MERMAID_FILES, ids=_ids(MERMAID_FILES))
def test_mermaid_counts_match_the_file(path):
    types, flows, lanes, labels = MERMAID[path.name]
    (process,) = kamflow.import_file(path)
    assert dict(Counter(s.type for s in process.steps)) == types
    assert len(process.edges) == flows
    assert [l.label for l in process.lanes] == lanes
    assert sorted(s.label for s in process.steps) == sorted(labels)


def test_mermaid_decision_branches_and_edge_labels():
    (loop,) = kamflow.import_file(CORPUS / "mermaid/fc01_decision_loop.mmd")
    assert [(e.label, e.target) for e in loop.outgoing("B")] == [("Yes", "C"), ("No", "E")]
    assert all(e.kind == "branch" for e in loop.outgoing("B"))
    (basic,) = kamflow.import_file(CORPUS / "mermaid/fc04_examples_basic.mmd")
    assert [(e.target, e.label) for e in basic.outgoing("A")] == [("B", "Link text"), ("C", None)]
    (lanes,) = kamflow.import_file(CORPUS / "mermaid/sl01_support_escalation.mmd")
    assert lanes.direction == "LR"
    assert [(e.target, e.label) for e in lanes.outgoing("triage")] == [("answer", "Known issue"), ("investigate", "Needs code change")]
    assert lanes.steps_by_id["fix"].lane == "engineering"


def test_corpus_through_the_command_line(run_cli, tmp_path):
    files = [CORPUS / "bpmn/reference/B.1.0.bpmn", CORPUS / "drawio/business/swimlane.xml", CORPUS / "mermaid/sl01_support_escalation.mmd"]
    result = run_cli("import", *files, "-o", tmp_path)
    assert result.exit_code == 0, result.stderr
    written = sorted(p.name for p in tmp_path.glob("*.yaml"))
    assert [line.split(" ", 1)[1] for line in result.stdout.splitlines()] == [str(tmp_path / name) for name in sorted(written, key=lambda n: result.stdout.index(n))]
    for line in result.stderr.splitlines():
        assert re.match(r"^.+:\d+:\d+: warning: .+$", line), line
    checked = run_cli("check", tmp_path)
    assert checked.exit_code in (0, 1) and "files checked" in checked.stdout
    rendered = run_cli("render", tmp_path, "-f", "svg", "-o", tmp_path / "charts")
    assert rendered.exit_code == 0, rendered.stderr
    assert len(list((tmp_path / "charts").glob("*.svg"))) == len(written)
