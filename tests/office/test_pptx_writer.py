"""The PowerPoint writer on hand-made scenes, read back with python-pptx: one native flowchart
shape per step (the right preset for its type), one connector per flow glued to its source and
target on the sides the scene routes it, arrowheads, dashed ghosts, notes, links, same bytes."""
from __future__ import annotations

import io
import zipfile

import pytest
from lxml import etree
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE

from kamflow.exporters.pptx import ChartSlide, Deck, connection_site, write_pptx
from kamflow.rendering.themes import load_theme
from tests.office.scenes import sample_scene

NS = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main", "p": "http://schemas.openxmlformats.org/presentationml/2006/main"}


@pytest.fixture(scope="module")
def deck_bytes():
    scene = sample_scene()
    other = sample_scene()
    deck = Deck("Sample deck", "Two slides", (
        ChartSlide("sample", scene, "Sample process", "Process sample", notes="1. Start\n2. Do the work: owner Team A; duration 2d", links={"sub": "other"}),
        ChartSlide("other", other, "Other process"),
    ), index=True)
    theme = load_theme("default")
    return write_pptx(deck, themes={"sample": theme, "other": theme})


@pytest.fixture(scope="module")
def chart_slide(deck_bytes):
    return Presentation(io.BytesIO(deck_bytes)).slides[2]


def _by_name(slide):
    return {shape.name: shape for shape in slide.shapes}


def test_title_and_index_slides_come_first(deck_bytes):
    slides = Presentation(io.BytesIO(deck_bytes)).slides
    assert len(slides) == 4
    assert slides[0].shapes.title.text == "Sample deck"
    index = _by_name(slides[1])
    assert index["index-sample"].text_frame.text == "Sample process"
    assert index["index-sample"].click_action.target_slide.slide_id == slides[2].slide_id
    assert index["index-other"].click_action.target_slide.slide_id == slides[3].slide_id


def test_every_step_is_its_preset_flowchart_shape_with_its_text(chart_slide):
    shapes = _by_name(chart_slide)
    expected = {
        "start": MSO_SHAPE.FLOWCHART_TERMINATOR, "work": MSO_SHAPE.FLOWCHART_PROCESS, "ok": MSO_SHAPE.FLOWCHART_DECISION,
        "facts": MSO_SHAPE.FLOWCHART_DATA, "sub": MSO_SHAPE.FLOWCHART_PREDEFINED_PROCESS, "ghost-miss": MSO_SHAPE.FLOWCHART_PROCESS,
        "finish": MSO_SHAPE.FLOWCHART_TERMINATOR,
    }
    for step_id, kind in expected.items():
        assert shapes[f"step-{step_id}"].auto_shape_type == kind, step_id
    assert shapes["step-work"].text_frame.text == "Do the work"
    assert shapes["step-ok"].text_frame.text == "Done?\n[dead end]"
    assert shapes["step-ghost-miss"].text_frame.text == "Missing: Review"
    assert shapes["step-ghost-miss"].line.dash_style is not None
    assert str(shapes["step-start"].fill.fore_color.rgb) == load_theme("default").step("start").fill.lstrip("#").upper()
    assert shapes["lane-header-a"].text_frame.text == "Team A"


def test_every_connector_is_glued_to_its_two_shapes_on_the_routed_sides(chart_slide):
    scene = sample_scene()
    shapes = _by_name(chart_slide)
    ids = {shape.shape_id: name for name, shape in shapes.items()}
    types = {step.id: step.type for step in scene.steps}
    connectors = [shape for shape in chart_slide.shapes if shape.shape_type is not None and shape._element.tag.endswith("cxnSp")]
    assert len(connectors) == len(scene.flows)
    for flow in scene.flows:
        element = shapes[flow.id]._element
        start = element.find(".//a:stCxn", NS)
        end = element.find(".//a:endCxn", NS)
        assert ids[int(start.get("id"))] == f"step-{flow.source}" and ids[int(end.get("id"))] == f"step-{flow.target}", flow.id
        assert int(start.get("idx")) == connection_site(types[flow.source], flow.source_side)
        assert int(end.get("idx")) == connection_site(types[flow.target], flow.target_side)
        assert element.find(".//a:ln/a:tailEnd", NS).get("type") == "triangle"
        dashed = element.find(".//a:ln/a:prstDash", NS)
        assert (dashed is not None and dashed.get("val") == "dash") == (flow.kind == "ghost"), flow.id


def test_connection_sites_follow_the_preset_definitions():
    assert [connection_site("step", side) for side in ("top", "left", "bottom", "right")] == [0, 1, 2, 3]
    assert [connection_site("decision", side) for side in ("top", "left", "bottom", "right")] == [0, 1, 2, 3]
    assert [connection_site("data", side) for side in ("top", "left", "bottom", "right")] == [1, 2, 4, 5]


def test_elbows_take_the_routes_axis_and_corner(chart_slide):
    shapes = _by_name(chart_slide)
    geometry = lambda name: shapes[name]._element.find(".//a:prstGeom", NS).get("prst")  # noqa: E731
    assert geometry("flow-start-work") in ("line", "straightConnector1")
    assert geometry("flow-ok-work") == "bentConnector3"  # leaves at the top, comes back in at the top
    assert geometry("flow-sub-ghost-miss") == "bentConnector2"  # right, then down
    loop = shapes["flow-ok-work"]._element.find(".//a:xfrm", NS)
    assert loop.get("rot") == "5400000"  # leaves vertically: a quarter turn
    adj = shapes["flow-ok-work"]._element.find(".//a:avLst/a:gd", NS).get("fmla")
    assert adj.startswith("val ") and int(adj.split()[1]) != 50000


def test_arrows_end_under_the_symbols_labels_notes_and_links(chart_slide):
    order = [shape.name for shape in chart_slide.shapes]
    assert order.index("flow-work-ok") < order.index("step-start")
    assert order.index("lane-a") < order.index("flow-work-ok")
    shapes = _by_name(chart_slide)
    assert shapes["label-flow-ok-facts"].text_frame.text == "Yes"
    assert chart_slide.notes_slide.notes_text_frame.text.startswith("1. Start")
    slides = chart_slide.part.package.presentation_part.presentation.slides
    assert shapes["step-sub"].click_action.target_slide.slide_id == slides[3].slide_id
    assert shapes["number-finish"].text_frame.text == "5"


def test_same_input_same_bytes(deck_bytes):
    again = write_pptx(Deck("Sample deck", "Two slides", (
        ChartSlide("sample", sample_scene(), "Sample process", "Process sample", notes="1. Start\n2. Do the work: owner Team A; duration 2d", links={"sub": "other"}),
        ChartSlide("other", sample_scene(), "Other process"),
    ), index=True), themes={"sample": load_theme("default"), "other": load_theme("default")})
    assert again == deck_bytes
    package = zipfile.ZipFile(io.BytesIO(deck_bytes))
    assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    core = etree.fromstring(package.read("docProps/core.xml"))
    assert b"2000-01-01" in etree.tostring(core)
