"""Run the enabled rules over a process and return sorted findings."""

from __future__ import annotations

from typing import Iterable

from kamflow.checks.context import CheckContext
from kamflow.checks.findings import Finding
from kamflow.checks.registry import all_rules


def run_checks(ctx: CheckContext, *, enabled: Iterable[str] | None = None, disabled: Iterable[str] = ()) -> list[Finding]:
    """Every finding of the enabled rules, minus what the file or its steps suppress.

    `enabled` defaults to every registered rule; a rule that crashes becomes a `rule-error`
    finding instead of stopping the run.
    """
    rules = all_rules()
    wanted = set(rules) if enabled is None else set(enabled)
    wanted -= set(disabled)
    wanted -= set(ctx.process.disabled_rules)
    ignored = {step.id: set(step.ignore) for step in ctx.process.steps if step.ignore}
    findings: list[Finding] = []
    for rule_id in sorted(wanted):
        rule = rules.get(rule_id)
        if rule is None:
            continue
        try:
            reports = list(rule.check(ctx))
        except Exception as error:  # a broken rule must not hide the other findings
            span = ctx.process.span
            findings.append(
                Finding("rule-error", "error", span.path, span.line, span.column, None, f"rule {rule_id} failed: {type(error).__name__}: {error}")
            )
            continue
        for report in reports:
            if report.step is not None and rule_id in ignored.get(report.step, ()):
                continue
            findings.append(
                Finding(
                    rule_id, rule.severity, report.span.path, report.span.line, report.span.column, report.step, report.message, report.reference_step
                )
            )
    return sorted(findings, key=Finding.sort_key)
