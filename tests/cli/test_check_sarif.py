"""`kamflow check --format sarif`: a SARIF 2.1.0 log valid against the published OASIS schema."""
import json
from pathlib import Path

import jsonschema
import pytest

from tests.checks import variants as V

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json").read_text())


def _validate(log):
    validator = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_sarif_is_valid_with_rules_and_locations(run_cli, write):
    dropped = write(V.drop(V.kam_text(), "map_dmu", rewire_to="interview_stakeholders"), "acme.yaml")
    broken = write("kamflow: 1\nid: broken\nsteps:\n  - {id: start, type: start, next: nowhere}\n  - {id: done, type: end, label: Done}\n", "broken.yaml")
    result = run_cli("check", "--format", "sarif", dropped, broken)
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    _validate(log)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["name"] == "kamflow"
    by_id = {rule["id"]: rule for rule in rules}
    assert by_id["missing-essential-step"]["defaultConfiguration"]["level"] == "error"
    assert by_id["label-required"]["defaultConfiguration"]["level"] == "warning"
    assert by_id["fake-join"]["defaultConfiguration"]["enabled"] is False
    assert "kamflow rules order-violation" in by_id["order-violation"]["help"]["text"]
    assert all(rule["shortDescription"]["text"] for rule in rules)
    results = {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]): r for r in run["results"]}
    missing = results[("missing-essential-step", 5)]
    assert missing["level"] == "error" and rules[missing["ruleIndex"]]["id"] == "missing-essential-step"
    assert missing["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == dropped.as_uri()
    assert missing["locations"][0]["physicalLocation"]["region"]["startColumn"] == 1
    assert missing["properties"] == {"step": "map_dmu", "referenceStep": "map_dmu"}
    assert ("unknown-target", 4) in results and ("label-required", 4) in results
    assert results[("label-required", 4)]["level"] == "warning"


def test_sarif_without_findings_and_relative_paths(run_cli, write, monkeypatch, tmp_path):
    write(V.renamed_variant(), "clients/acme ok.yaml")
    monkeypatch.chdir(tmp_path)
    result = run_cli("check", "--format", "sarif", "clients/acme ok.yaml")
    assert result.exit_code == 0
    log = json.loads(result.stdout)
    _validate(log)
    assert log["runs"][0]["results"] == []
    broken = run_cli("check", "--format", "sarif", "--against", "nope", "clients/acme ok.yaml")
    location = json.loads(broken.stdout)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "clients/acme%20ok.yaml"


def test_schema_catches_a_broken_log():
    """The shipped schema really constrains: a result without a message is rejected."""
    with pytest.raises(AssertionError):
        _validate({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "kamflow"}}, "results": [{"ruleId": "x"}]}]})
