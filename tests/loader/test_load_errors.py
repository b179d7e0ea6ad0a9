"""Every class of bad input gives `PATH:LINE:COL: error: message` lines, and all problems at once."""
import pytest

import kamflow
from kamflow.errors import LoadError

HEAD = "kamflow: 1\nid: p\n"
STEPS = "steps:\n  - {id: start, type: start, next: end}\n  - {id: end, type: end}\n"

CASES = [
    ("invalid-yaml", HEAD + "steps: [\n", 4, "invalid YAML"),
    ("top-level-list", "- a\n- b\n", 1, "must be a mapping"),
    ("top-level-scalar", "hello\n", 1, "must be a mapping"),
    ("empty", "", 1, "empty file"),
    ("duplicate-key", HEAD + "id: q\n" + STEPS, 3, "duplicate key 'id'"),
    ("duplicate-branch", HEAD + "steps:\n  - id: d\n    type: decision\n    branches:\n      Yes: a\n      Yes: b\n", 8, "duplicate key 'Yes'"),
    ("unknown-key", HEAD + "titel: x\n" + STEPS, 3, "did you mean 'title'"),
    ("unknown-step-key", HEAD + "steps:\n  - {id: s, type: start, nxt: e}\n", 4, "did you mean 'next'"),
    ("missing-id", "kamflow: 1\n" + STEPS, 1, "missing the required key 'id'"),
    ("missing-steps", HEAD, 1, "missing the required key 'steps'"),
    ("wrong-version", "kamflow: 2\nid: p\n" + STEPS, 1, "unsupported format version '2'"),
    ("unknown-type", HEAD + "steps:\n  - {id: s, type: stat}\n", 4, "did you mean 'start'"),
    ("duplicate-step", HEAD + "steps:\n  - {id: s, type: start}\n  - {id: s, type: end}\n", 5, "duplicate step id 's'"),
    ("bad-id", "kamflow: 1\nid: ../etc\n" + STEPS, 2, "not a valid id"),
    ("id-with-space", HEAD + "steps:\n  - {id: my step, type: start}\n", 4, "not a valid id"),
    ("step-is-string", HEAD + "steps:\n  - just text\n", 4, "a step must be a mapping"),
    ("branches-list", HEAD + "steps:\n  - {id: d, type: decision, branches: [a, b]}\n", 4, "`branches` of step 'd' must be a mapping"),
    ("label-mapping", HEAD + "steps:\n  - {id: s, label: {a: 1}}\n", 4, "must be text"),
    ("python-tag", HEAD + "title: !!python/object/apply:os.system [echo hi]\n" + STEPS, 3, "tag !!python/object/apply:os.system is not allowed"),
    ("custom-tag", HEAD + "title: !secret x\n" + STEPS, 3, "tag !secret is not allowed"),
    ("alias", HEAD + "title: &t Hello\ndescription: *t\n" + STEPS, 3, "anchors and aliases"),
    ("branches-on-step", HEAD + "steps:\n  - {id: s, branches: {a: b}}\n", 4, "only for decisions"),
    ("bad-direction", HEAD + "direction: up\n" + STEPS, 3, "direction must be one of TB, LR"),
    ("bad-probability", HEAD + "steps:\n  - {id: d, type: decision, branches: {Yes: {to: a, p: 2}}}\n", 4, "number from 0 to 1"),
    ("two-documents", HEAD + STEPS + "---\nid: x\n", 6, "several YAML documents"),
]


@pytest.mark.parametrize("name,text,line,message", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_positioned_problem(write, name, text, line, message):
    path = write(text)
    with pytest.raises(LoadError) as caught:
        kamflow.load(path)
    first = caught.value.problems[0]
    assert message in first.message
    assert first.span.path == str(path)
    assert first.span.line == line
    assert str(first).startswith(f"{path}:{line}:")
    assert ": error: " in str(first)


def test_all_problems_reported_at_once(write):
    path = write(HEAD + "titel: x\nsteps:\n  - {id: s, type: stat}\n  - {id: 1bad}\n")
    with pytest.raises(LoadError) as caught:
        kamflow.load(path)
    assert [p.span.line for p in caught.value.problems] == [3, 5, 6]


@pytest.mark.parametrize(
    "data,message",
    [(b"kamflow: 1\nid: p\x00\n", "binary data"), (b"kamflow: 1\ntitle: caf\xe9\n", "not valid UTF-8")],
)
def test_binary_and_non_utf8(tmp_path, data, message):
    path = tmp_path / "p.yaml"
    path.write_bytes(data)
    with pytest.raises(LoadError) as caught:
        kamflow.load(path)
    assert message in str(caught.value)
    assert caught.value.problems[0].span.line == 2


def test_size_limit(write, monkeypatch):
    monkeypatch.setenv("KAMFLOW_MAX_FILE_SIZE", "100")
    path = write(HEAD + STEPS + "# " + "x" * 200 + "\n")
    with pytest.raises(LoadError, match="over the 100-byte limit"):
        kamflow.load(path)


def test_alias_bomb_is_rejected_quickly(write):
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i-1}"] * 9) + "]")
    with pytest.raises(LoadError, match="anchors and aliases"):
        kamflow.load(write("\n".join(lines) + "\n"))


def test_labels_are_kept_exactly_as_written(write):
    path = write(
        HEAD
        + "steps:\n"
        + "  - {id: start, type: start, label: Yes, next: d}\n"
        + "  - id: d\n    type: decision\n    label: '100%'\n    branches:\n"
        + "      Yes: e1\n      No: e2\n      On hold: e1x\n      N/A: e2x\n      <draft>: e3\n"
        + "  - {id: e1, type: end, label: 1.0}\n  - {id: e2, type: end, label: N/A}\n  - {id: e1x, type: end, label: off}\n"
        + "  - {id: e2x, type: end, label: ~}\n  - {id: e3, type: end, label: <draft>}\n"
    )
    process = kamflow.load(path)
    labels = {step.id: step.label for step in process.steps}
    assert labels == {"start": "Yes", "d": "100%", "e1": "1.0", "e2": "N/A", "e1x": "off", "e2x": "e2x", "e3": "<draft>"}
    assert [e.label for e in process.edges if e.source == "d"] == ["Yes", "No", "On hold", "N/A", "<draft>"]
    assert process.graph.edges["d", "e3"]["label"] == "<draft>"
    assert list(process.graph.nodes) == ["start", "d", "e1", "e2", "e1x", "e2x", "e3"]


def test_model_carries_positions_and_metadata(write):
    path = write(
        HEAD
        + "lanes: [{id: kam, label: Key Account Manager}]\n"
        + "steps:\n  - {id: start, type: start, lane: kam, next: [{to: end, label: go}]}\n"
        + "  - {id: end, type: end, lane: kam, owner: Sam, kpis: [a, b], duration: 2d}\n"
    )
    process = kamflow.load(path)
    end = process.steps_by_id["end"]
    assert end.span.line == 6 and end.metadata == {"owner": "Sam", "duration": "2d", "kpis": ["a", "b"]}
    assert process.lanes[0].label == "Key Account Manager"
    assert process.graph.nodes["end"]["lane"] == "kam"
    assert process.graph.edges["start", "end"]["label"] == "go"


def test_a_changed_file_is_read_again(write):
    import os

    path = write(HEAD.replace("id: p", "id: first") + STEPS)
    assert kamflow.load(path).id == "first"
    path.write_text(HEAD.replace("id: p", "id: second") + STEPS)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert kamflow.load(path).id == "second"


@pytest.mark.parametrize(
    "text,line",
    [
        (HEAD + "steps:\n  - {id: s, type: start, label: '" + "x" * 501 + "'}\n", 4),
        (HEAD + "steps:\n  - id: d\n    type: decision\n    branches:\n      '" + "y" * 600 + "': a\n      b: c\n", 7),
        (HEAD + "title: '" + "t" * 501 + "'\n" + STEPS, 3),
        (HEAD + "description: '" + "d" * 20_001 + "'\n" + STEPS, 3),
    ],
)
def test_overlong_text_is_a_positioned_error(write, text, line):
    with pytest.raises(LoadError) as caught:
        kamflow.load(write(text))
    first = caught.value.problems[0]
    assert first.span.line == line and "characters long; at most" in first.message


def test_labels_up_to_the_limit_load(write):
    process = kamflow.load(write(HEAD + "steps:\n  - {id: s, type: start, label: '" + "x" * 500 + "', next: e}\n  - {id: e, type: end}\n"))
    assert len(process.steps[0].label) == 500


def test_unquoted_dates_are_text(write):
    process = kamflow.load(write(HEAD + "date: 2024-05-01\nsteps:\n  - {id: s, type: start, label: 2024-01-01, next: e}\n  - {id: e, type: end, label: 2024-01-02T10:00:00}\n"))
    assert process.date == "2024-05-01"
    assert [s.label for s in process.steps] == ["2024-01-01", "2024-01-02T10:00:00"]


def test_an_explicit_foreign_tag_is_still_refused(write):
    with pytest.raises(LoadError, match="tag !!python/name:os.system is not allowed"):
        kamflow.load(write(HEAD + "date: !!python/name:os.system 2024\n" + STEPS))
