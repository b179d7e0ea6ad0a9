"""Overlay charts explain themselves: a legend entry per kind of ghost, dashed flow and mark
actually drawn, laid out without overlap; flows carry a non-colour cue in every theme; ghost flows
keep their branch labels; subprocess links point at the resolved process's chart; long loop
sweeps are routed the short way."""
from pathlib import Path

import pytest

import kamflow
from kamflow import api
from kamflow.model.overlay import GhostStep, Mark, Overlay
from kamflow.rendering.options import RenderOptions
from kamflow.rendering.text import text_width
from tests.rendering import svg as S

ROOT = Path(__file__).resolve().parents[2]
AS_IS, TO_BE = ROOT / "examples" / "kam-as-is.yaml", ROOT / "examples" / "kam-to-be.yaml"


def _by_id(root, cls):
    return {g.get("id"): g for g in S.groups(root, cls)}


def _entries(root) -> list:
    [legend] = [g for g in root.iter(f"{S.SVG}g") if g.get("id") == "legend"]
    return S.groups(legend, "legend-entry")


def _label(root, edge_id: str) -> list[str]:
    """The texts of a flow's label (labels are drawn over every line, apart from the flows)."""
    found = [g for g in S.groups(root, "flow-label") if g.get("id") == f"label-{edge_id}"]
    return S.texts(found[0]) if found else []


def _entry_text(entry) -> str:
    return " ".join(S.texts(entry))


@pytest.fixture(scope="module")
def diff_chart():
    result = api.diff(kamflow.load(AS_IS), kamflow.load(TO_BE))
    svg = api.render_charts(result.new, formats=("svg",), options=RenderOptions(legend=True), overlay=api.diff_overlay(result))["svg"]
    return S.parse(svg)


def test_diff_legend_lists_each_kind_with_generic_texts(diff_chart):
    texts = [_entry_text(e) for e in _entries(diff_chart)]
    for expected in ("Removed step (dashed)", "Removed flow (dashed)", "[new] Added step", "[new] Added flow",
                     "[changed] Changed step (what changed in the badge)", "[changed] Changed flow (label or probability)"):
        assert expected in texts, (expected, texts)
    # nothing drawn, nothing listed; no step's own details in the legend
    assert not any("critical" in t or "dead end" in t or "Missing" in t for t in texts)
    assert not any("label" in t.split("]")[0] for t in texts)


def test_legend_entries_do_not_overlap(diff_chart):
    rows: dict[str, list[tuple[float, float]]] = {}
    for entry in _entries(diff_chart):
        items = [el for el in entry.iter() if el.tag in (f"{S.SVG}path", f"{S.SVG}polygon", f"{S.SVG}circle", f"{S.SVG}text")]
        left = min(S.bbox(el.get("d"))[0] if el.get("d") else float(el.get("x") or el.get("cx") or 1e9) - (12 if el.tag.endswith("circle") else 0) for el in items if el.get("d") or el.get("x") or el.get("cx"))
        texts = [t for t in entry.iter(f"{S.SVG}text") if t.get("text-anchor") != "middle"]
        last = texts[-1]
        right = float(last.get("x")) + text_width(last.text, float(last.get("font-size")), bold=last.get("font-weight") == "bold")
        rows.setdefault(last.get("y"), []).append((left, right))
        # the badge ends before the description starts
        if len(texts) == 2:
            badge = texts[0]
            assert float(badge.get("x")) + text_width(badge.text, float(badge.get("font-size")), bold=True) < float(last.get("x"))
    assert len(rows) >= 2
    width = float(diff_chart.get("viewBox").split()[2])
    for spans in rows.values():
        spans.sort()
        assert all(a[1] + 8 <= b[0] for a, b in zip(spans, spans[1:])), spans
        assert spans[-1][1] <= width


def test_missing_critical_and_dead_end_entries(write):
    process = kamflow.load(write(SIMPLE_LANES))
    overlay = Overlay(
        ghosts=(GhostStep(id="ghost-review", label="Missing: Review", lane="a", after=("work",), before=("ok",)),),
        step_marks={"work": Mark("dead-end", "dead end"), "start": Mark("critical", "critical path")},
        edge_marks={("start", "work"): Mark("critical", "critical path")},
    )
    root = S.parse(kamflow.render_charts(process, formats=("svg",), overlay=overlay, options=RenderOptions(legend=True))["svg"])
    texts = [_entry_text(e) for e in _entries(root)]
    assert "Missing step (dashed)" in texts
    assert "Flow to or from a missing step (dashed)" in texts
    assert "[critical path] Step on the critical path" in texts
    assert "Flow on the critical path (double line)" in texts
    assert "[dead end] Dead end: no way on to an end" in texts
    assert not any("Removed" in t or "new" in t for t in texts)


@pytest.mark.parametrize("theme", ["default", "print", "colorblind"])
def test_marked_flows_have_a_cue_besides_colour(write, theme):
    process = kamflow.load(write(SIMPLE_LANES))
    overlay = Overlay(
        edge_marks={("start", "work"): Mark("critical", "critical path"), ("work", "check"): Mark("added", "new"),
                    ("check", "ok"): Mark("changed", "changed")},
        extra_edges=(("start", "ok", None, "removed"),),
    )
    root = S.parse(kamflow.render_charts(process, formats=("svg",), overlay=overlay, options=RenderOptions(theme=theme))["svg"])
    edges = _by_id(root, "edge")
    plain = edges["flow-check-done"]
    plain_paths = list(plain.iter(f"{S.SVG}path"))
    assert len(plain_paths) == 1 and not plain_paths[0].get("stroke-dasharray")
    # critical: a double line (a wide stroke and a page-coloured core along the same path)
    critical = list(edges["flow-start-work"].iter(f"{S.SVG}path"))
    assert [p.get("class") for p in critical] == ["casing", "core"]
    assert critical[0].get("d") == critical[1].get("d")
    assert float(critical[0].get("stroke-width")) > 3 * float(critical[1].get("stroke-width")) / 1.5
    background = next(root.iter(f"{S.SVG}rect")).get("fill")
    assert critical[1].get("stroke") == background
    # added and changed: a bracketed badge under the label; removed: dashed and a badge
    assert _label(root, "flow-work-check")[-1] == "[new]"
    assert _label(root, "flow-check-ok")[-2:] == ["yes", "[changed]"]
    removed = edges["extra-start-ok"]
    assert _label(root, "extra-start-ok") == ["[removed]"]
    assert next(removed.iter(f"{S.SVG}path")).get("stroke-dasharray")


def test_ghost_flows_keep_their_branch_labels(diff_chart):
    edges = _by_id(diff_chart, "edge")
    # the as-is "No" into "Offer a discount" (removed) keeps its label on the dashed ghost flow
    into_discount = edges["ghost-flow-objectives_met-removed-discount"]
    assert _label(diff_chart, "ghost-flow-objectives_met-removed-discount") == ["No"]
    assert next(into_discount.iter(f"{S.SVG}path")).get("stroke-dasharray")
    assert _label(diff_chart, "ghost-flow-removed-discount-execute_plan") == []
    overlay = api.diff_overlay(api.diff(kamflow.load(AS_IS), kamflow.load(TO_BE)))
    discount = next(g for g in overlay.ghosts if g.id == "removed-discount")
    assert discount.flow_label("objectives_met", "removed-discount") == "No"
    assert discount.flow_label("removed-discount", "execute_plan") is None


def test_missing_step_ghost_keeps_the_reference_branch_label(tmp_path):
    (tmp_path / "ref.yaml").write_text(REFERENCE, encoding="utf-8")
    (tmp_path / "variant.yaml").write_text(VARIANT, encoding="utf-8")
    space = api.Workspace()
    process = kamflow.load(tmp_path / "variant.yaml", workspace=space)
    overlay = api.ghost_overlay(process, workspace=space)
    [ghost] = overlay.ghosts
    assert (ghost.after, ghost.before) == (("ok",), ("done",))
    assert ghost.flow_label("ok", ghost.id) == "No - escalate"
    assert ghost.flow_label(ghost.id, "done") is None
    root = S.parse(api.render_charts(process, formats=("svg",), overlay=overlay)["svg"])
    assert _label(root, f"ghost-flow-ok-{ghost.id}") == ["No - escalate"]


def test_subprocess_links_follow_the_resolved_process(tmp_path):
    (tmp_path / "planning").mkdir()
    (tmp_path / "planning" / "x.yaml").write_text(SUB, encoding="utf-8")
    (tmp_path / "main.yaml").write_text(MAIN, encoding="utf-8")
    process = kamflow.load(tmp_path / "main.yaml", workspace=api.Workspace())
    assert api.subprocess_links(process, workspace=api.Workspace()) == (("plan", "account-plan"),)
    charts = api.render_charts(process, formats=("svg", "dot"))
    root = S.parse(charts["svg"])
    links = {a.get("href") for a in root.iter(f"{S.SVG}a")}
    assert links == {"account-plan.svg"}  # "missing" names no file: no link
    nodes = _by_id(root, "node")
    assert not list(nodes["step-lost"].iter(f"{S.SVG}a"))
    # the PDF links to the PDF chart of the subprocess
    assert b"account-plan.pdf" in api.render_charts(process, formats=("pdf",))["pdf"]
    # without a resolved mapping, only a plain process id links; a path never becomes a broken link
    from kamflow.rendering.chart import chart_scene

    bare = chart_scene(process, options=RenderOptions())
    assert {step.link for step in bare.steps if step.link} == {"missing.svg"}


def test_loops_run_in_a_channel_beside_the_steps():
    """The KAM chart's loops back to the account plan run up a channel of their own: beside
    their lane's steps or along the chart's outer side, never between steps across the chart."""
    from kamflow.rendering.chart import chart_scene

    kam = kamflow.load(kamflow.library_path("kam"))
    scene = chart_scene(kam)
    for flow_id in ("flow-recoverable-account_plan", "flow-next_cycle-account_plan"):
        loop = next(f for f in scene.flows if f.id == flow_id)
        assert loop.kind == "loop"
        (x0, y0), (x1, y1) = max(zip(loop.points, loop.points[1:]), key=lambda seg: abs(seg[0][1] - seg[1][1]))
        assert x0 == x1 and abs(y1 - y0) > 500  # the long way up is one straight run
        low, high = sorted((y0, y1))
        band = next(lane.band for lane in scene.lanes if lane.band.x <= x0 <= lane.band.right)
        beside = [s.box for s in scene.steps if band.x <= s.box.cx <= band.right]
        assert x0 < min(b.x for b in beside) or x0 > max(b.right for b in beside), flow_id  # outside the lane's steps


SIMPLE_LANES = """\
kamflow: 1
id: lanes
title: Lanes
lanes:
  - {id: a, label: Alpha}
  - {id: b, label: Beta}
steps:
  - {id: start, type: start, lane: a, next: work}
  - {id: work, label: Do the work, lane: a, next: check}
  - id: check
    type: decision
    label: Good?
    lane: b
    branches: {"yes": ok, "no": done}
  - {id: ok, label: Ship, lane: b, next: done}
  - {id: done, type: end, lane: b}
"""

REFERENCE = """\
kamflow: 1
id: ref
title: Reference
steps:
  - {id: start, type: start, next: ok}
  - id: ok
    type: decision
    label: Fine?
    branches: {"Yes": done, "No - escalate": escalate}
  - {id: escalate, label: Escalate to sponsor, essential: true, next: done}
  - {id: done, type: end}
"""

VARIANT = """\
kamflow: 1
id: variant
title: Variant
based_on: ref
steps:
  - {id: start, type: start, next: ok}
  - id: ok
    type: decision
    label: Fine?
    branches: {"Yes": done, "No": stop}
  - {id: done, type: end}
  - {id: stop, type: end, label: Stopped}
"""

SUB = """\
kamflow: 1
id: account-plan
title: Account plan
steps:
  - {id: start, type: start, next: done}
  - {id: done, type: end}
"""

MAIN = """\
kamflow: 1
id: main
title: Main
steps:
  - {id: start, type: start, next: plan}
  - {id: plan, type: subprocess, label: Build the plan, process: planning/x.yaml, next: lost}
  - {id: lost, type: subprocess, label: Unknown plan, process: missing, next: done}
  - {id: done, type: end}
"""


def test_flow_labels_sit_clear_of_steps_and_each_other(diff_chart):
    plates = [S.rect(next(g.iter(f"{S.SVG}rect"))) for g in S.groups(diff_chart, "flow-label")]
    assert len(plates) > 20
    boxes = [S.bbox(S.symbol(n).get("d")) for n in S.groups(diff_chart, "node")]

    def overlap(a, b, slack=1.0):
        return a[0] + slack < b[2] and b[0] + slack < a[2] and a[1] + slack < b[3] and b[1] + slack < a[3]

    for plate in plates:
        assert not any(overlap(plate, box) for box in boxes), plate
    for i, a in enumerate(plates):
        assert not any(overlap(a, b) for b in plates[i + 1:]), a
    # labels are drawn after every line (over them) and before the steps
    order = [g.get("id") for g in diff_chart.iter(f"{S.SVG}g") if g.get("id") in ("flows", "flow-labels", "steps")]
    assert order == ["flows", "flow-labels", "steps"]
