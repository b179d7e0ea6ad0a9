"""Findings as text, JSON or SARIF 2.1.0 (pure functions; the CLI prints them)."""

from __future__ import annotations

import json
from typing import Any

from kamflow.checks.findings import Finding


def findings_text(findings: list[Finding], *, files: int) -> str:
    lines = [str(finding) for finding in findings]
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    checked = f"{files} file{'s' if files != 1 else ''} checked"
    if not findings:
        lines.append(f"{checked}: no problems")
    else:
        lines.append(
            f"{checked}: {len(findings)} problem{'s' if len(findings) != 1 else ''} ({errors} "
            f"error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''})"
        )
    return "\n".join(lines) + "\n"


def findings_json(findings: list[Finding]) -> str:
    return json.dumps([f.as_dict() for f in findings], indent=2, ensure_ascii=False) + "\n"


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def findings_sarif(findings: list[Finding], rules: dict) -> str:
    """Findings as a SARIF 2.1.0 log: one run, every rule's metadata (id, summary, default level,
    help text) and one result per finding with its file, line and column. Deterministic: no
    timestamps, no absolute paths beyond those given, no tool version."""
    descriptors: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for rule_id, rule in sorted(rules.items()):
        index[rule_id] = len(descriptors)
        descriptors.append(
            {
                "id": rule_id,
                "name": _camel(rule_id),
                "shortDescription": {"text": rule.summary},
                # No helpUri: kamflow has no published address to point at; the rule pages ship
                # with the package and `kamflow rules ID` prints them.
                "help": {"text": f"{rule.summary} `kamflow rules {rule_id}` shows a wrong and a right example."},
                "defaultConfiguration": {"level": _level(rule.severity), "enabled": bool(rule.recommended)},
                "properties": {"tags": ["conformance" if rule.needs_reference else "structure"]},
            }
        )
    results = []
    for finding in findings:
        result: dict[str, Any] = {"ruleId": finding.rule, "level": _level(finding.severity), "message": {"text": finding.message}}
        if finding.rule in index:
            result["ruleIndex"] = index[finding.rule]
        physical: dict = {"artifactLocation": {"uri": _uri(finding.path)}}
        if finding.line >= 1:
            physical["region"] = {"startLine": finding.line, "startColumn": max(finding.column, 1)}
        result["locations"] = [{"physicalLocation": physical}]
        properties = {key: value for key, value in (("step", finding.step), ("referenceStep", finding.reference_step)) if value}
        if properties:
            result["properties"] = properties
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "kamflow", "rules": descriptors}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _level(severity: str) -> str:
    return "error" if severity == "error" else "warning"


def _camel(rule_id: str) -> str:
    head, *rest = rule_id.split("-")
    return head + "".join(part.capitalize() for part in rest)


def _uri(path: str) -> str:
    """A file path as a URI reference: relative paths stay relative (forward slashes), absolute
    ones become file:// URIs; unsafe characters are percent-encoded."""
    from pathlib import PurePath
    from urllib.parse import quote

    pure = PurePath(path)
    if pure.is_absolute():
        return "file://" + quote(pure.as_posix() if pure.as_posix().startswith("/") else "/" + pure.as_posix())
    return quote(pure.as_posix())
