"""A chart cut into parts (model.split) as one multi-page PDF: every part drawn from its own scene
onto a page of the chosen paper, each scaled down (never up) to fit its page, one rsvg-convert run
for all pages."""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace

from kamflow.rendering import tools
from kamflow.rendering.convert import PAGE_MARGIN, RSVG, converter, fixed_pdf_date
from kamflow.rendering.options import PAGE_SIZES


def page_room(page: str, *, landscape: bool) -> tuple[float, float]:
    """The printable width and height of a page (points), inside the margins."""
    short, long = PAGE_SIZES[page]
    width, height = (long, short) if landscape else (short, long)
    return (width - 2 * PAGE_MARGIN, height - 2 * PAGE_MARGIN)


def fit_scale(scene, room: tuple[float, float]) -> float:
    """How much a part is scaled on its page: down to fit, never up."""
    return min(1.0, room[0] / max(scene.width, 1.0), room[1] / max(scene.height, 1.0))


def pages_pdf(scenes, *, theme, page: str, landscape: bool, timeout: float) -> bytes:
    """One PDF page per scene, on `page` paper turned as asked; each part scaled down (never up)
    to fit its page, from the top-left corner of the printable area."""
    from kamflow.rendering.svg import write_svg

    room_w, room_h = page_room(page, landscape=landscape)
    short, long = PAGE_SIZES[page]
    page_w, page_h = (long, short) if landscape else (short, long)
    # every picture padded to at least the printable area, so that rsvg-convert's one box fits
    # each part at its own scale without ever enlarging a small one
    args = [
        f"--page-width={page_w:.2f}pt",
        f"--page-height={page_h:.2f}pt",
        f"--left={PAGE_MARGIN:.2f}pt",
        f"--top={PAGE_MARGIN:.2f}pt",
        f"--width={room_w:.2f}pt",
        f"--height={room_h:.2f}pt",
        "--keep-aspect-ratio",
    ]
    with tempfile.TemporaryDirectory(prefix="kamflow-pages-") as folder:
        files = []
        for number, scene in enumerate(scenes, start=1):
            padded = replace(scene, width=max(scene.width, room_w), height=max(scene.height, room_h))
            path = os.path.join(folder, f"part-{number:04d}.svg")
            with open(path, "w", encoding="utf-8") as stream:
                stream.write(write_svg(_pdf_links(padded), theme=theme))
            files.append(path)
        job = tools.Job([converter(), "--format=pdf", *args, *files], b"", "writing the PDF pages")
        pdf = tools.run(RSVG, job, timeout=timeout)
    return fixed_pdf_date(pdf)


def _pdf_links(scene):
    """Subprocess steps link to the PDF chart of their process, as in a one-page PDF."""
    steps = tuple(replace(s, link=s.link[: -len(".svg")] + ".pdf") if s.link and s.subprocess and s.link.endswith(".svg") else s for s in scene.steps)
    return replace(scene, steps=steps)
