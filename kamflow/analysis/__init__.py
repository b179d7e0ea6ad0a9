"""Analysis: what a process (or two of them) says in numbers and changes — pure functions on the
model. `diff_processes` compares an as-is with a to-be process; `process_stats` counts steps, finds
the shortest, longest (critical) and expected paths by duration, and the hand-offs between lanes."""

from kamflow.analysis.diff import Change, ProcessDiff, diff_json, diff_overlay, diff_processes, diff_text
from kamflow.analysis.stats import critical_path_overlay, process_stats, stats_json, stats_text

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
