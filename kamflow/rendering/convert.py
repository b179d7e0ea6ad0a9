"""SVG -> PDF and PNG through librsvg's `rsvg-convert` (pango + cairo): the PDF embeds subsets of
the fonts it uses, text is shaped by HarfBuzz (Arabic, CJK, combining marks), and links in the SVG
become PDF link annotations. Both conversions start at once and run side by side. PDF dates are
pinned to SOURCE_DATE_EPOCH (default 0) so that the same chart gives the same bytes."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import time

from kamflow.errors import RenderError
from kamflow.rendering.options import PAGE_SIZES

INSTALL_HINT = "install librsvg's converter: `apt-get install librsvg2-bin` (Debian/Ubuntu) or `brew install librsvg` (macOS), then make sure `rsvg-convert` is on PATH"
PAGE_MARGIN = 28.35  # 10 mm


def converter() -> str:
    found = shutil.which("rsvg-convert")
    if not found:
        raise RenderError(f"`rsvg-convert` was not found; {INSTALL_HINT}")
    return found


def page_layout(width: float, height: float, page: str) -> list[str]:
    """rsvg-convert arguments that fit a width x height (pt) chart onto the paper, turned to
    landscape when the chart is wider than tall, scaled down (never up) and centred."""
    short, long = PAGE_SIZES[page]
    page_w, page_h = (long, short) if width > height else (short, long)
    scale = min(1.0, (page_w - 2 * PAGE_MARGIN) / width, (page_h - 2 * PAGE_MARGIN) / height)
    w, h = width * scale, height * scale
    return [f"--page-width={page_w:.2f}pt", f"--page-height={page_h:.2f}pt", f"--left={(page_w - w) / 2:.2f}pt",
            f"--top={(page_h - h) / 2:.2f}pt", f"--width={w:.2f}pt", f"--height={h:.2f}pt", "--keep-aspect-ratio"]


def convert(jobs: dict[str, tuple[bytes, list[str]]], *, timeout: float) -> dict[str, bytes]:
    """Run one rsvg-convert per format (format -> (svg bytes, extra args)) in parallel."""
    exe = converter()
    env = dict(os.environ)
    env.setdefault("SOURCE_DATE_EPOCH", "0")
    running = {}
    try:
        for fmt, (svg, extra) in jobs.items():
            argv = [exe, f"--format={fmt}", *extra]
            process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)
            running[fmt] = (process, svg)
        results = {}
        deadline = time.monotonic() + timeout
        for fmt, (process, svg) in running.items():
            try:
                out, err = process.communicate(svg, timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                raise RenderError(f"rsvg-convert took longer than {timeout:g} s and was stopped") from None
            if process.returncode < 0:
                raise RenderError(f"rsvg-convert crashed (signal {-process.returncode}) while writing {fmt.upper()}")
            if process.returncode != 0:
                detail = err.decode("utf-8", "replace").strip().splitlines()
                raise RenderError(f"rsvg-convert failed to write {fmt.upper()}: {detail[-1] if detail else process.returncode}")
            results[fmt] = fixed_pdf_date(out) if fmt == "pdf" else out
        return results
    except FileNotFoundError:
        raise RenderError(f"`rsvg-convert` was not found; {INSTALL_HINT}") from None
    except BrokenPipeError:  # it died before reading the chart: report like any other failure
        raise RenderError("rsvg-convert stopped before reading the chart") from None
    except OSError as error:
        raise RenderError(f"`rsvg-convert` could not be started: {error.strerror or error}; {INSTALL_HINT}") from None
    finally:
        from kamflow.rendering.graphviz_run import kill_group

        for process, _ in running.values():
            if process.poll() is None:
                kill_group(process)


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
