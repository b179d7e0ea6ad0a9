"""SVG -> PDF and PNG through librsvg's `rsvg-convert` (pango + cairo): the PDF embeds subsets of
the fonts it uses, text is shaped by HarfBuzz (Arabic, CJK, combining marks), and links in the SVG
become PDF link annotations. Both conversions start at once and run side by side, and where their
command line does not depend on the chart (no --page), before the chart is laid out: rsvg-convert
loads its libraries meanwhile. PDF dates are pinned to SOURCE_DATE_EPOCH (default 0) so that the
same chart gives the same bytes."""

from __future__ import annotations

import os
import re
import time
from contextlib import AbstractContextManager

from kamflow.rendering import tools
from kamflow.rendering.options import PAGE_SIZES

INSTALL_HINT = (
    "install librsvg's converter: `apt-get install librsvg2-bin` (Debian/Ubuntu), `brew install librsvg` (macOS) "
    "or `choco install rsvg-convert` (Windows), then make sure `rsvg-convert` is on PATH"
)
PAGE_MARGIN = 28.35  # 10 mm
RSVG = tools.Tool("`{exe}`", "rsvg-convert", INSTALL_HINT)


def converter() -> str:
    return RSVG.find("rsvg-convert")


def paper(page: str, *, landscape: bool) -> tuple[float, float]:
    """The width and height (pt) of a paper size, turned as asked."""
    short, long = PAGE_SIZES[page]
    return (long, short) if landscape else (short, long)


def page_room(page: str, *, landscape: bool) -> tuple[float, float]:
    """The printable width and height of a page (points), inside the margins."""
    width, height = paper(page, landscape=landscape)
    return (width - 2 * PAGE_MARGIN, height - 2 * PAGE_MARGIN)


def placed(paper_size: tuple[float, float], *, left: float, top: float, width: float, height: float) -> list[str]:
    """rsvg-convert arguments that draw the picture into a width x height box (pt) at (left, top)
    of a page of `paper_size`, keeping its aspect ratio."""
    page_w, page_h = paper_size
    return [
        f"--page-width={page_w:.2f}pt",
        f"--page-height={page_h:.2f}pt",
        f"--left={left:.2f}pt",
        f"--top={top:.2f}pt",
        f"--width={width:.2f}pt",
        f"--height={height:.2f}pt",
        "--keep-aspect-ratio",
    ]


def page_layout(width: float, height: float, page: str) -> list[str]:
    """rsvg-convert arguments that fit a width x height (pt) chart onto the paper, turned to
    landscape when the chart is wider than tall, scaled down (never up) and centred."""
    page_w, page_h = paper(page, landscape=width > height)
    room_w, room_h = page_room(page, landscape=width > height)
    scale = min(1.0, room_w / width, room_h / height)
    w, h = width * scale, height * scale
    return placed((page_w, page_h), left=(page_w - w) / 2, top=(page_h - h) / 2, width=w, height=h)


def conversion(fmt: str, extra: list[str]) -> list[str]:
    """The rsvg-convert command line that turns an SVG on stdin into `fmt`."""
    return [converter(), f"--format={fmt}", *extra]


def started_early(conversions: dict[str, list[str]]) -> AbstractContextManager[tools.Started]:
    """rsvg-convert started for these formats (format -> extra args) before their SVG is drawn,
    so that its start-up runs beside the layout (a context manager; `convert(..., started=)`)."""
    return tools.started(RSVG, {fmt: conversion(fmt, extra) for fmt, extra in conversions.items()})


def convert(jobs: dict[str, tuple[bytes, list[str]]], *, timeout: float, started: tools.Started | None = None) -> dict[str, bytes]:
    """Run one rsvg-convert per format (format -> (svg bytes, extra args)) side by side, in the
    processes `started_early` began where their command line is the same."""
    runs = {fmt: tools.Job(conversion(fmt, extra), svg, f"writing {fmt.upper()}") for fmt, (svg, extra) in jobs.items()}
    results = tools.run_all(RSVG, runs, timeout=timeout, started=started)
    return {fmt: fixed_pdf_date(out) if fmt == "pdf" else out for fmt, out in results.items()}


_PDF_DATE = re.compile(rb"/(?:CreationDate|ModDate) \(((?:D:)?\d{14}[^)]*)\)")


def fixed_pdf_date(pdf: bytes) -> bytes:
    """Replace any PDF date by SOURCE_DATE_EPOCH (default 1970-01-01) at the same byte length,
    so that the cross-reference offsets stay valid."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "0")
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(int(epoch) if epoch.isdigit() else 0)).encode()

    def replace(match: re.Match) -> bytes:
        original = match.group(1)
        for candidate in (b"D:" + stamp + b"Z", b"D:" + stamp + b"+00'00'", b"D:" + stamp + b"+00'00", stamp + b"+00'00", stamp + b"Z", stamp):
            if len(candidate) == len(original):
                return match.group(0).replace(original, candidate)
        return match.group(0)

    return _PDF_DATE.sub(replace, pdf)
