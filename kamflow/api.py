"""The Python API: the pipeline stages wired together; the CLI is a thin layer over this module.

Each function takes plain values and option dataclasses (RenderOptions) and returns values; the
policies live in their stages (loader, checks, rendering, exporters, analysis, reports), and the
state of a run in a Session (kamflow.session: the workspace of loaded files and how references
resolve). Pass `workspace=` (a Session or a loader Workspace) to share one across calls; without
it each call starts a fresh one, so nothing is cached behind the caller's back.

    >>> import kamflow
    >>> process = kamflow.load(kamflow.library_path("kam"))
    >>> [f for f in kamflow.check(process) if f.severity == "error"]
    []
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO, Iterable

from kamflow.checks import Finding, catalog, run_checks
from kamflow.errors import LoadError, Problem, RenderError, Span, UsageError
from kamflow.files import write_atomically
from kamflow.loader import Workspace, find_process_files
from kamflow.model.overlay import Overlay
from kamflow.model.process import Process
from kamflow.rendering import RENDER_FORMATS
from kamflow.rendering.options import RenderOptions
from kamflow.session import Session

__all__ = ["RenderOptions", "Session", "Workspace"]
Space = Session | Workspace | None


def _shown(process: Process) -> Process:
    """A process handed to the caller draws itself in Jupyter (Process._repr_svg_)."""
    process.renderer = _svg_text
    return process


def _svg_text(process: Process) -> str:
    return render_charts(process, formats=("svg",))["svg"].decode("utf-8")


# -- loading ------------------------------------------------------------------------------------


def library_path(process_id: str) -> Path:
    """The file of a bundled reference process."""
    space = Workspace()
    found = space.locate(process_id, relative_to=space.library / "x.yaml")
    if found is None:
        raise LoadError([Problem(Span(process_id), f"no bundled process with id {process_id!r}")])
    return found


def load(path: Path | str, *, workspace: Space = None) -> Process:
    """Read and validate a process file; raises LoadError with every problem found.

    >>> import kamflow
    >>> kam = kamflow.load(kamflow.library_path("kam"))
    >>> kam.id, kam.title, len(kam.steps)
    ('kam', 'Key Account Management Process', 35)
    >>> kam.steps[0].type, kam.steps_by_id["select_key"].lane
    ('start', 'sponsor')
    """
    return _shown(Session.of(workspace).load(path))


def loads(text: str, *, name: str = "<stdin>") -> Process:
    """Validate process text that is not in a file (stdin, a notebook cell); `name` is the path
    shown in positions. References resolve from the current folder, then the bundled library.

        >>> import kamflow
        >>> tiny = kamflow.loads('''
        ... kamflow: 1
        ... id: tiny
        ... title: Tiny
        ... steps:
        ...   - {id: go, type: start, label: Go, next: done}
        ...   - {id: done, type: end, label: Done}
        ... ''')
        >>> [step.id for step in tiny.steps]
        ['go', 'done']
        >>> kamflow.render_charts(tiny, formats=("svg",))["svg"][:5]
        b'<?xml'
    """
    from kamflow.loader import load_process_text

    return _shown(load_process_text(text, name))


def load_stream(stream: BinaryIO, *, name: str = "<stdin>") -> Process:
    """A process from a binary stream (stdin), read with the same guards as a file."""
    from kamflow.files import read_stream

    return loads(read_stream(stream, name), name=name)


def load_any(reference: Path | str, *, workspace: Space = None) -> Process:
    """A process named on the command line: a file path, or an id resolved like a `based_on`
    reference from the current folder (`<id>.yaml` there, then the bundled library)."""
    space = Session.of(workspace).workspace
    text = str(reference)
    if Path(text).exists() or "/" in text or "\\" in text or Path(text).suffix:
        return _shown(space.load(text))
    found = space.locate(text, relative_to=None)
    if found is None:
        raise LoadError(
            [Problem(Span(text), f"no such file, and no process with that id here or in the bundled library ({', '.join(space.library_ids())})")]
        )
    return _shown(space.load(found))


def collect_processes(paths: Iterable[Path | str], *, workspace: Space = None) -> list[Process]:
    """Load every process file under the given files and folders; all load problems in one error."""
    session = Session.of(workspace)
    processes: list[Process] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            for file in find_process_files(path):
                try:
                    processes.append(_shown(session.load(file)))
                except LoadError as error:
                    problems.extend(error.problems)
        except LoadError as error:
            problems.extend(error.problems)
    if problems:
        raise LoadError(problems)
    return processes


# -- checking -----------------------------------------------------------------------------------


def check(
    process: Process,
    *,
    enabled: Iterable[str] | None = None,
    disabled: Iterable[str] = (),
    workspace: Space = None,
    against: str | None = None,
    preset: str | None = None,
    enable: Iterable[str] = (),
    disable: Iterable[str] = (),
) -> list[Finding]:
    """Every finding of the check rules for a process, sorted by position.

    The rules are those of `preset` (`recommended`, the default, or `all`) plus `enable` minus
    `disable` (or exactly `enabled`, when given); unknown ids raise UsageError. `against` (an id or
    a path relative to the current folder) names the reference process and wins over the file's
    `based_on`; its essential steps must be implemented, in order.

        >>> import kamflow
        >>> broken = kamflow.loads('''
        ... kamflow: 1
        ... id: broken
        ... title: Broken
        ... steps:
        ...   - {id: go, type: start, label: Go, next: nowhere}
        ...   - {id: done, type: end, label: Done}
        ... ''')
        >>> [(f.rule, f.severity, f.line) for f in kamflow.check(broken) if f.severity == "error"]
        [('unknown-target', 'error', 6), ('unreachable', 'error', 7)]
        >>> kamflow.check(kamflow.load(kamflow.library_path("kam")), preset="recommended")
        []
    """
    chosen = catalog.selected_rules(enabled=enabled, disabled=disabled, preset=preset, enable=enable, disable=disable)
    return run_checks(Session.of(workspace).check_context(process, against=against), enabled=chosen)


def ghost_overlay(process: Process, findings: Iterable[Finding] | None = None, *, against: str | None = None, workspace: Space = None) -> Overlay:
    """What the chart adds for the findings (`check(process, against=against)` by default):
    missing essential steps and flows to missing ids as ghosts, dead ends marked."""
    session = Session.of(workspace)
    found = list(check(process, against=against, workspace=session) if findings is None else findings)
    return catalog.findings_overlay(process, session.check_context(process, against=against).reference, found)


rules = catalog.rule_table
rule_doc = catalog.rule_page
check_rule_ids = catalog.check_rule_ids
format_findings = catalog.format_findings


# -- charts -------------------------------------------------------------------------------------


def render(
    process: Process,
    *,
    formats: Iterable[str] = ("svg", "pdf"),
    output_dir: Path | str | None = "output",
    options: RenderOptions | None = None,
    direction: str | None = None,
    overlay: Overlay | None = None,
    findings: list[Finding] | None = None,
    notes: list[str] | None = None,
) -> list[Path] | dict[str, bytes]:
    """Draw the chart and write `output_dir/<process id>.<format>` for each format, atomically;
    with `output_dir=None`, return the bytes per format instead and touch no disk.
    `findings` (the process's check findings, when the caller has them) saves checking it again.

        >>> import kamflow, tempfile
        >>> kam = kamflow.load(kamflow.library_path("kam"))
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     [p.name for p in kamflow.render(kam, formats=("svg", "pdf"), output_dir=folder)]
        ['kam.svg', 'kam.pdf']
        >>> kamflow.render(kam, formats=("svg",), output_dir=None)["svg"][:5]
        b'<?xml'
    """
    charts = render_charts(
        process, formats=chart_formats(formats), options=options, direction=direction, overlay=overlay, findings=findings, notes=notes
    )
    if output_dir is None:
        return charts
    return write_atomically({Path(output_dir) / f"{process.id}.{fmt}": data for fmt, data in charts.items()})


def render_charts(
    process: Process,
    *,
    formats: Iterable[str] = ("svg",),
    options: RenderOptions | None = None,
    direction: str | None = None,
    overlay: Overlay | None = None,
    findings: list[Finding] | None = None,
    notes: list[str] | None = None,
) -> dict[str, bytes]:
    """The chart's bytes per format, without touching the disk. `direction` is a shortcut for
    `options=RenderOptions(direction=...)`. Without an `overlay`, the chart shows what
    `ghost_overlay` finds (missing steps as ghosts, dead ends marked; from `findings` when given)
    unless `options.ghosts` is off, and with `options.highlight="critical-path"` the critical path,
    with a legend that says what the marks mean.

        >>> import kamflow
        >>> from kamflow.api import RenderOptions
        >>> billing = kamflow.load(kamflow.library_path("billing"))
        >>> charts = kamflow.render_charts(billing, formats=("svg", "png"), options=RenderOptions(direction="LR", number=True))
        >>> sorted(charts), charts["png"][1:4], charts["svg"].count(b"<svg")
        (['png', 'svg'], b'PNG', 1)
    """
    from kamflow.rendering.chart import render_process

    wanted = chart_formats(formats)
    options = options or RenderOptions()
    if direction is not None:
        options = replace(options, direction=direction)
    if options.direction is not None and options.direction not in ("TB", "LR"):
        raise UsageError(f"direction must be TB or LR, not {options.direction!r}")
    session = Session()
    if overlay is None and options.ghosts:
        overlay = ghost_overlay(process, findings, workspace=session)
    if options.highlight == "critical-path":
        overlay = (overlay or Overlay()).merged(critical_path_overlay(process))
        options = replace(options, legend=True)
    if options.subprocess_links is None:
        options = replace(options, subprocess_links=session.subprocess_links(process))
    try:
        charts = render_process(process, wanted, overlay=overlay, options=options)
        if options.page and "pdf" in wanted:  # text below 9 pt on the page: cut the chart over several pages
            charts["pdf"] = _paged_pdf(process, charts["pdf"], overlay=overlay or Overlay(), options=options, notes=notes)
        return charts
    except RenderError as error:
        raise error.at(process.path) from None


def _paged_pdf(process: Process, pdf: bytes, *, overlay: Overlay, options: RenderOptions, notes: list[str] | None) -> bytes:
    """`pdf` when the chart is readable on one page of `options.page`, else the chart cut at flow
    cut points into parts on several pages joined by off-page connectors (model.split); what was
    split is appended to `notes`."""
    from kamflow.model.split import numbered, smallest_text
    from kamflow.rendering.chart import resolve_theme
    from kamflow.rendering.pages import fit_scale, page_room, pages_pdf

    page = options.page or "A4"

    def text_at(landscape: bool):
        room = page_room(page, landscape=landscape)
        return lambda scenes: min(smallest_text(scene) * fit_scale(scene, room) for scene in scenes)

    plans = [
        (_chart_plan(process, overlay=overlay, options=options, unit="page", text_at=text_at(landscape)), landscape) for landscape in (False, True)
    ]
    if not any(plan.split for plan, _ in plans) or any(not plan.split for plan, _ in plans):
        return pdf  # readable on one page (in at least one orientation, as render_process turns it)
    readable = [item for item in plans if item[0].smallest >= 9.0]
    plan, landscape = min(readable, key=lambda item: len(item[0].parts)) if readable else max(plans, key=lambda item: item[0].smallest)
    if notes is not None:
        notes.append(plan.summary(f"{process.path}: {options.page} PDF"))
    return pages_pdf(numbered(plan, 0), theme=resolve_theme(process, options), page=page, landscape=landscape, timeout=options.timeout)


def _chart_plan(process: Process, *, overlay: Overlay, options: RenderOptions, unit: str, text_at, link_ext: str = "svg"):
    """The chart as one scene, or cut into parts when `text_at(scenes)` (its smallest text at
    the output size) would be below 9 pt (model.split.plan_parts)."""
    from kamflow.model.graph import flow_order
    from kamflow.model.split import plan_parts
    from kamflow.rendering.chart import chart_scene

    def scene_of(part: Process, part_overlay: Overlay):
        return chart_scene(part, overlay=part_overlay, options=options, link_ext=link_ext)

    return plan_parts(process, [step.id for step in flow_order(process)], scene_of=scene_of, text_at=text_at, overlay=overlay, unit=unit)


def subprocess_links(process: Process, *, workspace: Space = None) -> tuple[tuple[str, str], ...]:
    """(step id, process id) for each subprocess step whose reference resolves to a process that loads."""
    return Session.of(workspace).subprocess_links(process)


def chart_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    """Chart formats as given by a user ("svg,pdf" or a list): checked, lower-case, without repeats."""
    if isinstance(formats, str):
        formats = formats.split(",")
    wanted = tuple(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    unknown = [f for f in wanted if f not in RENDER_FORMATS]
    if unknown or not wanted:
        raise UsageError(f"unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(RENDER_FORMATS)}")
    return wanted


def render_warnings(process: Process, options: RenderOptions | None = None) -> list[str]:
    """What a user should know about a chart besides the check: links left out, and a critical
    path that was asked for but cannot be drawn, or is drawn without durations."""
    from kamflow.analysis.stats import critical_path_warnings

    highlight = options is not None and options.highlight == "critical-path"
    return link_warnings(process) + (critical_path_warnings(process, stats(process)) if highlight else [])


def link_warnings(process: Process) -> list[str]:
    """`PATH:LINE:COL: warning: ...` for step links no output shows (not http, https, mailto)."""
    from kamflow.model.links import unsafe_links

    return unsafe_links(process)


def themes() -> list[tuple[str, str]]:
    """(name, description) of every built-in chart theme, default first."""
    from kamflow.rendering.themes import describe_builtins

    return describe_builtins()


def check_theme(reference: str, *, relative_to: Path | str | None = None) -> Any:
    """Load a theme by name or file; raises LoadError with positioned problems when it is bad."""
    from kamflow.rendering.themes import load_theme

    return load_theme(reference, relative_to=relative_to)


# -- analysis -----------------------------------------------------------------------------------


def diff(old: Process, new: Process, *, workspace: Space = None) -> Any:
    """Every change from `old` (as-is) to `new` (to-be), as an analysis.ProcessDiff. Steps match by
    id, and through the reference steps they implement when both share a reference process.

        >>> import kamflow
        >>> kam = kamflow.load(kamflow.library_path("kam"))
        >>> kamflow.diff(kam, kam).identical
        True
    """
    from kamflow.analysis import diff_processes

    session = Session.of(workspace)
    return diff_processes(old, new, old_reference=session.reference_id(old), new_reference=session.reference_id(new))


def format_diff(result: Any, *, fmt: str = "text") -> str:
    """A diff as a change log (`text`) or as the JSON documented in docs/diff.md (`json`)."""
    from kamflow.analysis.diff import format_diff as formatted

    return formatted(result, fmt=fmt)


def diff_overlay(result: Any) -> Overlay:
    """The overlay of a diff chart: added and changed steps marked, removed steps as ghosts."""
    from kamflow.analysis import diff_overlay as overlay_of

    return overlay_of(result)


def render_diff(
    result: Any, *, formats: Iterable[str] = ("svg", "pdf"), output_dir: Path | str = "output", options: RenderOptions | None = None
) -> list[Path]:
    """Draw the diff chart (the new process with the diff overlay and a legend) as `<new id>-diff.<format>`."""
    from kamflow.analysis.diff import diff_chart_process

    options = replace(options or RenderOptions(), legend=True)  # a diff chart always explains its marks
    written = render(diff_chart_process(result), formats=formats, output_dir=output_dir, options=options, overlay=diff_overlay(result))
    assert isinstance(written, list)
    return written


def stats(process: Process) -> dict[str, Any]:
    """Path analytics as a plain, JSON-ready dict (documented in docs/diff.md): counts, loops,
    shortest and longest paths per end, the critical path, the expected duration from branch
    probabilities, hand-offs between lanes, and steps without owner or duration.

        >>> import kamflow
        >>> numbers = kamflow.stats(kamflow.load(kamflow.library_path("kam")))
        >>> numbers["counts"]["decisions"], numbers["critical_path"]["end"]
        (6, 'exited')
    """
    from kamflow.analysis import process_stats

    return process_stats(process)


def format_stats(numbers: dict[str, Any], process: Process, *, fmt: str = "text") -> str:
    from kamflow.analysis.stats import format_stats as formatted

    return formatted(numbers, process, fmt=fmt)


def critical_path_overlay(process: Process) -> Overlay:
    """Marks of kind "critical" on the steps and flows of the process's critical path."""
    from kamflow.analysis import critical_path_overlay as overlay_of

    return overlay_of(stats(process))


# -- the process library: list, show, new -------------------------------------------------------


def library_ids(*, workspace: Space = None) -> list[str]:
    """The ids of the bundled reference processes, sorted."""
    return Session.of(workspace).workspace.library_ids()


def library_processes(*, workspace: Space = None) -> list[Process]:
    """Every bundled reference process, loaded and sorted by id."""
    space = Session.of(workspace).workspace
    return [_shown(space.load(space.bundled_file(process_id))) for process_id in space.library_ids()]


def show_process(process_id: str, *, workspace: Space = None) -> str:
    """The YAML text of a bundled process, exactly as shipped."""
    from kamflow.files import read_text

    return read_text(Session.of(workspace).workspace.bundled_file(process_id), display=process_id)


def new_process(name: str, *, source: str, output_dir: Path | str = ".", workspace: Space = None) -> Path:
    """Write `output_dir/<name>.yaml`: a copy of `source` (a bundled id or a process file) with
    `id: <name>` and `based_on: <source>`, its comments and order kept. Never overwrites a file."""
    from kamflow.loader.derive import plan_copy

    target, text = plan_copy(name, source=source, folder=Path(output_dir), workspace=Session.of(workspace).workspace)
    return write_atomically({target: text.encode("utf-8")})[0]


# -- reports and portfolios ---------------------------------------------------------------------


def report(
    process: Process,
    *,
    fmt: str = "html",
    template: Path | str | None = None,
    options: RenderOptions | None = None,
    findings: list[Finding] | None = None,
    name: str | None = None,
    links: dict[str, str] | None = None,
    index_href: str | None = None,
    workspace: Space = None,
) -> dict[str, bytes]:
    """A report of one process as `{file name: bytes}`, nothing written: `<name>.html` (one
    self-contained page, chart inlined), or `<name>.md` with its chart `<name>.svg` beside it.
    `name` defaults to the process id; `findings` default to `check(process)`; `template` is a
    user's Jinja2 file (see docs/templates.md).

        >>> import kamflow
        >>> kam = kamflow.load(kamflow.library_path("kam"))
        >>> files = kamflow.report(kam, fmt="md")
        >>> sorted(files)
        ['kam.md', 'kam.svg']
        >>> files["kam.md"].decode().splitlines()[0]
        '# Key Account Management Process'
        >>> b"<svg" in kamflow.report(kam)["kam.html"]
        True
    """
    from kamflow.rendering.svg import flow_numbers
    from kamflow.reports import build_view, render_template, retarget_chart_links

    session = Session.of(workspace)
    if fmt == "docx":
        return {f"{name or process.id}.docx": report_docx([process], options=options, workspace=session)}
    if fmt not in ("html", "md"):
        raise UsageError(f"unknown report format {fmt!r}; choose html, md or docx")
    if template is not None:  # size, binary and UTF-8 as for process files, before Jinja reads it
        from kamflow.files import read_text

        read_text(template)
    findings = check(process, workspace=session) if findings is None else findings
    if fmt == "md" and not links:  # a lone Markdown report: no <id>.svg of a called process lies beside it
        options = replace(options or RenderOptions(), subprocess_links=())
    svg = render_charts(process, formats=("svg",), options=options)["svg"]
    stem = name or process.id
    reference = session.lookup(process)(process.based_on)[0] if process.based_on else None
    common: dict[str, Any] = {
        "links": links,
        "reference_title": reference.title if reference else None,
        "index_href": index_href,
        "numbers": flow_numbers(process),
        "stats": stats(process),
    }
    if fmt == "md":
        view = build_view(process, findings, chart_file=f"{stem}.svg", **common)
        chart = retarget_chart_links(svg.decode("utf-8"), links).encode("utf-8") if links else svg
        return {f"{stem}.md": render_template(view, kind="report", fmt="md", template=template).encode("utf-8"), f"{stem}.svg": chart}
    # in the page, a subprocess node leads to the called process's page, else to its table row
    hrefs = {s.id: (links or {}).get(s.id, f"#step-{s.id}") for s in process.steps if s.type == "subprocess"}
    view = build_view(process, findings, svg=retarget_chart_links(svg.decode("utf-8"), hrefs), **common)
    return {f"{stem}.html": render_template(view, kind="report", fmt="html", template=template).encode("utf-8")}


def portfolio(
    processes: list[Process],
    *,
    fmt: str = "html",
    template: Path | str | None = None,
    options: RenderOptions | None = None,
    title: str = "Process portfolio",
    workspace: Space = None,
) -> dict[str, bytes]:
    """A linked site for many processes as `{file name: bytes}`: `index.<fmt>` listing every
    process, one page per process named by its id, and each subprocess step linked to the page of
    the process it calls (resolved like the check resolves it) when that process is in the set.

        >>> import kamflow
        >>> kam = kamflow.load(kamflow.library_path("kam"))
        >>> plan = kamflow.load(kamflow.library_path("account-planning"))
        >>> site = kamflow.portfolio([kam, plan])
        >>> sorted(site)
        ['account-planning.html', 'index.html', 'kam.html']
        >>> b'href="account-planning.html"' in site["kam.html"]
        True
    """
    from kamflow.reports import build_index, build_view, render_template
    from kamflow.reports.site import portfolio_links

    session = Session.of(workspace)
    links = portfolio_links(processes, fmt=fmt, locate=lambda ref, at: session.workspace.locate(ref, relative_to=at))
    files: dict[str, bytes] = {}
    pages = []
    for process in sorted(processes, key=lambda p: p.id):
        findings = check(process, workspace=session)
        files.update(
            report(
                process,
                fmt=fmt,
                template=template,
                options=options,
                findings=findings,
                links=links[process.id],
                index_href=f"index.{fmt}",
                workspace=session,
            )
        )
        pages.append((build_view(process, findings, links=links[process.id]), f"{process.id}.{fmt}"))
    files[f"index.{fmt}"] = render_template(build_index(pages, title=title), kind="index", fmt=fmt).encode("utf-8")
    return dict(sorted(files.items()))


def write_report(
    paths: Iterable[Path | str],
    *,
    output: Path | str | None = None,
    fmt: str = "html",
    template: Path | str | None = None,
    options: RenderOptions | None = None,
    workspace: Space = None,
    reference_doc: Path | str | None = None,
) -> list[Path]:
    """`report` or `portfolio` written atomically: one process file gives one report at `output`
    (default `output/<id>.<fmt>`); a folder or several files give a portfolio in the folder
    `output` (default `output/report`). Returns the files written."""
    from kamflow.reports.site import portfolio_folder, report_file

    paths = list(paths)
    session = Session.of(workspace)
    processes = collect_processes(paths, workspace=session)
    if fmt == "docx":  # one Word document, for one process or a whole folder
        several = len(processes) > 1 or any(Path(p).is_dir() for p in paths)
        default = Path("output") / ("report.docx" if several else f"{processes[0].id}.docx")
        target = Path(output) if output is not None else default
        if target.is_dir() or target.suffix.lower() != ".docx":  # -o FOLDER: FOLDER/<id or report>.docx
            target = target / default.name
        data = report_docx(processes, options=options, reference_doc=reference_doc, workspace=session)
        return write_atomically({target: data})
    if len(processes) > 1 or any(Path(p).is_dir() for p in paths):
        folder = portfolio_folder(output, len(processes))
        files = portfolio(processes, fmt=fmt, template=template, options=options, workspace=session)
        return write_atomically({folder / name: data for name, data in files.items()})
    target = report_file(output, processes[0].id, fmt)
    files = report(processes[0], fmt=fmt, template=template, options=options, name=target.stem, workspace=session)
    return write_atomically({target.parent / name: data for name, data in files.items()})


def report_docx(
    processes: list[Process],
    *,
    options: RenderOptions | None = None,
    reference_doc: Path | str | None = None,
    title: str = "Process portfolio",
    workspace: Space = None,
) -> bytes:
    """One Word document (.docx) for one process or several (then `title` heads it and each
    process is a chapter): the HTML report's content in Word's heading, table and caption styles,
    the chart as SVG with a PNG fallback. `reference_doc` is a .docx whose styles, page and
    headers the document takes (pandoc's --reference-doc); the same input gives the same bytes.

        >>> import kamflow, io, zipfile
        >>> data = kamflow.report_docx([kamflow.load(kamflow.library_path("billing"))])
        >>> "word/document.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
        True
    """
    from kamflow.rendering.svg import flow_numbers
    from kamflow.reports import build_view
    from kamflow.reports.docx import Section, build_docx

    space = Session.of(workspace)
    template = _read_reference_doc(reference_doc) if reference_doc is not None else None
    options = options or RenderOptions()
    sections = []
    figure = 0
    for process in processes:
        findings = check(process, workspace=space)
        reference = space.lookup(process)(process.based_on)[0] if process.based_on else None
        reference_title = reference.title if reference is not None else None
        view = build_view(process, findings, reference_title=reference_title, numbers=flow_numbers(process), stats=stats(process))
        charts, notes = _document_charts(process, findings, options=options, first_figure=figure + 1)
        figure += len(charts)
        sections.append(Section(view, charts, notes))
    return build_docx(sections, title=title, reference_doc=template, page=options.page)


def _document_charts(process: Process, findings: list[Finding], *, options: RenderOptions, first_figure: int):
    """The chart pictures of a Word report: one figure, or the chart cut into figures joined by
    off-page connectors when its step text would be below 9 pt in the text block of the page."""
    from kamflow.model.split import numbered, smallest_text
    from kamflow.rendering.chart import resolve_theme
    from kamflow.rendering.convert import convert
    from kamflow.rendering.svg import write_svg
    from kamflow.reports.docx import PAGE_SIZES as DOC_PAGES
    from kamflow.reports.docx import Chart

    chart_options = replace(options, subprocess_links=options.subprocess_links if options.subprocess_links is not None else subprocess_links(process))
    overlay = ghost_overlay(process, findings) if chart_options.ghosts else Overlay()
    if chart_options.highlight == "critical-path":
        overlay = overlay.merged(critical_path_overlay(process))
        chart_options = replace(chart_options, legend=True)
    page_w, page_h = DOC_PAGES[options.page or "A4"]
    room = (page_w - 2 * 56.7, page_h - 2 * 56.7 - 72)  # the text block of the default margins, less a caption

    def text_at(scenes) -> float:
        return min(smallest_text(scene) * min(1.0, room[0] / scene.width, room[1] / scene.height) for scene in scenes)

    try:
        plan = _chart_plan(process, overlay=overlay, options=chart_options, unit="figure", text_at=text_at)
        theme = resolve_theme(process, chart_options)
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
    notes = (
        (
            f"The chart is cut into {len(scenes)} figures at {len(plan.cuts)} flows, joined by off-page connectors "
            f"({', '.join(cut.letter for cut in plan.cuts)}), so that its text stays readable.",
        )
        if plan.split
        else ()
    )
    return tuple(charts), notes


MAX_REFERENCE_DOC = 50 * 1024 * 1024


def _read_reference_doc(path: Path | str) -> bytes:
    """A client's .docx template as bytes; anything else is one positioned usage error."""
    import io
    import zipfile

    source = Path(path)
    try:
        size = source.stat().st_size
        if size > MAX_REFERENCE_DOC:
            raise UsageError(f"{path}: the reference document is {size:,} bytes; at most {MAX_REFERENCE_DOC:,} are read")
        data = source.read_bytes()
    except IsADirectoryError:
        raise UsageError(f"{path}: a folder, not a Word document (.docx)") from None
    except OSError as error:
        raise UsageError(f"{path}: cannot read the reference document: {error.strerror or error}") from None
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


# -- exports ------------------------------------------------------------------------------------


def export(process: Process, *, to: str, direction: str | None = None, timeout: float = 60.0) -> str:
    """The process as text in a hand-off format: bpmn, drawio, mermaid, graphml or json.

    BPMN and draw.io get their geometry from a Graphviz layout computed here (BPMN always left to
    right; draw.io and Mermaid follow `direction`, else the process's own).

        >>> import kamflow
        >>> text = kamflow.export(kamflow.load(kamflow.library_path("billing")), to="mermaid")
        >>> text.splitlines()[:2]
        ['%% Billing (Order to Invoice to Cash)', 'flowchart TD']
    """
    from kamflow.exporters import export_text, get_exporter
    from kamflow.rendering.layout import compute_layout

    exporter = get_exporter(to)
    if direction is not None and direction not in ("TB", "LR"):
        raise UsageError(f"direction must be TB or LR, not {direction!r}")
    layout = None
    if exporter.needs_layout:
        wanted = (direction or process.direction) if exporter.layout_direction == "process" else exporter.layout_direction
        try:
            layout = compute_layout(process, direction=wanted, band_padding=exporter.band_padding, timeout=timeout)
        except RenderError as error:
            raise error.at(process.path) from None
    return export_text(process, exporter, layout=layout, direction=direction)


def export_formats() -> list[str]:
    """The names `kamflow export --to` accepts: bpmn, drawio, mermaid, graphml, json (text, also
    from `export(to=...)`) and pptx (a deck, from `export_deck`)."""
    from kamflow.exporters import EXPORTERS

    return [*EXPORTERS, "pptx"]


def export_deck(
    processes: list[Process],
    *,
    options: RenderOptions | None = None,
    title: str | None = None,
    notes: list[str] | None = None,
    workspace: Space = None,
) -> bytes:
    """A PowerPoint deck (.pptx) of native, editable shapes: a title slide, an index slide when
    there are several processes, then each process's chart, cut over several slides joined by
    off-page connectors when its text would be below 9 pt on one. Every flow is a connector glued
    to its two shapes; the speaker notes list each step's owner, duration, KPIs, inputs and
    outputs; a subprocess step links to the slide of its process when that is in the deck. What
    was split is appended to `notes`. The same input gives the same bytes.

        >>> import kamflow, io, zipfile
        >>> data = kamflow.export_deck([kamflow.load(kamflow.library_path("billing"))])
        >>> "ppt/slides/slide2.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
        True
    """
    from kamflow.exporters.pptx import MARGIN, SLIDE_HEIGHT, SLIDE_WIDTH, TITLE_HEIGHT, ChartSlide, Deck, drawn_region, write_pptx
    from kamflow.model.split import numbered, smallest_text
    from kamflow.rendering.chart import resolve_theme
    from kamflow.rendering.svg import flow_numbers
    from kamflow.reports import build_view

    space = Session.of(workspace)
    options = options or RenderOptions()
    room = (SLIDE_WIDTH - 2 * MARGIN, SLIDE_HEIGHT - TITLE_HEIGHT - 2 * MARGIN)

    def text_at(scenes) -> float:
        sizes = []
        for scene in scenes:
            region = drawn_region(scene)
            sizes.append(smallest_text(scene) * min(room[0] / max(region.width, 1.0), room[1] / max(region.height, 1.0), 1.5))
        return min(sizes)

    ids = {p.id for p in processes}
    several = len(processes) > 1
    plans = []
    for process in processes:
        findings = check(process, workspace=space)
        resolved = options.subprocess_links if options.subprocess_links is not None else subprocess_links(process, workspace=space)
        chart_options = replace(options, subprocess_links=resolved)
        overlay = ghost_overlay(process, findings, workspace=space) if chart_options.ghosts else Overlay()
        if chart_options.highlight == "critical-path":
            overlay = overlay.merged(critical_path_overlay(process))
            chart_options = replace(chart_options, legend=True)
        try:
            plan = _chart_plan(process, overlay=overlay, options=chart_options, unit="slide", text_at=text_at)
        except RenderError as error:
            raise error.at(process.path) from None
        view = build_view(process, findings, numbers=flow_numbers(process))
        plans.append((process, plan, view, resolve_theme(process, chart_options)))
    slides, themes = [], {}
    number = 2 if several else 1  # the title slide, then the index slide
    for process, plan, view, theme in plans:
        scenes = numbered(plan, number)
        count = len(scenes)
        by_step = {step["id"]: step for step in view["steps"]}
        for index, scene in enumerate(scenes, start=1):
            key = process.id if index == 1 else f"{process.id}#{index}"
            links: dict[str, str] = {}
            for step in scene.steps:
                if step.subprocess and step.subprocess in ids:
                    links[step.id] = step.subprocess
                elif step.id.startswith("offpage-to-") or step.id.startswith("offpage-from-"):
                    cut = next(c for c in plan.cuts if c.letter == step.id.rsplit("-", 1)[1])
                    part = cut.target_part if step.id.startswith("offpage-to-") else cut.source_parts[0]
                    links[step.id] = process.id if part == 1 else f"{process.id}#{part}"
            own = plan.parts[index - 1].steps if plan.split else tuple(by_step)
            subtitle = f"{process.id} · part {index} of {count}" if count > 1 else process.id
            slides.append(ChartSlide(key, scene, process.title, subtitle, _speaker_notes([by_step[s] for s in by_step if s in own]), links))
            themes[key] = theme
        number += count
        if plan.split and notes is not None:
            notes.append(plan.summary(f"{process.path}: slides"))
    if several:
        deck = Deck(title or "Process portfolio", f"{len(processes)} processes", tuple(slides), index=True, author="kamflow")
    else:
        process = processes[0]
        meta = " · ".join(filter(None, [process.description[:300], process.version and f"version {process.version}", process.author, process.date]))
        deck = Deck(title or process.title, meta, tuple(slides), author=process.author or "kamflow")
    return write_pptx(deck, themes=themes)


def _speaker_notes(steps: list[dict]) -> str:
    """What a presenter says about each step on a slide: number and label, then owner, duration,
    KPIs, inputs and outputs (from the report's view of the steps)."""
    lines = []
    for step in steps:
        lines.append(f"{step['number']}. {step['label']}")
        facts = [
            ("Lane", step["lane"]),
            ("Owner", step["owner"]),
            ("Duration", step["duration"]),
            ("KPIs", "; ".join(step["kpis"])),
            ("Inputs", "; ".join(step["inputs"])),
            ("Outputs", "; ".join(step["outputs"])),
            ("Notes", step["notes"]),
        ]
        lines.extend(f"   {name}: {value}" for name, value in facts if value)
    return "\n".join(lines)


def write_deck(
    processes: list[Process],
    *,
    output: Path | str | None = None,
    options: RenderOptions | None = None,
    notes: list[str] | None = None,
    workspace: Space = None,
) -> list[Path]:
    """export_deck written atomically: to `output` (a .pptx file, or a folder that gets
    `<process id>.pptx`, or `deck.pptx` for several processes), default the folder `output`."""
    if not processes:
        raise UsageError("no process files found")
    name = f"{processes[0].id}.pptx" if len(processes) == 1 else "deck.pptx"
    target = Path(output) if output is not None else Path("output")
    if target.is_dir() or target.suffix.lower() != ".pptx":
        target = target / name
    return write_atomically({target: export_deck(processes, options=options, notes=notes, workspace=workspace)})


def export_files(processes: list[Process], *, to: str, output: Path | str, direction: str | None = None, timeout: float = 60.0) -> list[Path]:
    """Export and write atomically (all files or none): see exporters.export_targets for where."""
    from kamflow.exporters import export_targets, get_exporter

    exporter = get_exporter(to)
    targets = export_targets([p.id for p in processes], output=output, extension=exporter.extension)
    return write_atomically(
        {path: export(p, to=exporter.name, direction=direction, timeout=timeout).encode("utf-8") for path, p in zip(targets, processes)}
    )


def json_schema(of: str = "process") -> str:
    """A JSON Schema as text: `process` for the YAML process format, `export` for the node-link
    JSON export. The files in docs/json-schema/ are exactly these."""
    from kamflow.loader.jsonschema import schema_text

    return schema_text(of)


# -- importing BPMN, draw.io, Mermaid and spreadsheets -----------------------------------------


def import_file(path: Path | str, *, fmt: str | None = None, sheet: str | None = None) -> list[Process]:
    """The processes in a BPMN 2.0, draw.io, Mermaid, CSV or XLSX file (the format from the
    suffix or the content, or `fmt`), steps in flow order. `import_notes` also gives what the
    mapping could not keep.

        >>> import kamflow, tempfile, pathlib
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     chart = pathlib.Path(folder, "order.mmd")
        ...     _ = chart.write_text("flowchart TD\\n  a([Order in]) --> b{Paid?}\\n  b -->|Yes| c([Shipped])\\n  b -->|No| d([Cancelled])\\n")
        ...     [(s.id, s.type, s.label) for s in kamflow.import_file(chart)[0].steps]
        [('a', 'start', 'Order in'), ('b', 'decision', 'Paid?'), ('c', 'end', 'Shipped'), ('d', 'end', 'Cancelled')]
    """
    return import_notes(path, fmt=fmt, sheet=sheet)[0]


def import_notes(path: Path | str, *, fmt: str | None = None, sheet: str | None = None, taken: set[str] | None = None):
    """(processes, notes): the processes in one file and a Note (`str(note)` is a
    `FILE:LINE:COL: warning: ...` line) for every mapping that lost something."""
    from kamflow.loader.imports import FORMATS, import_processes

    if fmt is not None and fmt not in FORMATS:
        raise UsageError(f"unknown import format {fmt!r}; choose from {', '.join(FORMATS)}")
    return import_processes(path, fmt=fmt, sheet=sheet, taken=taken)


def imported_yaml(process: Process, *, source: str, fmt: str | None = None) -> str:
    """An imported process as process-file text like the bundled library's, with a header naming
    the source file; it loads back as the same process (checked)."""
    from kamflow.exporters.process_yaml import to_process_yaml
    from kamflow.loader import load_process_text
    from kamflow.loader.imports import FORMAT_NAMES

    what = FORMAT_NAMES.get(fmt or "", "another tool")
    header = [process.title, f"Imported by `kamflow import` from {source} ({what}); the source's own layout is not kept."]
    text = to_process_yaml(process, header=header)
    again = load_process_text(text, f"{process.id}.yaml")
    if [(s.id, s.type, s.label, s.lane) for s in again.steps] != [(s.id, s.type, s.label, s.lane) for s in process.steps] or [
        (e.source, e.target, e.label) for e in again.edges
    ] != [(e.source, e.target, e.label) for e in process.edges]:
        raise RuntimeError(f"kamflow bug: the YAML written for {process.id!r} does not read back as the imported process")
    return text


def import_files(paths: Iterable[Path | str], *, output_dir: Path | str = ".", fmt: str | None = None, sheet: str | None = None, force: bool = False):
    """Import every file and write `output_dir/<process id>.yaml` for each process found, all or
    nothing: every file is read and every output prepared before the first is written, and an
    existing file is only replaced with `force`. Returns (written paths, notes)."""
    from kamflow.loader.imports import detect_format
    from kamflow.loader.yamlsrc import read_bytes

    folder = Path(output_dir)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file, not a folder")
    outputs: dict[Path, bytes] = {}
    all_notes = []
    taken: set[str] = set()
    for path in paths:
        processes, notes = import_notes(path, fmt=fmt, sheet=sheet, taken=taken)
        kind = fmt or detect_format(path, read_bytes(path)[:4096])
        all_notes.extend(notes)
        for process in processes:
            target = folder / f"{process.id}.yaml"
            if target.exists() and not force:
                raise UsageError(f"{target} already exists; kamflow import never overwrites a file without --force")
            outputs[target] = imported_yaml(process, source=Path(path).as_posix(), fmt=kind).encode("utf-8")
    return write_atomically(outputs), all_notes
