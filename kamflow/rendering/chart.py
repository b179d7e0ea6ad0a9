"""The chart pipeline: process -> DOT -> one Graphviz layout -> SVG written by kamflow -> PDF and
PNG converted from that SVG. The layout is computed once for every format."""
from __future__ import annotations

from kamflow.model.overlay import Overlay
from kamflow.model.process import Process
from kamflow.rendering.options import RenderOptions

DEFAULT_TIMEOUT = 60.0


def resolve_theme(process: Process, options: RenderOptions):
    from kamflow.rendering.themes import load_theme

    if options.theme:
        return load_theme(options.theme)
    if process.theme:
        from kamflow.errors import LoadError, Problem

        try:
            return load_theme(process.theme, relative_to=process.path)
        except LoadError as error:  # a problem with the name itself is shown where the file names it
            problems = [Problem(process.span_of("theme"), p.message) if p.span.path == process.theme and not p.span.line else p for p in error.problems]
            raise LoadError(problems) from None
    return load_theme("default")


def render_process(process: Process, formats: tuple[str, ...], *, overlay: Overlay | None = None, options: RenderOptions | None = None, timeout: float = DEFAULT_TIMEOUT) -> dict[str, bytes]:
    """Bytes per format ('svg', 'pdf', 'png', 'dot') for one process chart."""
    from kamflow.rendering.convert import convert, page_layout
    from kamflow.rendering.dot import build_dot, lane_groups
    from kamflow.rendering.detour import fix_crossings
    from kamflow.rendering.geometry import lay_out
    from kamflow.rendering.svg import write_svg

    overlay = overlay or Overlay()
    options = options or RenderOptions()
    timeout = options.timeout if timeout == DEFAULT_TIMEOUT else timeout
    theme = resolve_theme(process, options)
    direction = options.direction or process.direction
    source = build_dot(process, direction=direction, overlay=overlay, options=options, font=theme.font_family, font_size=theme.font_size)
    results: dict[str, bytes] = {}
    if "dot" in formats:
        results["dot"] = source.encode("utf-8")
    drawn = [fmt for fmt in formats if fmt != "dot"]
    if drawn:
        lanes = [lane for lane, _ in lane_groups(process, overlay)]
        geometry = lay_out(source, lanes, direction, timeout=timeout)
        geometry = fix_crossings(geometry, {step.id for step in process.steps} | {ghost.id for ghost in overlay.ghosts})
        svg = write_svg(process, geometry, theme=theme, options=options, overlay=overlay, direction=direction)
        if "svg" in drawn:
            results["svg"] = svg.encode("utf-8")
        jobs = {}
        if "pdf" in drawn:
            pdf_svg = write_svg(process, geometry, theme=theme, options=options, overlay=overlay, direction=direction, link_ext="pdf")
            size = _size(pdf_svg)
            jobs["pdf"] = (pdf_svg.encode("utf-8"), page_layout(*size, options.page) if options.page else [])
        if "png" in drawn:
            jobs["png"] = (svg.encode("utf-8"), [f"--dpi-x={options.dpi}", f"--dpi-y={options.dpi}", f"--background-color={theme.background}"])
        if jobs:
            results.update(convert(jobs, timeout=timeout))
    return {fmt: results[fmt] for fmt in formats}


def _size(svg: str) -> tuple[float, float]:
    import re

    match = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    return float(match.group(1)), float(match.group(2))
