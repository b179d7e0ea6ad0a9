"""Every kind of change between an as-is and a to-be process, in text, JSON, exit codes and chart."""
import json
from pathlib import Path

import pytest

import kamflow
from kamflow import api
from tests.rendering import svg as S

ROOT = Path(__file__).resolve().parents[2]

AS_IS = """\
kamflow: 1
id: onboarding
title: Onboarding
lanes:
  - {id: sales, label: Sales}
  - {id: ops, label: Operations}
  - {id: legal, label: Legal}
steps:
  - {id: start, type: start, label: Deal won, lane: sales, next: kickoff}
  - {id: kickoff, label: Kick-off call, lane: sales, owner: Ann, duration: 2h, kpis: [Call held], next: contract}
  - {id: contract, label: Check contract, lane: legal, owner: Lee, duration: 2d, next: ready}
  - id: ready
    type: decision
    label: Ready?
    lane: ops
    branches:
      "Yes": {to: setup, p: 0.8}
      "No": {to: kickoff, p: 0.2}
  - {id: setup, label: Set up account, lane: ops, duration: 1d, next: done}
  - {id: done, type: end, label: Live, lane: ops}
"""

TO_BE = """\
kamflow: 1
id: onboarding
title: Onboarding (to-be)
lanes:
  - {id: sales, label: Sales}
  - {id: ops, label: Customer Operations}
  - {id: success, label: Customer Success}
steps:
  - {id: start, type: start, label: Deal won, lane: sales, next: kickoff}
  - {id: kickoff, type: manual, label: Kick-off workshop, lane: success, owner: Sam, duration: 16h, kpis: [Workshop held, Goals agreed], next: ready}
  - id: ready
    type: decision
    label: Ready?
    lane: ops
    branches:
      "Yes, go": {to: setup, p: 0.9}
      "No": {to: kickoff, p: 0.1}
  - {id: setup, label: Set up account, lane: ops, duration: 1d, next: welcome}
  - {id: welcome, type: document, label: Send welcome pack, lane: success, next: done}
  - {id: done, type: end, label: Live, lane: ops}
"""


@pytest.fixture
def pair(tmp_path):
    old, new = tmp_path / "as-is.yaml", tmp_path / "to-be.yaml"
    old.write_text(AS_IS)
    new.write_text(TO_BE)
    return old, new


def changes_of(old_path, new_path):
    return api.diff(kamflow.load(old_path), kamflow.load(new_path)).changes


def test_every_kind_of_change(pair):
    records = [c.as_dict() for c in changes_of(*pair)]
    for record in records:
        del record["text"]
    assert records == [
        {"kind": "process-changed", "field": "title", "old": "Onboarding", "new": "Onboarding (to-be)"},
        {"kind": "lane-relabelled", "lane": "ops", "old": "Operations", "new": "Customer Operations"},
        {"kind": "lane-added", "lane": "success", "label": "Customer Success"},
        {"kind": "lane-removed", "lane": "legal", "label": "Legal"},
        {"kind": "step-relabelled", "step": "kickoff", "old": "Kick-off call", "new": "Kick-off workshop"},
        {"kind": "step-retyped", "step": "kickoff", "old": "step", "new": "manual"},
        {"kind": "step-moved", "step": "kickoff", "old": "sales", "new": "success"},
        {"kind": "step-detail-changed", "step": "kickoff", "field": "owner", "old": "Ann", "new": "Sam"},
        {"kind": "step-detail-changed", "step": "kickoff", "field": "duration", "old": "2h", "new": "16h"},
        {"kind": "step-detail-changed", "step": "kickoff", "field": "kpis", "old": ["Call held"], "new": ["Workshop held", "Goals agreed"]},
        {"kind": "step-removed", "step": "contract", "step_type": "step", "lane": "legal", "label": "Check contract"},
        {"kind": "step-added", "step": "welcome", "step_type": "document", "lane": "success", "label": "Send welcome pack"},
        {"kind": "flow-added", "source": "kickoff", "target": "ready", "flow_kind": "next"},
        {"kind": "flow-added", "source": "setup", "target": "welcome", "flow_kind": "next"},
        {"kind": "flow-added", "source": "welcome", "target": "done", "flow_kind": "next"},
        {"kind": "flow-removed", "source": "kickoff", "target": "contract", "flow_kind": "next"},
        {"kind": "flow-removed", "source": "contract", "target": "ready", "flow_kind": "next"},
        {"kind": "flow-removed", "source": "setup", "target": "done", "flow_kind": "next"},
        {"kind": "flow-relabelled", "source": "ready", "target": "setup", "label": "Yes, go", "flow_kind": "branch", "field": "label", "old": "Yes", "new": "Yes, go"},
        {"kind": "flow-probability-changed", "source": "ready", "target": "setup", "label": "Yes, go", "flow_kind": "branch", "field": "probability", "old": 0.8, "new": 0.9},
        {"kind": "flow-probability-changed", "source": "ready", "target": "kickoff", "label": "No", "flow_kind": "branch", "field": "probability", "old": 0.2, "new": 0.1},
    ]


def test_change_log_text(pair, run_cli):
    result = run_cli("diff", *pair)
    assert result.exit_code == 1
    old, new = pair
    assert result.stdout == f"""\
Changes from onboarding ({old}) to onboarding ({new})

Process
  ~ changed the process title from "Onboarding" to "Onboarding (to-be)"

Lanes
  ~ renamed lane ops from "Operations" to "Customer Operations"
  + added lane "Customer Success" (success)
  - removed lane "Legal" (legal)

Steps
  ~ relabelled "Kick-off call" to "Kick-off workshop" (kickoff)
  ~ changed "Kick-off workshop" (kickoff) from a step to a manual step
  ~ moved "Kick-off workshop" (kickoff) from lane "Sales" to lane "Customer Success"
  ~ changed the owner of "Kick-off workshop" (kickoff) from "Ann" to "Sam"
  ~ changed the duration of "Kick-off workshop" (kickoff) from 2h to 16h (+1d 6h)
  ~ changed the KPIs of "Kick-off workshop" (kickoff): added "Workshop held", "Goals agreed"; removed "Call held"
  - removed step "Check contract" (contract) from lane "Legal"
  + added document step "Send welcome pack" (welcome) in lane "Customer Success", after "Set up account" (setup)

Flows
  + added flow "Kick-off workshop" (kickoff) -> "Ready?" (ready)
  + added flow "Set up account" (setup) -> "Send welcome pack" (welcome)
  + added flow "Send welcome pack" (welcome) -> "Live" (done)
  - removed flow "Kick-off call" (kickoff) -> "Check contract" (contract)
  - removed flow "Check contract" (contract) -> "Ready?" (ready)
  - removed flow "Set up account" (setup) -> "Live" (done)
  ~ relabelled branch "Yes" to "Yes, go" on "Ready?" (ready) -> "Set up account" (setup)
  ~ changed the probability of branch "Ready?" (ready) -> "Set up account" (setup) [Yes, go] from 0.8 to 0.9
  ~ changed the probability of branch "Ready?" (ready) -> "Kick-off workshop" (kickoff) [No] from 0.2 to 0.1

21 changes: 1 step added, 1 step removed, 1 step changed, 3 flows added, 3 flows removed, 2 flows changed, 1 lane added, 1 lane removed, 1 lane renamed, 1 process detail changed
"""
    assert result.stderr == ""


def test_json_is_stable_and_documented(pair, run_cli):
    first = run_cli("diff", *pair, "--format", "json")
    assert first.exit_code == 1
    assert first.stdout == run_cli("diff", *pair, "--format", "json").stdout
    data = json.loads(first.stdout)
    assert list(data) == ["format", "version", "old", "new", "identical", "summary", "changes"]
    assert data["format"] == "kamflow-diff" and data["version"] == 1 and data["identical"] is False
    assert data["summary"] == {
        "changes": 21, "steps_added": 1, "steps_removed": 1, "steps_changed": 1, "flows_added": 3, "flows_removed": 3,
        "flows_changed": 2, "lanes_added": 1, "lanes_removed": 1, "lanes_changed": 1, "process_changed": 1,
    }
    documented = (ROOT / "docs" / "diff.md").read_text()
    for change in data["changes"]:
        assert f"`{change['kind']}`" in documented
        for key in change:
            assert f"`{key}`" in documented, key


def test_identical_processes(pair, tmp_path, run_cli):
    old, _ = pair
    copy = tmp_path / "copy.yaml"
    copy.write_text(AS_IS.replace("duration: 2d", "duration: 16h").replace("  - {id: start", "  # same, in other words\n  - {id: start"))
    result = run_cli("diff", old, copy)
    assert result.exit_code == 0
    assert result.stdout.endswith("No differences: both files describe the same process.\n")
    data = json.loads(run_cli("diff", old, copy, "--format", "json").stdout)
    assert data["identical"] is True and data["changes"] == [] and data["summary"]["changes"] == 0


def test_library_ids_and_errors(pair, run_cli, write):
    assert run_cli("diff", "kam", "kam").exit_code == 0
    result = run_cli("diff", "kam", ROOT / "examples" / "kam-to-be.yaml")
    assert result.exit_code == 1 and "Changes from kam (" in result.stdout
    missing = run_cli("diff", "no-such-process", "kam")
    assert missing.exit_code == 2 and "no such file, and no process with that id here or in the bundled library" in missing.stderr
    broken = write("kamflow: 1\nid: b\nsteps:\n  - {id: s, type: start, duration: 2 days}\n", "broken.yaml")
    bad = run_cli("diff", pair[0], broken)
    assert bad.exit_code == 2 and bad.stdout == ""
    assert bad.stderr.startswith(f"{broken}:4:36: error: unknown duration unit 'days'")


REFERENCE = """\
kamflow: 1
id: ref
steps:
  - {id: start, type: start, next: plan}
  - {id: plan, label: Plan, essential: true, next: end}
  - {id: end, type: end}
"""


def test_steps_matched_through_a_shared_reference(tmp_path):
    (tmp_path / "ref.yaml").write_text(REFERENCE)
    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    old.write_text("kamflow: 1\nid: v1\nbased_on: ref\nsteps:\n  - {id: start, type: start, next: sales_plan}\n"
                   "  - {id: sales_plan, label: Sales plan, implements: [plan], next: end}\n  - {id: end, type: end}\n")
    new.write_text("kamflow: 1\nid: v2\nbased_on: ref\nsteps:\n  - {id: start, type: start, next: plan}\n"
                   "  - {id: plan, label: Account plan, next: end}\n  - {id: end, type: end}\n")
    result = api.diff(kamflow.load(old), kamflow.load(new))
    kinds = [(c.kind, c.step, c.old_step) for c in result.changes if c.kind.startswith("step")]
    assert kinds == [("step-renamed", "plan", "sales_plan"), ("step-relabelled", "plan", None)]
    [renamed] = [c for c in result.changes if c.kind == "step-renamed"]
    assert renamed.reference_step == "plan"
    assert renamed.text == 'renamed step id sales_plan to plan for "Account plan" (both implement reference step plan)'
    assert not [c for c in result.changes if c.kind.startswith("flow")]  # flows follow the matched step
    # against the reference itself, the variant's step matches the reference step it implements
    against_reference = api.diff(kamflow.load(tmp_path / "ref.yaml"), kamflow.load(old))
    assert [(c.kind, c.step, c.old_step) for c in against_reference.changes if c.kind == "step-renamed"] == [("step-renamed", "sales_plan", "plan")]
    # without a shared reference, the same pair is a removed and an added step
    old.write_text(old.read_text().replace("based_on: ref\n", ""))
    fresh = api.Workspace()  # the default one keeps the file as first loaded
    unrelated = api.diff(kamflow.load(old, workspace=fresh), kamflow.load(new, workspace=fresh), workspace=fresh)
    assert {c.kind for c in unrelated.changes if c.kind.startswith("step")} == {"step-removed", "step-added"}


def _ends(edge) -> str:
    return "".join(S.title(edge).split()).replace("->", "→")


def _stroke(group) -> tuple[str, str]:
    path = next(el for el in group.iter() if el.tag.endswith("path"))
    return path.get("stroke"), path.get("stroke-width")


def test_diff_chart(pair, tmp_path, run_cli):
    out = tmp_path / "charts"
    result = run_cli("diff", *pair, "-o", out, "-f", "svg,png")
    assert result.exit_code == 1
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["onboarding-diff.png", "onboarding-diff.svg"]
    assert (out / "onboarding-diff.png").read_bytes().startswith(b"\x89PNG")
    root = S.parse((out / "onboarding-diff.svg").read_bytes())
    nodes = {g.get("id"): g for g in S.groups(root, "node")}
    flat = {node_id: " ".join(" ".join(S.texts(g)).split()) for node_id, g in nodes.items()}
    # added and changed steps carry a text mark, unchanged ones none
    assert flat["step-welcome"].endswith("[new]")
    assert flat["step-kickoff"].endswith("[changed: label, type, lane +3 more]")
    assert "[" not in flat["step-setup"]
    # the removed step is a dashed ghost with its old flows dashed
    ghost = nodes["removed-contract"]
    assert flat["removed-contract"] == "Removed: Check contract"
    assert "kamflow-ghost-removed" in ghost.get("class")
    assert next(el for el in ghost.iter() if el.tag.endswith(("polygon", "path"))).get("stroke-dasharray")
    edges = S.groups(root, "edge")
    removed_flows = [e for e in edges if "kamflow-removed" in (e.get("class") or "")]
    assert sorted(_ends(e) for e in removed_flows) == ["kickoff→removed-contract", "removed-contract→ready", "setup→done"]
    assert all(el.get("stroke-dasharray") for e in removed_flows for el in e.iter() if el.tag.endswith("path"))
    # added flows are drawn unlike unchanged ones
    by_ends = {_ends(e): e for e in edges if e not in removed_flows}
    assert _stroke(by_ends["setup→welcome"]) != _stroke(by_ends["start→kickoff"])
    # and the chart explains its marks
    legend = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("id") == "legend"]
    entries = [" ".join(S.texts(g)) for g in S.groups(legend[0], "legend-entry")]
    assert {"[new] Added step", "[new] Added flow", "Removed step (dashed)", "Removed flow (dashed)"} <= set(entries)
    assert "[changed] Changed step (what changed in the badge)" in entries


def test_diff_overlay_data(pair):
    overlay = api.diff_overlay(api.diff(kamflow.load(pair[0]), kamflow.load(pair[1])))
    # the removed step's old flows are its own (dashed, and they place it where it was)
    assert [(g.id, g.kind, g.step_type, g.lane, g.after, g.before) for g in overlay.ghosts] == [
        ("removed-contract", "removed", "step", None, ("kickoff",), ("ready",))]
    assert {k: (m.kind, m.text) for k, m in overlay.step_marks.items()} == {
        "kickoff": ("changed", "changed: label, type, lane +3 more"), "welcome": ("added", "new")}
    assert {k: m.kind for k, m in overlay.edge_marks.items()} == {
        ("kickoff", "ready"): "added", ("setup", "welcome"): "added", ("welcome", "done"): "added",
        ("ready", "setup"): "changed", ("ready", "kickoff"): "changed"}
    assert overlay.extra_edges == (("setup", "done", None, "removed"),)


def test_json_exports(tmp_path, run_cli):
    exported = tmp_path / "kam.json"
    assert run_cli("export", kamflow.library_path("kam"), "--to", "json", "-o", exported).exit_code == 0
    same = run_cli("diff", "kam", exported)
    assert same.exit_code == 0, same.stdout + same.stderr
    data = json.loads(exported.read_text())
    for node in data["nodes"]:
        if node["id"] == "map_dmu":
            node["label"] = "Map the buying centre"
    edited = tmp_path / "kam-edited.json"
    edited.write_text(json.dumps(data))
    changed = run_cli("diff", exported, edited, "--format", "json")
    assert changed.exit_code == 1
    assert [(c["kind"], c["step"], c["new"]) for c in json.loads(changed.stdout)["changes"]] == [("step-relabelled", "map_dmu", "Map the buying centre")]
    assert json.loads(run_cli("stats", exported, "--format", "json").stdout)["critical_path"] == api.stats(kamflow.load(kamflow.library_path("kam")))["critical_path"]


def test_lane_id_renamed_with_the_same_label_moves_no_step(tmp_path):
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(AS_IS)
    new.write_text(AS_IS.replace("{id: legal, label: Legal}", "{id: legal_team, label: Legal}").replace("lane: legal,", "lane: legal_team,"))
    fresh = api.Workspace()
    changes = api.diff(kamflow.load(old, workspace=fresh), kamflow.load(new, workspace=fresh), workspace=fresh).changes
    assert [(c.kind, c.lane) for c in changes] == [("lane-added", "legal_team"), ("lane-removed", "legal")]


def test_a_flow_left_pointing_at_a_removed_step_is_not_a_change(write):
    old_text = "kamflow: 1\nid: p\nsteps:\n  - {id: s, type: start, next: d}\n  - id: d\n    type: decision\n    label: OK?\n    branches:\n      Yes: e\n      No: fix\n  - {id: fix, label: Fix it, next: d}\n  - {id: e, type: end}\n"
    old = kamflow.load(write(old_text, "old.yaml"))
    new = kamflow.load(write(old_text.replace("  - {id: fix, label: Fix it, next: d}\n", ""), "new.yaml"))
    kinds = [change.kind for change in kamflow.diff(old, new).changes]
    assert sorted(kinds) == ["flow-removed", "step-removed"]
