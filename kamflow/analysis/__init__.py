"""Analysis: what a process (or two of them) says in numbers and changes — pure functions on the
model. `diff_processes` compares an as-is with a to-be process; `process_stats` counts steps, finds
the shortest, longest (critical) and expected paths by duration, and the hand-offs between lanes.

The names come from their modules on first use (PEP 562): every chart asks for the critical path
functions, and a render should not pay for the diff's code (nor the diff for the stats)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kamflow.analysis.diff import Change, ProcessDiff, diff_json, diff_overlay, diff_processes, diff_text
    from kamflow.analysis.stats import critical_path_overlay, process_stats, stats_json, stats_text

_HOME = {
    "Change": "diff",
    "ProcessDiff": "diff",
    "diff_json": "diff",
    "diff_overlay": "diff",
    "diff_processes": "diff",
    "diff_text": "diff",
    "critical_path_overlay": "stats",
    "process_stats": "stats",
    "stats_json": "stats",
    "stats_text": "stats",
}

__all__ = [
    "Change",
    "ProcessDiff",
    "critical_path_overlay",
    "diff_json",
    "diff_overlay",
    "diff_processes",
    "diff_text",
    "process_stats",
    "stats_json",
    "stats_text",
]


def __getattr__(name: str):
    if name in _HOME:
        return getattr(importlib.import_module(f"kamflow.analysis.{_HOME[name]}"), name)
    raise AttributeError(f"module 'kamflow.analysis' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_HOME))
