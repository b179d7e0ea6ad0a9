"""PowerPoint decks through the CLI and the API from real charts: one native shape per step with
its label, one connector per flow glued to its source and target (off-page connectors where a
chart is cut over slides), notes, links, same bytes twice, and LibreOffice opens the deck."""
from __future__ import annotations

import io

import pytest
from pptx import Presentation

import kamflow
from kamflow.model.split import OFFPAGE
from tests.conftest import PROCESSES
from tests.office.libreoffice import page_text, pages, to_pdf

NS = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main"}


@pytest.fixture(scope="module")
def kam_deck():
    notes: list[str] = []
    data = kamflow.export_deck([kamflow.load(PROCESSES / "kam.yaml")], notes=notes)
    return data, notes


def _steps(slide):
    return {shape.name.removeprefix("step-"): shape for shape in slide.shapes if shape.name.startswith("step-")}


def test_every_step_once_every_flow_a_glued_connector(kam_deck):
    data, notes = kam_deck
    process = kamflow.load(PROCESSES / "kam.yaml")
    slides = list(Presentation(io.BytesIO(data)).slides)[1:]
    seen = []
    glued = set()
    for slide in slides:
        steps = _steps(slide)
        by_shape_id = {shape.shape_id: name for name, shape in steps.items()}
        seen += [name for name in steps if not name.startswith("offpage-") and not name.startswith("ghost-")]
        for shape in slide.shapes:
            if not shape._element.tag.endswith("cxnSp"):
                continue
            start, end = shape._element.find(".//a:stCxn", NS), shape._element.find(".//a:endCxn", NS)
            assert start is not None and end is not None, shape.name
            source, target = by_shape_id[int(start.get("id"))], by_shape_id[int(end.get("id"))]
            assert shape.name.endswith(f"{source}-{target}"), (shape.name, source, target)
            glued.add((source, target))
        for name, shape in steps.items():
            if name in process.steps_by_id:
                assert shape.text_frame.text.split("\n")[0] in process.steps_by_id[name].label.replace("\n", " ") or process.steps_by_id[name].label.startswith(shape.text_frame.text.split("\n")[0])
    assert sorted(seen) == sorted(step.id for step in process.steps)
    part_edges = {(e.source, e.target) for e in process.edges}
    cut = {edge for edge in part_edges if edge not in glued}
    for source, target in cut:  # a cut flow goes into an off-page connector on one slide and out of one on another
        assert any(s == source and t.startswith("offpage-to-") for s, t in glued), (source, target)
        assert any(t == target and s.startswith("offpage-from-") for s, t in glued), (source, target)
    assert notes and "split into" in notes[0] and "slides" in notes[0]


def test_off_page_connectors_are_pentagons_that_link_to_their_other_half(kam_deck):
    data, _ = kam_deck
    slides = list(Presentation(io.BytesIO(data)).slides)
    ids = {slide.slide_id: number for number, slide in enumerate(slides, start=1)}
    found = 0
    for number, slide in enumerate(slides[1:], start=2):
        for name, shape in _steps(slide).items():
            if name.startswith("offpage-to-"):
                text = shape.text_frame.text
                letter, target = text.split(" → slide ")
                assert ids[shape.click_action.target_slide.slide_id] == int(target)
                other = _steps(slides[int(target) - 1])[f"offpage-from-{letter}"]
                assert other.text_frame.text.endswith(f": {letter}") and str(number) in other.text_frame.text
                assert "flowChartOffpageConnector" in shape._element.xml
                found += 1
    assert found >= 3


def test_notes_hold_the_steps_facts(kam_deck):
    data, _ = kam_deck
    text = "\n".join(slide.notes_slide.notes_text_frame.text for slide in list(Presentation(io.BytesIO(data)).slides)[1:] if slide.has_notes_slide)
    assert "Agree key account selection criteria" in text and "Owner: Senior Sponsor" in text and "KPIs: Criteria signed off by KAM board" in text
    assert "Inputs: Company strategy; Sales history by customer" in text and "Duration: 1w" in text


def test_a_folder_deck_has_an_index_and_subprocess_links(tmp_path, run_cli):
    folder = tmp_path / "procs"
    folder.mkdir()
    for name in ("kam", "account-planning", "strategic-account-review"):
        (folder / f"{name}.yaml").write_text((PROCESSES / f"{name}.yaml").read_text())
    result = run_cli("export", folder, "--to", "pptx", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    deck = tmp_path / "out" / "deck.pptx"
    assert result.stdout.strip() == str(deck)
    slides = list(Presentation(deck).slides)
    index = {shape.name: shape for shape in slides[1].shapes}
    assert {"index-kam", "index-account-planning", "index-strategic-account-review"} <= set(index)
    first_of = {name.removeprefix("index-"): shape.click_action.target_slide.slide_id for name, shape in index.items() if name.startswith("index-")}
    linked = [shape for slide in slides for name, shape in _steps(slide).items() if name == "account_plan"]
    assert linked and linked[0].click_action.target_slide.slide_id == first_of["account-planning"]
    again = run_cli("export", folder, "--to", "pptx", "-o", tmp_path / "again.pptx")
    assert (tmp_path / "again.pptx").read_bytes() == deck.read_bytes()


def test_libreoffice_opens_the_deck(kam_deck, tmp_path):
    data, _ = kam_deck
    path = tmp_path / "kam.pptx"
    path.write_bytes(data)
    pdf = to_pdf(path, tmp_path)
    count = pages(pdf)
    assert count == len(Presentation(io.BytesIO(data)).slides)
    assert "Key Account Management Process" in " ".join(page_text(pdf, 1).split())
    assert "Annual KAM portfolio" in page_text(pdf, 2)
    assert any("→ slide" in page_text(pdf, n) for n in range(2, count + 1))
