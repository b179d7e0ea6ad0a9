"""Durations: units, the 8-hour day / 5-day week convention, and bad strings as positioned errors."""
import pytest

import kamflow
from kamflow.errors import LoadError
from kamflow.model.duration import DurationError, format_hours, parse_duration


@pytest.mark.parametrize("text,hours", [
    ("30min", 0.5), ("90min", 1.5), ("2h", 2.0), ("1d", 8.0), ("3d", 24.0), ("1w", 40.0),
    ("1.5d", 12.0), ("0h", 0.0), (" 2 h ", 2.0), ("13w", 520.0),
])
def test_units_are_working_time(text, hours):
    assert parse_duration(text) == pytest.approx(hours)


@pytest.mark.parametrize("hours,text", [(0, "0h"), (0.5, "30min"), (8, "1d"), (40, "1w"), (61.5, "1w 2d 5h 30min"), (520, "13w")])
def test_format_hours(hours, text):
    assert format_hours(hours) == text


@pytest.mark.parametrize("text,reason", [
    ("2", "has no unit"), ("2x", "unknown duration unit 'x'"), ("3 days", "unknown duration unit 'days'"),
    ("two days", "not a number with a unit"), ("-1d", "not a number with a unit"), ("1,5d", "not a number with a unit"),
    ("", "must not be empty"), ("2h30min", "not a number with a unit"),
])
def test_bad_strings_are_refused(text, reason):
    with pytest.raises(DurationError, match=reason):
        parse_duration(text)


PROCESS = """\
kamflow: 1
id: p
steps:
  - {id: s, type: start, next: w}
  - id: w
    label: Work
    duration: {value}
    next: e
  - {id: e, type: end}
"""


@pytest.mark.parametrize("value,column,reason", [
    ("2x", 15, "unknown duration unit 'x'"),
    ("10", 15, "has no unit"),
    ("'three weeks'", 15, "not a number with a unit"),
    ("''", 15, "must not be empty"),
])
def test_bad_duration_is_a_positioned_load_error(write, value, column, reason):
    path = write(PROCESS.replace("{value}", value))
    with pytest.raises(LoadError) as caught:
        kamflow.load(path)
    [problem] = caught.value.problems
    assert (problem.span.line, problem.span.column) == (7, column)
    assert reason in problem.message and "step 'w'" in problem.message
    assert str(problem).startswith(f"{path}:7:{column}: error: ")


def test_bad_duration_through_the_cli(write, run_cli):
    path = write(PROCESS.replace("{value}", "5 mins"))
    result = run_cli("stats", path)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{path}:7:15: error: unknown duration unit 'mins' in '5 mins'; units are min, h, d (8h) and w (5d), e.g. 30min, 2h, 3d, 1w or 1.5d (`duration` of step 'w')"
    assert result.stdout == ""


def test_all_bad_durations_reported_at_once(write):
    text = PROCESS.replace("{value}", "2x").replace("  - {id: e, type: end}\n", "  - {id: e, type: end, duration: soon}\n")
    with pytest.raises(LoadError) as caught:
        kamflow.load(write(text))
    assert [p.span.line for p in caught.value.problems] == [7, 9]
