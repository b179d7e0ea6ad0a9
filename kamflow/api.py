"""The Python API: the pipeline stages wired together. The CLI is a thin layer over this module.

    >>> import kamflow
    >>> process = kamflow.load(kamflow.library_path("kam"))
    >>> [f for f in kamflow.check(process) if f.severity == "error"]
    []
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Iterable

from kamflow.checks import CheckContext, Finding, run_checks
from kamflow.errors import LoadError, Problem, RenderError, Span, UsageError
from kamflow.files import write_atomically
from kamflow.loader import Workspace, find_process_files
from kamflow.model.overlay import Overlay
from kamflow.model.process import Process
from kamflow.rendering import RENDER_FORMATS
from kamflow.rendering.options import RenderOptions

_workspace: Workspace | None = None


def _default_workspace() -> Workspace:
    global _workspace
    if _workspace is None:
        _workspace = Workspace()
    return _workspace


def library_path(process_id: str) -> Path:
    """The file of a bundled reference process."""
    found = _default_workspace().locate(process_id, relative_to=_default_workspace().library / "x.yaml")
    if found is None:
        raise LoadError([Problem(Span(process_id), f"no bundled process with id {process_id!r}")])
    return found


def load(path: Path | str, *, workspace: Workspace | None = None) -> Process:
    """Read and validate a process file; raises LoadError with every problem found.

        >>> import kamflow
        >>> kam = kamflow.load(kamflow.library_path("kam"))
        >>> kam.id, kam.title, len(kam.steps)
        ('kam', 'Key Account Management Process', 35)
        >>> kam.steps[0].type, kam.steps_by_id["select_key"].lane
        ('start', 'sponsor')
    """
    return (workspace or _default_workspace()).load(path)


def collect_processes(paths: Iterable[Path | str], *, workspace: Workspace | None = None) -> list[Process]:
    """Load every process file under the given files and folders; all load problems in one error."""
    space = workspace or _default_workspace()
    processes: list[Process] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            files = find_process_files(path)
        except LoadError as error:
            problems.extend(error.problems)
            continue
        for file in files:
            try:
                processes.append(space.load(file))
            except LoadError as error:
                problems.extend(error.problems)
    if problems:
        raise LoadError(problems)
    return processes


def _lookup_for(process: Process, space: Workspace):
    def lookup(reference: str, relative_to: str | None = None):
        try:
            found = space.lookup(reference, relative_to=relative_to or process.path)
        except LoadError as error:
            # The referenced file is named, its content is not echoed: a process file from someone
            # else must not turn kamflow into a reader of other files' text.
            count = len(error.problems)
            shown = error.problems[0].span.path
            return None, f"does not load ({count} problem{'s' if count != 1 else ''}; `kamflow check {shown}` shows them)"
        if found is None:
            if Path(reference).is_absolute():
                return None, "is an absolute path; a process names other processes by id or by a path relative to its own file"
            here = "beside this file" if Path(process.path).is_file() else "in the current folder"  # stdin, a notebook cell
            return None, f"was not found {here} or in the bundled library"
        return found, None

    return lookup


def check(
    process: Process,
    *,
    enabled: Iterable[str] | None = None,
    disabled: Iterable[str] = (),
    workspace: Workspace | None = None,
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
    from kamflow.checks.presets import select_rules

    space = workspace or _default_workspace()
    try:
        if enabled is not None:  # exactly these rules
            select_rules(enable=tuple(enabled) + tuple(disabled))  # unknown ids raise
            chosen = set(enabled) - set(disabled)
        else:
            chosen = select_rules(preset=preset, enable=enable, disable=tuple(disable) + tuple(disabled))
    except ValueError as error:
        raise UsageError(str(error)) from None
    ctx = _check_context(process, space, against=against)
    return run_checks(ctx, enabled=chosen)


def _theme_problem(theme: str, process: Process) -> str | None:
    """Why a process's `theme:` would stop its render (as `render` would say it), or None."""
    from kamflow.rendering.themes import load_theme

    try:
        load_theme(theme, relative_to=process.path)
    except LoadError as error:
        return error.problems[0].message
    return None


def _check_context(process: Process, space: Workspace, *, against: str | None = None) -> CheckContext:
    """The context rules see, with the reference (`against`, else `based_on`) resolved."""
    lookup = _lookup_for(process, space)
    ctx = CheckContext(process=process, lookup=lookup, theme_problem=lambda theme: _theme_problem(theme, process))
    if against is not None:
        ctx.reference_name, ctx.reference_span = against, Span(process.path, 1, 1)
        if Path(against).suffix.lower() in (".yaml", ".yml"):  # a path from the command line: relative to where the user is
            try:
                ctx.reference = space.load(against) if Path(against).is_file() else None
                ctx.reference_error = None if ctx.reference is not None else "was not found (no such file)"
            except LoadError as error:
                ctx.reference_error = f"does not load: {error.problems[0]}"
        else:
            ctx.reference, ctx.reference_error = lookup(against)
    elif process.based_on:
        ctx.reference_name, ctx.reference_span = process.based_on, process.span_of("based_on")
        ctx.reference, ctx.reference_error = lookup(process.based_on)
    return ctx


def ghost_overlay(process: Process, findings: Iterable[Finding] | None = None, *, against: str | None = None, workspace: Workspace | None = None) -> Overlay:
    """What the chart adds for the findings: each missing essential step as a dashed ghost
    between the steps that surround it in the reference, each flow to a missing id as a ghost
    "Missing: <id>", and a "dead end" mark on dead ends. `findings` defaults to `check(process,
    against=against)`; only what they report is drawn, so suppressed findings draw nothing."""
    from kamflow.checks.conformance import ghost_overlay as build

    space = workspace or _default_workspace()
    findings = list(check(process, against=against, workspace=space) if findings is None else findings)
    ctx = _check_context(process, space, against=against)
    missing = [f.reference_step for f in findings if f.rule == "missing-essential-step" and f.reference_step]
    dangling_from = {f.step for f in findings if f.rule == "unknown-target"}
    known = process.steps_by_id
    dangling = [(e.source, e.target) for e in process.edges if e.target not in known and e.source in dangling_from]
    dead_ends = [f.step for f in findings if f.rule == "dead-end" and f.step]
    from kamflow.checks.conformance import structural_marks

    return build(process, ctx.reference, missing=missing, dangling=dangling, dead_ends=dead_ends, structural=structural_marks(process, findings))


def has_ghosts(overlay: Overlay) -> bool:
    return bool(overlay.ghosts or overlay.step_marks or overlay.edge_marks or overlay.extra_edges)


def render(
    process: Process,
    *,
    formats: Iterable[str] = ("svg", "pdf"),
    output_dir: Path | str | None = "output",
    options: RenderOptions | None = None,
    direction: str | None = None,
    overlay: Overlay | None = None,
    findings: list[Finding] | None = None,
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
    wanted = chart_formats(formats)
    charts = render_charts(process, formats=wanted, options=options, direction=direction, overlay=overlay, findings=findings)
    if output_dir is None:
        return charts
    folder = Path(output_dir)
    return write_atomically({folder / f"{process.id}.{fmt}": data for fmt, data in charts.items()})


def render_charts(
    process: Process,
    *,
    formats: Iterable[str] = ("svg",),
    options: RenderOptions | None = None,
    direction: str | None = None,
    overlay: Overlay | None = None,
    findings: list[Finding] | None = None,
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
    wanted = chart_formats(formats)
    options = options or RenderOptions()
    if direction is not None:
        options = replace(options, direction=direction)
    if options.direction is not None and options.direction not in ("TB", "LR"):
        raise UsageError(f"direction must be TB or LR, not {options.direction!r}")
    if overlay is None and options.ghosts:
        overlay = ghost_overlay(process, findings)
    if options.highlight == "critical-path":
        overlay = (overlay or Overlay()).merged(critical_path_overlay(process))
        options = replace(options, legend=True)
    if options.subprocess_links is None:
        options = replace(options, subprocess_links=subprocess_links(process))
    from kamflow.rendering.chart import render_process

    try:
        return render_process(process, wanted, overlay=overlay, options=options)
    except RenderError as error:
        raise error.at(process.path) from None


def subprocess_links(process: Process, *, workspace: Workspace | None = None) -> tuple[tuple[str, str], ...]:
    """(step id, process id) for each subprocess step whose `process` reference (an id or a file
    path) resolves to a process that loads: its chart links to <process id>.svg / .pdf."""
    space = workspace or _default_workspace()
    links = []
    for step in process.steps:
        if step.type != "subprocess" or not step.process:
            continue
        try:
            found = space.lookup(step.process, relative_to=process.path)
        except LoadError:
            found = None
        if found is not None:
            links.append((step.id, found.id))
    return tuple(links)


def chart_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    """Chart formats as given by a user ("svg,pdf" or a list): checked, lower-case, without repeats."""
    if isinstance(formats, str):
        formats = formats.split(",")
    wanted = tuple(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    unknown = [f for f in wanted if f not in RENDER_FORMATS]
    if unknown or not wanted:
        raise UsageError(f"unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(RENDER_FORMATS)}")
    return wanted


def rules() -> list[dict]:
    """Every check rule: id, default severity, summary, whether it is recommended (on by default)
    and whether it needs a reference process; sorted by id."""
    from kamflow.checks import all_rules

    return [
        {"id": r.id, "severity": r.severity, "summary": r.summary, "recommended": r.recommended, "reference": r.needs_reference}
        for r in all_rules().values()
    ]


def rule_doc(rule_id: str) -> str:
    """A rule's documentation page (Markdown); UsageError for an unknown id."""
    from kamflow.checks.docs import rule_doc as page
    from kamflow.checks.presets import describe_unknown, unknown_rule_ids

    unknown = unknown_rule_ids([rule_id])
    if unknown:
        raise UsageError(describe_unknown(*unknown[0]))
    text = page(rule_id)
    if text is None:
        raise UsageError(f"rule {rule_id!r} has no documentation page")
    return text


def check_rule_ids(ids: Iterable[str]) -> None:
    """UsageError naming the first id that is not a rule (with the closest known id)."""
    from kamflow.checks.presets import describe_unknown, unknown_rule_ids

    unknown = unknown_rule_ids(ids)
    if unknown:
        raise UsageError(describe_unknown(*unknown[0]))


def format_findings(findings: list[Finding], *, fmt: str = "text", files: int = 1) -> str:
    """Findings as `text` (one line each plus a summary), `json` or `sarif` (SARIF 2.1.0)."""
    from kamflow.checks.formats import findings_json, findings_text

    if fmt == "json":
        return findings_json(findings)
    if fmt == "sarif":
        from kamflow.checks import all_rules
        from kamflow.checks.formats import findings_sarif

        return findings_sarif(findings, all_rules())
    if fmt == "text":
        return findings_text(findings, files=files)
    raise UsageError(f"unknown findings format {fmt!r}; choose text, json or sarif")


# -- As-is / to-be diff and path analytics ---------------------------------------------------------

def load_any(reference: Path | str, *, workspace: Workspace | None = None) -> Process:
    """A process named on the command line: a file path, or an id resolved like a `based_on`
    reference from the current folder (`<id>.yaml` there, then the bundled library)."""
    space = workspace or _default_workspace()
    text = str(reference)
    if Path(text).exists() or "/" in text or "\\" in text or Path(text).suffix:
        return space.load(text)
    found = space.locate(text, relative_to=None)
    if found is None:
        raise LoadError([Problem(Span(text), f"no such file, and no process with that id here or in the bundled library ({', '.join(space.library_ids())})")])
    return space.load(found)


def diff(old: Process, new: Process, *, workspace: Workspace | None = None):
    """Every change from `old` (as-is) to `new` (to-be), as an analysis.ProcessDiff. Steps match by
    id, and through the reference steps they implement when both share a reference process.

        >>> import kamflow
        >>> kam = kamflow.load(kamflow.library_path("kam"))
        >>> kamflow.diff(kam, kam).identical
        True
    """
    from kamflow.analysis import diff_processes

    space = workspace or _default_workspace()
    return diff_processes(old, new, old_reference=_reference_id(old, space), new_reference=_reference_id(new, space))


def _reference_id(process: Process, space: Workspace) -> str | None:
    """The id of the process `based_on` names (its file stem when it cannot be loaded)."""
    if not process.based_on:
        return None
    found, _ = _lookup_for(process, space)(process.based_on)
    return found.id if found is not None else Path(process.based_on).stem


def format_diff(result, *, fmt: str = "text") -> str:
    """A diff as a change log (`text`) or as the JSON documented in docs/diff.md (`json`)."""
    from kamflow.analysis import diff_json, diff_text

    if fmt not in ("text", "json"):
        raise UsageError(f"unknown diff format {fmt!r}; choose text or json")
    return diff_json(result) if fmt == "json" else diff_text(result)


def diff_overlay(result) -> Overlay:
    """The overlay of a diff chart: added and changed steps marked, removed steps as ghosts."""
    from kamflow.analysis import diff_overlay as overlay_of

    return overlay_of(result)


def render_diff(result, *, formats: Iterable[str] = ("svg", "pdf"), output_dir: Path | str = "output", options: RenderOptions | None = None) -> list[Path]:
    """Draw the diff chart (the new process with the diff overlay, and a legend) as
    `<new id>-diff.<format>`."""
    new = result.new
    title = f"{new.title}: changes from {result.old.title}" if new.title != result.old.title else f"{new.title}: changes"
    chart = replace(new, id=f"{new.id}-diff", title=title)
    options = replace(options or RenderOptions(), legend=True)  # a diff chart always explains its marks
    return render(chart, formats=formats, output_dir=output_dir, options=options, overlay=diff_overlay(result))


def stats(process: Process) -> dict:
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


def format_stats(numbers: dict, process: Process, *, fmt: str = "text") -> str:
    from kamflow.analysis import stats_json, stats_text

    if fmt not in ("text", "json"):
        raise UsageError(f"unknown stats format {fmt!r}; choose text or json")
    return stats_json(numbers) if fmt == "json" else stats_text(numbers, process)


def critical_path_overlay(process: Process) -> Overlay:
    """Marks of kind "critical" on the steps and flows of the process's critical path."""
    from kamflow.analysis import critical_path_overlay as overlay_of

    return overlay_of(stats(process))


# -- The process library: list, show, new -------------------------------------------------------

def library_ids(*, workspace: Workspace | None = None) -> list[str]:
    """The ids of the bundled reference processes, sorted."""
    return (workspace or _default_workspace()).library_ids()


def library_processes(*, workspace: Workspace | None = None) -> list[Process]:
    """Every bundled reference process, loaded and sorted by id."""
    space = workspace or _default_workspace()
    return [space.load(_bundled_file(process_id, space)) for process_id in space.library_ids()]


def show_process(process_id: str, *, workspace: Workspace | None = None) -> str:
    """The YAML text of a bundled process, exactly as shipped."""
    from kamflow.loader.yamlsrc import read_text

    return read_text(_bundled_file(process_id, workspace or _default_workspace()), display=process_id)


def new_process(name: str, *, source: str, output_dir: Path | str = ".", workspace: Workspace | None = None) -> Path:
    """Write `output_dir/<name>.yaml`: a copy of `source` (a bundled id or a process file) with
    `id: <name>` and `based_on: <source>`, its comments and order kept. Never overwrites a file."""
    import os
    import re

    from kamflow.loader import load_process_text
    from kamflow.loader.derive import derive_text
    from kamflow.loader.schema import ID_PATTERN
    from kamflow.loader.workspace import PROCESS_SUFFIXES
    from kamflow.loader.yamlsrc import read_text

    space = workspace or _default_workspace()
    if not re.match(ID_PATTERN, name):
        raise UsageError(f"process name {name!r} is not a valid id: start with a letter, then letters, digits, '_' or '-', at most 64 characters")
    folder = Path(output_dir)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file, not a folder")
    for suffix in PROCESS_SUFFIXES:
        if (folder / f"{name}{suffix}").exists():
            raise UsageError(f"{folder / (name + suffix)} already exists; kamflow new never overwrites a file (choose another name or folder)")
    target = folder / f"{name}.yaml"
    if Path(source).is_dir():
        raise LoadError([Problem(Span(source), "is a folder, not a process file")])
    if source.lower().endswith(PROCESS_SUFFIXES):
        source_file = Path(source)
        if not source_file.is_file():
            raise LoadError([Problem(Span(source), "is a folder, not a process file" if source_file.is_dir() else "no such file")])
        reference = Path(os.path.relpath(source_file.resolve(), folder.resolve())).as_posix()
    elif re.match(ID_PATTERN, source):
        source_file = _bundled_file(source, space)
        reference = source
        if source == name:
            raise UsageError(f"a process cannot be based on itself: choose a NAME other than {source!r}")
        for suffix in PROCESS_SUFFIXES:
            shadow = folder / f"{source}{suffix}"
            if shadow.is_file() and shadow.resolve() != source_file.resolve():
                raise UsageError(f"based_on: {source} would resolve to {shadow} (ids resolve beside the file first), not to the bundled process; write the copy to another folder with -o")
    else:
        raise UsageError(f"--from {source}: give a bundled process id ({', '.join(space.library_ids())}) or a .yaml file")
    space.load(source_file)  # the reference itself must load
    text = derive_text(read_text(source_file), shown=str(source_file), new_id=name, based_on=reference)
    made = load_process_text(text, str(target))
    if made.id != name or made.based_on != reference:
        raise RuntimeError(f"kamflow bug: the copy of {source} lost its id or based_on")
    return write_atomically({target: text.encode("utf-8")})[0]


def _bundled_file(process_id: str, space: Workspace) -> Path:
    from kamflow.loader.workspace import PROCESS_SUFFIXES

    ids = space.library_ids()
    if process_id in ids:
        for suffix in PROCESS_SUFFIXES:
            candidate = space.library / f"{process_id}{suffix}"
            if candidate.is_file():
                return candidate
    raise UsageError(f"no bundled process {process_id!r}; the library has: {', '.join(ids)}")


# --- text input, reports and portfolios ---------------------------------------------------------


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

    return load_process_text(text, name)


def load_stream(stream, *, name: str = "<stdin>") -> Process:
    """A process from a binary stream (stdin), read with the same guards as a file: at most the
    size limit (one byte more is read, to tell), no binary data, UTF-8 only."""
    from kamflow.files import read_stream

    return loads(read_stream(stream, name), name=name)


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
    workspace: Workspace | None = None,
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
    from kamflow.reports import build_view, render_template, retarget_chart_links

    space = workspace or _default_workspace()
    if fmt not in ("html", "md"):
        raise UsageError(f"unknown report format {fmt!r}; choose html or md")
    if template is not None:  # size, binary and UTF-8 as for process files, before Jinja reads it
        from kamflow.loader.yamlsrc import read_text

        read_text(template)
    if findings is None:
        findings = check(process, workspace=space)
    if fmt == "md" and not links:  # a lone Markdown report: no <id>.svg of a called process lies beside it
        options = replace(options or RenderOptions(), subprocess_links=())
    svg = render_charts(process, formats=("svg",), options=options)["svg"]
    stem = name or process.id
    reference_title = None
    if process.based_on:
        reference, _ = _lookup_for(process, space)(process.based_on)
        reference_title = reference.title if reference is not None else None
    from kamflow.rendering.svg import flow_numbers

    common = {"links": links, "reference_title": reference_title, "index_href": index_href, "numbers": flow_numbers(process), "stats": stats(process)}
    if fmt == "md":
        view = build_view(process, findings, chart_file=f"{stem}.svg", **common)
        text = render_template(view, kind="report", fmt="md", template=template)
        chart = retarget_chart_links(svg.decode("utf-8"), links).encode("utf-8") if links else svg
        return {f"{stem}.md": text.encode("utf-8"), f"{stem}.svg": chart}
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
    workspace: Workspace | None = None,
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

    space = workspace or _default_workspace()
    by_id: dict[str, Process] = {}
    for process in processes:
        if process.id in by_id:
            raise UsageError(f"two processes have the id {process.id!r}: {by_id[process.id].path} and {process.path}; a portfolio names pages by id")
        by_id[process.id] = process
    if "index" in by_id:
        raise UsageError(f"{by_id['index'].path}: the id 'index' is the portfolio's index page; rename the process")
    page_of = {Path(p.path).resolve(): f"{p.id}.{fmt}" for p in processes}
    files: dict[str, bytes] = {}
    pages = []
    for process in sorted(processes, key=lambda p: p.id):
        links = {}
        for step in process.steps:
            if step.type == "subprocess" and step.process:
                found = space.locate(step.process, relative_to=process.path)
                if found is not None and found.resolve() in page_of:
                    links[step.id] = page_of[found.resolve()]
        findings = check(process, workspace=space)
        page = report(process, fmt=fmt, template=template, options=options, findings=findings, links=links, index_href=f"index.{fmt}", workspace=space)
        files.update(page)
        pages.append((build_view(process, findings, links=links), f"{process.id}.{fmt}"))
    index = render_template(build_index(pages, title=title), kind="index", fmt=fmt)
    files[f"index.{fmt}"] = index.encode("utf-8")
    return dict(sorted(files.items()))


def write_report(
    paths: Iterable[Path | str],
    *,
    output: Path | str | None = None,
    fmt: str = "html",
    template: Path | str | None = None,
    options: RenderOptions | None = None,
    workspace: Workspace | None = None,
) -> list[Path]:
    """`report` or `portfolio` written atomically: one process file gives one report at `output`
    (default `output/<id>.<fmt>`); a folder or several files give a portfolio in the folder
    `output` (default `output/report`). Returns the files written."""
    paths = list(paths)
    processes = collect_processes(paths, workspace=workspace)
    if not processes:
        raise UsageError("no process files found in " + ", ".join(str(p) for p in paths))
    if len(processes) > 1 or any(Path(p).is_dir() for p in paths):
        folder = Path(output) if output is not None else Path("output") / "report"
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"{folder} is a file; a portfolio ({len(processes)} processes) needs a folder for -o")
        files = portfolio(processes, fmt=fmt, template=template, options=options, workspace=workspace)
        return write_atomically({folder / name: data for name, data in files.items()})
    process = processes[0]
    target = Path(output) if output is not None else Path("output") / f"{process.id}.{fmt}"
    if target.is_dir():  # -o FOLDER for one process: FOLDER/<id>.<fmt>
        target = target / f"{process.id}.{fmt}"
    files = report(process, fmt=fmt, template=template, options=options, name=target.stem, workspace=workspace)
    return write_atomically({target.parent / name: data for name, data in files.items()})


def _svg_text(process: Process) -> str:
    return render_charts(process, formats=("svg",))["svg"].decode("utf-8")


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


def json_schema(of: str = "process") -> str:
    """A JSON Schema as text: `process` for the YAML process format, `export` for the node-link
    JSON export. The files in docs/json-schema/ are exactly these."""
    import json

    from kamflow.loader.jsonschema import process_json_schema
    from kamflow.loader.jsonsrc import EXPORT_SCHEMA

    schemas = {"process": process_json_schema, "export": lambda: EXPORT_SCHEMA}
    if of not in schemas:
        raise UsageError(f"unknown schema {of!r}; choose process or export")
    return json.dumps(schemas[of](), ensure_ascii=False, indent=2) + "\n"


def export_files(processes: list[Process], *, to: str, output: Path | str, direction: str | None = None, timeout: float = 60.0) -> list[Path]:
    """Export and write atomically (all files or none). One process: `output` is the file, unless it
    is an existing folder or ends with a slash; several processes: `output` is a folder that gets
    `<process id>.<extension>` per process."""
    from kamflow.exporters import get_exporter

    exporter = get_exporter(to)
    target = Path(output)
    into_folder = len(processes) != 1 or target.is_dir() or str(output).endswith(("/", "\\"))
    if into_folder and target.exists() and not target.is_dir():
        raise UsageError(f"{output}: exporting {len(processes)} processes needs a folder, and this is a file")
    files: dict[Path, bytes] = {}
    for process in processes:
        path = target / f"{process.id}.{exporter.extension}" if into_folder else target
        if path in files:
            raise UsageError(f"two processes have the id {process.id!r}; both would be written to {path}")
        files[path] = export(process, to=exporter.name, direction=direction, timeout=timeout).encode("utf-8")
    return write_atomically(files)


# Jupyter shows a Process as its chart (Process._repr_svg_); the model cannot import rendering, so
# the api hands it the renderer.
Process.svg_renderer = staticmethod(_svg_text)


# --- chart themes and link warnings (rendering) --------------------------------------------------


def themes() -> list[tuple[str, str]]:
    """(name, description) of every built-in chart theme, default first."""
    from kamflow.rendering.themes import describe_builtins

    return describe_builtins()


def check_theme(reference: str, *, relative_to: Path | str | None = None):
    """Load a theme by name or file; raises LoadError with positioned problems when it is bad."""
    from kamflow.rendering.themes import load_theme

    return load_theme(reference, relative_to=relative_to)


def link_warnings(process: Process) -> list[str]:
    """`PATH:LINE:COL: warning: ...` for step links the chart leaves out (not http, https, mailto)."""
    from kamflow.model.links import unsafe_links

    return unsafe_links(process)


def render_warnings(process: Process, options: RenderOptions | None = None) -> list[str]:
    """What a user should know about a chart besides the check: links left out, and a critical
    path that was asked for but cannot be drawn."""
    warnings = link_warnings(process)
    if options is not None and options.highlight == "critical-path":
        critical = stats(process).get("critical_path")
        if not critical:
            warnings.append(f"{process.path}: warning: no critical path to highlight: no end can be reached from a start")
        elif critical["steps_without_duration"]:
            missing, total = len(critical["steps_without_duration"]), len(critical["steps"])
            warnings.append(f"{process.path}: warning: {missing} of the {total} steps on the highlighted critical path have no duration (counted as 0), so it may not be the longest; `kamflow stats` lists them")
    return warnings


# --- importing BPMN, draw.io, Mermaid and spreadsheets ------------------------------------------


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
    if [(s.id, s.type, s.label, s.lane) for s in again.steps] != [(s.id, s.type, s.label, s.lane) for s in process.steps] or \
            [(e.source, e.target, e.label) for e in again.edges] != [(e.source, e.target, e.label) for e in process.edges]:
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
