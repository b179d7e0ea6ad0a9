"""Render tests read the SVG: nodes, shapes by type, edge labels, lanes, escaping, determinism."""
import subprocess

import pytest

import kamflow
from tests.conftest import PROCESSES, SIMPLE
from tests.rendering import svg as S

NASTY = [
    'Say "hello"',
    "back\\slash and \\n and \\N",
    "{braces} [brackets]",
    "<b>not bold</b>",
    "<draft>",
    "Fish & chips; 100%",
    "Größe prüfen – naïve café",
    "label=evil, shape=none",
    "\\",
    "Yes",
]


def _svg(process, **options):
    return S.parse(kamflow.render_charts(process, formats=("svg",), **options)["svg"])


def test_kam_chart_has_every_step_shape_and_lane():
    process = kamflow.load(PROCESSES / "kam.yaml")
    root = _svg(process)
    nodes = S.groups(root, "node")
    assert sorted(S.title(n) for n in nodes) == sorted(s.id for s in process.steps)
    by_id = {S.title(n): n for n in nodes}
    for step in process.steps:
        node = by_id[step.id]
        assert node.get("id") == f"step-{step.id}"
        assert f"kamflow-{step.type}" in node.get("class")
        shown = " ".join(S.texts(node)).replace("  ", " ")
        assert " ".join(shown.split()) == " ".join(step.label.split())
        if step.type == "decision":
            # a diamond is a 4-point polygon
            points = next(node.iter("{http://www.w3.org/2000/svg}polygon")).get("points").split()
            assert len(points) == 5
    lanes = S.groups(root, "cluster")
    assert [S.texts(c)[0] for c in lanes] == [lane.label for lane in process.lanes]
    assert [c.get("id") for c in lanes] == [f"lane-{lane.id}" for lane in process.lanes]
    edges = S.groups(root, "edge")
    assert len(edges) == len({(e.source, e.target) for e in process.edges})
    edge_labels = sorted(" ".join(S.texts(e)) for e in edges if S.texts(e))
    assert edge_labels == sorted(" ".join(e.label.split()) for e in process.edges if e.label)
    assert "Key Account Management" in " ".join(S.texts(root))


def test_lane_membership_in_dot():
    process = kamflow.load(PROCESSES / "kam.yaml")
    dot = kamflow.render_charts(process, formats=("dot",))["dot"].decode()
    for lane in process.lanes:
        block = dot.split(f'subgraph cluster_lane_{lane.id} {{')[1].split("\n  }")[0]
        members = {s.id for s in process.steps if s.lane == lane.id}
        for member in members:
            assert f'\n    {member} [' in block or f'\n    "{member}" [' in block


@pytest.mark.parametrize("label", NASTY)
def test_user_text_comes_out_as_the_same_text(write, label):
    quoted = label.replace("'", "''")
    path = write(
        f"""\
kamflow: 1
id: nasty
title: '{quoted}'
lanes: [{{id: a, label: '{quoted}'}}]
steps:
  - {{id: start, type: start, label: '{quoted}', lane: a, next: d}}
  - id: d
    type: decision
    label: '{quoted}'
    lane: a
    branches:
      '{quoted}': e1
      other: e2
  - {{id: e1, type: end, label: '{quoted}', lane: a}}
  - {{id: e2, type: end, label: x, lane: a}}
"""
    )
    process = kamflow.load(path)
    root = _svg(process)
    joined = " ".join(t for t in S.texts(root))
    normal = " ".join(label.split())
    # wrapping may split at spaces; compare word sequences per element
    for element in S.groups(root, "node") + S.groups(root, "edge"):
        words = " ".join(" ".join(S.texts(element)).split())
        if S.texts(element) and words not in ("x", "other"):
            assert words == normal
    assert joined.count(normal.split()[0]) >= 4
    # nothing became markup
    tags = {el.tag.split("}")[1] for el in root.iter()}
    assert tags <= {"svg", "g", "title", "text", "polygon", "path", "ellipse", "polyline", "a"}


def test_render_writes_files_and_is_byte_identical(tmp_path):
    process = kamflow.load(PROCESSES / "kam.yaml")
    first = kamflow.render(process, formats=("svg", "pdf", "png", "dot"), output_dir=tmp_path / "a")
    second = kamflow.render(process, formats=("svg", "pdf", "png", "dot"), output_dir=tmp_path / "b")
    assert [p.name for p in first] == ["kam.svg", "kam.pdf", "kam.png", "kam.dot"]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert first[1].read_bytes().startswith(b"%PDF")
    assert first[2].read_bytes().startswith(b"\x89PNG")
    assert not list((tmp_path / "a").glob(".*"))  # no temporary files left


def test_pdf_embeds_its_fonts(tmp_path):
    process = kamflow.load(PROCESSES / "kam.yaml")
    pdf = kamflow.render(process, formats=("pdf",), output_dir=tmp_path)[0]
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = listing.splitlines()[2:]
    assert rows
    for row in rows:
        assert row.split()[-5] == "yes", row  # the `emb` column


def test_direction_option_changes_layout(write):
    process = kamflow.load(write(SIMPLE))
    tb = kamflow.render_charts(process, formats=("dot",))["dot"].decode()
    lr = kamflow.render_charts(process, formats=("dot",), direction="LR")["dot"].decode()
    assert "rankdir=TB" in tb and "rankdir=LR" in lr
