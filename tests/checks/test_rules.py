"""bpmnlint-style rule tests: every rule has valid fixtures (no finding of that rule) and invalid
fixtures whose first line `# expect: LINE ...` lists the lines the rule must report, exactly.
Guard tests keep the catalogue complete: fixtures, a docs page and a place in the `all` preset."""
import re
from pathlib import Path

import pytest
import yaml

import kamflow
from kamflow.checks import all_rules
from kamflow.checks.presets import presets

FIXTURES = Path(__file__).parent / "rules"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules"


def _cases(prefix):
    return [pytest.param(path, id=f"{path.parent.name}/{path.name}") for path in sorted(FIXTURES.glob(f"*/{prefix}-*.yaml"))]


def _findings(path):
    rule_id = path.parent.name
    return [f for f in kamflow.check(kamflow.load(path), preset="all") if f.rule == rule_id]


@pytest.mark.parametrize("path", _cases("valid"))
def test_valid_fixture_has_no_finding(path):
    assert _findings(path) == []


@pytest.mark.parametrize("path", _cases("invalid"))
def test_invalid_fixture_reports_expected_lines(path):
    header = path.read_text().splitlines()[0]
    assert header.startswith("# expect:"), "an invalid fixture starts with `# expect: LINE ...`"
    expected = sorted(int(n) for n in header.split(":", 1)[1].split())
    findings = _findings(path)
    assert sorted(f.line for f in findings) == expected
    rule = all_rules()[path.parent.name]
    for finding in findings:
        assert finding.severity == rule.severity
        assert finding.path == str(path)
        assert finding.column >= 1
        assert finding.message


def test_every_rule_has_valid_and_invalid_fixtures():
    for rule_id in all_rules():
        folder = FIXTURES / rule_id
        assert list(folder.glob("valid-*.yaml")), f"{rule_id} has no valid fixture"
        assert list(folder.glob("invalid-*.yaml")), f"{rule_id} has no invalid fixture"


def test_every_fixture_folder_is_a_rule():
    assert {p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name != "__pycache__"} <= set(all_rules())


def _documented_presets():
    """Preset -> rule ids, as each rule's page states it (`**Preset:** recommended ... and all`
    or `**Preset:** all only`): written by hand, so presets() is held to what users read."""
    table = {"recommended": set(), "all": set()}
    for page in DOCS.glob("*.md"):
        line = next(line for line in page.read_text(encoding="utf-8").splitlines() if "**Preset:**" in line)
        table["all"].add(page.stem)
        if "**Preset:** recommended" in line:
            table["recommended"].add(page.stem)
    return table


def test_presets_turn_on_the_rules_their_pages_promise():
    table = presets()
    assert set(table) == {"recommended", "all"}
    assert {name: set(ids) for name, ids in table.items()} == _documented_presets()
    assert list(table["all"]) == sorted(table["all"])  # id order, as `kamflow rules` lists them
    assert "fake-join" in table["all"] and "fake-join" not in table["recommended"]


def test_a_preset_decides_which_findings_a_check_gives():
    fixture = FIXTURES / "fake-join" / "invalid-merge.yaml"
    if not fixture.exists():
        fixture = sorted((FIXTURES / "fake-join").glob("invalid-*.yaml"))[0]
    process = kamflow.load(fixture)
    assert "fake-join" not in {f.rule for f in kamflow.check(process)}  # recommended, the default
    assert "fake-join" in {f.rule for f in kamflow.check(process, preset="all")}
    assert "fake-join" in {f.rule for f in kamflow.check(process, enable=["fake-join"])}


@pytest.mark.parametrize("rule_id", sorted(all_rules()))
def test_every_rule_has_a_docs_page_with_a_wrong_and_a_right_example(rule_id):
    page = DOCS / f"{rule_id}.md"
    assert page.is_file(), f"{rule_id} has no docs/rules/{rule_id}.md"
    text = page.read_text(encoding="utf-8")
    rule = all_rules()[rule_id]
    assert text.startswith(f"# {rule_id}\n")
    assert rule.severity in text and rule.summary in text
    sections = re.split(r"^## ", text, flags=re.M)
    names = [s.split("\n", 1)[0].strip().lower() for s in sections[1:]]
    assert "wrong" in names and "right" in names, names
    for section in sections[1:]:
        if section.split("\n", 1)[0].strip().lower() in ("wrong", "right"):
            blocks = _yaml_blocks(section)
            assert blocks, f"{rule_id}: a `wrong`/`right` section needs a yaml example"
            for block in blocks:
                assert "kamflow: 1" in block and isinstance(yaml.safe_load(block), dict)


def test_every_docs_page_is_a_rule():
    assert {p.stem for p in DOCS.glob("*.md")} == set(all_rules())


def _yaml_blocks(section):
    return re.findall(r"```yaml\n(.*?)```", section, flags=re.S)


@pytest.mark.parametrize("rule_id", sorted(all_rules()))
def test_docs_examples_are_wrong_and_right_for_their_rule(rule_id, tmp_path):
    """The wrong example of a page triggers its rule, the right one does not. A block whose first
    line is `# file: NAME.yaml` is written under that name; a `Reference` section's block is the
    reference the examples are based on."""
    sections = re.split(r"^## ", (DOCS / f"{rule_id}.md").read_text(encoding="utf-8"), flags=re.M)[1:]
    examples = []
    for section in sections:
        name = section.split("\n", 1)[0].strip().lower()
        for index, block in enumerate(_yaml_blocks(section)):
            first = block.splitlines()[0]
            filename = first.split(":", 1)[1].strip() if first.startswith("# file:") else f"{name}-{index}.yaml"
            (tmp_path / name).mkdir(exist_ok=True)
            (tmp_path / name / filename).write_text(block, encoding="utf-8")
            examples.append((name, tmp_path / name / filename))
    for name, _ in examples:
        if name == "reference":
            for folder in ("wrong", "right"):
                (tmp_path / folder).mkdir(exist_ok=True)
                for ref_name, ref_path in examples:
                    if ref_name == "reference":
                        (tmp_path / folder / ref_path.name).write_text(ref_path.read_text())
    checked = 0
    for name, path in examples:
        if name in ("wrong", "right"):
            found = [f for f in kamflow.check(kamflow.load(path), preset="all") if f.rule == rule_id]
            assert bool(found) == (name == "wrong"), (name, path.name, found)
            checked += 1
    assert checked >= 2


def test_step_ignore_and_file_disable(write):
    path = write(
        """\
kamflow: 1
id: s
check: {disable: [label-required]}
steps:
  - {id: start, type: start, next: work}
  - {id: work, next: [finish, ghost], ignore: [unknown-target, implicit-split]}
  - {id: finish, type: end, next: nowhere}
"""
    )
    findings = kamflow.check(kamflow.load(path))
    assert "label-required" not in {f.rule for f in findings}
    assert not [f for f in findings if f.step == "work"]
    assert {(f.rule, f.step) for f in findings} >= {("unknown-target", "finish"), ("end-has-outgoing", "finish")}
