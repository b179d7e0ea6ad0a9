"""References written in a process file (based_on, subprocess, theme) never reach arbitrary files."""
import kamflow

HEAD = "kamflow: 1\nid: p\n"
STEPS = "steps:\n  - {id: s, type: start, next: e}\n  - {id: e, type: end}\n"


def test_absolute_based_on_is_not_followed(write, tmp_path):
    secret = write("kamflow: 1\nid: secret\nsteps: []\npassword: hunter2\n", "secret.yaml")
    path = write(HEAD + f"based_on: {secret}\n" + STEPS)
    findings = [f for f in kamflow.check(kamflow.load(path)) if f.rule == "unresolved-reference"]
    assert len(findings) == 1
    assert "absolute path" in findings[0].message and "hunter2" not in findings[0].message


def test_a_referenced_file_that_does_not_load_is_named_not_echoed(write):
    write("token-abc123\n", "other.yaml")
    path = write(HEAD + "based_on: other.yaml\n" + STEPS)
    message = [f for f in kamflow.check(kamflow.load(path)) if f.rule == "unresolved-reference"][0].message
    assert "does not load (1 problem; `kamflow check" in message and "token-abc123" not in message


def test_absolute_theme_in_a_file_is_refused(write, run_cli, tmp_path):
    theme = write("name: mine\n", "mine.yaml")
    path = write(HEAD + f"theme: {theme}\n" + STEPS)
    result = run_cli("render", path, "-f", "svg", "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "a theme file named in a process file must be a path relative to that file" in result.stderr
    assert not (tmp_path / "out" / "p.svg").exists()
