"""Findings as text or JSON (pure functions; the CLI prints them)."""
from __future__ import annotations

import json

from kamflow.checks.findings import Finding


def findings_text(findings: list[Finding], *, files: int) -> str:
    lines = [str(finding) for finding in findings]
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    checked = f"{files} file{'s' if files != 1 else ''} checked"
    if not findings:
        lines.append(f"{checked}: no problems")
    else:
        lines.append(f"{checked}: {len(findings)} problem{'s' if len(findings) != 1 else ''} ({errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''})")
    return "\n".join(lines) + "\n"


def findings_json(findings: list[Finding]) -> str:
    return json.dumps([f.as_dict() for f in findings], indent=2, ensure_ascii=False) + "\n"
