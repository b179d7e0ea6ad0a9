"""GraphML export: networkx reads it back with the same nodes, edges and string attributes."""
from __future__ import annotations

import networkx as nx
import pytest

import kamflow
from tests.exporters.conftest import ALL_PROCESSES, process_ids


@pytest.mark.parametrize("path", ALL_PROCESSES, ids=process_ids(ALL_PROCESSES))
def test_networkx_reads_back_nodes_edges_and_labels(path, exported):
    process = kamflow.load(path)
    graph = nx.read_graphml(exported[(path.stem, "graphml")], force_multigraph=True)
    assert isinstance(graph, nx.MultiDiGraph)
    assert graph.graph["process_id"] == process.id and graph.graph["title"] == process.title
    assert list(graph.nodes) == [step.id for step in process.steps]
    for step in process.steps:
        attrs = graph.nodes[step.id]
        assert attrs["label"] == step.label and attrs["type"] == step.type
        assert attrs.get("lane") == step.lane
        assert all(isinstance(value, str) for value in attrs.values())
        for key, value in step.metadata.items():
            if key == "raci":  # letter: names, in RACI order
                assert attrs[key] == "; ".join(f"{letter}: {', '.join(value[letter])}" for letter in "RACI" if letter in value)
            else:
                assert attrs[key] == ("\n".join(value) if isinstance(value, list) else value)
    known = [(i, e) for i, e in enumerate(process.edges) if e.target in process.steps_by_id]
    edges = list(graph.edges(keys=True, data=True))
    assert [(s, t, k) for s, t, k, _ in edges] == [(e.source, e.target, f"flow-{i + 1}") for i, e in known] or \
        sorted((s, t, k) for s, t, k, _ in edges) == sorted((e.source, e.target, f"flow-{i + 1}") for i, e in known)
    by_key = {k: d for _, _, k, d in edges}
    for index, edge in known:
        data = by_key[f"flow-{index + 1}"]
        assert data.get("label") == edge.label and data["kind"] == edge.kind
        assert data.get("probability") == (repr(edge.probability) if edge.probability is not None else None)


def test_graphml_escapes_awkward_labels(exported):
    text = exported[("awkward", "graphml")].read_text(encoding="utf-8")
    assert "<script>" not in text and "&lt;script&gt;" in text
