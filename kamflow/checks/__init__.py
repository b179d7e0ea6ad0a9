"""Checks: lint rules with ids and positions, plus conformance against a reference process."""

from kamflow.checks.context import CheckContext
from kamflow.checks.findings import Finding
from kamflow.checks.registry import RULES, Report, Rule, all_rules, rule
from kamflow.checks.runner import run_checks

__all__ = ["CheckContext", "Finding", "RULES", "Report", "Rule", "all_rules", "rule", "run_checks"]
