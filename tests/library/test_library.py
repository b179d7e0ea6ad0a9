"""The bundled process library: every reference loads, checks clean, renders, and reads well."""
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

import kamflow
from kamflow.loader import bundled_library_dir, load_process_text

LIBRARY = {
    "kam", "account-planning", "kam-relationship", "strategic-account-review", "accounts-payable",
    "billing", "month-end-close", "manufacturing", "template-multiple-ends", "template-multiple-paths",
}
SVG = "{http://www.w3.org/2000/svg}"


def _process(process_id):
    return kamflow.load(kamflow.library_path(process_id))


def test_the_library_holds_exactly_the_ten_processes():
    assert set(kamflow.library_ids()) == LIBRARY
    assert [p.id for p in kamflow.library_processes()] == sorted(LIBRARY)
    for process in kamflow.library_processes():
        assert process.path.endswith(f"{process.id}.yaml"), "a file is named after its id"


@pytest.mark.parametrize("process_id", sorted(LIBRARY))
def test_each_process_checks_clean_with_the_default_rules(process_id):
    assert kamflow.check(_process(process_id)) == []


@pytest.mark.parametrize("process_id", sorted(LIBRARY))
def test_each_process_is_a_usable_reference(process_id):
    process = _process(process_id)
    lane_ids = {lane.id for lane in process.lanes}
    assert len(lane_ids) >= 2
    assert all(step.lane in lane_ids for step in process.steps), "every step sits in a declared lane"
    assert any(step.essential for step in process.steps), "essential steps are marked"
    long = [step.label for step in process.steps if len(step.label.split()) > 6]
    assert long == [], "labels are at most six words"
    branch_labels = [edge.label for edge in process.edges if edge.kind == "branch"]
    assert all(label and len(label.split()) <= 7 for label in branch_labels)
    main = [step for step in process.steps if step.type not in ("start", "end")]
    assert [s.id for s in main if not s.metadata.get("owner")] == [], "every working step has an owner"
    work = [step for step in main if step.type not in ("decision", "wait")]
    for step in work:
        assert step.metadata.get("duration"), f"{step.id} has no duration"
    for step in work:
        if step.essential:
            assert {"kpis", "inputs", "outputs"} <= set(step.metadata), f"essential {step.id} lacks KPIs, inputs or outputs"
    assert process.title and process.description


@pytest.mark.parametrize("process_id", sorted(LIBRARY))
def test_each_process_renders_one_node_per_step(process_id):
    process = _process(process_id)
    charts = kamflow.render_charts(process, formats=("svg", "pdf"))
    assert charts["pdf"].startswith(b"%PDF-")
    root = ET.fromstring(charts["svg"])
    nodes = [g.get("id") for g in root.iter(f"{SVG}g") if "node" in (g.get("class") or "").split()]
    assert len(nodes) == len(process.steps)
    assert sorted(nodes) == sorted(f"step-{step.id}" for step in process.steps)
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    for step in process.steps:
        assert step.label.split()[0] in texts


def test_kam_links_its_subprocesses_and_they_resolve():
    kam = _process("kam")
    links = {step.id: step.process for step in kam.steps if step.type == "subprocess"}
    assert links == {"account_plan": "account-planning", "account_review": "strategic-account-review"}
    for step_id, target in links.items():
        assert kam.steps_by_id[step_id].essential
        assert kamflow.load(bundled_library_dir() / f"{target}.yaml").id == target
    # The check resolves the links: a kam copy whose link points nowhere is reported.
    text = kamflow.show_process("kam").replace("process: account-planning", "process: account-plannng")
    broken = load_process_text(text, str(bundled_library_dir() / "kam.yaml"))
    assert [f.rule for f in kamflow.check(broken)] == ["unresolved-subprocess"]


def test_kam_keeps_its_essential_steps_for_conformance():
    essential = {s.id for s in _process("kam").steps if s.essential}
    assert {"rate_accounts", "select_key", "classify", "map_dmu", "account_plan", "execute_plan",
            "health_scan", "account_review", "still_key"} <= essential


def test_kam_relationship_has_every_stage_and_both_dissolutions():
    process = _process("kam-relationship")
    labels = " ".join(step.label.lower() for step in process.steps)
    for stage in ("exploratory", "basic", "cooperative", "interdependent", "integrated", "disintegrating"):
        assert stage in labels
    graph = process.graph
    for stage in ("basic", "cooperative", "interdependent", "integrated"):
        # disintegration is possible from every trading stage
        assert nx.has_path(graph, stage, "disintegrating")
    assert {"customer_exits", "supplier_withdraws"} <= {s.id for s in process.steps if s.type == "end"}


def test_templates_show_what_their_names_promise():
    ends = _process("template-multiple-ends")
    assert sum(step.type == "end" for step in ends.steps) >= 3
    paths = _process("template-multiple-paths")
    graph = paths.graph
    splits = [n for n in graph if graph.out_degree(n) > 1 and paths.steps_by_id[n].type != "decision"]
    decisions = [n for n in graph if paths.steps_by_id[n].type == "decision"]
    joins = [n for n in graph if graph.in_degree(n) > 1]
    assert splits and decisions and joins, "parallel and alternative paths that rejoin"
