"""The rule registry: rule id -> function, with its default severity and summary.

A rule is a function `(ctx) -> iterable of Report`; it only looks and reports, never raises on a
bad model and never prints. Rules register with the `rule` decorator in `kamflow/check/rules/`,
one module per rule, named after the rule id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from kamflow.errors import Span


@dataclass(frozen=True)
class Report:
    """What a rule says: where, about which step, and what."""

    span: Span
    message: str
    step: str | None = None
    reference_step: str | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    summary: str
    check: Callable[..., Iterable[Report]]
    needs_reference: bool = False
    recommended: bool = True  # in the `recommended` preset (every rule is in `all`)


RULES: dict[str, Rule] = {}


def rule(*, id: str, severity: str, summary: str, needs_reference: bool = False, recommended: bool = True):
    """Register a rule. `needs_reference`: it only reports when the process has a reference
    (`based_on` or `--against`); `recommended`: it is on by default (the `recommended` preset)."""

    def register(function):
        if id in RULES:
            raise ValueError(f"rule {id} registered twice")
        if severity not in ("error", "warning"):
            raise ValueError(f"rule {id}: severity must be error or warning")
        RULES[id] = Rule(id, severity, summary, function, needs_reference, recommended)
        return function

    return register


def all_rules() -> dict[str, Rule]:
    """Every registered rule, importing the rule modules on first use."""
    from kamflow.checks import rules  # noqa: F401  (importing registers them)

    return dict(sorted(RULES.items()))
