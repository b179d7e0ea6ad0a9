"""`kamflow list`, `show` and `new` as a user types them."""
import difflib
import re

import pytest

import kamflow
from kamflow.loader import Workspace, bundled_library_dir, load_process_text
from kamflow.loader.derive import derive_text
from tests.conftest import SIMPLE


def _table(output):
    return [re.split(r"\s{2,}", line.strip()) for line in output.splitlines()]


# -- list ----------------------------------------------------------------------------------------

def test_list_shows_every_bundled_process_with_its_counts(run_cli):
    result = run_cli("list")
    assert result.exit_code == 0
    header, *rows = _table(result.stdout)
    assert header == ["id", "title", "steps", "decisions", "lanes"]
    assert [row[0] for row in rows] == kamflow.library_ids()
    for row, process in zip(rows, kamflow.library_processes()):
        decisions = sum(step.type == "decision" for step in process.steps)
        assert row == [process.id, process.title, str(len(process.steps)), str(decisions), str(len(process.lanes))]


def test_list_of_a_folder(run_cli, write, tmp_path):
    write(SIMPLE, "b.yaml")
    write(SIMPLE.replace("id: simple", "id: another").replace("title: Simple", "title: Another one"), "sub/a.yaml")
    result = run_cli("list", tmp_path)
    assert result.exit_code == 0
    assert _table(result.stdout)[1:] == [["simple", "Simple", "4", "1", "2"], ["another", "Another one", "4", "1", "2"]]


def test_list_of_a_folder_with_a_broken_file(run_cli, write, tmp_path):
    write(SIMPLE)
    bad = write("kamflow: 1\nid: x\nsteps: 3\n", "bad.yaml")
    result = run_cli("list", tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{bad}:3:")


def test_list_of_a_missing_folder(run_cli, tmp_path):
    result = run_cli("list", tmp_path / "nowhere")
    assert result.exit_code == 2 and "no such file or folder" in result.stderr


# -- show ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("process_id", ["kam", "billing", "template-multiple-paths"])
def test_show_prints_the_bundled_yaml_exactly(run_cli, process_id):
    result = run_cli("show", process_id)
    assert result.exit_code == 0
    assert result.stdout == (bundled_library_dir() / f"{process_id}.yaml").read_text(encoding="utf-8")
    assert load_process_text(result.stdout, "<stdout>").id == process_id


@pytest.mark.parametrize("process_id", ["nope", "../processes/kam", "kam.yaml", "/etc/passwd", "__init__"])
def test_show_refuses_what_is_not_a_bundled_id(run_cli, process_id):
    result = run_cli("show", process_id)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"error: no bundled process {process_id!r}; the library has: {', '.join(kamflow.library_ids())}"]


# -- new -----------------------------------------------------------------------------------------

def _changed_lines(before, after):
    return [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:1] in "+-"]


def test_new_writes_a_copy_with_id_and_based_on(run_cli, tmp_path):
    result = run_cli("new", "acme-kam", "--from", "kam", "-o", tmp_path)
    assert result.exit_code == 0, result.stderr
    written = tmp_path / "acme-kam.yaml"
    assert result.stdout == f"wrote {written} (based on kam)\n"
    text = written.read_text(encoding="utf-8")
    original = kamflow.show_process("kam")
    assert _changed_lines(original, text) == ["- id: kam", "+ id: acme-kam", "+ based_on: kam"]
    assert text.startswith("# Key Account Management"), "comments are kept"
    process = kamflow.load(written)
    assert (process.id, process.based_on) == ("acme-kam", "kam")
    assert [s.id for s in process.steps] == [s.id for s in kamflow.load(kamflow.library_path("kam")).steps]
    assert run_cli("check", written).exit_code == 0


def test_new_defaults_to_the_current_folder(tmp_path, monkeypatch, run_cli):
    monkeypatch.chdir(tmp_path)
    assert run_cli("new", "starter", "--from", "template-multiple-ends").exit_code == 0
    assert kamflow.load(tmp_path / "starter.yaml").based_on == "template-multiple-ends"


def test_new_creates_the_output_folder(run_cli, tmp_path):
    assert run_cli("new", "ap", "--from", "accounts-payable", "-o", tmp_path / "client" / "finance").exit_code == 0
    assert (tmp_path / "client" / "finance" / "ap.yaml").is_file()


def test_new_never_overwrites(run_cli, tmp_path):
    target = tmp_path / "mine.yaml"
    target.write_text("my own work\n")
    result = run_cli("new", "mine", "--from", "kam", "-o", tmp_path)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"error: {target} already exists; kamflow new never overwrites a file (choose another name or folder)"]
    assert target.read_text() == "my own work\n"
    (tmp_path / "other.yml").write_text("x\n")
    assert run_cli("new", "other", "--from", "kam", "-o", tmp_path).exit_code == 2


@pytest.mark.parametrize("name", ["1st", "a/b", "../escape", "with space", "ümlaut", "x" * 65, "_under", "a.yaml", ""])
def test_new_validates_the_name_like_any_id(run_cli, tmp_path, name):
    result = run_cli("new", name, "--from", "kam", "-o", tmp_path)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"error: process name {name!r} is not a valid id: start with a letter, then letters, digits, '_' or '-', at most 64 characters"]
    assert list(tmp_path.iterdir()) == []
    assert not (tmp_path.parent / "escape.yaml").exists()


def test_new_from_an_unknown_id(run_cli, tmp_path):
    result = run_cli("new", "x", "--from", "kma", "-o", tmp_path)
    assert result.exit_code == 2 and "no bundled process 'kma'" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_new_from_a_file_bases_on_its_relative_path(run_cli, write, tmp_path):
    source = write(SIMPLE, "refs/simple.yaml")
    result = run_cli("new", "client", "--from", source, "-o", tmp_path / "clients")
    assert result.exit_code == 0, result.stderr
    made = kamflow.load(tmp_path / "clients" / "client.yaml")
    assert made.based_on == "../refs/simple.yaml"
    assert (tmp_path / "clients" / made.based_on).resolve() == source.resolve()


def test_new_from_a_file_that_does_not_load(run_cli, write, tmp_path):
    source = write("kamflow: 1\nid: bad\nsteps: [\n", "bad.yaml")
    result = run_cli("new", "client", "--from", source, "-o", tmp_path / "out")
    assert result.exit_code == 2 and result.stderr.startswith(f"{source}:")
    assert not (tmp_path / "out").exists()


def test_new_from_a_variant_replaces_its_based_on(run_cli, tmp_path):
    assert run_cli("new", "acme", "--from", "kam", "-o", tmp_path).exit_code == 0
    assert run_cli("new", "acme-emea", "--from", tmp_path / "acme.yaml", "-o", tmp_path).exit_code == 0
    text = (tmp_path / "acme-emea.yaml").read_text()
    assert "id: acme-emea\nbased_on: acme.yaml\n" in text and text.count("based_on") == 1


def test_new_refuses_a_reference_it_could_not_reach(run_cli, tmp_path):
    assert run_cli("new", "kam", "--from", "kam", "-o", tmp_path).exit_code == 2
    (tmp_path / "kam.yaml").write_text(SIMPLE)
    result = run_cli("new", "acme", "--from", "kam", "-o", tmp_path)
    assert result.exit_code == 2 and "would resolve to" in result.stderr
    assert not (tmp_path / "acme.yaml").exists()


def test_new_refuses_an_output_folder_that_is_a_file(run_cli, tmp_path):
    (tmp_path / "file").write_text("")
    assert run_cli("new", "acme", "--from", "kam", "-o", tmp_path / "file").exit_code == 2


# -- the text edit behind new ----------------------------------------------------------------------

@pytest.mark.parametrize("source, expected", [
    ("kamflow: 1\nid: a   # the id\nsteps: []\n", "kamflow: 1\nid: b   # the id\nbased_on: ref\nsteps: []\n"),
    ("kamflow: 1\r\nid: a\r\nsteps: []\r\n", "kamflow: 1\r\nid: b\r\nbased_on: ref\r\nsteps: []\r\n"),
    ("kamflow: 1\nsteps: []\nid: 'a'", "kamflow: 1\nsteps: []\nid: b\nbased_on: ref\n"),
    ("{kamflow: 1, id: a, steps: []}\n", "{kamflow: 1, id: b, based_on: ref, steps: []}\n"),
    ("id: a\nbased_on: old  # keep me\n", "id: b\nbased_on: ref  # keep me\n"),
])
def test_derive_text_edits_only_id_and_based_on(source, expected):
    assert derive_text(source, shown="x.yaml", new_id="b", based_on="ref") == expected


@pytest.mark.parametrize("value, written", [("yes", '"yes"'), ("null", '"null"'), ("a #b.yaml", '"a #b.yaml"'), ("../x/y.yaml", "../x/y.yaml")])
def test_derive_text_quotes_what_yaml_would_misread(value, written):
    assert derive_text("id: a\n", shown="x.yaml", new_id="b", based_on=value) == f"id: b\nbased_on: {written}\n"


def test_derive_text_counts_characters_not_bytes():
    source = "title: Überprüfung – Kunde 顧客\nid: a\nsteps: []\n"
    assert derive_text(source, shown="x.yaml", new_id="b", based_on="ref") == "title: Überprüfung – Kunde 顧客\nid: b\nbased_on: ref\nsteps: []\n"


def test_derive_text_follows_yaml_line_breaks():
    source = 'description: "one\u2028two"\nnotes: "a\x85b"\ntitle: "x\ry"\nid: a\n'
    assert derive_text(source, shown="x.yaml", new_id="b", based_on="r").endswith("id: b\nbased_on: r\n")


def test_new_beside_the_library_itself(run_cli, tmp_path):
    """Writing next to the bundled file the id resolves to is fine: based_on finds that same file."""
    library = tmp_path / "library"
    library.mkdir()
    for path in bundled_library_dir().glob("*.yaml"):
        (library / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    space = Workspace(library=library)
    made = kamflow.new_process("acme", source="billing", output_dir=library, workspace=space)
    assert made == library / "acme.yaml" and kamflow.load(made).based_on == "billing"
