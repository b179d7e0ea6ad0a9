"""`raci:` on a step: loaded as letter -> names in RACI order, kept through the JSON export, and
refused at its position when it is not a mapping of R, A, C, I to names."""
import json

import pytest

import kamflow
from kamflow.errors import LoadError

HEAD = "kamflow: 1\nid: p\nlanes: [sales, finance]\nsteps:\n  - {id: start, type: start, next: end}\n"


def test_raci_loads_in_raci_order_with_single_names_as_lists(write):
    path = write(HEAD + "  - id: end\n    type: end\n    raci: {I: Customer, A: finance, R: [sales, Ops]}\n")
    step = kamflow.load(path).steps_by_id["end"]
    assert step.metadata["raci"] == {"R": ["sales", "Ops"], "A": ["finance"], "I": ["Customer"]}
    assert list(step.metadata["raci"]) == ["R", "A", "I"]
    assert step.span_of("raci").line == 8


def test_raci_survives_the_json_round_trip(write, tmp_path):
    path = write(HEAD + "  - id: end\n    type: end\n    raci: {R: [sales], A: finance, C: [Legal]}\n")
    process = kamflow.load(path)
    exported = tmp_path / "p.json"
    exported.write_text(kamflow.export(process, to="json"), encoding="utf-8")
    again = kamflow.load(exported)
    assert again.steps_by_id["end"].metadata == process.steps_by_id["end"].metadata
    assert json.loads(exported.read_text())["nodes"][1]["metadata"]["raci"] == {"R": ["sales"], "A": ["finance"], "C": ["Legal"]}


@pytest.mark.parametrize(
    "raci,message",
    [
        ("[sales]", "`raci` of step 'end' must be a mapping"),
        ("{R: [sales], X: [finance]}", "unknown key 'X' in `raci` of step 'end'; expected one of: R, A, C, I"),
        ("{R: [{a: 1}]}", "must be text"),
        ("{R: ['  ']}", "must not be empty"),
    ],
)
def test_a_bad_raci_is_one_positioned_error(write, raci, message):
    path = write(HEAD + f"  - id: end\n    type: end\n    raci: {raci}\n")
    with pytest.raises(LoadError) as caught:
        kamflow.load(path)
    assert [p.span.line for p in caught.value.problems] == [8]
    assert message in caught.value.problems[0].message


def test_a_bad_raci_in_a_json_export_is_refused(write, tmp_path):
    process = kamflow.load(write(HEAD + "  - {id: end, type: end}\n"))
    data = json.loads(kamflow.export(process, to="json"))
    data["nodes"][1]["metadata"]["raci"] = {"R": ["sales"], "X": ["finance"]}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        kamflow.load(path)
    assert "unknown key 'X' in `raci` of step 'end'; expected one of: R, A, C, I" in caught.value.problems[0].message
