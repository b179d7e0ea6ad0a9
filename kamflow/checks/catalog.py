"""The check stage's answers for the API and the CLI: the rule table, a rule's page, which rules a
run selects, findings as text/JSON/SARIF, and what the chart draws for the findings. Unknown rule
ids and formats are UsageErrors phrased for the user."""

from __future__ import annotations

from typing import Any, Iterable

from kamflow.checks.findings import Finding
from kamflow.checks.registry import all_rules
from kamflow.errors import UsageError
from kamflow.model.overlay import Overlay
from kamflow.model.process import Process


def rule_table() -> list[dict[str, Any]]:
    """Every check rule: id, default severity, summary, whether it is recommended (on by default)
    and whether it needs a reference process; sorted by id."""
    return [
        {"id": r.id, "severity": r.severity, "summary": r.summary, "recommended": r.recommended, "reference": r.needs_reference}
        for r in all_rules().values()
    ]


def check_rule_ids(ids: Iterable[str]) -> None:
    """UsageError naming the first id that is not a rule (with the closest known id)."""
    from kamflow.checks.presets import describe_unknown, unknown_rule_ids

    unknown = unknown_rule_ids(ids)
    if unknown:
        raise UsageError(describe_unknown(*unknown[0]))


def rule_page(rule_id: str) -> str:
    """A rule's documentation page (Markdown); UsageError for an unknown id."""
    from kamflow.checks.docs import rule_doc as page

    check_rule_ids([rule_id])
    text = page(rule_id)
    if text is None:
        raise UsageError(f"rule {rule_id!r} has no documentation page")
    return text


def selected_rules(
    *,
    enabled: Iterable[str] | None = None,
    disabled: Iterable[str] = (),
    preset: str | None = None,
    enable: Iterable[str] = (),
    disable: Iterable[str] = (),
) -> set[str]:
    """The rules of `preset` plus `enable` minus `disable` (or exactly `enabled`, minus `disabled`)."""
    from kamflow.checks.presets import select_rules

    try:
        if enabled is not None:  # exactly these rules
            select_rules(enable=tuple(enabled) + tuple(disabled))  # unknown ids raise
            return set(enabled) - set(disabled)
        return set(select_rules(preset=preset, enable=enable, disable=tuple(disable) + tuple(disabled)))
    except ValueError as error:
        raise UsageError(str(error)) from None


def format_findings(findings: list[Finding], *, fmt: str = "text", files: int = 1) -> str:
    """Findings as `text` (one line each plus a summary), `json` or `sarif` (SARIF 2.1.0)."""
    from kamflow.checks.formats import findings_json, findings_sarif, findings_text

    if fmt == "json":
        return findings_json(findings)
    if fmt == "sarif":
        return findings_sarif(findings, all_rules())
    if fmt == "text":
        return findings_text(findings, files=files)
    raise UsageError(f"unknown findings format {fmt!r}; choose text, json or sarif")


def findings_overlay(process: Process, reference: Process | None, findings: Iterable[Finding]) -> Overlay:
    """What the chart adds for the findings: each missing essential step as a dashed ghost
    between the steps that surround it in the reference, each flow to a missing id as a ghost
    "Missing: <id>", a "dead end" mark on dead ends and the structural marks (unreachable, a loop
    with no exit, a one-way decision); only what the findings report is drawn,
    so suppressed findings draw nothing."""
    from kamflow.checks.conformance import ghost_overlay, structural_marks

    findings = list(findings)
    missing = [f.reference_step for f in findings if f.rule == "missing-essential-step" and f.reference_step]
    dangling_from = {f.step for f in findings if f.rule == "unknown-target"}
    known = process.steps_by_id
    dangling = [(e.source, e.target) for e in process.edges if e.target not in known and e.source in dangling_from]
    dead_ends = [f.step for f in findings if f.rule == "dead-end" and f.step]
    return ghost_overlay(process, reference, missing=missing, dangling=dangling, dead_ends=dead_ends, structural=structural_marks(process, findings))
