"""What a check rule reports."""

from __future__ import annotations

from dataclasses import dataclass

SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    path: str
    line: int
    column: int
    step: str | None
    message: str
    reference_step: str | None = None

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.rule, self.step or "", self.message)

    def as_dict(self) -> dict:
        data = {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "rule": self.rule,
            "severity": self.severity,
            "step": self.step,
            "message": self.message,
        }
        if self.reference_step is not None:
            data["reference_step"] = self.reference_step
        return data

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message} [{self.rule}]"
