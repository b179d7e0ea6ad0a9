"""A rule that crashes becomes one `rule-error` finding at the process, and every other rule still
reports: a broken rule never hides the other findings, nor stops the run with a traceback."""
import pytest

import kamflow
from kamflow.checks import registry
from kamflow.checks.registry import Rule, all_rules

TEXT = "kamflow: 1\nid: t\nsteps:\n  - {id: go, type: start, label: Go, next: nowhere}\n  - {id: done, type: end, label: Done}\n"


@pytest.fixture
def broken_rule(monkeypatch):
    all_rules()  # the real rules registered first

    def check(ctx):
        yield from ()
        raise ZeroDivisionError("the rule divided by zero")

    monkeypatch.setitem(registry.RULES, "broken-rule", Rule("broken-rule", "warning", "A rule that crashes.", check, False, True))
    return "broken-rule"


def test_a_crashing_rule_is_one_finding_and_the_others_still_report(write, broken_rule):
    findings = kamflow.check(kamflow.load(write(TEXT)))
    errors = [f for f in findings if f.rule == "rule-error"]
    assert [(f.severity, f.line, f.message) for f in errors] == [("error", 1, "rule broken-rule failed: ZeroDivisionError: the rule divided by zero")]
    assert {"unknown-target", "unreachable"} <= {f.rule for f in findings}


def test_the_cli_shows_the_rule_error_as_a_finding_line(write, run_cli, broken_rule):
    result = run_cli("check", write(TEXT))
    assert result.exit_code == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert any(line.endswith("error: rule broken-rule failed: ZeroDivisionError: the rule divided by zero [rule-error]") for line in result.stdout.splitlines())
    assert any("[unknown-target]" in line for line in result.stdout.splitlines())
