"""The bundled KAM process is a real consultant's process and checks clean."""
import kamflow
from tests.conftest import PROCESSES


def test_kam_process_shape():
    process = kamflow.load(PROCESSES / "kam.yaml")
    types = [s.type for s in process.steps]
    assert len(process.steps) >= 25
    assert types.count("decision") >= 5
    assert types.count("end") >= 3
    assert len(process.lanes) == 4
    labels = " ".join(s.label.lower() for s in process.steps)
    for phrase in ("key account", "decision-making unit", "objectives met", "still a key account", "escalat"):
        assert phrase in labels or phrase == "decision-making unit" and "dmu" in labels, phrase


def test_kam_process_checks_clean():
    process = kamflow.load(PROCESSES / "kam.yaml")
    assert kamflow.check(process) == []


def test_kam_has_a_review_loop_back_to_planning():
    process = kamflow.load(PROCESSES / "kam.yaml")
    from kamflow.model.graph import back_edges, start_ids

    loops = back_edges(process.graph, start_ids(process))
    targets = {process.steps_by_id[target].label.lower() for _, target in loops}
    assert any("plan" in t for t in targets), targets


def test_kam_main_steps_carry_metadata():
    process = kamflow.load(PROCESSES / "kam.yaml")
    with_meta = [s for s in process.steps if {"owner", "kpis", "inputs", "outputs"} <= set(s.metadata)]
    assert len(with_meta) >= 8
