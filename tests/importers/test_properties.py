"""Property-based round trips (hypothesis, the random processes of tests/hardening: random graphs,
lanes, decisions, labels from all of Unicode): the YAML the importer writes reads back as exactly
the same process, and a process exported to Mermaid or draw.io imports back with the same steps,
types, labels (whitespace collapsed, as every import does), lanes and flows."""
from __future__ import annotations

from hypothesis import given, settings

from kamflow import api
from kamflow.errors import LoadError
from kamflow.exporters._xmltext import xml_safe
from kamflow.exporters.process_yaml import to_process_yaml
from tests.hardening.test_properties import processes


def _loaded(text):
    try:
        return api.loads(text, name="random.yaml")
    except LoadError:
        return None


@given(text=processes())
@settings(max_examples=settings().max_examples * 2)
def test_written_yaml_reads_back_as_the_same_process(text):
    process = _loaded(text)
    if process is None:
        return
    again = api.loads(to_process_yaml(process, header=["random"]), name="again.yaml")
    assert (again.id, again.title, again.direction, again.description) == (process.id, process.title, process.direction, process.description)
    assert [(s.id, s.type, s.label, s.label_given, s.lane, s.process, s.metadata) for s in again.steps] == \
        [(s.id, s.type, s.label, s.label_given, s.lane, s.process, s.metadata) for s in process.steps]
    assert [(e.source, e.target, e.label, e.kind, e.probability) for e in again.edges] == [(e.source, e.target, e.label, e.kind, e.probability) for e in process.edges]
    assert [(l.id, l.label) for l in again.lanes] == [(l.id, l.label) for l in process.lanes]


def _shape(process, text=lambda t: t):
    """`text`: what the format can hold of a text (XML has no place for most control characters)."""
    def norm(label):
        return " ".join(text(label).split())

    lanes = {lane.id: norm(lane.label) for lane in process.lanes}
    steps = sorted((s.id, s.type, norm(s.label), lanes.get(s.lane)) for s in process.steps)
    flows = sorted((e.source, e.target, norm(e.label or "")) for e in process.edges if e.target in process.steps_by_id)
    return steps, flows


@given(text=processes())
@settings(max_examples=settings().max_examples)
def test_mermaid_and_drawio_exports_import_back(tmp_path_factory, text):
    process = _loaded(text)
    if process is None or any(not " ".join(s.label.split()) for s in process.steps):
        return
    if any(not " ".join(lane.label.split()) for lane in process.lanes):
        return  # a blank lane title (say "\r") has no text a Mermaid subgraph or a draw.io swimlane can carry
    connected = {e.source for e in process.edges} | {e.target for e in process.edges if e.target in process.steps_by_id}
    if any(s.type in ("start", "end") and s.id not in connected for s in process.steps):
        return  # a terminator with no flows at all: its shape does not say start or end (it imports as a start)
    folder = tmp_path_factory.mktemp("round")
    for fmt, suffix in (("mermaid", "mmd"), ("drawio", "drawio")):
        path = folder / f"{process.id}.{suffix}"
        path.write_text(api.export(process, to=fmt), encoding="utf-8")
        (back,) = api.import_file(path)
        assert _shape(back) == _shape(process, xml_safe if fmt == "drawio" else lambda t: t), fmt
