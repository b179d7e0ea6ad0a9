"""Round trips: every bundled process exported to BPMN, draw.io and Mermaid and imported back is the
same process (steps, types, labels, lanes, flows and branch labels); the YAML the importer writes
loads back as exactly what was imported, for every bundled process too."""
import pytest

import kamflow
from kamflow.exporters.process_yaml import scalar, to_process_yaml
from tests.exporters.conftest import ALL_PROCESSES, process_ids

LIBRARY = [p for p in ALL_PROCESSES if p.parent.name == "processes"]
WITH_PARALLEL = [p for p in ALL_PROCESSES if p.stem == "parallel"]


def _shape(process):
    lanes = {lane.id: lane.label for lane in process.lanes}
    steps = sorted((s.id, s.type, s.label, lanes.get(s.lane)) for s in process.steps)
    flows = sorted((e.source, e.target, e.label or "", e.kind if e.label else "") for e in process.edges if e.target in process.steps_by_id)
    return steps, flows, sorted(lanes.values())


@pytest.mark.parametrize("fmt, suffix", [("bpmn", "bpmn"), ("drawio", "drawio"), ("mermaid", "mmd")])
@pytest.mark.parametrize("path", LIBRARY + WITH_PARALLEL, ids=process_ids(LIBRARY + WITH_PARALLEL))
def test_export_then_import_gives_the_same_process(path, fmt, suffix, tmp_path):
    process = kamflow.load(path)
    exported = tmp_path / f"{process.id}.{suffix}"
    exported.write_text(kamflow.export(process, to=fmt), encoding="utf-8")
    (back,) = kamflow.import_file(exported)
    assert _shape(back) == _shape(process)
    if fmt != "bpmn":  # BPMN pools are always drawn left to right
        assert back.direction == process.direction
    assert back.title == process.title


@pytest.mark.parametrize("path", LIBRARY, ids=process_ids(LIBRARY))
def test_written_yaml_loads_back_as_the_same_process(path):
    process = kamflow.load(path)
    text = to_process_yaml(process, header=["A header"])
    again = kamflow.loads(text, name=f"{process.id}.yaml")
    assert text.startswith("# A header\nkamflow: 1\n")
    for a, b in zip(process.steps, again.steps, strict=True):
        assert (a.id, a.type, a.label, a.label_given, a.lane, a.process, a.essential, a.implements, a.ignore, a.metadata) == \
            (b.id, b.type, b.label, b.label_given, b.lane, b.process, b.essential, b.implements, b.ignore, b.metadata)
    assert [(e.source, e.target, e.label, e.kind, e.probability) for e in process.edges] == [(e.source, e.target, e.label, e.kind, e.probability) for e in again.edges]
    assert [(l.id, l.label) for l in process.lanes] == [(l.id, l.label) for l in again.lanes]
    for key in ("id", "title", "description", "direction", "version", "author", "date", "based_on", "theme", "disabled_rules"):
        assert getattr(process, key) == getattr(again, key), key


@pytest.mark.parametrize("text", ["Yes", "No", "no", "ON", "null", "~", "", " ", ":", "#", "{", "}", "[x]", "a: b", "a #b", "- x", "? x",
                                  "  lead", "trail ", "1.0", "0x1F", "2024-05-01", "'q'", '"q"', "*alias", "&anchor", "!tag", "|", ">",
                                  "%p", "@at", "`tick`", "a,b", "line\nbreak", "tab\there", "nel\x85x", "ls\u2028x", "bell\x07", "é € 中 💡",
                                  "\ufeffbom", "<b>x</b>", "&amp;"])
def test_scalar_reads_back_as_the_same_text(text):
    import yaml

    for flow in (False, True):
        written = scalar(text, flow=flow)
        document = f"key: {written}\n" if not flow else f"key: {{a: {written}}}\n"
        node = yaml.compose(document)
        value = node.value[0][1] if not flow else node.value[0][1].value[0][1]
        assert value.value == text, (text, written)
        assert value.style is not None or value.tag == "tag:yaml.org,2002:str", (text, written)  # plain only when YAML reads it as text


def test_imported_yaml_has_the_library_layout(tmp_path, run_cli):
    chart = tmp_path / "order.mmd"
    chart.write_text("flowchart LR\n  a([Order in]) --> b{Paid?}\n  b -->|Yes| c[[Ship]]\n  b -->|No| d([Cancelled])\n", encoding="utf-8")
    result = run_cli("import", chart, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"wrote {tmp_path / 'out' / 'order.yaml'}\n"
    assert (tmp_path / "out" / "order.yaml").read_text() == f"""\
# order
# Imported by `kamflow import` from {chart.as_posix()} (Mermaid); the source's own layout is not kept.
kamflow: 1
id: order
direction: LR
steps:
  - id: a
    type: start
    label: Order in
    next: b

  - id: b
    type: decision
    label: Paid?
    branches:
      "Yes": c
      "No": d

  - id: c
    type: subprocess
    label: Ship

  - id: d
    type: end
    label: Cancelled
"""


def test_the_readme_workshop_example_imports_and_checks_clean(run_cli, tmp_path):
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text(encoding="utf-8")
    sheet = root / "examples" / "account-selection-workshop.csv"
    shown = readme[readme.index("Before, the workshop sheet"):readme.index("After, `kamflow import")]
    for line in shown.split("```")[1].strip().splitlines():
        assert line == "..." or line in sheet.read_text(encoding="utf-8").splitlines()
    result = run_cli("import", sheet, "-o", tmp_path)
    assert result.exit_code == 0 and result.stderr == ""
    (written,) = tmp_path.glob("*.yaml")
    assert written.name == "account_selection_workshop.yaml"
    process = kamflow.load(written)
    assert kamflow.check(process) == []
    assert [s.label for s in process.steps] == [
        "Annual portfolio review", "Rank accounts by revenue and potential", "Strategic fit?", "Name the key account team",
        "Key account selected", "Serve through standard sales", "Not a key account"]
    assert (root / "docs" / "img" / "import-workshop.png").is_file()
