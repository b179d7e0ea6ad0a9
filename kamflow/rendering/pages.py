"""A chart cut into parts (model.split) as one multi-page PDF: every part drawn from its own scene
onto a page of the chosen paper, each scaled down (never up) to fit its page, one rsvg-convert run
for all pages."""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace

from kamflow.model.overlay import Overlay
from kamflow.model.process import Process
from kamflow.rendering import tools
from kamflow.rendering.chart import chart_plan, pdf_linked, resolve_theme
from kamflow.rendering.convert import PAGE_MARGIN, RSVG, conversion, fixed_pdf_date, page_room, paper, placed
from kamflow.rendering.options import RenderOptions


def paged_pdf(process: Process, pdf: bytes, *, overlay: Overlay, options: RenderOptions, notes: list[str] | None) -> bytes:
    """`pdf` when the chart is readable on one page of `options.page`, else the chart cut at flow
    cut points into parts on several pages joined by off-page connectors (model.split); what was
    split is appended to `notes`."""
    from kamflow.model.split import numbered, smallest_text

    page = options.page or "A4"

    def text_at(landscape: bool):
        room = page_room(page, landscape=landscape)
        return lambda scenes: min(smallest_text(scene) * fit_scale(scene, room) for scene in scenes)

    plans = [
        (chart_plan(process, overlay=overlay, options=options, unit="page", text_at=text_at(landscape)), landscape) for landscape in (False, True)
    ]
    if not any(plan.split for plan, _ in plans) or any(not plan.split for plan, _ in plans):
        return pdf  # readable on one page (in at least one orientation, as render_process turns it)
    readable = [item for item in plans if item[0].smallest >= 9.0]
    plan, landscape = min(readable, key=lambda item: len(item[0].parts)) if readable else max(plans, key=lambda item: item[0].smallest)
    if notes is not None:
        notes.append(plan.summary(f"{process.path}: {options.page} PDF"))
    return pages_pdf(numbered(plan, 0), theme=resolve_theme(process, options), page=page, landscape=landscape, timeout=options.timeout)


def fit_scale(scene, room: tuple[float, float]) -> float:
    """How much a part is scaled on its page: down to fit, never up."""
    return min(1.0, room[0] / max(scene.width, 1.0), room[1] / max(scene.height, 1.0))


def pages_pdf(scenes, *, theme, page: str, landscape: bool, timeout: float) -> bytes:
    """One PDF page per scene, on `page` paper turned as asked; each part scaled down (never up)
    to fit its page, from the top-left corner of the printable area."""
    from kamflow.rendering.svg import write_svg

    room_w, room_h = page_room(page, landscape=landscape)
    # every picture padded to at least the printable area, so that rsvg-convert's one box fits
    # each part at its own scale without ever enlarging a small one
    args = placed(paper(page, landscape=landscape), left=PAGE_MARGIN, top=PAGE_MARGIN, width=room_w, height=room_h)
    with tempfile.TemporaryDirectory(prefix="kamflow-pages-") as folder:
        files = []
        for number, scene in enumerate(scenes, start=1):
            padded = replace(scene, width=max(scene.width, room_w), height=max(scene.height, room_h))
            path = os.path.join(folder, f"part-{number:04d}.svg")
            with open(path, "w", encoding="utf-8") as stream:
                stream.write(write_svg(pdf_linked(padded), theme=theme))
            files.append(path)
        job = tools.Job(conversion("pdf", [*args, *files]), b"", "writing the PDF pages")
        pdf = tools.run(RSVG, job, timeout=timeout)
    return fixed_pdf_date(pdf)
