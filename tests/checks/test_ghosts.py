"""Missing steps in the picture: ghosts in the rendered SVG, read back by parsing it."""
import kamflow
from kamflow.rendering.options import RenderOptions
from tests.checks import variants as V
from tests.rendering import svg as S


def _svg(process, **kwargs):
    return S.parse(kamflow.render_charts(process, formats=("svg",), **kwargs)["svg"])


def _nodes(root):
    return {g.get("id"): g for g in S.groups(root, "node")}


def _text(node):
    return " ".join(" ".join(S.texts(node)).split())


def _dashed(node):
    shape = next(el for el in node.iter() if el.tag.endswith(("polygon", "path", "ellipse")))
    return bool(shape.get("stroke-dasharray"))


def _two_missing(write):
    text = V.drop(V.kam_text(), "map_dmu", rewire_to="interview_stakeholders")
    return kamflow.load(write(V.drop(text, "health_scan", rewire_to="escalation_needed")))


def test_missing_essential_steps_are_dashed_ghosts_with_the_reference_label(write):
    root = _svg(_two_missing(write))
    nodes = _nodes(root)
    for ghost_id, label in (("ghost-map_dmu", "Missing: Map DMU and buying behaviour"), ("ghost-health_scan", "Missing: Run relationship health scan")):
        assert ghost_id in nodes, sorted(nodes)
        assert _text(nodes[ghost_id]) == label
        assert "kamflow-ghost-missing" in nodes[ghost_id].get("class")
        assert _dashed(nodes[ghost_id])
    # placed between the implemented steps around it in the reference, with dashed flows
    flows = {S.title(e).replace(" ", "").replace("->", "→") for e in S.groups(root, "edge")}
    assert {"assess_capability→ghost-map_dmu", "ghost-map_dmu→interview_stakeholders", "execute_plan→ghost-health_scan", "ghost-health_scan→escalation_needed"} <= flows


def test_no_ghosts_when_switched_off_or_when_the_variant_conforms(write):
    assert not [n for n in _nodes(_svg(_two_missing(write), options=RenderOptions(ghosts=False))) if n.startswith("ghost-")]
    conforming = kamflow.load(write(V.renamed_variant(), "acme-ok.yaml"))
    assert not [n for n in _nodes(_svg(conforming)) if n.startswith("ghost-")]


def test_dangling_target_is_a_ghost_and_a_dead_end_is_marked(write):
    text = """\
kamflow: 1
id: broken
steps:
  - {id: start, type: start, label: Start, next: work}
  - {id: work, label: Do the work, next: [review, finish], ignore: [implicit-split]}
  - {id: stuck, label: Wait for the customer}
  - {id: finish, type: end, label: Finished}
"""
    root = _svg(kamflow.load(write(text.replace("next: work}", "next: [work, stuck]}"))))
    nodes = _nodes(root)
    assert _text(nodes["ghost-review"]) == "Missing: review"
    assert "kamflow-ghost-dangling" in nodes["ghost-review"].get("class") and _dashed(nodes["ghost-review"])
    flows = {S.title(e).replace(" ", "").replace("->", "→"): e for e in S.groups(root, "edge")}
    assert "work→ghost-review" in flows
    dashes = [el.get("stroke-dasharray") for el in flows["work→ghost-review"].iter() if el.tag.endswith("path")]
    assert any(dashes)
    assert "[dead end]" in _text(nodes["step-stuck"])


def test_a_dangling_branch_keeps_its_label_on_the_way_to_its_ghost(write):
    import xml.etree.ElementTree as ET

    process = kamflow.load(write("kamflow: 1\nid: dt\ndate: 2024-05-01\nsteps:\n  - {id: s, type: start, next: d}\n  - id: d\n    type: decision\n    label: OK?\n    branches:\n      Yes: e\n      No: reject\n  - {id: e, type: end}\n"))
    root = ET.fromstring(kamflow.render_charts(process, formats=("svg",))["svg"])
    labels = {g.get("id"): [t.text for t in g.iter("{http://www.w3.org/2000/svg}text")] for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "flow-label"}
    assert labels["label-ghost-flow-d-ghost-reject"] == ["No"]
    assert labels["label-flow-d-e"] == ["Yes"]
