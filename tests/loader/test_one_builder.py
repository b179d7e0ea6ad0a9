"""Every source goes through the one process builder: JSON exports get the limits, duration and id
checks YAML files get, and importers can feed it plain values with positions."""
import json

import pytest

import kamflow
from kamflow.errors import LoadError, Span
from kamflow.loader.build import MAX_LABEL, build_process
from kamflow.model.source import At, plain


def _export(tmp_path, change):
    data = json.loads(kamflow.export(kamflow.load("billing"), to="json"))
    change(data)
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def _problems(path):
    with pytest.raises(LoadError) as caught:
        kamflow.load(path)
    return caught.value.problems


def test_a_json_label_over_the_limit_is_refused_like_in_yaml(tmp_path):
    path = _export(tmp_path, lambda d: d["nodes"][1].update(label="x" * 3000))
    [problem] = _problems(path)
    assert problem.message.endswith(f"is 3,000 characters long; at most {MAX_LABEL} are allowed")
    assert problem.span.line > 3  # at the label's own line
    text = path.read_text(encoding="utf-8").splitlines()
    assert '"label": "xxx' in text[problem.span.line - 1]


def test_a_bad_json_duration_is_an_error_not_none(tmp_path):
    path = _export(tmp_path, lambda d: d["nodes"][1].setdefault("metadata", {}).update(duration="soon"))
    [problem] = _problems(path)
    assert "`duration` of step" in problem.message
    assert '"duration": "soon"' in path.read_text(encoding="utf-8").splitlines()[problem.span.line - 1]


def test_json_ids_and_lane_labels_are_checked_by_the_builder(tmp_path):
    path = _export(tmp_path, lambda d: (d["nodes"][1].update(lane="not an id"), d["graph"]["lanes"].append({"id": "l2", "label": "y" * 600})))
    messages = sorted(p.message for p in _problems(path))
    assert any("'not an id' is not a valid id" in m for m in messages)
    assert any(m.startswith("a lane label is 600 characters long") for m in messages)


def test_plain_values_with_positions_build_a_process():
    row = Span("steps.csv", 3, 1)
    tree = plain({"kamflow": 1, "id": "p", "steps": [At({"id": "a", "next": "b"}, row), {"id": "b", "type": "end"}]}, Span("steps.csv", 1, 1))
    process = build_process(tree, "steps.csv")
    assert [s.id for s in process.steps] == ["a", "b"] and process.steps[0].span == row
    assert [(e.source, e.target, e.span) for e in process.edges] == [("a", "b", row)]
    bad = plain({"kamflow": 1, "id": "p", "steps": [At({"id": "a", "label": "z" * 501}, row)]}, Span("steps.csv", 1, 1))
    with pytest.raises(LoadError) as caught:
        build_process(bad, "steps.csv")
    assert [str(p) for p in caught.value.problems] == [f"steps.csv:3:1: error: the label of step 'a' is 501 characters long; at most {MAX_LABEL} are allowed"]


def test_the_api_loads_library_ids():
    assert kamflow.load("kam").id == "kam"
    with pytest.raises(LoadError, match="no such file"):
        kamflow.load("no-such-process-id")
