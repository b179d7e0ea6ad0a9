"""The README's as-is / to-be example is what kamflow prints for examples/ (kept honest by a test)."""
import re
from pathlib import Path

import kamflow
from kamflow import api

ROOT = Path(__file__).resolve().parents[2]
AS_IS, TO_BE = ROOT / "examples" / "kam-as-is.yaml", ROOT / "examples" / "kam-to-be.yaml"


def test_examples_are_based_on_the_kam_library_process():
    for path in (AS_IS, TO_BE):
        process = kamflow.load(path)
        assert process.based_on == "kam"
        errors = [f for f in kamflow.check(process) if f.severity == "error" and f.rule != "missing-essential-step"]
        assert errors == []


def test_readme_shows_real_diff_lines_and_numbers():
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## As-is versus to-be"):readme.index("## Python")]
    text = api.format_diff(api.diff(kamflow.load(AS_IS), kamflow.load(TO_BE)))
    shown = re.search(r"```\nSteps\n(.*?)```", section, re.S).group(1)
    for line in shown.splitlines():
        if line.startswith("  "):
            assert line in text.splitlines(), line
        elif line[0].isdigit():
            assert line == text.splitlines()[-1]
    row = {cells[1].strip(): (cells[2].strip(), cells[3].strip()) for cells in (r.split("|") for r in section.splitlines() if r.startswith("| "))}
    before, after = api.stats(kamflow.load(AS_IS)), api.stats(kamflow.load(TO_BE))
    critical = row["critical path (longest start-to-end path, loops not taken)"]
    assert critical == tuple(f"{s['critical_path']['duration']}, {s['critical_path']['handoffs']} hand-offs" for s in (before, after))
    assert row["expected duration (branch probabilities, loops included)"] == tuple(s["expected"][0]["duration"] for s in (before, after))
    coverage = row["accounts that end up served by standard coverage"]
    assert coverage == tuple(f"{round(s['expected'][0]['ends'][0]['probability'] * 100)}%" for s in (before, after))


def test_readme_diff_chart_is_there():
    readme = (ROOT / "README.md").read_text()
    assert "](docs/img/kam-diff.png)" in readme
    assert (ROOT / "docs" / "img" / "kam-diff.png").read_bytes().startswith(b"\x89PNG")


def test_removed_steps_sit_in_their_old_lane():
    overlay = api.diff_overlay(api.diff(kamflow.load(AS_IS), kamflow.load(TO_BE)))
    assert [(g.id, g.lane, g.label) for g in overlay.ghosts] == [
        ("removed-quarterly_call", "kam", "Removed: Quarterly call with the buyer"),
        ("removed-discount", "kam", "Removed: Offer a discount to recover volume"),
    ]
