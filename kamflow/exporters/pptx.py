"""Scenes -> a PowerPoint deck (.pptx) of native, editable shapes, with python-pptx.

The writer reads only positioned scenes (kamflow.model.scene) and a theme's colours; the api
computes both and passes them in, so nothing here lays anything out. Every lane is a band with a
header; every step the matching preset flowchart shape with its label as editable text in the
theme's colours and font; every flow an elbow (or straight) connector whose two ends are GLUED to
the connection sites of its source and target on the sides the scene routes it from and to, so a
box moved in PowerPoint keeps its arrows. Ghosts are dashed; marks get their badge line; the
legend, when the scene has one, is drawn from its entries. Each chart slide's speaker notes hold
what the api says about its steps (owner, duration, KPIs, inputs, outputs); a step can link to
another slide of the deck (a subprocess to its process, an off-page connector to the part it
continues on). The bytes depend only on the input (fixed core-property dates, files.stable_zip).
"""

from __future__ import annotations

import datetime as _dt
import io
from dataclasses import dataclass, field
from typing import Any, Iterable

from kamflow.files import stable_zip
from kamflow.model.links import safe_link
from kamflow.model.scene import Box, Scene, SceneFlow, SceneStep

SLIDE_WIDTH = 960.0  # points: 13.333 in x 7.5 in, 16:9
SLIDE_HEIGHT = 540.0
MARGIN = 18.0
TITLE_HEIGHT = 46.0
EMU = 12700  # per point
FIXED_DATE = _dt.datetime(2000, 1, 1, tzinfo=_dt.timezone.utc)

# Step type -> preset shape name (MSO_AUTO_SHAPE_TYPE member) and the connection-site index of
# each side, as listed in the shape's <cxnLst> in ECMA-376's presetShapeDefinitions.xml: most
# flowchart presets list top, left, bottom, right; flowChartInputOutput has six sites (two on the
# top edge, two on the bottom edge), its centred ones are 1 and 4.
_FOUR = {"top": 0, "left": 1, "bottom": 2, "right": 3}
SHAPES: dict[str, tuple[str, dict[str, int]]] = {
    "start": ("FLOWCHART_TERMINATOR", _FOUR),
    "end": ("FLOWCHART_TERMINATOR", _FOUR),
    "step": ("FLOWCHART_PROCESS", _FOUR),
    "decision": ("FLOWCHART_DECISION", _FOUR),
    "subprocess": ("FLOWCHART_PREDEFINED_PROCESS", _FOUR),
    "document": ("FLOWCHART_DOCUMENT", _FOUR),
    "data": ("FLOWCHART_DATA", {"top": 1, "left": 2, "bottom": 4, "right": 5}),
    "manual": ("FLOWCHART_MANUAL_OPERATION", _FOUR),
    "wait": ("FLOWCHART_DELAY", _FOUR),
    "offpage": ("FLOWCHART_OFFPAGE_CONNECTOR", _FOUR),
}


@dataclass(frozen=True)
class ChartSlide:
    """One chart slide: a scene (a whole chart, or one part of a split chart) and what goes with it."""

    key: str  # how other slides link here: "<process id>" or "<process id>#<part>"
    scene: Scene
    title: str
    subtitle: str = ""
    notes: str = ""
    links: dict[str, str] = field(default_factory=dict)  # step id -> key of the slide it links to


@dataclass(frozen=True)
class Deck:
    title: str
    subtitle: str
    slides: tuple[ChartSlide, ...]
    index: bool = False  # an index slide after the title, linking every process's first slide
    author: str = "kamflow"


def write_pptx(deck: Deck, *, themes: dict[str, Any]) -> bytes:
    """The deck's bytes. `themes` maps a slide key to the theme its scene was drawn with (an
    object with the fields of kamflow.rendering.themes.Theme)."""
    from pptx import Presentation
    from pptx.util import Emu

    presentation = Presentation()
    presentation.slide_width = Emu(int(SLIDE_WIDTH * EMU))
    presentation.slide_height = Emu(int(SLIDE_HEIGHT * EMU))
    blank = presentation.slide_layouts[6]
    title_layout = presentation.slide_layouts[0]
    title_slide = presentation.slides.add_slide(title_layout)
    title_slide.shapes.title.text = deck.title
    title_slide.placeholders[1].text = deck.subtitle
    from pptx.util import Pt

    for shape, size in ((title_slide.shapes.title, 36), (title_slide.placeholders[1], 16)):
        for paragraph in shape.text_frame.paragraphs:
            for run in paragraph.runs:
                run.font.size = Pt(size)
    index_slide = presentation.slides.add_slide(blank) if deck.index else None
    slides = {chart.key: presentation.slides.add_slide(blank) for chart in deck.slides}
    first_theme = themes[deck.slides[0].key] if deck.slides else None
    if first_theme is not None:
        _title_fonts(title_slide, first_theme)
    for chart in deck.slides:
        _chart_slide(slides[chart.key], chart, themes[chart.key], slides)
    if index_slide is not None:
        _index_slide(index_slide, deck, slides, first_theme)
    core = presentation.core_properties
    core.title = deck.title
    core.subject = deck.subtitle[:250]
    core.author = deck.author
    core.last_modified_by = "kamflow"
    core.created = core.modified = core.last_printed = FIXED_DATE
    core.revision = 1
    core.comments = ""
    core.keywords = ""
    out = io.BytesIO()
    presentation.save(out)
    return stable_zip(out.getvalue())


# --- one chart slide --------------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """Scene points -> slide points: scale about the drawn region's corner, then offset."""

    left: float
    top: float
    scale: float
    origin_x: float
    origin_y: float

    def x(self, value: float) -> float:
        return self.left + (value - self.origin_x) * self.scale

    def y(self, value: float) -> float:
        return self.top + (value - self.origin_y) * self.scale

    def box(self, box: Box) -> tuple[int, int, int, int]:
        return (_emu(self.x(box.x)), _emu(self.y(box.y)), _emu(box.width * self.scale), _emu(box.height * self.scale))

    def point(self, point) -> tuple[float, float]:
        return (self.x(point[0]), self.y(point[1]))


def drawn_region(scene: Scene) -> Box:
    """What a slide shows of a scene: the chart and its legend (the title block is the slide's title)."""
    boxes = [scene.chart] + ([scene.legend.box] if scene.legend is not None else [])
    left = min(b.x for b in boxes)
    top = min(b.y for b in boxes)
    return Box(left, top, max(b.right for b in boxes) - left, max(b.bottom for b in boxes) - top)


def fit_scale(scene: Scene) -> float:
    """How much the chart is scaled to fit a slide's chart area (never enlarged past 1.5x)."""
    region = drawn_region(scene)
    room_w, room_h = SLIDE_WIDTH - 2 * MARGIN, SLIDE_HEIGHT - TITLE_HEIGHT - 2 * MARGIN
    return min(room_w / max(region.width, 1), room_h / max(region.height, 1), 1.5)


def _frame(scene: Scene) -> Frame:
    region = drawn_region(scene)
    scale = fit_scale(scene)
    room_w = SLIDE_WIDTH - 2 * MARGIN
    left = MARGIN + (room_w - region.width * scale) / 2
    return Frame(left, TITLE_HEIGHT + MARGIN, scale, region.x, region.y)


def _chart_slide(slide, chart: ChartSlide, theme, slides: dict) -> None:
    scene = chart.scene
    frame = _frame(scene)
    _text_box(
        slide, (MARGIN, 10, SLIDE_WIDTH - 2 * MARGIN, 26), [chart.title], size=20, bold=True, colour=theme.text, font=theme.font_family, align="left"
    )
    if chart.subtitle:
        _text_box(
            slide, (MARGIN, 32, SLIDE_WIDTH - 2 * MARGIN, 14), [chart.subtitle], size=10, colour=theme.muted, font=theme.font_family, align="left"
        )
    for lane in scene.lanes:
        _lane(slide, lane, frame, theme, scene.direction)
    shapes: dict[str, Any] = {}
    for step in scene.steps:
        shapes[step.id] = _step(slide, step, frame, theme)
        target = chart.links.get(step.id)
        if target is not None and target in slides:
            shapes[step.id].click_action.target_slide = slides[target]
    types = {step.id: step.type for step in scene.steps}
    connectors = [_connector(slide, flow, frame, theme, shapes, types) for flow in scene.flows]
    for flow in scene.flows:
        if flow.label is not None and flow.label_box is not None:
            _flow_label(slide, flow, frame, theme)
    for step in scene.steps:
        if step.number is not None and step.number_at is not None:
            _number(slide, step, frame, theme)
    if scene.legend is not None:
        _legend(slide, scene, frame, theme)
    # connectors under the symbols, above the lane bands: arrows end at the outlines
    first_step = shapes[scene.steps[0].id]._element if scene.steps else None
    for connector in connectors:
        if connector is not None and first_step is not None:
            first_step.addprevious(connector._element)
    if chart.notes:
        slide.notes_slide.notes_text_frame.text = chart.notes


def _lane(slide, lane, frame: Frame, theme, direction: str) -> None:
    from pptx.enum.shapes import MSO_SHAPE

    band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, *frame.box(lane.band))
    band.name = f"lane-{lane.id}"
    _fill(band, theme.lane_fill(lane.index))
    _line(band, theme.lane_border, 0.75)
    band.text_frame.text = ""
    header = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, *frame.box(lane.header))
    header.name = f"lane-header-{lane.id}"
    _fill(header, theme.lane_header_fill(lane.index))
    _line(header, theme.lane_border, 0.75)
    _shape_text(
        header,
        list(lane.header_text.lines),
        size=lane.header_text.size * frame.scale,
        bold=True,
        colour=theme.lane_header_text,
        font=theme.font_family,
        vertical=direction == "LR",
    )


def _step(slide, step: SceneStep, frame: Frame, theme):
    from pptx.enum.shapes import MSO_SHAPE

    name, _ = SHAPES.get(step.type, SHAPES["step"])
    shape = slide.shapes.add_shape(getattr(MSO_SHAPE, name), *frame.box(step.box))
    shape.name = f"step-{step.id}"
    colours = theme.warning if step.ghost else theme.step(step.type)
    _fill(shape, colours.fill)
    mark_colour = theme.marks.get(step.marks[0].kind) if step.marks else None
    _line(shape, mark_colour or colours.stroke, 2.0 if step.marks else 1.0, dashed=step.ghost is not None)
    lines = list(step.text.lines)
    if step.ghost == "missing" and lines and not lines[0].startswith("Missing:"):
        lines[0] = f"Missing: {lines[0]}"
    paragraphs: list[tuple[str, dict[str, Any]]] = [(line, {}) for line in lines]
    for badge in step.marks:
        paragraphs.append((f"[{badge.text}]", {"italic": True, "colour": theme.marks.get(badge.kind, colours.stroke), "size": step.text.size * 0.82}))
    _shape_text(
        shape,
        paragraphs,
        size=step.text.size * frame.scale,
        colour=colours.text or theme.text,
        font=theme.font_family,
        italic=step.text.italic,
        scale=frame.scale,
    )
    if safe_link(step.link):  # a subprocess step's relative <id>.svg has no file beside a deck
        shape.click_action.hyperlink.address = step.link
    return shape


def _connector(slide, flow: SceneFlow, frame: Frame, theme, shapes: dict, types: dict[str, str]):
    """An elbow connector glued to both ends (straight when the route is one segment)."""
    from pptx.enum.shapes import MSO_CONNECTOR
    from pptx.oxml.ns import qn

    source, target = shapes.get(flow.source), shapes.get(flow.target)
    points = [frame.point(p) for p in _simplified(flow.points)]
    if len(points) < 2:
        return None
    (sx, sy), (ex, ey) = points[0], points[-1]
    straight = len(points) == 2
    connector = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT if straight else MSO_CONNECTOR.ELBOW, _emu(sx), _emu(sy), _emu(ex), _emu(ey))
    connector.name = flow.id
    if not straight:
        _bend(connector, points, flow.source_side, flow.target_side)
    colour = theme.marks.get(flow.mark) if flow.mark else None
    dashed = flow.kind in ("ghost", "removed")
    line = connector.line
    line.color.rgb = _rgb(colour or (theme.warning.stroke if flow.kind == "ghost" else theme.edge))
    line.width = _emu(2.0 if flow.mark else 1.0)
    ln = line._get_or_add_ln()
    if dashed:
        dash = ln.makeelement(qn("a:prstDash"), {"val": "dash"})
        ln.append(dash)
    ln.append(ln.makeelement(qn("a:tailEnd"), {"type": "triangle", "w": "med", "len": "med"}))
    if source is not None:
        connector._connect_begin_to(source, connection_site(types[flow.source], flow.source_side))
    if target is not None:
        connector._connect_end_to(target, connection_site(types[flow.target], flow.target_side))
    return connector


def connection_site(step_type: str, side: str) -> int:
    """The index of the connection site on `side` of the preset shape drawn for `step_type`."""
    return SHAPES.get(step_type, SHAPES["step"])[1][side]


def _simplified(points) -> list[tuple[float, float]]:
    """The route without repeated points and without corners that are not corners (collinear)."""
    out: list[tuple[float, float]] = []
    for point in points:
        if out and abs(out[-1][0] - point[0]) < 0.01 and abs(out[-1][1] - point[1]) < 0.01:
            continue
        if len(out) >= 2:
            (ax, ay), (bx, by) = out[-2], out[-1]
            if (abs(ax - bx) < 0.01 and abs(bx - point[0]) < 0.01) or (abs(ay - by) < 0.01 and abs(by - point[1]) < 0.01):
                out[-1] = point
                continue
        out.append(tuple(point))
    return out


def _bend(connector, points, source_side: str, target_side: str) -> None:
    """Give an elbow connector the scene's shape: bentConnector3 (three segments) when it leaves
    and enters along the same axis, bentConnector2 (one corner) when not; turned a quarter when
    it leaves vertically (PowerPoint's connectors go horizontally first). The middle segment sits
    where the scene's route turns."""
    from pptx.oxml.ns import qn

    (sx, sy), (ex, ey) = points[0], points[-1]
    vertical = source_side in ("top", "bottom")
    same_axis = vertical == (target_side in ("top", "bottom"))
    dx, dy = ex - sx, ey - sy
    spPr = connector._element.spPr
    xfrm = spPr.find(qn("a:xfrm"))
    geometry = spPr.find(qn("a:prstGeom"))
    geometry.set("prst", "bentConnector3" if same_axis else "bentConnector2")
    for child in list(geometry):
        geometry.remove(child)
    av = geometry.makeelement(qn("a:avLst"), {})
    geometry.append(av)
    width, height = abs(dx), abs(dy)
    cx, cy = (sx + ex) / 2, (sy + ey) / 2
    for name in ("rot", "flipH", "flipV"):
        if name in xfrm.attrib:
            del xfrm.attrib[name]
    if vertical:
        xfrm.set("rot", "5400000")
        if dy < 0:
            xfrm.set("flipH", "1")
        if dx > 0:
            xfrm.set("flipV", "1")
        ext_w, ext_h = height, width
    else:
        if dx < 0:
            xfrm.set("flipH", "1")
        if dy < 0:
            xfrm.set("flipV", "1")
        ext_w, ext_h = width, height
    off, ext = xfrm.find(qn("a:off")), xfrm.find(qn("a:ext"))
    off.set("x", str(_emu(cx - ext_w / 2)))
    off.set("y", str(_emu(cy - ext_h / 2)))
    ext.set("cx", str(max(_emu(ext_w), 1)))
    ext.set("cy", str(max(_emu(ext_h), 1)))
    if same_axis and len(points) >= 3:
        if vertical:
            along, span = points[1][1] - sy, dy
        else:
            along, span = points[1][0] - sx, dx
        adj = (
            50000 if abs(span) < 0.5 and abs(along) < 0.5 else round(along / (span if abs(span) >= 0.5 else 0.5 * (1 if span >= 0 else -1)) * 100000)
        )
        adj = max(-5_000_000, min(5_000_000, adj))
        av.append(av.makeelement(qn("a:gd"), {"name": "adj1", "fmla": f"val {adj}"}))


def _flow_label(slide, flow: SceneFlow, frame: Frame, theme) -> None:
    box, label = flow.label_box, flow.label
    if box is None or label is None:
        return
    lines = list(label.lines) + ([f"[{flow.badge.text}]"] if flow.badge is not None else [])
    shape = _text_box(
        slide,
        (frame.x(box.x), frame.y(box.y), box.width * frame.scale, box.height * frame.scale),
        lines,
        size=label.size * frame.scale,
        colour=theme.edge_label,
        font=theme.font_family,
        fill=theme.background,
    )
    shape.name = f"label-{flow.id}"


def _number(slide, step: SceneStep, frame: Frame, theme) -> None:
    from pptx.enum.shapes import MSO_SHAPE

    r = step.number_radius * frame.scale
    x, y = frame.point(step.number_at)
    shape = slide.shapes.add_shape(MSO_SHAPE.OVAL, _emu(x - r), _emu(y - r), _emu(2 * r), _emu(2 * r))
    shape.name = f"number-{step.id}"
    _fill(shape, theme.text)
    _line(shape, theme.text, 0.5)
    _shape_text(
        shape, [str(step.number)], size=max(step.number_radius * 1.1 * frame.scale, 5), bold=True, colour=theme.background, font=theme.font_family
    )


def _legend(slide, scene: Scene, frame: Frame, theme) -> None:
    from pptx.enum.shapes import MSO_SHAPE

    legend = scene.legend
    if legend is None:
        return
    box = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, *frame.box(legend.box))
    box.name = "legend"
    _fill(box, theme.background)
    _line(box, theme.lane_border, 0.75)
    title = legend.title
    _text_box(
        slide,
        (frame.x(legend.box.x) + 4, frame.y(title.y - title.size), legend.box.width * frame.scale - 8, title.size * 1.6 * frame.scale),
        list(title.lines),
        size=title.size * frame.scale,
        bold=True,
        colour=theme.text,
        font=theme.font_family,
        align="left",
    )
    for entry in legend.entries:
        sw, sh = legend.symbol_width * frame.scale, legend.symbol_height * frame.scale
        x, y = frame.x(entry.x), frame.y(entry.y)
        if entry.kind == "symbol" and entry.key in SHAPES:
            symbol = slide.shapes.add_shape(getattr(MSO_SHAPE, SHAPES[entry.key][0]), _emu(x), _emu(y - sh / 2), _emu(sw), _emu(sh))
            colours = theme.step(entry.key)
            _fill(symbol, colours.fill)
            _line(symbol, colours.stroke, 1.0)
        elif entry.kind == "ghost":
            symbol = slide.shapes.add_shape(MSO_SHAPE.FLOWCHART_PROCESS, _emu(x), _emu(y - sh / 2), _emu(sw), _emu(sh))
            _fill(symbol, theme.warning.fill)
            _line(symbol, theme.warning.stroke, 1.0, dashed=True)
        text = (f"[{entry.badge}] " if entry.badge else "") + entry.text
        _text_box(
            slide,
            (x + sw + 6 * frame.scale, y - sh / 2, legend.box.right * frame.scale, sh),
            [text],
            size=scene.font_size * 0.86 * frame.scale,
            colour=theme.text,
            font=theme.font_family,
            align="left",
        )


def _index_slide(slide, deck: Deck, slides: dict, theme) -> None:
    """A slide listing every process with a link to its first chart slide."""
    font = theme.font_family if theme is not None else "Calibri"
    text_colour = theme.text if theme is not None else "#1d2733"
    _text_box(
        slide, (MARGIN, 10, SLIDE_WIDTH - 2 * MARGIN, 30), ["Processes in this deck"], size=22, bold=True, colour=text_colour, font=font, align="left"
    )
    seen: list[ChartSlide] = []
    for chart in deck.slides:
        if chart.key.split("#", 1)[0] not in [c.key.split("#", 1)[0] for c in seen]:
            seen.append(chart)
    columns = 1 if len(seen) <= 14 else 2
    per_column = -(-len(seen) // columns)
    row_h = min(30.0, (SLIDE_HEIGHT - 70 - MARGIN) / max(per_column, 1))
    for index, chart in enumerate(seen):
        column, row = divmod(index, per_column)
        width = (SLIDE_WIDTH - 2 * MARGIN) / columns
        shape = _text_box(
            slide,
            (MARGIN + column * width, 56 + row * row_h, width - 12, row_h),
            [chart.title],
            size=min(16, row_h * 0.55),
            colour=text_colour,
            font=font,
            align="left",
        )
        shape.name = f"index-{chart.key}"
        shape.click_action.target_slide = slides[chart.key]
        shape.text_frame.paragraphs[0].runs[0].font.underline = True


def _title_fonts(slide, theme) -> None:
    for shape in slide.placeholders:
        for paragraph in shape.text_frame.paragraphs:
            for run in paragraph.runs:
                run.font.name = theme.font_family
                run.font.color.rgb = _rgb(theme.text)


# --- small helpers ----------------------------------------------------------------------------


def _emu(points: float) -> int:
    return int(round(points * EMU))


def _rgb(colour: str):
    from pptx.dml.color import RGBColor

    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return RGBColor.from_string(value.upper())


def _fill(shape, colour: str) -> None:
    shape.fill.solid()
    shape.fill.fore_color.rgb = _rgb(colour)


def _line(shape, colour: str, width: float, *, dashed: bool = False) -> None:
    from pptx.enum.dml import MSO_LINE_DASH_STYLE

    shape.line.color.rgb = _rgb(colour)
    shape.line.width = _emu(width)
    if dashed:
        shape.line.dash_style = MSO_LINE_DASH_STYLE.DASH
    shape.shadow.inherit = False


def _shape_text(
    shape,
    paragraphs: Iterable,
    *,
    size: float,
    colour: str,
    font: str,
    bold: bool = False,
    italic: bool = False,
    vertical: bool = False,
    scale: float = 1.0,
) -> None:
    """Centred lines of text in a shape, each line its own paragraph, no re-wrapping (the scene
    wrapped them), no shrinking; `paragraphs` are strings or (text, {italic, colour, size}) pairs."""
    from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN

    frame = shape.text_frame
    frame.word_wrap = False
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
    if vertical:
        frame._txBody.bodyPr.set("vert", "vert270")
    items = [(p, {}) if isinstance(p, str) else p for p in paragraphs]
    for index, (text, style) in enumerate(items):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = PP_ALIGN.CENTER
        run = paragraph.add_run()
        run.text = text
        run.font.size = _pt(style.get("size", size / scale) * scale if "size" in style else size)
        run.font.name = font
        run.font.bold = bold
        run.font.italic = style.get("italic", italic)
        run.font.color.rgb = _rgb(style.get("colour", colour))


def _text_box(
    slide,
    box: tuple[float, float, float, float],
    lines: list[str],
    *,
    size: float,
    colour: str,
    font: str,
    bold: bool = False,
    align: str = "center",
    fill: str | None = None,
):
    from pptx.enum.text import PP_ALIGN

    x, y, w, h = box
    shape = slide.shapes.add_textbox(_emu(x), _emu(y), _emu(max(w, 1)), _emu(max(h, 1)))
    _shape_text(shape, lines, size=size, colour=colour, font=font, bold=bold)
    for paragraph in shape.text_frame.paragraphs:
        paragraph.alignment = PP_ALIGN.LEFT if align == "left" else PP_ALIGN.CENTER
    if fill is not None:
        _fill(shape, fill)
    return shape


def _pt(size: float):
    from pptx.util import Pt

    return Pt(round(max(size, 1.0) * 2) / 2)  # half points, as PowerPoint offers them
