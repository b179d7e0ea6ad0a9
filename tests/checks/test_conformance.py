"""Conformance to a reference process, on client variants of the bundled KAM process."""
import pytest

import kamflow
from kamflow.checks.conformance import ghost_overlay, implementers, order_violations
from tests.checks import variants as V
from tests.conftest import MERGE

KAM = kamflow.load(V.KAM)


def _check(write, text, name="acme.yaml", **kwargs):
    return kamflow.check(kamflow.load(write(text, name)), **kwargs)


def test_kam_marks_its_essential_steps():
    assert [s.id for s in KAM.steps if s.essential] == V.KAM_ESSENTIALS


def test_renamed_client_variant_conforms(write):
    process = kamflow.load(write(V.renamed_variant()))
    assert {"score_accounts", "buying_centre", "joint_plan", "pulse_check", "keep_strategic"} <= set(process.steps_by_id)
    assert not {"map_dmu", "health_scan", "relationship_stage"} & set(process.steps_by_id)
    assert kamflow.check(process) == []
    assert kamflow.check(process, preset="all", disable=["fake-join"]) == []
    done = implementers(process, KAM)
    assert done["map_dmu"] == ["buying_centre"] and done["relationship_stage"] == ["interview_stakeholders"]
    assert done["interview_stakeholders"] == ["interview_stakeholders"]  # one step implements two


@pytest.mark.parametrize("essential", V.KAM_ESSENTIALS)
def test_dropping_an_essential_step_reports_the_reference_step(write, essential):
    text = V.drop(V.kam_text(), essential, rewire_to=V.first_target(KAM, essential))
    findings = _check(write, text, name=f"drop-{essential}.yaml")
    missing = [f for f in findings if f.rule == "missing-essential-step"]
    assert [(f.step, f.reference_step) for f in missing] == [(essential, essential)]
    finding = missing[0]
    assert finding.severity == "error"
    assert (finding.line, finding.column) == (5, 1)  # the `based_on` line of the variant
    assert KAM.steps_by_id[essential].label in finding.message
    assert not [f for f in findings if f.rule == "order-violation"]


def test_renamed_variant_dropping_a_renamed_step_still_names_the_reference(write):
    text = V.renamed_variant().replace("    implements: [map_dmu]\n", "")
    findings = _check(write, text)
    assert [(f.rule, f.step) for f in findings] == [("missing-essential-step", "map_dmu")]
    assert "Map DMU and buying behaviour" in findings[0].message


def _execute_before_plan():
    text = V.kam_text()
    text = V.set_next(text, "value_proposition", "execute_plan")
    text = V.set_next(text, "execute_plan", "account_plan")
    return V.set_next(text, "agree_with_customer", "health_scan")


def test_executing_before_planning_is_an_order_violation(write):
    path = write(_execute_before_plan())
    findings = kamflow.check(kamflow.load(path))
    assert {f.rule for f in findings} == {"order-violation"}
    assert {(f.step, f.reference_step) for f in findings} == {("execute_plan", "execute_plan")}
    execute_line = path.read_text().splitlines().index("  - id: execute_plan") + 1
    assert {f.line for f in findings} == {execute_line}
    named = sorted(f.message for f in findings)
    assert "'account_plan' (Build key account plan)" in named[0] and "'execute_plan'" in named[0]
    assert "'approve_plan'" in named[1]


def test_order_follows_the_forward_flow_not_the_loops():
    """KAM loops back (revise plan, re-plan, next cycle); against itself nothing is out of order."""
    assert order_violations(KAM, KAM) == []


def test_order_violation_names_renamed_implementers(write):
    text = V.rename(_execute_before_plan(), "account_plan", "joint_plan")
    findings = _check(write, text)
    assert any("'joint_plan' (Build key account plan, implementing 'account_plan')" in f.message for f in findings)


def test_based_on_a_relative_path(write, tmp_path):
    write(V.KAM.read_text(), "refs/kam-2025.yaml")
    conforming = _check(write, V.renamed_variant(based_on="../refs/kam-2025.yaml"), "clients/acme.yaml")
    assert conforming == []
    text = V.drop(V.kam_text(based_on="../refs/kam-2025.yaml"), "classify", rewire_to="appoint_team")
    findings = _check(write, text, "clients/acme-drop.yaml")
    assert [(f.rule, f.step) for f in findings] == [("missing-essential-step", "classify")]
    assert "'../refs/kam-2025.yaml'" in findings[0].message


def test_based_on_a_library_id_and_a_local_file_wins(write):
    assert _check(write, V.renamed_variant(based_on="kam")) == []
    # `kam.yaml` beside the file is found before the bundled library: its essential step is new
    local = V.KAM.read_text().replace("  - id: assign_roles\n", "  - id: assign_roles\n    essential: true\n")
    write(local, "kam.yaml")
    findings = _check(write, V.renamed_variant(based_on="kam"), "acme-local.yaml")
    assert [(f.rule, f.step) for f in findings] == [("missing-essential-step", "assign_roles")]


def test_against_wins_over_based_on_and_reports_on_line_1(write, tmp_path):
    ref = V.KAM.read_text().replace("id: kam\n", "id: strict-kam\n", 1).replace("  - id: assign_roles\n", "  - id: assign_roles\n    essential: true\n")
    write(ref, "strict-kam.yaml")
    path = write(V.renamed_variant(based_on="kam"))
    process = kamflow.load(path)
    assert kamflow.check(process) == []
    by_id = kamflow.check(process, against="strict-kam")
    by_path = kamflow.check(process, against=str(tmp_path / "strict-kam.yaml"))
    for findings in (by_id, by_path):
        assert [(f.rule, f.step, f.line, f.column) for f in findings] == [("missing-essential-step", "assign_roles", 1, 1)]
    no_based_on = kamflow.load(write(V.drop(V.kam_text(based_on=None), "map_dmu", rewire_to="interview_stakeholders"), "plain.yaml"))
    assert kamflow.check(no_based_on) == []
    assert [f.step for f in kamflow.check(no_based_on, against="kam")] == ["map_dmu"]


def test_unresolved_reference(write, tmp_path):
    findings = _check(write, V.kam_text(based_on="acme-reference-2019"))
    assert [(f.rule, f.line) for f in findings] == [("unresolved-reference", 5)]
    assert "'acme-reference-2019' was not found" in findings[0].message
    write("kamflow: 1\nid: broken\nsteps: [\n", "broken.yaml")
    findings = _check(write, V.kam_text(based_on="broken.yaml"), "acme2.yaml")
    assert [f.rule for f in findings] == ["unresolved-reference"] and "does not load" in findings[0].message
    process = kamflow.load(write(V.kam_text(based_on=None), "plain.yaml"))
    findings = kamflow.check(process, against=str(tmp_path / "nowhere.yaml"))
    assert [(f.rule, f.line, f.column) for f in findings] == [("unresolved-reference", 1, 1)]


def test_unknown_implements_suggests_the_closest_reference_step(write):
    text = V.renamed_variant().replace("implements: [map_dmu]", "implements: [map_dmuu]")
    findings = _check(write, text)
    assert sorted((f.rule, f.step) for f in findings) == [("missing-essential-step", "map_dmu"), ("unknown-implements", "buying_centre")]
    unknown = next(f for f in findings if f.rule == "unknown-implements")
    assert "did you mean 'map_dmu'?" in unknown.message


def test_suppression_in_the_file_and_on_a_step(write):
    dropped = V.drop(V.kam_text(), "map_dmu", rewire_to="interview_stakeholders")
    disabled = dropped.replace("\nsteps:\n", "\ncheck:\n  disable: [missing-essential-step]   # Acme has no DMU\nsteps:\n", 1)
    assert _check(write, disabled, "file-level.yaml") == []
    ignored = _execute_before_plan().replace("  - id: execute_plan\n", "  - id: execute_plan\n    ignore: [order-violation]\n")
    assert _check(write, ignored, "step-level.yaml") == []
    assert {f.rule for f in _check(write, _execute_before_plan(), "unsuppressed.yaml")} == {"order-violation"}
    assert _check(write, dropped, "run-level.yaml", disable=["missing-essential-step"]) == []


def test_unknown_rule_ids_are_errors_everywhere(write):
    text = V.kam_text().replace("\nsteps:\n", "\ncheck: {disable: [missing-essential-stepp]}\nsteps:\n", 1)
    text = text.replace("  - id: classify\n", "  - id: classify\n    ignore: [order-violatoin]\n")
    path = write(text)
    findings = kamflow.check(kamflow.load(path))
    lines = text.splitlines()
    check_line = lines.index("check: {disable: [missing-essential-stepp]}") + 1
    ignore_line = lines.index("    ignore: [order-violatoin]") + 1
    assert [(f.rule, f.line, f.step) for f in findings] == [("unknown-rule", check_line, None), ("unknown-rule", ignore_line, "classify")]
    assert "did you mean 'missing-essential-step'?" in findings[0].message
    assert "did you mean 'order-violation'?" in findings[1].message
    for kwargs in ({"disable": ["dead-ends"]}, {"enable": ["nope"]}, {"preset": "strictest"}):
        with pytest.raises(kamflow.api.UsageError):
            kamflow.check(kamflow.load(path), **kwargs)


def test_presets_and_enable(write):
    text = MERGE
    process = kamflow.load(write(text))
    assert kamflow.check(process) == []
    assert [f.rule for f in kamflow.check(process, preset="all")] == ["fake-join"]
    assert [f.rule for f in kamflow.check(process, enable=["fake-join"])] == ["fake-join"]
    assert kamflow.check(process, preset="all", disable=["fake-join"]) == []


def test_ghosts_sit_between_the_implementers_of_their_reference_neighbours(write):
    text = V.renamed_variant()
    text = V.drop(text, "buying_centre", rewire_to="interview_stakeholders")
    text = V.drop(text, "value_proposition", rewire_to="joint_plan")
    process = kamflow.load(write(text))
    overlay = ghost_overlay(process, KAM)
    ghosts = {g.id: g for g in overlay.ghosts}
    assert set(ghosts) == {"ghost-map_dmu", "ghost-value_proposition"}
    dmu = ghosts["ghost-map_dmu"]
    assert dmu.label == "Missing: Map DMU and buying behaviour" and dmu.kind == "missing"
    assert dmu.after == ("assess_capability",) and dmu.before == ("interview_stakeholders",)
    assert dmu.lane == "kam"  # the reference lane, which the variant has
    # relationship_stage is implemented by interview_stakeholders, so value_proposition sits after it
    assert ghosts["ghost-value_proposition"].after == ("interview_stakeholders",)
    assert ghosts["ghost-value_proposition"].before == ("joint_plan",)


def test_adjacent_missing_steps_link_ghost_to_ghost(write):
    text = V.drop(V.kam_text(), "map_dmu", rewire_to="interview_stakeholders")
    text = V.drop(text, "interview_stakeholders", rewire_to="relationship_stage")
    text = V.drop(text, "relationship_stage", rewire_to="value_proposition")
    process = kamflow.load(write(text))
    ghosts = {g.id: g for g in ghost_overlay(process, KAM).ghosts}
    # interview_stakeholders is not essential: no ghost, and the chain walks past it
    assert set(ghosts) == {"ghost-map_dmu", "ghost-relationship_stage"}
    assert ghosts["ghost-map_dmu"].before == ("ghost-relationship_stage",)
    assert ghosts["ghost-relationship_stage"].after == ()
    assert ghosts["ghost-relationship_stage"].before == ("value_proposition",)


def test_lane_falls_back_to_a_neighbours_lane(write):
    text = V.drop(V.kam_text(), "map_dmu", rewire_to="interview_stakeholders").replace("{id: kam, label: Key Account Manager}", "{id: lead, label: Account Lead}")
    text = text.replace("lane: kam\n", "lane: lead\n")
    ghosts = ghost_overlay(kamflow.load(write(text)), KAM).ghosts
    assert [(g.id, g.lane) for g in ghosts] == [("ghost-map_dmu", "team")]  # assess_capability's lane


def test_api_overlay_follows_the_findings(write):
    text = V.drop(V.kam_text(), "map_dmu", rewire_to="interview_stakeholders")
    text = text.replace("    next: escalation_needed\n", "    next: escalation_check\n", 1)
    text = text.replace("  - id: handover\n    label: Hand over to lower service tier\n    lane: kam\n    next: downgraded\n", "  - id: handover\n    label: Hand over to lower service tier\n    lane: kam\n")
    process = kamflow.load(write(text))
    overlay = kamflow.api.ghost_overlay(process)
    assert [(g.id, g.kind, g.label, g.after) for g in overlay.ghosts] == [
        ("ghost-map_dmu", "missing", "Missing: Map DMU and buying behaviour", ("assess_capability",)),
        ("ghost-escalation_check", "dangling", "Missing: escalation_check", ("health_scan",)),
    ]
    assert {step: mark.text for step, mark in overlay.step_marks.items() if mark.kind == "dead-end"} == {"handover": "dead end"}
    # the steps the mistyped target cut off are marked too, each as unreachable
    cut_off = {step for step, mark in overlay.step_marks.items() if mark.kind == "unreachable"}
    assert "escalation_needed" in cut_off and "handover" not in cut_off
    assert all(mark.text == "unreachable" for step, mark in overlay.step_marks.items() if step in cut_off)
    quiet = kamflow.api.ghost_overlay(process, kamflow.check(process, disable=["missing-essential-step", "dead-end", "unreachable"]))
    assert [g.id for g in quiet.ghosts] == ["ghost-escalation_check"] and not quiet.step_marks
