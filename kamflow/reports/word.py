"""A Word report (.docx) of one process or several, assembled from their subjects: the HTML
report's content as sections, each chart as SVG with a PNG fallback, cut into figures joined by
off-page connectors when its text would be below 9 pt in the page's text block."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Iterable

from kamflow.errors import RenderError, UsageError
from kamflow.rendering.options import PAGE_SIZES
from kamflow.reports.docx import MARGIN, Chart, Section, build_docx
from kamflow.reports.subject import Subject
from kamflow.reports.viewmodel import build_view

MAX_REFERENCE_DOC = 50 * 1024 * 1024
CAPTION_ROOM = 72.0


def word_report(
    subjects: Iterable[Subject], *, reference_doc: bytes | None = None, title: str = "Process portfolio", page: str | None = None
) -> bytes:
    """One .docx: a chapter per subject (`title` heads several); `reference_doc` (read by
    read_reference_doc) gives the styles, page and headers. The same input gives the same bytes."""
    from kamflow.analysis import process_stats
    from kamflow.rendering.svg import flow_numbers

    sections = []
    figure = 0
    for subject in subjects:
        process = subject.process
        view = build_view(
            process, subject.findings, reference_title=subject.reference_title, numbers=flow_numbers(process), stats=process_stats(process)
        )
        charts, notes = _figures(subject, page=page or "A4", first_figure=figure + 1)
        figure += len(charts)
        sections.append(Section(view, charts, notes))
    return build_docx(sections, title=title, reference_doc=reference_doc, page=page)


def _figures(subject: Subject, *, page: str, first_figure: int) -> tuple[tuple[Chart, ...], tuple[str, ...]]:
    from kamflow.model.split import numbered, smallest_text
    from kamflow.rendering.chart import chart_plan, resolve_theme
    from kamflow.rendering.convert import convert
    from kamflow.rendering.svg import write_svg

    process, options = subject.process, subject.options
    page_w, page_h = PAGE_SIZES[page]
    room = (page_w - 2 * MARGIN, page_h - 2 * MARGIN - CAPTION_ROOM)

    def text_at(scenes) -> float:
        return min(smallest_text(scene) * min(1.0, room[0] / scene.width, room[1] / scene.height) for scene in scenes)

    try:
        plan = chart_plan(process, overlay=subject.overlay, options=options, unit="figure", text_at=text_at)
        theme = resolve_theme(process, options)
        charts = []
        scenes = numbered(plan, first_figure - 1)
        for index, scene in enumerate(scenes, start=1):
            svg = write_svg(scene, theme=theme).encode("utf-8")
            png_args = [f"--dpi-x={options.dpi}", f"--dpi-y={options.dpi}", f"--background-color={theme.background}"]
            png = convert({"png": (svg, png_args)}, timeout=options.timeout)["png"]
            caption = f"Flowchart: {process.title}" + (f", part {index} of {len(scenes)}" if len(scenes) > 1 else "")
            charts.append(Chart(svg, png, scene.width, scene.height, caption))
    except RenderError as error:
        raise error.at(process.path) from None
    if not plan.split:
        return tuple(charts), ()
    letters = ", ".join(cut.letter for cut in plan.cuts)
    where = f"into {len(scenes)} figures at {len(plan.cuts)} flows, joined by off-page connectors ({letters})"
    note = f"The chart is cut {where}, so that its text stays readable."
    return tuple(charts), (note,)


def read_reference_doc(path: Path | str) -> bytes:
    """A client's .docx template as bytes, read with the guards of every file kamflow reads;
    anything that is not a Word document is one usage error naming the file."""
    from kamflow.errors import LoadError
    from kamflow.files import read_bytes

    try:
        data = read_bytes(path, limit=MAX_REFERENCE_DOC, what="Word document (.docx)")
    except LoadError as error:  # said as before: the reference document, named first
        message = error.problems[0].message.replace("give a file, or - to read standard input", "give a Word document (.docx)")
        raise UsageError(f"{path}: cannot read the reference document: {message}") from None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            if "word/document.xml" not in package.namelist() or "word/styles.xml" not in package.namelist():
                raise UsageError(f"{path}: not a Word document (.docx): it has no word/document.xml and word/styles.xml")
            package.read("word/styles.xml")
        import docx

        docx.Document(io.BytesIO(data))
    except UsageError:
        raise
    except Exception as error:  # a broken zip or XML: say so in one line
        raise UsageError(f"{path}: not a Word document (.docx): {error}") from None
    return data
