"""`kamflow export` and `kamflow schema` through the CLI."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from kamflow.exporters import EXPORTERS
from tests.exporters.conftest import BUNDLED, ROOT

KAM = ROOT / "processes" / "kam.yaml"


@pytest.mark.parametrize("fmt", list(EXPORTERS))
def test_one_process_goes_to_stdout(fmt, run_cli):
    result = run_cli("export", KAM, "--to", fmt)
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    if fmt in ("bpmn", "drawio", "graphml"):
        ET.fromstring(text.encode("utf-8"))
    elif fmt == "json":
        assert json.loads(text)["graph"]["id"] == "kam"
    else:
        assert text.splitlines()[1] == "flowchart TD"


def test_dash_o_writes_the_named_file_atomically(tmp_path, run_cli):
    target = tmp_path / "deliverable" / "kam-for-client.bpmn"
    result = run_cli("export", KAM, "--to", "bpmn", "-o", target)
    assert result.exit_code == 0 and result.stdout.strip() == str(target)
    assert target.read_text(encoding="utf-8") == run_cli("export", KAM, "--to", "bpmn").stdout
    assert [p.name for p in target.parent.iterdir()] == ["kam-for-client.bpmn"]  # no temporary left


def test_a_folder_exports_every_process_into_the_output_folder(tmp_path, run_cli):
    result = run_cli("export", ROOT / "processes", "--to", "mermaid", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(f"{p.stem}.mmd" for p in BUNDLED)


def test_a_folder_without_dash_o_is_a_usage_error(run_cli):
    result = run_cli("export", ROOT / "processes", "--to", "json")
    assert result.exit_code == 2 and "-o FOLDER" in result.stderr and result.stdout == ""


def test_one_process_into_an_existing_folder(tmp_path, run_cli):
    result = run_cli("export", KAM, "--to", "drawio", "-o", tmp_path)
    assert result.exit_code == 0
    assert (tmp_path / "kam.drawio").is_file()


def test_nothing_is_written_when_a_file_does_not_load(tmp_path, write, run_cli):
    good = write("kamflow: 1\nid: good\nsteps:\n  - {id: a, type: start, next: b}\n  - {id: b, type: end}\n", "in/good.yaml")
    write("kamflow: 1\nid: bad\nsteps: {}\n", "in/bad.yaml")
    result = run_cli("export", good.parent, "--to", "json", "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "bad.yaml:3:8: error:" in result.stderr
    assert not (tmp_path / "out").exists()


def test_unknown_format_and_direction_are_usage_errors(run_cli):
    assert run_cli("export", KAM, "--to", "visio").exit_code == 2
    assert run_cli("export", KAM, "--to", "mermaid", "--direction", "RL").exit_code == 2


def test_direction_option_reaches_mermaid_and_drawio(run_cli):
    assert run_cli("export", KAM, "--to", "mermaid", "--direction", "LR").stdout.splitlines()[1] == "flowchart LR"
    lanes = [c for c in ET.fromstring(run_cli("export", KAM, "--to", "drawio", "--direction", "LR").stdout).iter("mxCell") if (c.get("style") or "").startswith("swimlane")]
    assert lanes and all("horizontal=0" in c.get("style") for c in lanes)


def test_schema_prints_the_yaml_format_schema(run_cli):
    result = run_cli("schema")
    schema = json.loads(result.stdout)
    assert result.exit_code == 0
    assert schema["required"] == ["kamflow", "id", "steps"]
    assert schema["properties"]["steps"]["items"]["properties"]["type"]["enum"][0] == "start"


def test_export_and_schema_are_in_help(run_cli):
    text = run_cli("--help").stdout
    assert "export" in text and "schema" in text


def test_a_flow_to_a_missing_step_is_kept_in_json_and_left_out_elsewhere(tmp_path, write, run_cli):
    path = write("kamflow: 1\nid: gap\nsteps:\n  - {id: a, type: start, next: [b, ghost]}\n  - {id: b, type: end}\n")
    for fmt in EXPORTERS:
        result = run_cli("export", path, "--to", fmt)
        assert result.exit_code == 0, (fmt, result.stderr)
        assert ("ghost" in result.stdout) == (fmt == "json"), fmt
