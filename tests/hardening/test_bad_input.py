"""Every command that reads process files answers every class of bad input (tests/hardening/cases.py)
with one positioned line `PATH[:LINE:COL]: error: message`, exit code 2, no traceback, and no file
created, modified or removed. The CLI runs in-process; a generous wall-clock bound guards against
hangs (an alias bomb must be refused before anything walks it), it is not a speed measurement."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.hardening.cases import BAD_TEMPLATES, BAD_THEMES, CASES, GOOD
from tests.hardening.snapshot import error_lines, seed_outputs, snapshot

HANG_GUARD = 20.0  # seconds; every case answers in well under one

# command name -> argv for the bad file F, the good file G and the output folder O
COMMANDS = {
    "check": lambda f, g, o: ["check", f],
    "check-folder-sarif": lambda f, g, o: ["check", Path(f).parent, "--format", "sarif"],
    "check-against": lambda f, g, o: ["check", f, "--against", "kam"],
    "render-highlight": lambda f, g, o: ["render", f, "--highlight", "critical-path", "-o", o],
    "report-highlight": lambda f, g, o: ["report", f, "--highlight", "critical-path", "--no-ghosts", "-o", Path(o) / "r.html"],
    "report-portfolio": lambda f, g, o: ["report", Path(f).parent, g, "-o", Path(o) / "site"],
    "export-folder": lambda f, g, o: ["export", Path(f).parent, "--to", "drawio", "-o", Path(o) / "exported"],
    "render": lambda f, g, o: ["render", f, "-f", "svg,pdf", "-o", o],
    "render-folder": lambda f, g, o: ["render", Path(f).parent, "-f", "svg", "-o", o],
    "report": lambda f, g, o: ["report", f, "-o", Path(o) / "r.html"],
    "report-md": lambda f, g, o: ["report", f, "--format", "md", "-o", Path(o) / "r.md"],
    "export": lambda f, g, o: ["export", f, "--to", "json", "-o", Path(o) / "x.json"],
    "export-bpmn-stdout": lambda f, g, o: ["export", f, "--to", "bpmn"],
    "new-from": lambda f, g, o: ["new", "fresh", "--from", f, "-o", o],
    "diff-old": lambda f, g, o: ["diff", f, g],
    "diff-new-chart": lambda f, g, o: ["diff", g, f, "-o", o, "-f", "svg"],
    "stats": lambda f, g, o: ["stats", f],
    "list-folder": lambda f, g, o: ["list", Path(f).parent],
}


def _run(args, *, input=None):
    from kamflow.cli import cli

    started = time.monotonic()
    result = CliRunner().invoke(cli, [str(a) for a in args], input=input)
    return result, time.monotonic() - started


def _assert_one_clear_error(result, seconds, shown: str, line: int | None, words: str) -> None:
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 2, output
    assert seconds < HANG_GUARD
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert 1 <= len(lines) <= 3, lines
    match = error_lines(result.stderr)[0]
    assert match is not None, lines[0]
    assert match["path"].endswith(shown), (match["path"], shown)
    if line is not None:
        assert match["line"] == str(line) and match["column"], lines[0]
    assert words in match["message"].lower(), lines[0]
    for extra in lines[1:]:  # another problem of the same file (render adds no summary for a lone failure)
        match = error_lines(extra)[0]
        assert match is not None and match["path"].endswith(shown), extra


@pytest.fixture
def scene(tmp_path, monkeypatch):
    """tmp/in/bad.yaml (written by the test), tmp/good.yaml and tmp/out with earlier outputs."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in").mkdir()
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    seed_outputs(tmp_path / "out")
    return tmp_path


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_every_command_refuses_every_bad_file(scene, monkeypatch, case, command):
    for name, value in case.env:
        monkeypatch.setenv(name, value)
    bad = scene / "in" / "bad.yaml"
    bad.write_bytes(case.data)
    before = snapshot(scene)
    result, seconds = _run(COMMANDS[command]("in/bad.yaml", "good.yaml", "out"))
    _assert_one_clear_error(result, seconds, "bad.yaml", case.line, case.words)
    assert snapshot(scene) == before
    assert not (scene / "PWNED").exists()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_stdin_refuses_every_bad_input(scene, monkeypatch, case):
    for name, value in case.env:
        monkeypatch.setenv(name, value)
    before = snapshot(scene)
    result, seconds = _run(["render", "-", "-f", "svg", "--highlight", "critical-path", "-o", "out"], input=case.data)
    _assert_one_clear_error(result, seconds, "<stdin>", case.line, case.words)
    assert snapshot(scene) == before


# A path that does not exist, or a folder where a file is needed.
MISSING_COMMANDS = ["check", "render", "report", "export", "new-from", "diff-old", "diff-new-chart", "stats", "list-folder"]


@pytest.mark.parametrize("command", MISSING_COMMANDS)
def test_a_missing_path_is_one_clear_line(scene, command):
    before = snapshot(scene)
    args = COMMANDS[command]("in/nothing/bad.yaml", "good.yaml", "out")
    result, seconds = _run(args)
    _assert_one_clear_error(result, seconds, "nothing" if command == "list-folder" else "bad.yaml", None, "no such")
    assert snapshot(scene) == before


@pytest.mark.parametrize("command", ["new-from", "diff-old", "diff-new-chart", "stats"])
def test_a_folder_where_a_file_is_needed(scene, command):
    (scene / "in" / "bad.yaml").mkdir()
    before = snapshot(scene)
    result, seconds = _run(COMMANDS[command]("in/bad.yaml", "good.yaml", "out"))
    _assert_one_clear_error(result, seconds, "bad.yaml", None, "folder")
    assert snapshot(scene) == before


THEME_COMMANDS = {
    "render --theme": lambda t: ["render", "good.yaml", "--theme", t, "-o", "out"],
    "report --theme": lambda t: ["report", "good.yaml", "--theme", t, "-o", "out/r.html"],
    "watch --theme": lambda t: ["watch", "good.yaml", "--theme", t, "-o", "out"],  # refused before watching starts
    "process theme:": lambda t: ["render", "themed.yaml", "-o", "out"],
    "diff chart, process theme:": lambda t: ["diff", "good.yaml", "themed.yaml", "-o", "out"],
}


@pytest.mark.parametrize("command", sorted(THEME_COMMANDS))
@pytest.mark.parametrize("case", BAD_THEMES, ids=lambda c: c.name)
def test_bad_theme_files(scene, case, command):
    (scene / "in" / "bad-theme.yaml").write_bytes(case.data)
    (scene / "themed.yaml").write_text(GOOD.replace("title: Good\n", "title: Good\ntheme: in/bad-theme.yaml\n"), encoding="utf-8")
    before = snapshot(scene)
    result, seconds = _run(THEME_COMMANDS[command]("in/bad-theme.yaml"))
    _assert_one_clear_error(result, seconds, "bad-theme.yaml", case.line, case.words)
    assert snapshot(scene) == before
    assert not (scene / "PWNED").exists()


@pytest.mark.parametrize("command", ["render --theme", "report --theme"])
def test_missing_or_folder_theme(scene, command):
    (scene / "in" / "dir-theme.yaml").mkdir()
    before = snapshot(scene)
    for theme, words in (("in/no-theme.yaml", "no such"), ("in/dir-theme.yaml", "folder")):
        result, seconds = _run(THEME_COMMANDS[command](theme))
        _assert_one_clear_error(result, seconds, Path(theme).name, None, words)
    assert snapshot(scene) == before


@pytest.mark.parametrize("fmt", ["html", "md"])
@pytest.mark.parametrize("case", BAD_TEMPLATES, ids=lambda c: c.name)
def test_bad_report_templates(scene, monkeypatch, case, fmt):
    for name, value in case.env:
        monkeypatch.setenv(name, value)
    template = scene / "in" / f"bad.{fmt}.j2"
    template.write_bytes(case.data)
    before = snapshot(scene)
    result, seconds = _run(["report", "good.yaml", "--template", f"in/bad.{fmt}.j2", "-o", f"out/r.{fmt}"])
    output = result.stdout + result.stderr
    assert "Traceback" not in output and result.exit_code == 2, output
    assert seconds < HANG_GUARD
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    match = error_lines(lines[0])[0]
    assert match is not None and match["path"].endswith(f"bad.{fmt}.j2"), lines[0]
    if case.line is not None:
        assert match["line"] == str(case.line), lines[0]  # Jinja knows lines, not columns
    assert case.words in match["message"].lower(), lines[0]
    assert "root:" not in output  # /etc/passwd was not included
    assert not (scene / "PWNED").exists()  # the sandbox kept the template away from os.system
    assert snapshot(scene) == before


@pytest.mark.parametrize("template,words", [("in/none.html.j2", "no such"), ("in", "folder")])
def test_a_missing_or_folder_template(scene, template, words):
    before = snapshot(scene)
    result, _ = _run(["report", "good.yaml", "--template", template, "-o", "out/r.html"])
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and error_lines(lines[0])[0]["path"].endswith(template.split("/")[-1]), lines
    assert words in lines[0]
    assert snapshot(scene) == before


JSON_CASES = [
    ("json-syntax", b'{"kamflow-export": 1, "nodes": [', 1, "invalid json"),
    ("json-list", b"[1, 2, 3]", 1, "object"),
    ("json-binary", b'{"a": "\x00"}', 1, "binary"),
    ("json-latin-1", '{"title": "caf\u00e9"}'.encode("latin-1"), 1, "utf-8"),
    ("json-empty", b"", None, ""),
    ("json-deep-nesting", b'{"kamflow": 1, "a": ' + b"[" * 5000 + b"]" * 5000 + b"}", 1, "nested"),  # was a RecursionError traceback
]


@pytest.mark.parametrize("command", ["check", "render", "export", "diff-old", "stats"])
@pytest.mark.parametrize("name,data,line,words", JSON_CASES, ids=[c[0] for c in JSON_CASES])
def test_bad_json_exports_loaded_back(scene, name, data, line, words, command):
    (scene / "in" / "bad.json").write_bytes(data)
    before = snapshot(scene)
    result, seconds = _run(COMMANDS[command]("in/bad.json", "good.yaml", "out"))
    _assert_one_clear_error(result, seconds, "bad.json", line, words)
    assert snapshot(scene) == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_diff_and_stats_by_id_resolve_to_the_bad_file_beside_them(scene, monkeypatch, case):
    """An id on the command line resolves to `<id>.yaml` in the current folder first: that file is
    held to the same rules as one named by its path."""
    for name, value in case.env:
        monkeypatch.setenv(name, value)
    (scene / "bad.yaml").write_bytes(case.data)
    before = snapshot(scene)
    for args in (["diff", "bad", "good"], ["diff", "good", "bad", "-o", "out"], ["stats", "bad"]):
        result, seconds = _run(args)
        _assert_one_clear_error(result, seconds, "bad.yaml", case.line, case.words)
    assert snapshot(scene) == before
