"""Overlays (ghost steps, marks) reach the chart as dashed ghost nodes and marked steps."""
import kamflow
from kamflow.model.overlay import GhostStep, Mark, Overlay
from tests.conftest import SIMPLE
from tests.rendering import svg as S


def test_ghost_and_marks_are_drawn(write):
    process = kamflow.load(write(SIMPLE))
    overlay = Overlay(
        ghosts=(GhostStep(id="ghost-review", label="Missing: Review <the> work", lane="a", after=("work",), before=("ok",)),),
        step_marks={"work": Mark("dead-end", "dead end")},
    )
    root = S.parse(kamflow.render_charts(process, formats=("svg",), overlay=overlay)["svg"])
    ghost = [g for g in S.groups(root, "node") if g.get("id") == "ghost-review"]
    assert len(ghost) == 1
    assert " ".join(" ".join(S.texts(ghost[0])).split()) == "Missing: Review <the> work"
    shape = next(el for el in ghost[0].iter() if el.tag.endswith(("path", "polygon")))
    assert shape.get("stroke-dasharray")
    work = [g for g in S.groups(root, "node") if g.get("id") == "step-work"][0]
    assert "[dead end]" in S.texts(work)
    dashed_flows = [e for e in S.groups(root, "edge") if "kamflow-ghost-flow" in e.get("class")]
    assert len(dashed_flows) == 2
