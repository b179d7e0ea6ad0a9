"""The chart pipeline: process -> scene (one Graphviz ranking run, kamflow's coordinates and
orthogonal routes) -> SVG written from the scene -> PDF and PNG converted from that SVG. The
scene is computed once for every format."""

from __future__ import annotations

from dataclasses import replace

from kamflow.model.overlay import Overlay
from kamflow.model.process import Process
from kamflow.model.scene import Scene
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
            problems = [
                Problem(process.span_of("theme"), p.message) if p.span.path == process.theme and not p.span.line else p for p in error.problems
            ]
            raise LoadError(problems) from None
    return load_theme("default")


def chart_scene(
    process: Process, *, overlay: Overlay | None = None, options: RenderOptions | None = None, link_ext: str = "svg", timeout: float | None = None
) -> Scene:
    """The positioned scene of one process chart, as every writer reads it."""
    from kamflow.rendering.scene import build_scene

    options = options or RenderOptions()
    theme = resolve_theme(process, options)
    return build_scene(process, overlay=overlay, options=options, theme=theme, link_ext=link_ext, timeout=timeout or options.timeout)


def render_process(
    process: Process,
    formats: tuple[str, ...],
    *,
    overlay: Overlay | None = None,
    options: RenderOptions | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> dict[str, bytes]:
    """Bytes per format ('svg', 'pdf', 'png', 'dot') for one process chart."""
    from kamflow.rendering.convert import convert, page_layout, started_early
    from kamflow.rendering.dot import build_dot
    from kamflow.rendering.svg import write_svg

    overlay = overlay or Overlay()
    options = options or RenderOptions()
    timeout = options.timeout if timeout == DEFAULT_TIMEOUT else timeout
    theme = resolve_theme(process, options)
    direction = options.direction or process.direction
    results: dict[str, bytes] = {}
    if "dot" in formats:
        results["dot"] = build_dot(
            process, direction=direction, overlay=overlay, options=options, font=theme.font_family, font_size=theme.font_size
        ).encode("utf-8")
    drawn = [fmt for fmt in formats if fmt != "dot"]
    if drawn:
        from kamflow.rendering.scene import build_scene

        png_args = [f"--dpi-x={options.dpi}", f"--dpi-y={options.dpi}", f"--background-color={theme.background}"]
        # the converters whose command line is known before the chart is laid out start now and
        # load their libraries meanwhile (a PDF page layout depends on the chart's size)
        early: dict[str, list[str]] = {}
        if "pdf" in drawn and not options.page:
            early["pdf"] = []
        if "png" in drawn:
            early["png"] = png_args
        with started_early(early) as converters:
            scene = build_scene(process, overlay=overlay, options=options, theme=theme, direction=direction, timeout=timeout)
            svg = write_svg(scene, theme=theme)
            if "svg" in drawn:
                results["svg"] = svg.encode("utf-8")
            jobs = {}
            if "pdf" in drawn:
                # the same scene, with subprocess links pointing at the PDF charts
                jobs["pdf"] = (
                    write_svg(pdf_linked(scene), theme=theme).encode("utf-8"),
                    page_layout(scene.width, scene.height, options.page) if options.page else [],
                )
            if "png" in drawn:
                jobs["png"] = (svg.encode("utf-8"), png_args)
            if jobs:
                results.update(convert(jobs, timeout=timeout, started=converters))
    return {fmt: results[fmt] for fmt in formats}


def render_chart(
    process: Process,
    formats: tuple[str, ...],
    *,
    overlay: Overlay | None = None,
    options: RenderOptions | None = None,
    notes: list[str] | None = None,
) -> dict[str, bytes]:
    """`render_process`, with a PDF for `options.page` cut over several pages when its text would
    be below 9 pt on one (what was cut is appended to `notes`), and a failing tool's error
    positioned at the process file."""
    from kamflow.errors import RenderError

    options = options or RenderOptions()
    try:
        charts = render_process(process, formats, overlay=overlay, options=options)
        if options.page and "pdf" in formats:
            from kamflow.rendering.pages import paged_pdf

            charts["pdf"] = paged_pdf(process, charts["pdf"], overlay=overlay or Overlay(), options=options, notes=notes)
        return charts
    except RenderError as error:
        raise error.at(process.path) from None


def chart_plan(process: Process, *, overlay: Overlay, options: RenderOptions, unit: str, text_at, link_ext: str = "svg"):
    """The chart as one scene, or cut into parts when `text_at(scenes)` (its smallest text at
    the output size) would be below 9 pt (model.split.plan_parts)."""
    from kamflow.model.graph import flow_order
    from kamflow.model.split import plan_parts

    def scene_of(part: Process, part_overlay: Overlay):
        return chart_scene(part, overlay=part_overlay, options=options, link_ext=link_ext)

    return plan_parts(process, [step.id for step in flow_order(process)], scene_of=scene_of, text_at=text_at, overlay=overlay, unit=unit)


def pdf_linked(scene: Scene) -> Scene:
    """The scene with each subprocess step linking to the PDF chart of its process (<id>.pdf)."""
    steps = tuple(replace(s, link=s.link[: -len(".svg")] + ".pdf") if s.link and s.subprocess and s.link.endswith(".svg") else s for s in scene.steps)
    return replace(scene, steps=steps)
