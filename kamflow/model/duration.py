"""Step durations: `30min`, `2h`, `3d`, `1w` as working time.

One convention, stated once: a working day has 8 hours and a working week 5 days, so `1d` = 8h
and `1w` = 40h. Durations are summed as hours. The loader validates every `duration` with
`parse_duration`; the analysis stage reads it again with the same function.

    >>> parse_duration("2h"), parse_duration("3d"), parse_duration("1.5w"), parse_duration("30min")
    (2.0, 24.0, 60.0, 0.5)
    >>> format_hours(61.5)
    '1w 2d 5h 30min'
"""

from __future__ import annotations

import re

HOURS_PER_DAY = 8
DAYS_PER_WEEK = 5
# unit -> hours, in the order durations are written out
UNITS: dict[str, float] = {
    "w": HOURS_PER_DAY * DAYS_PER_WEEK,
    "d": HOURS_PER_DAY,
    "h": 1.0,
    "min": 1 / 60,
}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(min|h|d|w)\s*$")
EXAMPLES = "30min, 2h, 3d, 1w or 1.5d"


class DurationError(ValueError):
    """A duration text that is not a number followed by one of the units min, h, d, w."""


def parse_duration(text: str) -> float:
    """Hours of working time for a duration text; raises DurationError with a readable reason."""
    match = _DURATION.match(text)
    if match is None:
        raise DurationError(_reason(text))
    number, unit = match.groups()
    return float(number) * UNITS[unit]


def _reason(text: str) -> str:
    stripped = text.strip()
    if not stripped:
        return f"a duration must not be empty; write a number with a unit: {EXAMPLES}"
    if re.fullmatch(r"\d+(?:\.\d+)?", stripped):
        return f"duration {text!r} has no unit; write a number with a unit: {EXAMPLES}"
    unit = re.sub(r"^[\d.\s]+", "", stripped)
    if re.fullmatch(r"\d+(?:\.\d+)?\s*[A-Za-z]+", stripped):
        return f"unknown duration unit {unit!r} in {text!r}; units are min, h, d (8h) and w (5d), e.g. {EXAMPLES}"
    return f"duration {text!r} is not a number with a unit; write e.g. {EXAMPLES}"


def format_hours(hours: float) -> str:
    """Hours as weeks, days, hours and minutes of working time, rounded to the minute."""
    minutes = round(hours * 60)
    if minutes == 0:
        return "0h"
    parts = []
    for unit in ("w", "d", "h", "min"):
        size = round(UNITS[unit] * 60)
        count, minutes = divmod(minutes, size)
        if count:
            parts.append(f"{count}{unit}")
    return " ".join(parts)
