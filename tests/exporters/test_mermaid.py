"""Mermaid export: the real mermaid package parses every file, and its own flowchart db gives back
exactly our steps, lanes and labels."""
from __future__ import annotations

import pytest

import kamflow
from kamflow.model import mermaid_ids as mermaid_id_codec
from kamflow.exporters.mermaid import label, mermaid_ids
from tests.exporters.conftest import ALL_PROCESSES, process_ids

SHAPES = {"start": "stadium", "end": "stadium", "step": "square", "decision": "diamond", "subprocess": "subroutine",
          "document": "odd", "data": "lean_right", "manual": "inv_trapezoid", "wait": "round",
          "parallel": "fork"}


@pytest.mark.parametrize("path", ALL_PROCESSES, ids=process_ids(ALL_PROCESSES))
def test_mermaid_parses_and_reads_back_every_node_edge_lane_and_label(path, node_results):
    process = kamflow.load(path)
    result = node_results[(path.stem, "mermaid")]
    assert result["ok"], result.get("error")
    assert result["type"] == "flowchart-v2"
    assert result["direction"] == ("LR" if process.direction == "LR" else "TB")  # mermaid reads TD as TB
    ids = mermaid_ids("s_", [s.id for s in process.steps])
    vertices = {v["id"]: v for v in result["vertices"]}
    assert set(vertices) == set(ids.values())
    for step in process.steps:
        vertex = vertices[ids[step.id]]
        assert vertex["text"] == step.label.replace("\r\n", "\n")
        assert vertex["type"] == SHAPES[step.type]
    known = [e for e in process.edges if e.target in process.steps_by_id]
    assert [(e["start"], e["end"], e["text"]) for e in result["edges"]] == [(ids[e.source], ids[e.target], e.label or "") for e in known]
    lanes = mermaid_ids("lane_", [lane.id for lane in process.lanes])
    subgraphs = {s["id"]: s for s in result["subgraphs"]}
    assert set(subgraphs) == set(lanes.values())
    for lane in process.lanes:
        subgraph = subgraphs[lanes[lane.id]]
        assert subgraph["title"] == lane.label
        assert set(subgraph["nodes"]) == {ids[s.id] for s in process.steps if s.lane == lane.id}


def test_mermaid_rejects_what_it_should(node_modules, tmp_path):
    """The parse is real: a broken flowchart fails."""
    from tests.exporters.conftest import run_node_checks

    bad = tmp_path / "bad.mmd"
    bad.write_text('flowchart TD\n  a["unclosed --> b\n', encoding="utf-8")
    assert run_node_checks(node_modules, [{"kind": "mermaid", "path": str(bad)}], tmp_path)[str(bad)]["ok"] is False


@pytest.mark.parametrize("text, wanted", [
    ('say "hi"', '"say #quot;hi#quot;"'),
    ("<b>&</b>", '"#lt;b#gt;#amp;#lt;/b#gt;"'),
    ("#quot;", '"#35;quot#59;"'),
    ("a\nb", '"a<br>b"'),
    ("C:\\dir", '"C:#92;dir"'),
    ("ünï 漢字 💡", '"ünï 漢字 💡"'),
    ("`md`", '"#96;md#96;"'),
])
def test_label_escaping(text, wanted):
    assert label(text) == wanted


def test_ids_cannot_clash_with_keywords_or_each_other_and_read_back():
    ids = mermaid_ids("s_", ["end", "a-b", "a_hb", "graph", "select_key", "A_h", "a__b", "a_-b", "x_"])
    assert ids == {"end": "s_end", "a-b": "s_a_hb", "a_hb": "s_a__hb", "graph": "s_graph", "select_key": "s_select_key",
                   "A_h": "s_A__h", "a__b": "s_a___b", "a_-b": "s_a___hb", "x_": "s_x_"}
    assert len(set(ids.values())) == len(ids)
    assert {original: mermaid_id_codec.decode(code[len("s_"):]) for original, code in ids.items()} == {k: k for k in ids}


def test_an_id_that_looks_encoded_comes_back_from_an_import(tmp_path):
    """Found by the round-trip property test: `A_h` was exported as `s_A_h` and imported as `A-`."""
    process = kamflow.loads("kamflow: 1\nid: t\ntitle: T\nsteps:\n  - {id: a-b, type: start, label: Go, next: A_h}\n"
                            "  - {id: A_h, label: Work, next: a_hb}\n  - {id: a_hb, type: end, label: Done}\n")
    path = tmp_path / "t.mmd"
    path.write_text(kamflow.export(process, to="mermaid"), encoding="utf-8")
    (back,) = kamflow.import_file(path)
    assert [s.id for s in back.steps] == ["a-b", "A_h", "a_hb"]
