"""Node-link JSON: lossless round trip through kamflow's loader, the documented JSON Schemas, and
positioned errors for a broken export."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

import kamflow
from kamflow.errors import LoadError
from tests.exporters.conftest import ALL_PROCESSES, BUNDLED, ROOT, process_ids

SCHEMAS = ROOT / "docs" / "json-schema"


def without_positions(process):
    """The model minus source positions (they point into the file that was read)."""
    clear = lambda item: dataclasses.replace(item, span=None)  # noqa: E731
    steps = tuple(dataclasses.replace(step, span=None, key_spans={}) for step in process.steps)
    return dataclasses.replace(
        process, path=None, span=None, key_spans={}, steps=steps,
        edges=tuple(map(clear, process.edges)), lanes=tuple(map(clear, process.lanes)),
    )


@pytest.mark.parametrize("path", ALL_PROCESSES, ids=process_ids(ALL_PROCESSES))
def test_round_trip_gives_an_equal_model(path, exported):
    original = kamflow.load(path)
    loaded = kamflow.load(exported[(path.stem, "json")])
    assert without_positions(loaded) == without_positions(original)
    assert loaded.steps and loaded.steps[0].span.path == str(exported[(path.stem, "json")])
    # and exporting what was loaded writes the same bytes again
    assert kamflow.export(loaded, to="json") == exported[(path.stem, "json")].read_text(encoding="utf-8")


@pytest.mark.parametrize("path", ALL_PROCESSES, ids=process_ids(ALL_PROCESSES))
def test_export_matches_the_documented_schema(path, exported):
    schema = json.loads((SCHEMAS / "kamflow-export.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.validate(json.loads(exported[(path.stem, "json")].read_text(encoding="utf-8")), schema, cls=jsonschema.Draft7Validator)


@pytest.mark.parametrize("path", ALL_PROCESSES, ids=process_ids(ALL_PROCESSES))
def test_process_files_match_the_yaml_format_schema(path):
    schema = json.loads((SCHEMAS / "kamflow-process.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema, cls=jsonschema.Draft7Validator)


@pytest.mark.parametrize("of, name", [("process", "kamflow-process.schema.json"), ("export", "kamflow-export.schema.json")])
def test_docs_hold_exactly_the_schemas_kamflow_prints(of, name, run_cli):
    result = run_cli("schema", "--of", of)
    assert result.exit_code == 0
    assert result.output == (SCHEMAS / name).read_text(encoding="utf-8")


def test_yaml_schema_rejects_what_the_loader_rejects():
    schema = json.loads((SCHEMAS / "kamflow-process.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    good = {"kamflow": 1, "id": "p", "steps": [{"id": "a", "type": "start", "next": "b"}, {"id": "b", "type": "end"}]}
    assert list(validator.iter_errors(good)) == []
    for bad in (
        {**good, "kamflow": 2},
        {**good, "colour": "red"},
        {**good, "steps": [{"id": "a", "type": "begin"}]},
        {**good, "steps": [{"id": "1a"}]},
        {**good, "direction": "RL"},
        {k: v for k, v in good.items() if k != "steps"},
    ):
        assert list(validator.iter_errors(bad)), bad


def write_export(tmp_path: Path, change) -> Path:
    data = json.loads(kamflow.export(kamflow.load(BUNDLED[0]), to="json"))
    change(data)
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


@pytest.mark.parametrize("change, message", [
    (lambda d: d["nodes"][1].update(type="task"), "unknown step type 'task'"),
    (lambda d: d["links"][0].update(source="nowhere"), "a link starts at 'nowhere', which is not a node"),
    (lambda d: d["nodes"].append(dict(d["nodes"][0])), "duplicate step id"),
    (lambda d: d.update(format="something-else"), "not a kamflow export"),
    (lambda d: d["links"][0].update(probability=2), "probability must be a number from 0 to 1"),
    (lambda d: d["graph"].update(direction="RL"), "`graph.direction` must be one of TB, LR"),
])
def test_a_broken_export_is_reported_at_its_position(tmp_path, change, message):
    path = write_export(tmp_path, change)
    with pytest.raises(LoadError) as caught:
        kamflow.load(path)
    problem = next(p for p in caught.value.problems if message in p.message)
    assert problem.span.path == str(path) and problem.span.line >= 1 and problem.span.column >= 1
    if "graph" not in message and "export" not in message:  # the step's or link's own line
        assert problem.span.line > 3


def test_invalid_json_names_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "kamflow": 1,\n  "format": oops\n}\n', encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        kamflow.load(path)
    assert str(caught.value.problems[0]).startswith(f"{path}:3:13: error: invalid JSON")


def test_duplicate_keys_and_nan_are_rejected(tmp_path):
    path = tmp_path / "dup.json"
    text = kamflow.export(kamflow.load(BUNDLED[0]), to="json").replace('"kind": "next",', '"kind": "next", "kind": "branch",', 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LoadError, match="duplicate key 'kind'"):
        kamflow.load(path)
    nan = tmp_path / "nan.json"
    nan.write_text(kamflow.export(kamflow.load(BUNDLED[0]), to="json").replace('"probability": null', '"probability": NaN', 1), encoding="utf-8")
    with pytest.raises(LoadError, match="invalid JSON: NaN is not valid JSON"):
        kamflow.load(nan)


def test_check_and_render_accept_an_exported_json(tmp_path, run_cli, exported):
    source = exported[("kam", "json")]
    checked = run_cli("check", source)
    assert checked.exit_code == 0, checked.output
    rendered = run_cli("render", source, "-f", "svg", "-o", tmp_path / "out")
    assert rendered.exit_code == 0, rendered.output
    svg = (tmp_path / "out" / "kam.svg").read_text(encoding="utf-8")
    assert "Key Account Management Process" in svg
