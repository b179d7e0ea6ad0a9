"""Cutting a process into parts joined by off-page connectors (model.split): every step on
exactly one part, every cut flow a matching pair of connectors, lanes kept where used."""
import kamflow
from kamflow.model.overlay import GhostStep, Mark, Overlay
from kamflow.model.split import OFFPAGE, cuts_of, flow_groups, letters, split_process
from tests.conftest import PROCESSES


def test_letters_run_past_z():
    names = letters()
    first = [next(names) for _ in range(28)]
    assert first[:3] == ["A", "B", "C"] and first[25:] == ["Z", "AA", "AB"]


def test_flow_groups_are_nearly_equal_runs():
    assert flow_groups(list("abcdefg"), 3) == [["a", "b", "c"], ["d", "e"], ["f", "g"]]
    assert flow_groups(list("ab"), 5) == [["a"], ["b"]]


def test_every_step_on_one_part_and_every_cut_flow_has_its_pair_of_connectors():
    process = kamflow.load(PROCESSES / "kam.yaml")
    order = [step.id for step in process.steps]
    groups = flow_groups(order, 4)
    parts = split_process(process, groups, unit="page")
    own = [step_id for part in parts for step_id in part.steps]
    assert sorted(own) == sorted(order) and len(own) == len(set(own))
    cuts = cuts_of(process, groups)
    assert cuts, "KAM cut in four has flows between parts"
    for cut in cuts:
        target_part = parts[cut.target_part - 1].process
        incoming = target_part.steps_by_id[f"offpage-from-{cut.letter}"]
        assert incoming.type == OFFPAGE and incoming.label.endswith(f": {cut.letter}")
        assert [e.target for e in target_part.outgoing(incoming.id)] == [cut.target]
        for number in cut.source_parts:
            source_part = parts[number - 1].process
            outgoing = source_part.steps_by_id[f"offpage-to-{cut.letter}"]
            assert outgoing.label == f"{cut.letter} → page {cut.target_part}"
            assert any(e.target == outgoing.id for e in source_part.edges)
    for part in parts:
        known = part.process.steps_by_id
        assert all(e.source in known for e in part.process.edges)
        assert all(e.target in known or e.target not in process.steps_by_id for e in part.process.edges)
        assert {lane.id for lane in part.process.lanes} == {s.lane for s in part.process.steps}


def test_branch_labels_stay_on_the_cut_flow(write):
    process = kamflow.load(write("""\
kamflow: 1
id: p
steps:
  - {id: start, type: start, next: ok}
  - {id: ok, type: decision, branches: {"Yes": done, "No": start}}
  - {id: done, type: end}
"""))
    parts = split_process(process, [["start", "ok"], ["done"]], unit="slide")
    first = parts[0].process
    cut = [e for e in first.edges if e.target.startswith("offpage-to-")]
    assert [(e.source, e.label, e.kind) for e in cut] == [("ok", "Yes", "branch")]
    assert first.steps_by_id["offpage-to-A"].label == "A → slide 2"
    assert parts[1].process.steps_by_id["offpage-from-A"].label == "from slide 1: A"


def test_ghosts_and_marks_go_with_their_steps(write):
    process = kamflow.load(write("""\
kamflow: 1
id: p
steps:
  - {id: start, type: start, next: a}
  - {id: a, next: b}
  - {id: b, type: end}
"""))
    overlay = Overlay(ghosts=(GhostStep("ghost-x", "Missing: X", after=("a",), before=("b",)),), step_marks={"b": Mark("dead-end", "dead end")})
    parts = split_process(process, [["start", "a"], ["b"]], overlay=overlay)
    assert [g.id for g in parts[0].overlay.ghosts] == ["ghost-x"] and parts[0].overlay.ghosts[0].before == ()
    assert parts[1].overlay.ghosts == () and set(parts[1].overlay.step_marks) == {"b"}


def test_the_1000_step_synthetic_process_is_planned_into_readable_parts(tmp_path):
    """plan_parts on the benchmark's 1000-step process, with a stand-in layout (a part is as tall
    as 60 pt per step, as wide as 120 pt per lane): every step on exactly one part, each cut flow
    a pair of connectors, every part at or above 9 pt. (The real layout of it: bench, `render --page`.)"""
    from bench.synthetic import synthetic_process
    from kamflow.model.graph import flow_order
    from kamflow.model.scene import Box, Scene, SceneStep, Text, TitleBlock
    from kamflow.model.split import plan_parts, smallest_text

    path = tmp_path / "synthetic-1000.yaml"
    path.write_text(synthetic_process(1000), encoding="utf-8")
    process = kamflow.load(path)

    def scene_of(part, overlay):
        steps = tuple(SceneStep(s.id, s.type, Box(0, 60 * i, 100, 40), Text((s.label,), 50, 60 * i + 20, 11.0), s.lane) for i, s in enumerate(part.steps))
        lanes = {s.lane for s in part.steps}
        return Scene(part.id, part.title, "", "TB", 120.0 * max(len(lanes), 1), 60.0 * len(part.steps) + 80, Box(0, 0, 1, 1),
                     TitleBlock(Text(("t",), 0, 0, 16.0), None), steps=steps)

    room = (539.0, 785.0)
    plan = plan_parts(process, [s.id for s in flow_order(process)], scene_of=scene_of, overlay=None, unit="page",
                      text_at=lambda scenes: min(smallest_text(s) * min(1.0, room[0] / s.width, room[1] / s.height) for s in scenes))
    assert plan.split and plan.smallest >= 9.0
    own = [step for part in plan.parts for step in part.steps]
    assert len(own) == len(set(own)) == len(process.steps)
    for cut in plan.cuts:
        assert f"offpage-from-{cut.letter}" in plan.parts[cut.target_part - 1].process.steps_by_id
        for number in cut.source_parts:
            assert f"offpage-to-{cut.letter}" in plan.parts[number - 1].process.steps_by_id
