"""Durations as the analysis reads them: hours of working time per step (see model.duration for
the units and the 8-hour day / 5-day week convention), and which steps are expected to have one."""

from __future__ import annotations

from kamflow.model.duration import DAYS_PER_WEEK, HOURS_PER_DAY, DurationError, format_hours, parse_duration
from kamflow.model.process import Step

# Start, end and decision steps are moments, not work: they count as 0 when they have no duration.
TIMELESS_TYPES = ("start", "end", "decision")
# Start and end steps are events nobody performs: every other step should name its owner.
OWNERLESS_TYPES = ("start", "end")

__all__ = [
    "DAYS_PER_WEEK",
    "HOURS_PER_DAY",
    "OWNERLESS_TYPES",
    "TIMELESS_TYPES",
    "format_hours",
    "needs_duration",
    "needs_owner",
    "step_hours",
]


def step_hours(step: Step) -> float | None:
    """The step's duration in hours, or None when it has none (the loader rejects bad ones)."""
    text = step.metadata.get("duration")
    if text is None:
        return None
    try:
        return parse_duration(str(text))
    except DurationError:  # a model built by hand, not by the loader
        return None


def needs_duration(step: Step) -> bool:
    return step.type not in TIMELESS_TYPES and step_hours(step) is None


def needs_owner(step: Step) -> bool:
    return step.type not in OWNERLESS_TYPES and not step.metadata.get("owner")


def rounded(value: float) -> float:
    """A number rounded for JSON (hours, probabilities), so that float noise never shows."""
    return round(value, 4) + 0.0
