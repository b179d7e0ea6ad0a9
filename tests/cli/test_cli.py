"""The CLI as a user types it: output lines, exit codes, nothing written on bad input."""
import json

from tests.conftest import PROCESSES, SIMPLE

BROKEN = SIMPLE.replace("next: ok}", "next: nowhere}")


def test_check_clean_file(run_cli, write):
    result = run_cli("check", write(SIMPLE))
    assert result.exit_code == 0
    assert result.stdout.strip() == "1 file checked: no problems"


def test_check_reports_findings_with_positions(run_cli, write):
    path = write(BROKEN)
    result = run_cli("check", path)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"{path}:9:51: error: step 'work' flows to 'nowhere', which is not a step in this process (a missing step?) [unknown-target]"
    assert any("[unreachable]" in line for line in lines)
    assert lines[-1].startswith("1 file checked: ") and "error" in lines[-1]


def test_check_json_has_exactly_the_keys(run_cli, write):
    result = run_cli("check", "--format", "json", write(BROKEN))
    assert result.exit_code == 1
    findings = json.loads(result.stdout)
    assert findings and all(set(f) == {"path", "line", "column", "rule", "severity", "step", "message"} for f in findings)
    assert {f["rule"] for f in findings} == {"unknown-target", "unreachable"}


def test_strict_fails_on_warnings(run_cli, write):
    path = write(SIMPLE.replace("label: Do the work, ", ""))
    assert run_cli("check", path).exit_code == 0
    assert run_cli("check", "--strict", path).exit_code == 1


def test_check_folder(run_cli):
    result = run_cli("check", PROCESSES)
    assert result.exit_code == 0, result.stdout
    assert result.stdout.strip().endswith("no problems")


def test_load_error_one_line_exit_2_no_traceback(run_cli, write, tmp_path):
    path = write("kamflow: 1\nid: x\nsteps: [\n")
    for command in (["check"], ["render", "-o", tmp_path / "out"]):
        result = run_cli(*command, path)
        assert result.exit_code == 2
        assert result.stderr.startswith(f"{path}:4:1: error: invalid YAML")
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_missing_file_exit_2(run_cli, tmp_path):
    result = run_cli("check", tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{tmp_path / 'nope.yaml'}: error: no such file or folder"


def test_render_writes_named_outputs(run_cli, write, tmp_path):
    out = tmp_path / "charts"
    result = run_cli("render", write(SIMPLE), "-o", out, "-f", "svg,pdf,png,dot")
    assert result.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == [".kamflow-cache.json", "simple.dot", "simple.pdf", "simple.png", "simple.svg"]
    assert result.stdout.split() == [str(out / f"simple.{e}") for e in ("svg", "pdf", "png", "dot")]


def test_render_prints_findings_and_still_draws(run_cli, write, tmp_path):
    result = run_cli("render", write(BROKEN), "-o", tmp_path)
    assert result.exit_code == 0
    assert "[unknown-target]" in result.stderr
    assert (tmp_path / "simple.svg").exists()


def test_render_strict_draws_nothing_on_errors(run_cli, write, tmp_path):
    result = run_cli("render", "--strict", write(BROKEN), "-o", tmp_path / "o")
    assert result.exit_code == 1
    assert not (tmp_path / "o").exists()


def test_render_unknown_format_is_usage_error(run_cli, write, tmp_path):
    result = run_cli("render", write(SIMPLE), "-f", "gif", "-o", tmp_path)
    assert result.exit_code == 2
    assert "unknown format gif" in result.stderr


def test_graphviz_missing_is_one_clear_line(run_cli, write, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = run_cli("render", write(SIMPLE), "-o", tmp_path / "o")
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("error: Graphviz `dot` was not found; install Graphviz")
    assert not (tmp_path / "o").exists()


def test_help_for_every_command(run_cli):
    from kamflow.cli import cli

    for name in cli.commands:
        result = run_cli(name, "--help")
        assert result.exit_code == 0 and "Usage:" in result.stdout


def test_chart_options_are_the_same_for_render_report_and_watch(run_cli):
    def options_of(command):
        text = run_cli(command, "--help").stdout
        return {word for word in text.split() if word.startswith("--")}

    shared = {"--direction", "--theme", "--number", "--legend", "--wrap", "--highlight", "--no-ghosts", "--timeout"}
    for command in ("render", "report", "watch"):
        assert shared <= options_of(command), command


def test_report_draws_the_chart_with_the_shared_options(run_cli, write, tmp_path):
    path = write(BROKEN)
    with_ghosts = run_cli("report", path, "-o", tmp_path / "a.html")
    without = run_cli("report", path, "--no-ghosts", "--wrap", "10", "-o", tmp_path / "b.html")
    assert with_ghosts.exit_code == 0 and without.exit_code == 0, without.stderr
    assert "Missing: nowhere" in (tmp_path / "a.html").read_text()
    assert "Missing: nowhere" not in (tmp_path / "b.html").read_text()


def test_bundled_ids_work_where_paths_do(run_cli, tmp_path):
    checked = run_cli("check", "kam", "billing")
    assert checked.exit_code == 0 and checked.stdout.strip() == "2 files checked: no problems"
    rendered = run_cli("render", "kam", "-f", "svg", "-o", tmp_path)
    assert rendered.exit_code == 0 and (tmp_path / "kam.svg").read_bytes().startswith(b"<?xml")
    assert run_cli("check", "no-such-process").exit_code == 2


def test_python_render_returns_bytes_without_touching_the_disk(tmp_path, monkeypatch):
    import kamflow

    monkeypatch.chdir(tmp_path)
    charts = kamflow.render(kamflow.load(kamflow.library_path("kam")), formats=("svg", "png"), output_dir=None)
    assert charts["svg"].startswith(b"<?xml") and charts["png"].startswith(b"\x89PNG")
    assert list(tmp_path.iterdir()) == []


def test_check_and_export_read_a_process_from_stdin(run_cli):
    text = (PROCESSES / "billing.yaml").read_text()
    checked = run_cli("check", "-", input=text)
    assert checked.exit_code == 0 and checked.stdout.strip() == "1 file checked: no problems"
    exported = run_cli("export", "-", "--to", "mermaid", input=text)
    assert exported.exit_code == 0 and exported.stdout.splitlines()[1] == "flowchart TD"
    broken = run_cli("check", "-", input="kamflow: 1\nid: x\nsteps: [\n")
    assert broken.exit_code == 2 and broken.stderr.startswith("<stdin>:4:1: error: invalid YAML")
    mixed = run_cli("check", "-", str(PROCESSES / "kam.yaml"), input=text)
    assert mixed.exit_code == 2 and "cannot be combined" in mixed.stderr
