"""bpmnlint-style rule tests: every rule has valid fixtures (no finding of that rule) and invalid
fixtures whose first line `# expect: LINE ...` lists the lines the rule must report, exactly."""
from pathlib import Path

import pytest

import kamflow
from kamflow.checks import all_rules

FIXTURES = Path(__file__).parent / "rules"


def _cases(prefix):
    return [pytest.param(path, id=f"{path.parent.name}/{path.name}") for path in sorted(FIXTURES.glob(f"*/{prefix}-*.yaml"))]


def _findings(path):
    rule_id = path.parent.name
    return [f for f in kamflow.check(kamflow.load(path)) if f.rule == rule_id]


@pytest.mark.parametrize("path", _cases("valid"))
def test_valid_fixture_has_no_finding(path):
    assert _findings(path) == []


@pytest.mark.parametrize("path", _cases("invalid"))
def test_invalid_fixture_reports_expected_lines(path):
    header = path.read_text().splitlines()[0]
    assert header.startswith("# expect:"), "an invalid fixture starts with `# expect: LINE ...`"
    expected = sorted(int(n) for n in header.split(":", 1)[1].split())
    findings = _findings(path)
    assert sorted(f.line for f in findings) == expected
    rule = all_rules()[path.parent.name]
    for finding in findings:
        assert finding.severity == rule.severity
        assert finding.path == str(path)
        assert finding.column >= 1
        assert finding.message


def test_every_rule_has_valid_and_invalid_fixtures():
    for rule_id in all_rules():
        folder = FIXTURES / rule_id
        assert list(folder.glob("valid-*.yaml")), f"{rule_id} has no valid fixture"
        assert list(folder.glob("invalid-*.yaml")), f"{rule_id} has no invalid fixture"


def test_every_fixture_folder_is_a_rule():
    assert {p.name for p in FIXTURES.iterdir() if p.is_dir()} <= set(all_rules())


def test_step_ignore_and_file_disable(write):
    path = write(
        """\
kamflow: 1
id: s
check: {disable: [label-required]}
steps:
  - {id: start, type: start, next: work}
  - {id: work, next: [finish, ghost], ignore: [unknown-target, implicit-split]}
  - {id: finish, type: end, next: nowhere}
"""
    )
    findings = kamflow.check(kamflow.load(path))
    assert "label-required" not in {f.rule for f in findings}
    assert not [f for f in findings if f.step == "work"]
    assert {(f.rule, f.step) for f in findings} >= {("unknown-target", "finish"), ("end-has-outgoing", "finish")}
