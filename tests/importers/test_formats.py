"""What each importer reads, on small files written here: BPMN namespaces, encodings, lanes,
gateways and events; draw.io plain and compressed pages, shapes and lanes; Mermaid syntax; the
spreadsheet column format; warnings with positions."""
import base64
import urllib.parse
import zlib

import openpyxl
import pytest

import kamflow
from kamflow import api
from kamflow.errors import LoadError


def _import(tmp_path, name, content, **options):
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    processes, notes = api.import_notes(path, **options)
    return processes, [str(n) for n in notes], path


BPMN_BODY = """<{p}definitions {ns} id="d">
  <{p}collaboration id="c"><{p}participant id="pool" name="Order  handling" processRef="proc"/></{p}collaboration>
  <{p}process id="proc">
    <{p}laneSet id="ls">
      <{p}lane id="l1" name="Sales">
        <{p}childLaneSet id="cls">
          <{p}lane id="l1a" name="Inside"><{p}flowNodeRef>s</{p}flowNodeRef><{p}flowNodeRef>t</{p}flowNodeRef></{p}lane>
          <{p}lane id="l1b" name="Field"><{p}flowNodeRef>g</{p}flowNodeRef><{p}flowNodeRef>m</{p}flowNodeRef></{p}lane>
        </{p}childLaneSet>
      </{p}lane>
      <{p}lane id="l2" name="Ops"><{p}flowNodeRef>a</{p}flowNodeRef><{p}flowNodeRef>b</{p}flowNodeRef><{p}flowNodeRef>e</{p}flowNodeRef><{p}flowNodeRef>w</{p}flowNodeRef><{p}flowNodeRef>j</{p}flowNodeRef><{p}flowNodeRef>f</{p}flowNodeRef></{p}lane>
    </{p}laneSet>
    <{p}startEvent id="s" name="Order&#10;received  "/>
    <{p}userTask id="t" name="Check {word}"/>
    <{p}exclusiveGateway id="g" name="OK?" default="f3"/>
    <{p}manualTask id="a" name="Pack"/>
    <{p}intermediateCatchEvent id="w" name="Two days"><{p}timerEventDefinition/></{p}intermediateCatchEvent>
    <{p}task id="b" name="Reject"/>
    <{p}parallelGateway id="f"/>
    <{p}task id="x1" name="Invoice"/><{p}task id="x2" name="Ship"/>
    <{p}parallelGateway id="j"/>
    <{p}exclusiveGateway id="m"/>
    <{p}endEvent id="e" name="Done"/>
    <{p}boundaryEvent id="be" attachedToRef="t" cancelActivity="false"><{p}timerEventDefinition/></{p}boundaryEvent>
    <{p}sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
    <{p}sequenceFlow id="f2" sourceRef="t" targetRef="g"/>
    <{p}sequenceFlow id="f4" sourceRef="g" targetRef="a" name="Yes"/>
    <{p}sequenceFlow id="f3" sourceRef="g" targetRef="b"/>
    <{p}sequenceFlow id="f5" sourceRef="a" targetRef="w"/>
    <{p}sequenceFlow id="f6" sourceRef="w" targetRef="f"/>
    <{p}sequenceFlow id="f7" sourceRef="f" targetRef="x1"/><{p}sequenceFlow id="f8" sourceRef="f" targetRef="x2"/>
    <{p}sequenceFlow id="f9" sourceRef="x1" targetRef="j"/><{p}sequenceFlow id="f10" sourceRef="x2" targetRef="j"/>
    <{p}sequenceFlow id="f11" sourceRef="j" targetRef="m"/><{p}sequenceFlow id="f12" sourceRef="b" targetRef="m"/>
    <{p}sequenceFlow id="f13" sourceRef="m" targetRef="e"/>
    <{p}sequenceFlow id="f14" sourceRef="be" targetRef="e"/>
  </{p}process>
</{p}definitions>
"""
MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@pytest.mark.parametrize("prefix, encoding, word", [
    ("", "UTF-8", "crédit"),
    ("bpmn2:", "ISO-8859-1", "crédit"),
    ("semantic:", "windows-1252", "crédit – €"),
])
def test_bpmn_any_prefix_and_encoding(tmp_path, prefix, encoding, word):
    ns = f'xmlns{":" + prefix[:-1] if prefix else ""}="{MODEL}"'
    text = f'<?xml version="1.0" encoding="{encoding}"?>\n' + BPMN_BODY.format(p=prefix, ns=ns, word=word)
    (process,), notes, path = _import(tmp_path, "order.bpmn", text.encode(encoding))
    assert process.id == "order_handling" and process.title == "Order handling"
    assert [lane.label for lane in process.lanes] == ["Sales / Inside", "Sales / Field", "Ops"]
    steps = process.steps_by_id
    by_label = {s.label: s for s in process.steps}
    assert by_label["Order received"].type == "start"  # whitespace collapsed
    assert by_label[f"Check {word}"].type == "step" and by_label[f"Check {word}"].lane == "sales_inside"
    assert by_label["Pack"].type == "manual"
    assert by_label["Two days"].type == "wait"
    assert by_label["OK?"].type == "decision"
    assert [(e.label, steps[e.target].label, e.kind) for e in process.outgoing(by_label["OK?"].id)] == [("Yes", "Pack", "branch"), ("default", "Reject", "branch")]
    parallel = [s for s in process.steps if s.type == "parallel"]
    assert len(parallel) == 2
    # the merge-only gateway m is folded away: Reject and the join go straight to Done
    assert all(s.label != "m" for s in process.steps) and len(process.steps) == 12
    assert {steps[e.target].label for e in process.outgoing(by_label["Reject"].id)} == {"Done"}
    # the boundary timer is a wait step reached from its host by a flow labelled with the event
    host_flows = process.outgoing(by_label[f"Check {word}"].id)
    assert [(e.label, steps[e.target].type) for e in host_flows] == [(None, "decision"), ("Timer (non-interrupting)", "wait")]
    assert any(":" in n and "folded away" in n for n in notes)
    assert all(n.startswith(f"{path}:") and ": warning: " in n for n in notes)
    # what check says is about the source: a task with an exception path, unnamed gateways, tasks outside the lanes
    assert sorted((f.rule, f.step) for f in kamflow.check(process, preset="all")) == [
        ("implicit-split", by_label[f"Check {word}"].id), ("label-required", "parallel"), ("label-required", "parallel_2"),
        ("lane-required", "invoice"), ("lane-required", "ship")]


def test_bpmn_unnamed_lane_around_the_pool_is_dropped_and_message_flows_become_notes(tmp_path):
    text = f"""<definitions xmlns="{MODEL}" id="d">
  <collaboration id="c">
    <participant id="p1" name="Customer" processRef="a"/><participant id="p2" name="Supplier" processRef="b"/>
    <messageFlow id="mf" name="Order" sourceRef="ta" targetRef="sb"/>
  </collaboration>
  <process id="a"><laneSet><lane id="wrap"><flowNodeRef>sa</flowNodeRef><flowNodeRef>ta</flowNodeRef><flowNodeRef>ea</flowNodeRef></lane></laneSet>
    <startEvent id="sa"/><task id="ta" name="Send order"/><endEvent id="ea"/>
    <sequenceFlow id="1" sourceRef="sa" targetRef="ta"/><sequenceFlow id="2" sourceRef="ta" targetRef="ea"/></process>
  <process id="b"><startEvent id="sb" name="Order in"><messageEventDefinition/></startEvent><endEvent id="eb"/>
    <sequenceFlow id="3" sourceRef="sb" targetRef="eb"/></process>
</definitions>"""
    (customer, supplier), notes, path = _import(tmp_path, "two.bpmn", text)
    assert (customer.id, supplier.id) == ("customer", "supplier")
    assert customer.lanes == ()
    assert customer.steps_by_id["send_order"].metadata["notes"] == "Sends message 'Order' to Order in"
    assert "Receives message 'Order' from Send order" in supplier.steps_by_id["order_in"].metadata["notes"]
    assert any("unnamed lane around the whole pool" in n for n in notes)
    assert any("message flow 'Order'" in n and n.startswith(f"{path}:4:") for n in notes)


def test_bpmn_subprocess_becomes_its_own_process(tmp_path, run_cli):
    text = f"""<definitions xmlns="{MODEL}" id="d"><process id="main" name="Main">
  <startEvent id="s"/><subProcess id="sp" name="Review"><startEvent id="s2"/><task id="t2" name="Read"/><endEvent id="e2"/>
    <sequenceFlow id="a" sourceRef="s2" targetRef="t2"/><sequenceFlow id="b" sourceRef="t2" targetRef="e2"/></subProcess>
  <endEvent id="e"/><sequenceFlow id="1" sourceRef="s" targetRef="sp"/><sequenceFlow id="2" sourceRef="sp" targetRef="e"/>
</process></definitions>"""
    path = tmp_path / "sub.bpmn"
    path.write_text(text)
    result = run_cli("import", path, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    main = kamflow.load(tmp_path / "out" / "main.yaml")
    assert main.steps_by_id["review"].process == "review"
    assert [s.label for s in kamflow.load(tmp_path / "out" / "review.yaml").steps] == ["start", "Read", "end"]
    checked = run_cli("check", tmp_path / "out" / "main.yaml")
    assert "unresolved-subprocess" not in checked.stdout


def _drawio_xml():
    return """<mxGraphModel><root><mxCell id="r"/><mxCell id="layer" parent="r"/>
<mxCell id="lane1" value="&lt;b&gt;Sales&lt;/b&gt;" style="swimlane;horizontal=0;html=1;" vertex="1" parent="layer"><mxGeometry x="0" y="0" width="600" height="120" as="geometry"/></mxCell>
<mxCell id="lane2" value="Ops" style="swimlane;horizontal=0;" vertex="1" parent="layer"><mxGeometry x="0" y="120" width="600" height="120" as="geometry"/></mxCell>
<mxCell id="a" value="Go" style="ellipse;" vertex="1" parent="lane1"><mxGeometry x="40" y="40" width="40" height="40" as="geometry"/></mxCell>
<mxCell id="b" value="Fine&lt;br&gt;&amp;amp; ok?" style="rhombus;html=1;" vertex="1" parent="lane1"><mxGeometry x="140" y="30" width="80" height="60" as="geometry"/></mxCell>
<mxCell id="c" value="Fix it" style="shape=mxgraph.flowchart.manual_input;" vertex="1" parent="lane2"><mxGeometry x="140" y="40" width="80" height="40" as="geometry"/></mxCell>
<mxCell id="d" value="Stop" style="shape=mxgraph.flowchart.terminator;" vertex="1" parent="lane1"><mxGeometry x="300" y="40" width="80" height="40" as="geometry"/></mxCell>
<mxCell id="e1" edge="1" source="a" target="b" parent="layer"><mxGeometry relative="1" as="geometry"/></mxCell>
<mxCell id="e2" value="yes" edge="1" source="b" target="d" parent="layer"><mxGeometry relative="1" as="geometry"/></mxCell>
<mxCell id="e3" edge="1" source="b" target="c" parent="layer"><mxGeometry relative="1" as="geometry"/></mxCell>
<mxCell id="t" value="no" style="text;" vertex="1" parent="layer"><mxGeometry x="160" y="100" width="30" height="20" as="geometry"/></mxCell>
<mxCell id="e4" edge="1" source="c" target="d" style="endArrow=none;" parent="layer"><mxGeometry relative="1" as="geometry"/></mxCell>
<mxCell id="e5" edge="1" source="c" parent="layer"><mxGeometry relative="1" as="geometry"><mxPoint x="9" y="9" as="targetPoint"/></mxGeometry></mxCell>
</root></mxGraphModel>"""


@pytest.mark.parametrize("compressed", [False, True])
def test_drawio_shapes_lanes_labels_plain_and_compressed(tmp_path, compressed):
    inner = _drawio_xml()
    if compressed:
        deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
        packed = deflate.compress(urllib.parse.quote(inner).encode()) + deflate.flush()
        page = base64.b64encode(packed).decode()
    else:
        page = inner
    text = f'<mxfile><diagram id="p1" name="Returns">{page}</diagram><diagram id="p2" name="Empty"><mxGraphModel><root/></mxGraphModel></diagram></mxfile>'
    (process,), notes, path = _import(tmp_path, "returns.drawio", text)
    assert process.title == "Returns" and process.direction == "LR"
    assert [lane.label for lane in process.lanes] == ["Sales", "Ops"]
    assert [(s.id, s.type, s.label) for s in process.steps] == [("go", "start", "Go"), ("fine_ok", "decision", "Fine & ok?"), ("fix_it", "manual", "Fix it"), ("stop", "end", "Stop")]
    assert [(e.target, e.label) for e in process.outgoing("fine_ok")] == [("stop", "yes"), ("fix_it", "no")]
    assert any("free text 'no'" in n for n in notes)
    assert any("dangling edge" in n for n in notes)
    assert any("without an arrowhead" in n for n in notes)
    if compressed:
        assert all("page 'Returns', cell" in n for n in notes if "free text" in n)


def test_mermaid_syntax(tmp_path):
    text = """---
title: Support desk
config: {look: classic}
---
%% a comment with a --> b inside
flowchart LR
    classDef hot fill:#f96
    subgraph desk [Service desk]
      direction TB
      in([Ticket in]) --> triage{"Known? #quot;Yes#quot; or no"}
      subgraph l2 ["Level 2"]
        dig@{ shape: cyl, label: "Look it up" }
      end
    end
    triage -- Yes --> fix[[Apply fix]]:::hot
    triage -->|No| dig
    dig e1@==> fix & note>Write it down]
    fix --> done(((Closed)))
    note -.-> done
    e1@{ animate: true }
    wait@{ shape: delay } --> done
    click fix "https://example.com"
    fix[[Apply the fix]]
"""
    (process,), notes, path = _import(tmp_path, "desk.mmd", text)
    assert process.title == "Support desk" and process.direction == "LR"
    assert [lane.label for lane in process.lanes] == ["Service desk", "Service desk / Level 2"]
    types = {s.id: (s.type, s.label, s.lane) for s in process.steps}
    assert types == {
        "in": ("start", "Ticket in", "service_desk"),
        "triage": ("decision", 'Known? "Yes" or no', "service_desk"),
        "dig": ("data", "Look it up", "service_desk_level_2"),
        "fix": ("subprocess", "Apply the fix", None),  # the label of its last definition
        "note": ("document", "Write it down", None),
        "done": ("end", "Closed", None),
        "wait": ("wait", "wait", None),
    }
    assert [(e.target, e.label, e.kind) for e in process.outgoing("triage")] == [("fix", "Yes", "branch"), ("dig", "No", "branch")]
    assert [e.target for e in process.outgoing("dig")] == ["fix", "note"]
    assert any("`click`" in n and n.startswith(f"{path}:22:") for n in notes)


def test_mermaid_blocks_in_markdown(tmp_path):
    text = "# Notes\n\nSome text.\n\n```mermaid\nflowchart TD\n  a --> b\n```\n\nMore.\n\n~~~mermaid\ngraph LR\n  x{Ok?} -->|yes| y\n  x -->|no| z\n~~~\n"
    processes, notes, path = _import(tmp_path, "wiki.md", text)
    assert [p.id for p in processes] == ["wiki_1", "wiki_2"]
    assert [s.id for s in processes[1].steps] == ["x", "y", "z"]
    assert processes[1].steps_by_id["x"].span.line == 14


def test_mermaid_unsupported_syntax_is_a_positioned_error(tmp_path):
    with pytest.raises(LoadError) as caught:
        _import(tmp_path, "bad.mmd", "flowchart TD\n  a --> b\n  b --> c ??? d\n")
    assert [str(p) for p in caught.value.problems] == [f"{tmp_path / 'bad.mmd'}:3:11: error: cannot read '??? d' here: expected an arrow such as `-->`, `&` or the end of the statement"]


def test_csv_columns_synonyms_branches_and_notes(tmp_path):
    text = (
        "Step No;Activity;Type;Responsible;Role;Next Step;Condition;Duration;KPI;Risk\n"
        "1;Request received;start;;Customer;2;;;;\n"
        "2;Credit check;;Anna;Finance;Approve; Reject;Yes; No;2 days;Approval rate; Time to decide;high\n"
        "3;Approve;;;Finance;5;;1h;;\n"
        "4;Reject;;;Finance;5;;;;\n"
        "5;Closed;end;;Customer;;;;;\n"
    )
    text = text.replace("Approve; Reject;Yes; No;2 days;Approval rate; Time to decide", '"Approve; Reject";"Yes; No";2 days;"Approval rate; Time to decide"')
    (process,), notes, path = _import(tmp_path, "credit.csv", text)
    assert [lane.label for lane in process.lanes] == ["Customer", "Finance"]
    check = process.steps_by_id["credit_check"]
    assert check.type == "decision" and check.metadata["owner"] == "Anna" and check.metadata["kpis"] == ["Approval rate", "Time to decide"]
    assert [(e.label, e.target) for e in process.outgoing("credit_check")] == [("Yes", "approve"), ("No", "reject")]
    assert "Risk: high" in check.metadata["notes"] and "Duration: 2 days" in check.metadata["notes"]
    assert process.steps_by_id["approve"].metadata["duration"] == "1h"
    assert any(n.startswith(f"{path}:1:10: warning: column 'Risk'") for n in notes)
    assert any(n.startswith(f"{path}:3:1: warning: duration '2 days'") for n in notes)
    assert kamflow.check(process) == []


def test_xlsx_sheet_choice_and_cell_positions(tmp_path):
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Cover"
    first.append(["This workbook holds the workshop results"])
    steps = book.create_sheet("Steps")
    for row in (["ID", "Label", "Lane", "Next"], ["s", "Start", "A", "t"], ["t", "Do it", "B", "Yes: e; No: nowhere"], ["e", "End", "A", None]):
        steps.append(row)
    path = tmp_path / "workshop.xlsx"
    book.save(path)
    (process,), notes = api.import_notes(path, sheet="Steps")
    assert process.id == "steps" and [s.id for s in process.steps] == ["s", "t", "e"]
    assert [str(n) for n in notes] == [f"{path}:3:4: warning: Steps!D3: next 'No: nowhere' names no step (by id or label); that flow is not imported"]
    with pytest.raises(LoadError) as caught:
        api.import_notes(path)
    assert "Cover!A1" in str(caught.value) and "first row must name the columns" in str(caught.value)
    with pytest.raises(LoadError):
        api.import_notes(path, sheet="Nope")


def test_format_from_content_and_unknown_format(tmp_path, run_cli):
    mermaid = tmp_path / "chart.txt"
    mermaid.write_text("graph TD\n  a --> b\n")
    assert [s.id for s in kamflow.import_file(mermaid)[0].steps] == ["a", "b"]
    drawio = tmp_path / "diagram.xml"
    drawio.write_text('<mxfile><diagram name="P"><mxGraphModel><root><mxCell id="0"/><mxCell id="x" value="Only" vertex="1" parent="0"/></root></mxGraphModel></diagram></mxfile>')
    assert [s.label for s in kamflow.import_file(drawio)[0].steps] == ["Only"]
    unknown = tmp_path / "notes.txt"
    unknown.write_text("just words\n")
    result = run_cli("import", unknown)
    assert result.exit_code == 2 and result.stderr == f"{unknown}: error: cannot tell which format this is from its name or content; name it with --from (bpmn, drawio, mermaid, csv, xlsx)\n"
    forced = run_cli("import", mermaid, "--from", "mermaid", "-o", tmp_path / "o")
    assert forced.exit_code == 0 and (tmp_path / "o" / "chart.yaml").is_file()
