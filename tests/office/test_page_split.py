"""`render --page` cuts a chart whose text would be below 9 pt into pages joined by off-page
connectors: every step on exactly one page, each cut flow a pair of connectors, the step text at
least 9 pt on every page, and the output summary says what was split."""
import re
import subprocess

import pytest

import kamflow
from kamflow.api import RenderOptions, ghost_overlay, subprocess_links
from kamflow.rendering.chart import chart_plan
from kamflow.model.split import OFFPAGE, smallest_text
from kamflow.rendering.pages import fit_scale, page_room
from tests.conftest import PROCESSES


def _plan(process, page, landscape, direction=None):
    options = RenderOptions(page=page, direction=direction, subprocess_links=subprocess_links(process))
    room = page_room(page, landscape=landscape)
    return chart_plan(process, overlay=ghost_overlay(process), options=options, unit="page",
                       text_at=lambda scenes: min(smallest_text(s) * fit_scale(s, room) for s in scenes))


def test_kam_on_a4_is_cut_into_readable_pages():
    process = kamflow.load(PROCESSES / "kam.yaml")
    plan = _plan(process, "A4", landscape=True)
    assert plan.split and plan.smallest >= 9.0
    own = [step for part in plan.parts for step in part.steps]
    assert sorted(own) == sorted(s.id for s in process.steps) and len(own) == len(set(own))
    for scene, part in zip(plan.scenes, plan.parts):
        drawn = {s.id for s in scene.steps if not s.ghost}
        assert set(part.steps) <= drawn
        assert smallest_text(scene) * fit_scale(scene, page_room("A4", landscape=True)) >= 9.0
    for cut in plan.cuts:
        assert f"offpage-from-{cut.letter}" in {s.id for s in plan.scenes[cut.target_part - 1].steps}
        for number in cut.source_parts:
            assert any(s.id == f"offpage-to-{cut.letter}" and s.type == OFFPAGE for s in plan.scenes[number - 1].steps)


def test_render_page_a4_writes_a_multipage_pdf_and_says_so(tmp_path, run_cli):
    result = run_cli("render", PROCESSES / "kam.yaml", "-f", "pdf", "--page", "A4", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert re.search(r"kam\.yaml: A4 PDF: split into (\d+) pages at \d+ cut flows \(off-page connectors A, B", result.stderr), result.stderr
    pages = int(re.search(r"split into (\d+) pages", result.stderr).group(1))
    info = subprocess.run(["pdfinfo", str(tmp_path / "kam.pdf")], capture_output=True, text=True, check=True).stdout
    assert f"Pages:           {pages}" in info
    text = subprocess.run(["pdftotext", str(tmp_path / "kam.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert "A → page 2" in text and "from page 1: A" in text
    again = tmp_path / "again"
    run_cli("render", PROCESSES / "kam.yaml", "-f", "pdf", "--page", "A4", "-o", again)
    assert (again / "kam.pdf").read_bytes() == (tmp_path / "kam.pdf").read_bytes()


def test_a_chart_readable_on_one_page_stays_one_page(tmp_path, run_cli):
    result = run_cli("render", PROCESSES / "template-multiple-ends.yaml", "-f", "pdf", "--page", "A3", "-o", tmp_path)
    assert result.exit_code == 0 and "split into" not in result.stderr
    info = subprocess.run(["pdfinfo", str(tmp_path / "template-multiple-ends.pdf")], capture_output=True, text=True, check=True).stdout
    assert "Pages:           1" in info


@pytest.mark.parametrize("direction", ["TB", "LR"])
def test_kam_reads_at_9_pt_on_a4_in_both_directions(direction):
    process = kamflow.load(PROCESSES / "kam.yaml")
    best = max((_plan(process, "A4", landscape, direction) for landscape in (False, True)), key=lambda plan: plan.smallest)
    assert best.split and best.smallest >= 9.0
