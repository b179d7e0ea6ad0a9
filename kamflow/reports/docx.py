"""Report views -> one Word document (.docx), with python-docx.

The content is the HTML report's, read from the same view model (kamflow.reports.viewmodel): title,
description, the chart, steps in flow order, lane x step matrix, RACI, decisions with shares, path
analytics, findings with conformance. Everything is written with Word's own styles (Title,
Heading 1-3, Caption, Table Grid, TOC 1-2), so a table of contents works and a client's template
(`reference_doc`, as pandoc's --reference-doc) restyles the whole document: its styles, page size,
margins, headers and footers are kept, its body is replaced. A style the template lacks is taken
from python-docx's default template.

The chart is embedded as SVG (Word 2016 and later draw the `svgBlip` extension) with a PNG
fallback for older readers and LibreOffice. Nothing here renders: the api passes the chart bytes.
The document's bytes depend only on its input (fixed core-property dates, files.stable_zip).
"""

from __future__ import annotations

import copy
import datetime as _dt
import io
from dataclasses import dataclass, field
from typing import Any, Iterable

from kamflow.files import stable_zip
from kamflow.rendering.options import PAGE_SIZES

MARGIN = 56.7  # the page margins of a document without a reference .docx: 2 cm

# A fixed creation date: the same input gives the same document (the process's own date is text
# in any format, so it is shown in the document, not parsed into the metadata).
FIXED_DATE = _dt.datetime(2000, 1, 1, tzinfo=_dt.timezone.utc)
SVG_BLIP_EXT = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"
SVG_NS = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"
STEP_COLUMNS = ("#", "Step", "Type", "Lane / owner", "Duration", "KPIs", "Inputs", "Outputs", "Notes")
TABLE_TEXT = "Table Text"


@dataclass(frozen=True)
class Chart:
    """One picture of a chart (the whole chart, or one part of a split chart)."""

    svg: bytes
    png: bytes
    width: float  # points, at full size
    height: float
    caption: str


@dataclass(frozen=True)
class Section:
    """One process's report: its view (build_view) and its chart pictures."""

    view: dict[str, Any]
    charts: tuple[Chart, ...] = ()
    notes: tuple[str, ...] = ()  # said under the chart, e.g. how it was split


@dataclass
class _State:
    figure: int = 0
    headings: list[tuple[int, str]] = field(default_factory=list)


def build_docx(
    sections: Iterable[Section],
    *,
    title: str | None = None,
    reference_doc: bytes | None = None,
    page: str | None = None,
) -> bytes:
    """The document's bytes. One section: its process title is the document title; several (a
    portfolio): `title` heads the document and each process is a Heading 1 chapter. `page` (A4, A3,
    letter) sets the paper; without it a reference document keeps its own, else A4."""
    import docx
    from docx.enum.section import WD_ORIENT

    sections = list(sections)
    document = docx.Document(io.BytesIO(reference_doc)) if reference_doc is not None else docx.Document()
    _clear_body(document)
    _ensure_styles(document)
    if page is not None or reference_doc is None:
        width, height = PAGE_SIZES[page or "A4"]
        from docx.shared import Pt

        for part in document.sections:
            part.orientation = WD_ORIENT.PORTRAIT
            part.page_width, part.page_height = Pt(width), Pt(height)
            if reference_doc is None:
                part.left_margin = part.right_margin = Pt(MARGIN)
                part.top_margin = part.bottom_margin = Pt(MARGIN)
    state = _State()
    single = len(sections) == 1
    doc_title = sections[0].view["process"]["title"] if single else (title or "Process portfolio")
    document.add_paragraph(doc_title, style="Title")
    if single:
        _meta_line(document, sections[0].view)
        if sections[0].view["process"]["description"]:
            document.add_paragraph(sections[0].view["process"]["description"])
    else:
        totals = sum(len(s.view["steps"]) for s in sections)
        document.add_paragraph(f"{len(sections)} processes, {totals} steps.")
    toc = document.add_paragraph()
    for index, section in enumerate(sections):
        _process(document, section, state, level=1 if single else 2, chapter=not single, first=index == 0)
    _table_of_contents(document, toc, state.headings)
    _core_properties(document, doc_title, sections)
    out = io.BytesIO()
    document.save(out)
    return stable_zip(out.getvalue())


# --- document structure ---------------------------------------------------------------------


def _process(document, section: Section, state: _State, *, level: int, chapter: bool, first: bool) -> None:
    view = section.view
    process = view["process"]
    if chapter:
        _heading(document, state, process["title"], 1, page_break=not first)
        _meta_line(document, view)
    if chapter and process["description"]:
        document.add_paragraph(process["description"])
    _heading(document, state, "Flowchart", level)
    for chart in section.charts:
        _chart(document, chart, state)
    for note in section.notes:
        document.add_paragraph(note)
    _steps(document, view, state, level)
    if view["lanes"]:
        _heading(document, state, "Responsibilities (lane × step)", level)
        matrix = view["matrix"]
        rows = [[str(row["number"]), row["label"], *("●" if cell else "" for cell in row["cells"])] for row in matrix["rows"]]
        _table(document, ["#", "Step", *matrix["lanes"]], rows, centre_from=2)
    if view.get("raci"):
        _heading(document, state, "RACI (role × step)", level)
        raci = view["raci"]
        rows = [[str(row["number"] or ""), row["label"], *row["cells"]] for row in raci["rows"]]
        _table(document, ["#", "Step", *raci["roles"]], rows, centre_from=2)
        document.add_paragraph("R responsible (does the work) · A accountable (answers for it) · C consulted · I informed")
    _decisions(document, view, state, level)
    if view.get("stats"):
        _analytics(document, view["stats"], state, level)
    _findings(document, view, state, level)


def _meta_line(document, view) -> None:
    process, check = view["process"], view["check"]
    parts = [f"Process {process['id']}"]
    for key in ("version", "author", "date"):
        if process[key]:
            parts.append(f"version {process[key]}" if key == "version" else process[key])
    if process["based_on"]:
        parts.append(f"based on {process['based_on']}")
    parts.append(f"{process['step_count']} steps, {process['decision_count']} decisions, {process['lane_count']} lanes")
    parts.append("check: no problems" if check["status"] == "ok" else f"check: {check['errors']} errors, {check['warnings']} warnings")
    document.add_paragraph(" · ".join(parts), style="Subtitle")


def _heading(document, state: _State, text: str, level: int, *, page_break: bool = False):
    paragraph = document.add_paragraph(text, style=f"Heading {level}")
    if page_break:
        paragraph.paragraph_format.page_break_before = True
    state.headings.append((level, text))
    return paragraph


def _turn(document, *, landscape: bool) -> None:
    """A new section on a new page, turned to landscape (for the nine-column steps table) or back."""
    from docx.enum.section import WD_ORIENT, WD_SECTION

    previous = document.sections[-1]
    width, height = previous.page_width, previous.page_height
    if (width > height) == landscape:
        return
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = height, width


def _steps(document, view, state, level) -> None:
    _turn(document, landscape=True)
    _heading(document, state, "Steps in flow order", level)
    rows = []
    for step in view["steps"]:
        label = step["label"] + (f" (runs {step['subprocess']['id']})" if step["subprocess"] else "")
        lane = step["lane"] + (f" / {step['owner']}" if step["owner"] and step["owner"] != step["lane"] else "")
        notes = " ".join(filter(None, [step["notes"], step["link"]]))
        rows.append(
            [
                str(step["number"]),
                label,
                step["type_name"],
                lane,
                step["duration"],
                "\n".join(step["kpis"]),
                "\n".join(step["inputs"]),
                "\n".join(step["outputs"]),
                notes,
            ]
        )
    _table(document, list(STEP_COLUMNS), rows, widths=(0.5, 1.8, 0.95, 1.3, 0.85, 1.4, 1.4, 1.4, 2.0))
    _turn(document, landscape=False)


def _decisions(document, view, state, level) -> None:
    _heading(document, state, "Decisions", level)
    if not view["decisions"]:
        document.add_paragraph("This process has no decisions.")
        return
    rows = []
    for decision in view["decisions"]:
        lane = decision["lane"] + (f" / {decision['owner']}" if decision["owner"] and decision["owner"] != decision["lane"] else "")
        for index, branch in enumerate(decision["branches"]):
            share = "" if branch["probability"] is None else f"{branch['probability'] * 100:.0f} %"
            goes = (f"{branch['number']}. " if branch["number"] else "") + branch["target"]
            first = index == 0
            rows.append(
                [str(decision["number"]) if first else "", decision["label"] if first else "", lane if first else "", branch["label"], goes, share]
            )
    _table(document, ["#", "Decision", "Lane / owner", "Branch", "Goes to", "Share"], rows, widths=(0.4, 2.0, 1.5, 1.3, 2.0, 0.7))


def _step_count(part) -> str:
    """A path's step count and, as the HTML and Markdown reports say it, how many have no duration."""
    return f"{part['steps']} steps" + (f", {part['without_duration']} without duration" if part["without_duration"] else "")


def _analytics(document, stats, state, level) -> None:
    _heading(document, state, "Path analytics", level)
    units = stats["units"]
    document.add_paragraph(
        f"Durations are working time: 1d = {units.get('hours_per_day')}h, 1w = {units.get('days_per_week')}d."
        " Paths follow the forward flow (no loop taken)."
    )
    critical = stats["critical_path"]
    if critical:
        paragraph = document.add_paragraph()
        paragraph.add_run("Critical path").bold = True
        paragraph.add_run(
            f" (longest, to {critical['end']['label']}): {critical['duration']} over {len(critical['steps'])} steps"
            + (f" ({critical['without_duration']} without duration, counted as 0)" if critical["without_duration"] else "")
            + f", {critical['handoffs']} hand-off{'' if critical['handoffs'] == 1 else 's'} between lanes: "
            + " → ".join(step["label"] for step in critical["steps"])
            + "."
        )
    else:
        document.add_paragraph("No critical path: the steps have no durations, or no end can be reached.")
    if stats["paths"]:
        rows = [
            [
                path["end"]["label"],
                f"{path['shortest']['duration']} ({_step_count(path['shortest'])})",
                str(path["shortest"]["handoffs"]),
                f"{path['longest']['duration']} ({_step_count(path['longest'])})",
                str(path["longest"]["handoffs"]),
            ]
            for path in stats["paths"]
        ]
        _table(document, ["To end", "Shortest", "Hand-offs", "Longest", "Hand-offs"], rows, widths=(2.2, 1.6, 0.8, 1.6, 0.8))
    for item in stats["expected"]:
        paragraph = document.add_paragraph()
        if item["available"]:
            paragraph.add_run("Expected").bold = True
            ends = ", ".join(f"{end['label']} {end['probability'] * 100:.0f} %" for end in item["ends"])
            paragraph.add_run(
                f" from {item['start']['label']}, with the branch shares: "
                + ("at least " if item["at_least"] else "")  # steps without a duration count as 0
                + f"{item['duration']}, {item['handoffs']:.1f} hand-offs"
                + (f"; ends {ends}" if ends else "")
                + "."
            )
        else:
            paragraph.add_run("Expected duration").bold = True
            problems = "; ".join(item["problems"])
            paragraph.add_run(f" from {item['start']['label']}: not available" + (f" — {problems}" if problems else "") + ".")
    if stats["missing_owner"]:
        document.add_paragraph("Steps without an owner: " + ", ".join(step["label"] for step in stats["missing_owner"]) + ".")
    if stats["missing_duration"]:
        document.add_paragraph("Steps without a duration: " + ", ".join(step["label"] for step in stats["missing_duration"]) + ".")


def _findings(document, view, state, level) -> None:
    _heading(document, state, "Check findings", level)
    if view["findings"]:
        rows = [
            [
                f["severity"],
                f["rule"],
                f"line {f['line']}" if f["line"] else "",
                (f"{f['step_number']}. " if f["step_number"] else "") + (f["step"] or ""),
                f["message"],
            ]
            for f in view["findings"]
        ]
        _table(document, ["Severity", "Rule", "Where", "Step", "Message"], rows, widths=(0.8, 1.3, 0.7, 1.3, 4.0))
    else:
        document.add_paragraph("The check found no problems.")
    conformance = view["conformance"]
    if conformance:
        _heading(document, state, f"Conformance with the reference {conformance['reference_title']}", level + 1)
        if conformance["findings"]:
            for finding in conformance["findings"]:
                document.add_paragraph(
                    f"{finding['severity']}: {finding['message']} (reference step {finding['reference_step']})", style="List Bullet"
                )
        else:
            document.add_paragraph("No differences from the reference were found.")


# --- tables, pictures, fields ---------------------------------------------------------------


def _table(document, head: list[str], rows: list[list[str]], *, centre_from: int | None = None, widths: tuple[float, ...] | None = None) -> None:
    """A Table Grid table with a repeating header row; `widths` are relative column widths
    (default: the first two columns, # and the step, wider than the marks after them)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    table = document.add_table(rows=1, cols=len(head))
    table.style = document.styles["Table Grid"]
    header = table.rows[0]
    properties = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # the header row repeats on every page the table spans
    repeat.set(qn("w:val"), "true")
    properties.append(repeat)
    for cell, text in zip(header.cells, head):
        _cell_text(cell, text, bold=True)
    for values in rows:
        cells = table.add_row().cells
        for index, (cell, text) in enumerate(zip(cells, values)):
            _cell_text(cell, text)
            if centre_from is not None and index >= centre_from:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    if widths is None:
        widths = (0.55, 2.6) + (1.0,) * (len(head) - 2)
    part = document.sections[-1]
    room = part.page_width - part.left_margin - part.right_margin
    total = sum(widths)
    table.autofit = False
    for column, share in zip(table.columns, widths):
        width = int(room * share / total)
        column.width = width
        for cell in column.cells:
            cell.width = width
    document.add_paragraph()


def _cell_text(cell, text: str, *, bold: bool = False) -> None:
    lines = text.split("\n") if text else [""]
    paragraph = cell.paragraphs[0]
    paragraph.style = TABLE_TEXT
    for index, line in enumerate(lines):
        if index:
            paragraph = cell.add_paragraph(style=TABLE_TEXT)
        run = paragraph.add_run(line)
        run.bold = bold or None


def _chart(document, chart: Chart, state: _State) -> None:
    """The picture, as large as the text block allows, then its caption: `Figure N. ...` with a
    SEQ field so Word numbers and lists the figures."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml
    from docx.shared import Pt

    part = document.sections[-1]
    room_w = (part.page_width - part.left_margin - part.right_margin) / 12700
    room_h = (part.page_height - part.top_margin - part.bottom_margin) / 12700 - 72  # leave room for the caption
    scale = min(1.0, room_w / chart.width, room_h / chart.height)
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.keep_with_next = True
    run = paragraph.add_run()
    inline = run.add_picture(io.BytesIO(chart.png), width=Pt(chart.width * scale), height=Pt(chart.height * scale))
    state.figure += 1
    # the SVG beside the PNG: Word 2016+ draws it, older readers and LibreOffice the PNG
    package = document.part.package
    svg_part = Part(PackURI(f"/word/media/kamflow-chart-{state.figure}.svg"), "image/svg+xml", chart.svg, package)
    rel_id = document.part.relate_to(svg_part, RT.IMAGE)
    blip = inline._inline.xpath(".//a:blip")[0]
    blip.append(
        parse_xml(
            f'<a:extLst xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:ext uri="{SVG_BLIP_EXT}">'
            f'<asvg:svgBlip xmlns:asvg="{SVG_NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:embed="{rel_id}"/>'
            "</a:ext></a:extLst>"
        )
    )
    doc_pr = inline._inline.xpath(".//wp:docPr")[0]
    doc_pr.set("descr", chart.caption)
    caption = document.add_paragraph(style="Caption")
    caption.add_run("Figure ")
    _field(caption, "SEQ Figure \\* ARABIC", str(state.figure))
    caption.add_run(f". {chart.caption}")


def _field(paragraph, instruction: str, shown: str) -> None:
    """A Word field (`w:fldSimple`) with the text it shows until Word updates it."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = shown
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)


def _table_of_contents(document, anchor, headings: list[tuple[int, str]]) -> None:
    """A TOC field after the title, pre-filled with the headings (Word adds page numbers when
    the field is updated: F9, or References > Update Table)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    title = anchor.insert_paragraph_before("Contents", style="TOC Heading")
    del title
    entries = [(level, text) for level, text in headings if level <= 2]
    paragraphs = [anchor]
    for _ in entries[1:]:
        paragraphs.append(_paragraph_after(paragraphs[-1]))

    def run_with(child):
        run = OxmlElement("w:r")
        run.append(child)
        return run

    def fld(kind):
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        return run_with(char)

    for index, ((level, text), paragraph) in enumerate(zip(entries, paragraphs)):
        paragraph.style = document.styles[f"TOC {level}"] if f"TOC {level}" in _style_names(document) else None
        if index == 0:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = ' TOC \\o "1-2" \\h \\z \\u '
            paragraph._p.append(fld("begin"))
            paragraph._p.append(run_with(instr))
            paragraph._p.append(fld("separate"))
        paragraph.add_run(text)
        if index == len(entries) - 1:
            paragraph._p.append(fld("end"))
    if not entries:
        anchor._p.getparent().remove(anchor._p)


def _paragraph_after(paragraph):
    from docx.oxml import OxmlElement
    from docx.text.paragraph import Paragraph

    new = OxmlElement("w:p")
    paragraph._p.addnext(new)
    return Paragraph(new, paragraph._parent)


# --- template handling ----------------------------------------------------------------------


def _clear_body(document) -> None:
    """Drop a template's content, keep its last section (page size, margins, headers, footers)."""
    from docx.oxml.ns import qn

    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def _style_names(document) -> set[str]:
    return {style.name for style in document.styles}


def _ensure_styles(document) -> None:
    """Give the document every style kamflow uses: a client's template keeps its own; one it
    lacks is copied from python-docx's default template (with the styles it is based on)."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt

    wanted = ["Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Caption", "Table Grid", "List Bullet", "TOC Heading"]
    have = _style_names(document)
    if all(name in have for name in wanted) and {"TOC 1", "TOC 2", TABLE_TEXT} <= have:
        return
    default = docx.Document()
    by_name = {style.name: style for style in default.styles}
    target = document.styles.element

    def copy_style(name: str) -> None:
        if name in _style_names(document) or name not in by_name:
            return
        element = by_name[name].element
        based = element.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}basedOn")
        if based is not None:
            base_id = based.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val")
            for style in default.styles:
                if style.style_id == base_id:
                    copy_style(style.name)
        target.append(copy.deepcopy(element))

    for name in wanted:
        copy_style(name)
    names = _style_names(document)
    for level in (1, 2):
        if f"TOC {level}" not in names:
            style = document.styles.add_style(f"TOC {level}", WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = document.styles["Normal"]
            style.paragraph_format.left_indent = Pt(12 * (level - 1))
            style.paragraph_format.space_after = Pt(2)
    if TABLE_TEXT not in names:
        style = document.styles.add_style(TABLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]
        style.font.size = Pt(8.5)
        style.paragraph_format.space_after = Pt(0)
        style.paragraph_format.space_before = Pt(0)


def _core_properties(document, title: str, sections: list[Section]) -> None:
    core = document.core_properties
    core.title = title
    core.subject = "Process report"
    authors = sorted({s.view["process"]["author"] for s in sections if s.view["process"]["author"]})
    core.author = ", ".join(authors) or "kamflow"
    core.last_modified_by = "kamflow"
    core.comments = ""
    core.keywords = ""
    core.category = ""
    core.created = FIXED_DATE
    core.modified = FIXED_DATE
    core.last_printed = FIXED_DATE
    core.revision = 1
