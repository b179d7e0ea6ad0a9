"""A client variant made with `kamflow new` and then adapted still conforms to its reference."""
import re

import pytest

import kamflow
from kamflow.checks import all_rules

pytestmark = pytest.mark.skipif(
    "missing-essential-step" not in all_rules(),
    reason="the conformance rules (missing-essential-step, order-violation) are not registered yet",
)


def _rename(text, old, new):
    """Rename step `old` to `new`, marking that it implements `old`, and follow every flow to it."""
    text, count = re.subn(rf"^  - id: {old}\n", f"  - id: {new}\n    implements: [{old}]\n", text, flags=re.M)
    assert count == 1
    return re.sub(rf"(next: |: \{{to: |: ){old}\b", rf"\g<1>{new}", text)


def _remove(text, step, *, rewire_to):
    """Drop a step's block and send the flows that reached it to `rewire_to`."""
    text, count = re.subn(rf"^  - id: {step}\n(?:    .*\n|\n(?=    ))*\n?", "", text, flags=re.M)
    assert count == 1
    return re.sub(rf"(next: |: \{{to: |: ){step}\b", rf"\g<1>{rewire_to}", text)


@pytest.fixture
def variant(run_cli, tmp_path):
    """acme-kam: made with `new`, steps renamed in the client's words, one optional step dropped."""
    assert run_cli("new", "acme-kam", "--from", "kam", "-o", tmp_path).exit_code == 0
    path = tmp_path / "acme-kam.yaml"
    text = path.read_text()
    text = _rename(text, "map_dmu", "buying_centre")
    text = text.replace("label: Map DMU and buying behaviour", "label: Map the buying centre")
    text = _rename(text, "health_scan", "pulse_check")
    text = _remove(text, "assign_roles", rewire_to="approve_plan")  # not essential
    path.write_text(text)
    return path


def test_adapted_variant_conforms_to_its_reference(variant, run_cli):
    process = kamflow.load(variant)
    ids = {step.id for step in process.steps}
    assert {"buying_centre", "pulse_check"} <= ids and not {"map_dmu", "health_scan", "assign_roles"} & ids
    assert process.based_on == "kam"
    assert kamflow.check(process) == []
    result = run_cli("check", variant)
    assert result.exit_code == 0, result.stdout
    assert "no problems" in result.stdout


def test_dropping_an_essential_step_is_reported(variant, run_cli):
    text = _remove(variant.read_text(), "relationship_stage", rewire_to="value_proposition")
    variant.write_text(text)
    findings = kamflow.check(kamflow.load(variant))
    assert [(f.rule, f.step) for f in findings] == [("missing-essential-step", "relationship_stage")]
    assert run_cli("check", variant).exit_code == 1


def test_against_on_the_command_line_does_what_based_on_does(variant, run_cli, tmp_path):
    # New files each time: the default workspace keeps every file it loaded for the whole session.
    unreferenced = tmp_path / "no-ref" / "acme-kam.yaml"
    unreferenced.parent.mkdir()
    unreferenced.write_text(variant.read_text().replace("based_on: kam\n", ""))
    assert kamflow.load(unreferenced).based_on is None
    assert run_cli("check", "--against", "kam", unreferenced).exit_code == 0
    trimmed = tmp_path / "trimmed" / "acme-kam.yaml"
    trimmed.parent.mkdir()
    trimmed.write_text(_remove(unreferenced.read_text(), "buying_centre", rewire_to="interview_stakeholders"))
    assert run_cli("check", trimmed).exit_code == 0, "without a reference nothing is missing"
    result = run_cli("check", "--against", "kam", trimmed)
    assert result.exit_code == 1 and "[missing-essential-step]" in result.stdout
