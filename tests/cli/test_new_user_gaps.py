"""What a new user ran into in an afternoon with kamflow (issue #13), each answered."""
import re

import pytest

import kamflow
import kamflow.api
from kamflow.errors import LoadError

EMPTY_COMMANDS = [["check"], ["render", "-o", "OUT"], ["report", "-o", "OUT"], ["export", "--to", "json", "-o", "OUT"], ["list"]]  # stats and diff take one file


@pytest.mark.parametrize("command", EMPTY_COMMANDS, ids=lambda c: c[0])
def test_an_empty_folder_is_an_error_for_every_command(run_cli, tmp_path, command):
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "notes.txt").write_text("not a process")
    args = [command[0], folder, *[str(tmp_path / "out") if a == "OUT" else a for a in command[1:]]]
    result = run_cli(*args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stderr.splitlines() == [f"{folder}: error: no process files (*.yaml, *.yml, *.json) found"]
    assert not (tmp_path / "out").exists()


def test_a_folder_of_json_exports_only_says_to_name_them(run_cli, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "billing.json").write_text(kamflow.api.export(kamflow.load("billing"), to="json"))
    (folder / ".kamflow-cache.json").write_text("{}")
    (folder / "package.json").write_text('{"name": "site"}')  # no export: never suggested
    (folder / ".vscode").mkdir()
    (folder / ".vscode" / "a.json").write_text(kamflow.api.export(kamflow.load("billing"), to="json"))
    result = run_cli("check", folder)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{folder}: error: no process files (*.yaml, *.yml, *.json) found; JSON exports are taken when named, not from a folder:"
        f" give the file, e.g. {folder / 'billing.json'}"
    ]
    assert run_cli("check", folder / "billing.json").exit_code == 0
    (folder / "billing.json").unlink()
    assert run_cli("check", folder).stderr.splitlines() == [f"{folder}: error: no process files (*.yaml, *.yml, *.json) found"]


def _one_error(text, write):
    with pytest.raises(LoadError) as caught:
        kamflow.load(write(text))
    return [p.message for p in caught.value.problems]


def test_a_tab_says_yaml_indents_with_spaces(write):
    messages = _one_error("kamflow: 1\nid: t\nsteps:\n\t- {id: a, type: start}\n", write)
    assert messages == ["invalid YAML: a tab character here: YAML indents with spaces only; replace the tab with spaces"]


def test_a_lane_label_used_as_an_id_gets_did_you_mean(write):
    text = "kamflow: 1\nid: t\nlanes:\n  - {id: sales, label: Sales Director}\nsteps:\n  - {id: a, type: start, lane: Sales Director, next: b}\n  - {id: b, type: end}\n"
    assert _one_error(text, write) == ["the lane of step 'a' is 'Sales Director', the label of lane 'sales'; steps name lanes by id: did you mean 'sales'?"]


def test_an_unquoted_comma_says_to_quote_the_value(write):
    text = "kamflow: 1\nid: t\nsteps:\n  - {id: a, type: start, label: Visit (Warsaw, Kraków), next: b}\n  - {id: b, type: end}\n"
    assert _one_error(text, write) == [
        "unknown key 'Kraków)' in a step: a comma ends a value inside {...}, so `label` stopped at 'Visit (Warsaw'; quote the whole value: label: \"Visit (Warsaw, Kraków)\""
    ]


def test_one_typo_in_next_gives_one_unreachable_finding_naming_the_region_and_the_typo(write):
    cut = "".join(f"  - {{id: step{i}, label: Step {i}, next: step{i + 1}}}\n" for i in range(1, 20))
    text = "kamflow: 1\nid: t\nsteps:\n  - {id: go, type: start, label: Go, next: stpe1}\n" + cut + "  - {id: step20, type: end, label: Done}\n"
    findings = [f for f in kamflow.check(kamflow.load(write(text))) if f.rule == "unreachable"]
    assert len(findings) == 1
    [finding] = findings
    assert finding.step == "step1" and finding.line == 5
    assert "nor can the 19 steps joined to it by flows: 'step2', 'step3'" in finding.message and "and 11 more" in finding.message
    assert finding.message.endswith("the flow from 'go' to 'stpe1' (no such step) probably means 'step1'")


def test_a_reference_from_stdin_is_looked_for_in_the_current_folder(run_cli):
    text = "kamflow: 1\nid: t\nsteps:\n  - {id: a, type: start, label: A, next: s}\n  - {id: s, type: subprocess, label: S, process: no-such-thing, next: b}\n  - {id: b, type: end, label: B}\n"
    result = run_cli("check", "-", input=text)
    assert "'no-such-thing', which was not found in the current folder or in the bundled library" in result.stdout
    assert "beside this file" not in result.stdout


NO_DURATIONS = "kamflow: 1\nid: nd\nsteps:\n  - {id: a, type: start, label: A, next: b}\n  - {id: b, label: Work, next: c}\n  - {id: s, type: subprocess, label: Sub, process: billing, next: c}\n  - {id: c, type: end, label: C}\n"


def test_a_markdown_report_links_only_to_files_it_writes_and_says_durations_are_missing(write, run_cli, tmp_path):
    path = write(NO_DURATIONS.replace("next: b}", "next: [b, s]}"))
    result = run_cli("report", path, "--format", "md", "-o", tmp_path / "out" / "nd.md")
    assert result.exit_code in (0, 1), result.stderr
    written = {p.name for p in (tmp_path / "out").iterdir()}
    assert written == {"nd.md", "nd.svg"}
    for folder_file in ("nd.md", "nd.svg"):
        text = (tmp_path / "out" / folder_file).read_text(encoding="utf-8")
        local = [href for href in re.findall(r'(?:href="|\]\()([^")#]+)', text) if "://" not in href and not href.startswith("mailto:")]
        assert all(href in written for href in local), (folder_file, local)
    md = (tmp_path / "out" / "nd.md").read_text(encoding="utf-8")
    assert re.search(r"over 3 steps \(1 without duration, counted as 0\)", md), md


@pytest.mark.parametrize("command", [["render", "-f", "svg"], ["report"], ["report", "--format", "md"], ["report", "--format", "docx"]])
def test_highlighting_a_critical_path_without_durations_warns(write, run_cli, tmp_path, command):
    result = run_cli(command[0], write(NO_DURATIONS), *command[1:], "--highlight", "critical-path", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert "warning: 1 of the 3 steps on the highlighted critical path has no duration (counted as 0)" in result.stderr


def test_a_colon_inside_braces_says_to_quote_the_text(write):
    text = "kamflow: 1\nid: t\nsteps:\n  - {id: a, type: start, label: Note: call back, next: b}\n  - {id: b, type: end}\n"
    [message] = _one_error(text, write)
    assert message.startswith("invalid YAML: did not find expected ',' or '}'; inside {...} or [...], a ': ' or a ',' in a text ends it: put the text in quotes")


def test_an_export_beside_its_yaml_is_not_taken_twice_and_other_json_is_one_line(run_cli, tmp_path):
    """A folder walk takes process files: the README's `export --to json` beside its YAML must not
    make the folder's report fail on a duplicate id; a JSON that is no export, named, is one line."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "billing.yaml").write_text(kamflow.show_process("billing"))
    exported = run_cli("export", folder / "billing.yaml", "--to", "json", "-o", folder / "billing.json")
    assert exported.exit_code == 0, exported.stderr
    (folder / "package.json").write_text('{"name": "not-a-process", "format": "something else"}')
    checked = run_cli("check", folder)
    assert checked.exit_code == 0 and checked.stdout.strip().endswith("1 file checked: no problems"), checked.stdout
    reported = run_cli("report", folder, "-o", tmp_path / "site")
    assert reported.exit_code == 0, reported.stderr
    assert run_cli("check", folder / "billing.json").exit_code == 0  # named, an export loads
    named = run_cli("check", folder / "package.json")
    assert named.exit_code == 2 and "Traceback" not in named.stderr
    assert named.stderr.strip().splitlines() == [f'{folder / "package.json"}:1:1: error: not a kamflow export (no "format": "kamflow-node-link"); '
                                                 "kamflow reads process files (.yaml) and its own JSON exports"]


def test_a_deck_warns_of_the_links_it_leaves_out_as_render_does(write, run_cli, tmp_path):
    path = write(NO_DURATIONS.replace("label: Work,", "label: Work, link: 'javascript:alert(1)',"))
    rendered = run_cli("render", path, "-f", "svg", "-o", tmp_path / "charts")
    exported = run_cli("export", path, "--to", "pptx", "-o", tmp_path / "deck.pptx")
    assert exported.exit_code == 0, exported.stderr
    warning = [line for line in rendered.stderr.splitlines() if "link of step 'b'" in line]
    assert warning and warning[0] in exported.stderr.splitlines()
