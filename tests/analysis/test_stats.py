"""Path analytics checked against numbers worked out by hand (see the comments)."""
import json

import pytest

import kamflow
from kamflow import api

# start -> work (2h, lane a) -> review (decision, lane b): ok 0.75 -> finish, redo 0.25 -> work
LOOP = """\
kamflow: 1
id: loop
lanes: [a, b]
steps:
  - {id: start, type: start, lane: a, next: work}
  - {id: work, label: Do the work, lane: a, duration: 2h, owner: Ann, next: review}
  - id: review
    type: decision
    lane: b
    owner: Bob
    branches:
      ok: {to: finish, p: 0.75}
      redo: {to: work, p: 0.25}
  - {id: finish, type: end, lane: b}
"""

# Two ends, a loop inside one branch, units mixed:
# start -> intake (30min, a) -> triage (a): fast 0.6 -> quick_fix (1d = 8h, b) -> done
#                                           deep 0.4 -> analyse (1w = 40h, b) -> check (b):
#                                                pass 0.5 -> done, fail 0.3 -> analyse, escalate 0.2 -> handover (2h, a) -> escalated
TRIAGE = """\
kamflow: 1
id: triage
lanes: [a, b]
steps:
  - {id: start, type: start, lane: a, next: intake}
  - {id: intake, lane: a, duration: 30min, owner: Desk, next: triage}
  - id: triage
    type: decision
    lane: a
    owner: Desk
    branches:
      fast: {to: quick_fix, p: 0.6}
      deep: {to: analyse, p: 0.4}
  - {id: quick_fix, lane: b, duration: 1d, owner: Team, next: done}
  - {id: analyse, lane: b, duration: 1w, owner: Team, next: check}
  - id: check
    type: decision
    lane: b
    owner: Team
    branches:
      pass: {to: done, p: 0.5}
      fail: {to: analyse, p: 0.3}
      escalate: {to: handover, p: 0.2}
  - {id: handover, lane: a, duration: 2h, owner: Desk, next: escalated}
  - {id: done, type: end, lane: b}
  - {id: escalated, type: end, lane: a}
"""


def stats_of(write, text):
    return api.stats(kamflow.load(write(text)))


def test_counts_and_loops(write):
    numbers = stats_of(write, TRIAGE)
    counts = numbers["counts"]
    assert counts["steps"] == 9 and counts["flows"] == 10
    assert {k: v for k, v in counts["by_type"].items() if v} == {"start": 1, "step": 4, "decision": 2, "end": 2}
    assert counts["by_lane"] == [{"lane": "a", "label": "a", "steps": 5}, {"lane": "b", "label": "b", "steps": 4}]
    assert (counts["decisions"], counts["ends"], counts["loops"]) == (2, 2, 1)
    assert numbers["loops"] == [{"from": "check", "to": "analyse", "steps": ["analyse", "check"]}]


def test_shortest_longest_and_critical_paths(write):
    numbers = stats_of(write, TRIAGE)
    done, escalated = numbers["paths"]
    assert done["end"] == "done"
    assert done["shortest"]["steps"] == ["start", "intake", "triage", "quick_fix", "done"]
    assert done["shortest"]["hours"] == 8.5  # 30min + 1d
    assert done["longest"]["steps"] == ["start", "intake", "triage", "analyse", "check", "done"]
    assert done["longest"]["hours"] == 40.5  # 30min + 1w
    assert escalated["shortest"] == escalated["longest"]
    assert escalated["longest"]["hours"] == 42.5  # 30min + 1w + 2h
    critical = numbers["critical_path"]
    assert critical["end"] == "escalated"
    assert critical["steps"] == ["start", "intake", "triage", "analyse", "check", "handover", "escalated"]
    assert critical["duration"] == "1w 2h 30min"
    # a -> a -> a -> b (1) -> b -> a (2) -> a
    assert critical["handoffs"] == 2
    assert [(h["from_step"], h["to_step"]) for h in critical["handoff_list"]] == [("triage", "analyse"), ("check", "handover")]
    assert done["shortest"]["handoffs"] == 1


def test_expected_duration_with_a_loop(write):
    [expected] = stats_of(write, LOOP)["expected"]
    assert expected["available"] is True
    # work is visited 1 / 0.75 = 4/3 times: 4/3 * 2h = 8/3 h
    assert expected["hours"] == pytest.approx(8 / 3, abs=1e-4)
    assert expected["visits"]["work"] == pytest.approx(4 / 3, abs=1e-4)
    # work (a) -> review (b) on every visit (4/3), review (b) -> work (a) on 1/4 of them (1/3)
    assert expected["handoffs"] == pytest.approx(5 / 3, abs=1e-4)
    assert expected["ends"] == [{"step": "finish", "label": "finish", "type": "end", "probability": 1.0}]


def test_expected_duration_two_ends(write):
    [expected] = stats_of(write, TRIAGE)["expected"]
    # analyse: 0.4 / (1 - 0.3) = 4/7 visits; handover: 4/7 * 0.2 = 4/35
    # hours = 0.5 + 0.6 * 8 + 4/7 * 40 + 4/35 * 2
    assert expected["hours"] == pytest.approx(0.5 + 4.8 + 160 / 7 + 8 / 35, abs=1e-4)
    assert {e["step"]: e["probability"] for e in expected["ends"]} == pytest.approx({"done": 31 / 35, "escalated": 4 / 35}, abs=1e-4)
    # hand-offs: triage -> quick_fix (0.6) or -> analyse (0.4), check -> handover (4/35)
    assert expected["handoffs"] == pytest.approx(1 + 4 / 35, abs=1e-4)
    assert expected["steps_without_duration"] == []


@pytest.mark.parametrize("change,problem", [
    ("      fail: {to: analyse, p: 0.3}\n", "      fail: analyse\n", ),
    ("      fail: {to: analyse, p: 0.3}\n", "      fail: {to: analyse, p: 0.2}\n"),
])
def test_missing_or_inconsistent_probabilities_give_no_answer(write, change, problem):
    numbers = stats_of(write, TRIAGE.replace(change, problem))
    [expected] = numbers["expected"]
    assert expected["available"] is False and "hours" not in expected
    message = expected["problems"][0]
    if "p:" in problem:
        assert message == "decision 'check' (check): branch probabilities add up to 0.9, not 1"
    else:
        assert message == "decision 'check' (check): no probability `p` on branch 'fail'"
    text = api.format_stats(numbers, kamflow.load(write(TRIAGE.replace(change, problem))))
    assert "(branch probabilities, loops included): no answer" in text and message in text
    assert numbers["critical_path"]["hours"] == 42.5  # path analytics do not need probabilities


def test_loop_left_only_by_escalation(write):
    text = TRIAGE.replace("pass: {to: done, p: 0.5}", "pass: {to: done, p: 0}").replace("fail: {to: analyse, p: 0.3}", "fail: {to: analyse, p: 0.8}")
    [expected] = stats_of(write, text)["expected"]
    # analyse: 0.4 / (1 - 0.8) = 2 visits; handover: 2 * 0.2 = 0.4 = P(escalated)
    assert expected["visits"]["analyse"] == pytest.approx(2.0, abs=1e-4)
    assert expected["hours"] == pytest.approx(0.5 + 4.8 + 2 * 40 + 0.4 * 2, abs=1e-4)
    assert {e["step"]: e["probability"] for e in expected["ends"]} == pytest.approx({"done": 0.6, "escalated": 0.4}, abs=1e-4)


def test_loop_with_no_way_out_by_probability(write):
    text = LOOP.replace("ok: {to: finish, p: 0.75}", "ok: {to: finish, p: 0}").replace("redo: {to: work, p: 0.25}", "redo: {to: work, p: 1}")
    [expected] = stats_of(write, text)["expected"]
    assert expected["available"] is False
    assert expected["problems"] == ["from step 'work' (Do the work) the process never ends: its loop has no way out with these probabilities"]


def test_split_without_decision_gives_no_answer(write):
    text = LOOP.replace("next: review}", "next: [review, finish]}")
    [expected] = stats_of(write, text)["expected"]
    assert expected["problems"] == ["step 'work' (Do the work) has 2 ways out but is not a decision: only decision branches carry probabilities"]


def test_missing_durations_and_owners(write):
    text = TRIAGE.replace("{id: quick_fix, lane: b, duration: 1d, owner: Team,", "{id: quick_fix, lane: b,")
    numbers = stats_of(write, text)
    assert numbers["missing"] == {"owner": ["quick_fix"], "duration": ["quick_fix"]}
    done = numbers["paths"][0]
    assert done["shortest"]["steps_without_duration"] == ["quick_fix"]
    assert done["shortest"]["hours"] == 0.5  # counted as 0
    [expected] = numbers["expected"]
    assert expected["steps_without_duration"] == ["quick_fix"]
    assert expected["hours"] == pytest.approx(0.5 + 160 / 7 + 8 / 35, abs=1e-4)
    shown = api.format_stats(numbers, kamflow.load(write(text)))
    assert "(branch probabilities, loops included): at least " in shown
    assert "Steps without duration: quick_fix" in shown and "Steps without owner: quick_fix" in shown


def test_no_end_reachable(write):
    text = "kamflow: 1\nid: x\nsteps:\n  - {id: s, type: start, next: w}\n  - {id: w, duration: 1h}\n  - {id: e, type: end}\n"
    numbers = stats_of(write, text)
    assert numbers["critical_path"] is None
    assert numbers["paths"] == [{"end": "e", "label": "e", "shortest": None, "longest": None}]
    [expected] = numbers["expected"]  # the flow stops at w: it is where the process ends
    assert expected["ends"][0]["step"] == "w" and expected["hours"] == 1.0


def test_kam_library_process(write):
    numbers = api.stats(kamflow.load(kamflow.library_path("kam")))
    assert numbers["counts"]["decisions"] == 6 and numbers["counts"]["loops"] == 4
    assert numbers["critical_path"]["end"] == "exited"
    [expected] = numbers["expected"]
    assert expected["available"]
    assert sum(e["probability"] for e in expected["ends"]) == pytest.approx(1.0, abs=1e-3)
    assert {e["step"]: e["probability"] for e in expected["ends"]}["not_selected"] == 0.7


def test_cli_text_and_json(write, run_cli):
    path = write(TRIAGE)
    text = run_cli("stats", path)
    assert text.exit_code == 0
    assert "Critical path (longest): 1w 2h 30min over 7 steps, 2 hand-offs" in text.stdout
    assert "  ends at escalated: 11.4%" in text.stdout
    as_json = run_cli("stats", path, "--format", "json")
    data = json.loads(as_json.stdout)
    assert data["format"] == "kamflow-stats" and data["version"] == 1
    assert data["units"] == {"hours_per_day": 8, "days_per_week": 5}
    assert as_json.stdout == run_cli("stats", path, "--format", "json").stdout  # deterministic


def test_cli_library_id(run_cli):
    result = run_cli("stats", "kam")
    assert result.exit_code == 0 and result.stdout.startswith("Key Account Management Process (kam)")
