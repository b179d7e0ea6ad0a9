"""Rule presets and rule selection, derived from the registry (never listed by hand).

`recommended` (the default) is every rule registered as recommended; `all` is every rule. A
selection starts from a preset, adds `enable` and removes `disable`; unknown ids are errors.
"""

from __future__ import annotations

import difflib
from typing import Iterable

from kamflow.checks.registry import all_rules

DEFAULT_PRESET = "recommended"


def presets() -> dict[str, tuple[str, ...]]:
    """Preset name -> the rule ids it turns on, in id order."""
    rules = all_rules()
    return {
        "recommended": tuple(rule_id for rule_id, rule in rules.items() if rule.recommended),
        "all": tuple(rules),
    }


def unknown_rule_ids(ids: Iterable[str]) -> list[tuple[str, str | None]]:
    """The ids that are not registered rules, each with its closest known id (or None)."""
    known = list(all_rules())
    return [(rule_id, _closest(rule_id, known)) for rule_id in ids if rule_id not in known]


def describe_unknown(rule_id: str, hint: str | None) -> str:
    suffix = f"; did you mean {hint!r}?" if hint else "; `kamflow rules` lists them"
    return f"unknown rule {rule_id!r}{suffix}"


def select_rules(*, preset: str | None = None, enable: Iterable[str] = (), disable: Iterable[str] = ()) -> set[str]:
    """The rule ids a run uses. Raises ValueError naming an unknown preset or rule id."""
    table = presets()
    name = preset or DEFAULT_PRESET
    if name not in table:
        raise ValueError(f"unknown preset {name!r}; choose {' or '.join(table)}")
    enable, disable = tuple(enable), tuple(disable)
    unknown = unknown_rule_ids(enable + disable)
    if unknown:
        raise ValueError("; ".join(describe_unknown(rule_id, hint) for rule_id, hint in unknown))
    return (set(table[name]) | set(enable)) - set(disable)


def _closest(word: str, known: list[str]) -> str | None:
    found = difflib.get_close_matches(word, known, n=1)
    return found[0] if found else None
