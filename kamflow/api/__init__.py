"""The Python API: the pipeline stages wired together; the CLI is a thin layer over this module.

The policies live in the stages (loader, checks, rendering, exporters, analysis, reports) and the
state of a run in a Session (kamflow.session); pass `workspace=` (a Session) to share one across
calls, else each call starts a fresh one. docs/python-api.md is the guide, with examples.

    >>> import kamflow
    >>> [f for f in kamflow.check(kamflow.load("kam")) if f.severity == "error"]
    []
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO, Iterable

from kamflow.checks import Finding, catalog
from kamflow.errors import LoadError, Problem, RenderError, Span, UsageError
from kamflow.files import write_atomically
from kamflow.loader import Workspace
from kamflow.model.overlay import Overlay
from kamflow.model.process import Process
from kamflow.rendering.options import RenderOptions, check_direction
from kamflow.session import Session

__all__ = ["RenderOptions", "Session", "Workspace"]
TINY = "kamflow: 1\nid: tiny\ntitle: Tiny\nsteps:\n  - {id: go, type: start, next: done}\n  - {id: done, type: end}\n"  # for the examples
Space = Session | Workspace | None


def _shown(process: Process) -> Process:
    """A process handed to the caller draws itself in Jupyter (Process._repr_svg_)."""
    process.renderer = lambda shown: render_charts(shown, formats=("svg",))["svg"].decode("utf-8")
    return process


# -- loading ------------------------------------------------------------------------------------


def library_path(process_id: str) -> Path:
    """The file of a bundled reference process.

    >>> library_path("kam").name
    'kam.yaml'
    """
    space = Workspace()
    found = space.locate(process_id, relative_to=space.library / "x.yaml")
    if found is None:
        raise LoadError([Problem(Span(process_id), f"no bundled process with id {process_id!r}")])
    return found


def load(path: Path | str, *, workspace: Space = None) -> Process:
    """A process file or a bundled library id, validated; LoadError with every problem found.

    >>> kam = load("kam")
    >>> kam.title, len(kam.steps), kam.steps_by_id["select_key"].lane
    ('Key Account Management Process', 35, 'sponsor')
    """
    return _shown(Session.of(workspace).load(path))


def loads(text: str, *, name: str = "<stdin>") -> Process:
    """Process text that is not in a file (a notebook cell); `name` is the path in positions.

    >>> [step.id for step in loads(TINY).steps]
    ['go', 'done']
    """
    from kamflow.loader import load_process_text

    return _shown(load_process_text(text, name))


def load_stream(stream: BinaryIO, *, name: str = "<stdin>") -> Process:
    """A process from a binary stream (stdin), read with the same guards as a file."""
    from kamflow.files import read_stream

    return loads(read_stream(stream, name), name=name)


def load_any(reference: Path | str, *, workspace: Space = None) -> Process:
    """A process named on the command line: a path, or an id from the current folder, then the library.

    >>> load_any("billing").id
    'billing'
    """
    return _shown(Session.of(workspace).workspace.load_named(reference))


def collect_processes(paths: Iterable[Path | str], *, workspace: Space = None) -> list[Process]:
    """Every process file under the given files and folders; all load problems in one error.

    >>> [p.id for p in collect_processes([library_path("kam")])]
    ['kam']
    """
    return [_shown(process) for process in Session.of(workspace).workspace.load_all(paths)]


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
    """Every finding of the rules of `preset` (recommended, or all) plus `enable` minus `disable`
    (or exactly `enabled`), sorted by position; `against` names the reference process.

    >>> [(f.rule, f.line) for f in check(loads(TINY.replace("next: done", "next: gone")), disable=["label-required"])]
    [('unknown-target', 5), ('unreachable', 6)]
    >>> check(load("kam"), preset="all")
    []
    """
    chosen = catalog.selected_rules(enabled=enabled, disabled=disabled, preset=preset, enable=enable, disable=disable)
    return Session.of(workspace).check(process, rules=chosen, against=against)


def ghost_overlay(process: Process, findings: Iterable[Finding] | None = None, *, against: str | None = None, workspace: Space = None) -> Overlay:
    """What the chart adds for the findings: ghosts of missing steps and flows, structural marks.

    >>> [ghost.label for ghost in ghost_overlay(loads(TINY.replace("next: done", "next: gone"))).ghosts]
    ['Missing: gone']
    """
    return Session.of(workspace).findings_overlay(process, findings, against=against)


rules = catalog.rule_table
rule_doc = catalog.rule_page
check_rule_ids = catalog.check_rule_ids
format_findings = catalog.format_findings

# Stage functions the API offers as they are, imported on first use (PEP 562) so that a command
# loads only what it runs: name -> (module, function).
_PASSED_THROUGH = {
    "stats": ("kamflow.analysis.stats", "process_stats"),  # path analytics as a JSON-ready dict (docs/diff.md)
    "format_stats": ("kamflow.analysis.stats", "format_stats"),
    "format_diff": ("kamflow.analysis.diff", "format_diff"),  # a change log (text) or the JSON of docs/diff.md
    "diff_overlay": ("kamflow.analysis.diff", "diff_overlay"),  # added/changed marked, removed as ghosts
    "link_warnings": ("kamflow.model.links", "unsafe_links"),  # step links no output shows
    "themes": ("kamflow.rendering.themes", "describe_builtins"),  # (name, description), default first
    "check_theme": ("kamflow.rendering.themes", "load_theme"),  # a theme by name or file, or a LoadError
    "json_schema": ("kamflow.loader.jsonschema", "schema_text"),  # the schemas in docs/json-schema/
    "chart_formats": ("kamflow.rendering.options", "chart_formats"),  # "svg,pdf" or a list: checked, no repeats
    "export_formats": ("kamflow.exporters", "export_formats"),  # what `kamflow export --to` accepts
    "import_notes": ("kamflow.loader.imports", "import_processes"),  # (processes, notes on what was lost)
}


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PASSED_THROUGH))


def __getattr__(name: str) -> Any:
    if name not in _PASSED_THROUGH:
        raise AttributeError(f"module 'kamflow.api' has no attribute {name!r}")
    import importlib

    module, function = _PASSED_THROUGH[name]
    return getattr(importlib.import_module(module), function)


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
    workspace: Space = None,
) -> list[Path] | dict[str, bytes]:
    """Write `output_dir/<id>.<format>` for each format, atomically; with `output_dir=None`,
    return the bytes per format instead (`render_charts`).

    >>> sorted(render(load("kam"), formats=("svg", "pdf"), output_dir=None))
    ['pdf', 'svg']
    """
    charts = render_charts(
        process, formats=formats, options=options, direction=direction, overlay=overlay, findings=findings, notes=notes, workspace=workspace
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
    workspace: Space = None,
) -> dict[str, bytes]:
    """The chart's bytes per format, nothing written: the findings' ghosts and marks unless an
    `overlay` is given or `options.ghosts` is off; a PDF cut over pages when `options.page` asks.

    >>> charts = render_charts(load("billing"), formats=("svg", "png"), options=RenderOptions(direction="LR"))
    >>> charts["svg"][:5], charts["png"][1:4]
    (b'<?xml', b'PNG')
    >>> render_charts(load("billing"), formats="dot")["dot"][:7]
    b'digraph'
    """
    from kamflow.rendering.chart import render_chart
    from kamflow.rendering.options import chart_formats

    wanted = chart_formats(formats)
    options = options or RenderOptions()
    options = replace(options, direction=direction) if direction is not None else options
    overlay, options = Session.of(workspace).chart(process, options, findings=findings, overlay=overlay)
    return render_chart(process, wanted, overlay=overlay, options=options, notes=notes)


def subprocess_links(process: Process, *, workspace: Space = None) -> tuple[tuple[str, str], ...]:
    """(step id, process id) for each subprocess step whose process resolves and loads.

    >>> subprocess_links(load("kam"))
    (('account_plan', 'account-planning'), ('account_review', 'strategic-account-review'))
    """
    return Session.of(workspace).subprocess_links(process)


def render_warnings(process: Process, options: RenderOptions | None = None) -> list[str]:
    """What a user should know about a chart besides the check: links left out, a critical path
    that cannot be drawn or is drawn without durations.

    >>> render_warnings(load("kam"), RenderOptions(highlight="critical-path"))
    []
    """
    from kamflow.model.links import unsafe_links

    if options is None or options.highlight != "critical-path":
        return unsafe_links(process)
    from kamflow.analysis.stats import critical_path_warnings, process_stats

    return unsafe_links(process) + critical_path_warnings(process, process_stats(process))


# -- analysis -----------------------------------------------------------------------------------


def diff(old: Process, new: Process, *, workspace: Space = None) -> Any:
    """Every change from `old` (as-is) to `new` (to-be), as an analysis.ProcessDiff.

    >>> diff(load("kam"), load("kam")).identical
    True
    """
    from kamflow.analysis import diff_processes

    session = Session.of(workspace)
    return diff_processes(old, new, old_reference=session.reference_id(old), new_reference=session.reference_id(new))


def render_diff(
    result: Any, *, formats: Iterable[str] = ("svg", "pdf"), output_dir: Path | str = "output", options: RenderOptions | None = None
) -> list[Path]:
    """The diff chart (the new process, the diff marked, a legend) written as `<new id>-diff.<format>`."""
    from kamflow.analysis.diff import diff_chart_process, diff_overlay

    options = replace(options or RenderOptions(), legend=True)  # a diff chart always explains its marks
    written = render(diff_chart_process(result), formats=formats, output_dir=output_dir, options=options, overlay=diff_overlay(result))
    assert isinstance(written, list)
    return written


def critical_path_overlay(process: Process) -> Overlay:
    """Marks of kind "critical" on the steps and flows of the critical path.

    >>> len(critical_path_overlay(load("kam")).step_marks) > 0
    True
    """
    from kamflow.analysis import critical_path_overlay as overlay_of
    from kamflow.analysis import process_stats

    return overlay_of(process_stats(process))


# -- the process library: list, show, new -------------------------------------------------------


def library_ids(*, workspace: Space = None) -> list[str]:
    """The ids of the bundled reference processes, sorted.

    >>> "kam" in library_ids()
    True
    """
    return Session.of(workspace).workspace.library_ids()


def library_processes(*, workspace: Space = None) -> list[Process]:
    """Every bundled reference process, loaded, sorted by id.

    >>> [p.id for p in library_processes()] == library_ids()
    True
    """
    space = Session.of(workspace).workspace
    return [_shown(space.load(space.bundled_file(process_id))) for process_id in space.library_ids()]


def show_process(process_id: str, *, workspace: Space = None) -> str:
    """The YAML text of a bundled process, exactly as shipped.

    >>> "id: kam" in show_process("kam")
    True
    """
    from kamflow.files import read_text

    return read_text(Session.of(workspace).workspace.bundled_file(process_id), display=process_id)


def new_process(name: str, *, source: str, output_dir: Path | str = ".", workspace: Space = None) -> Path:
    """Write `output_dir/<name>.yaml`: `source` (an id or a file) with `id: <name>` and
    `based_on: <source>`, comments and order kept; never overwrites a file."""
    from kamflow.loader.derive import plan_copy

    target, text = plan_copy(name, source=source, folder=Path(output_dir), workspace=Session.of(workspace).workspace)
    return write_atomically({target: text.encode("utf-8")})[0]


# -- reports, portfolios, Word documents and decks ----------------------------------------------


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
    """A report as `{file name: bytes}`, nothing written: `<name>.html` (chart inlined),
    `<name>.md` with `<name>.svg`, or `<name>.docx`; `template` is a user's Jinja2 file.

    >>> sorted(report(load("kam"), fmt="md"))
    ['kam.md', 'kam.svg']
    >>> b"<svg" in report(load("kam"))["kam.html"]
    True
    """
    from kamflow.reports.documents import check_report_format, report_files

    session = Session.of(workspace)
    if fmt == "docx":
        return {f"{name or process.id}.docx": report_docx([process], options=options, workspace=session)}
    check_report_format(fmt, template)  # before the check and the chart
    subject = session.subject(process, options, findings=findings)
    return report_files(subject, fmt=fmt, template=template, name=name, links=links, index_href=index_href)


def portfolio(
    processes: list[Process],
    *,
    fmt: str = "html",
    template: Path | str | None = None,
    options: RenderOptions | None = None,
    title: str = "Process portfolio",
    workspace: Space = None,
) -> dict[str, bytes]:
    """A linked site as `{file name: bytes}`: `index.<fmt>` and a page per process, each
    subprocess step linked to the page of the process it calls when that is in the set.

    >>> site = portfolio([load("kam"), load("account-planning")])
    >>> sorted(site), b'href="account-planning.html"' in site["kam.html"]
    (['account-planning.html', 'index.html', 'kam.html'], True)
    """
    from kamflow.reports.documents import portfolio_files
    from kamflow.reports.site import portfolio_links

    session = Session.of(workspace)
    links = portfolio_links(processes, fmt=fmt, locate=lambda ref, at: session.workspace.locate(ref, relative_to=at))
    subjects = [session.subject(process, options) for process in processes]
    return portfolio_files(subjects, links=links, fmt=fmt, template=template, title=title)


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
    """`report`, `portfolio` or `report_docx` written atomically where the command line writes them."""
    from kamflow.reports.site import document_file, portfolio_folder, report_file

    paths = list(paths)
    session = Session.of(workspace)
    processes = collect_processes(paths, workspace=session)
    several = len(processes) > 1 or any(Path(p).is_dir() for p in paths)
    if fmt == "docx":  # one Word document, for one process or a whole folder
        target = document_file(output, "report" if several else processes[0].id, ".docx")
        return write_atomically({target: report_docx(processes, options=options, reference_doc=reference_doc, workspace=session)})
    if several:
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
    """One Word document for one process or several (then a chapter each), in the styles, page and
    headers of `reference_doc` when given.

    >>> report_docx([load("billing")])[:2]
    b'PK'
    """
    from kamflow.reports.word import read_reference_doc, word_report

    session = Session.of(workspace)
    template = read_reference_doc(reference_doc) if reference_doc is not None else None
    subjects = [session.subject(process, options) for process in processes]
    return word_report(subjects, reference_doc=template, title=title, page=options.page if options else None)


def export_deck(
    processes: list[Process],
    *,
    options: RenderOptions | None = None,
    title: str | None = None,
    notes: list[str] | None = None,
    workspace: Space = None,
) -> bytes:
    """A PowerPoint deck of native, editable shapes: a title slide, an index for several
    processes, each chart (over several slides when its text would be below 9 pt).

    >>> export_deck([load("billing")])[:2]
    b'PK'
    """
    from kamflow.reports.deck import pptx_deck

    session = Session.of(workspace)
    return pptx_deck([session.subject(process, options) for process in processes], title=title, notes=notes)


def write_deck(
    processes: list[Process],
    *,
    output: Path | str | None = None,
    options: RenderOptions | None = None,
    notes: list[str] | None = None,
    workspace: Space = None,
) -> list[Path]:
    """export_deck written atomically to `output`: a .pptx file, or a folder that gets `<id>.pptx`
    (`deck.pptx` for several processes); default the folder `output`."""
    from kamflow.reports.site import document_file

    if not processes:
        raise UsageError("no process files found")
    target = document_file(output, processes[0].id if len(processes) == 1 else "deck", ".pptx")
    return write_atomically({target: export_deck(processes, options=options, notes=notes, workspace=workspace)})


# -- exports ------------------------------------------------------------------------------------


def export(process: Process, *, to: str, direction: str | None = None, timeout: float = 60.0) -> str:
    """The process as text in a hand-off format (bpmn, drawio, mermaid, graphml, json); BPMN and
    draw.io carry the chart's geometry.

    >>> export(load("billing"), to="mermaid").splitlines()[1]
    'flowchart TD'
    >>> export(load("billing"), to="bpmn")[:5]
    '<?xml'
    """
    from kamflow.exporters import export_text, get_exporter
    from kamflow.rendering.layout import compute_layout

    exporter = get_exporter(to)
    check_direction(direction)
    layout = None
    if exporter.needs_layout:
        wanted = (direction or process.direction) if exporter.layout_direction == "process" else exporter.layout_direction
        try:
            layout = compute_layout(process, direction=wanted, band_padding=exporter.band_padding, timeout=timeout)
        except RenderError as error:
            raise error.at(process.path) from None
    return export_text(process, exporter, layout=layout, direction=direction)


def export_files(processes: list[Process], *, to: str, output: Path | str, direction: str | None = None, timeout: float = 60.0) -> list[Path]:
    """Export and write atomically, all files or none (see exporters.export_targets for where)."""
    from kamflow.exporters import export_targets, get_exporter

    exporter = get_exporter(to)
    targets = export_targets([p.id for p in processes], output=output, extension=exporter.extension)
    texts = {path: export(p, to=exporter.name, direction=direction, timeout=timeout) for path, p in zip(targets, processes)}
    return write_atomically({path: text.encode("utf-8") for path, text in texts.items()})


# -- importing BPMN, draw.io, Mermaid and spreadsheets -----------------------------------------


def import_file(path: Path | str, *, fmt: str | None = None, sheet: str | None = None) -> list[Process]:
    """The processes in a BPMN 2.0, draw.io, Mermaid, CSV or XLSX file, steps in flow order."""
    from kamflow.loader.imports import import_processes

    return import_processes(path, fmt=fmt, sheet=sheet)[0]


def imported_yaml(process: Process, *, source: str, fmt: str | None = None) -> str:
    """An imported process as a process file with a header naming its source; it reads back as
    the same process (checked).

    >>> imported_yaml(loads(TINY), source="tiny.mmd", fmt="mermaid").splitlines()[1]
    "# Imported by `kamflow import` from tiny.mmd (Mermaid); the source's own layout is not kept."
    """
    from kamflow.exporters.process_yaml import to_process_yaml
    from kamflow.loader import load_process_text
    from kamflow.loader.imports import FORMAT_NAMES, same_process

    what = FORMAT_NAMES.get(fmt or "", "another tool")
    text = to_process_yaml(
        process, header=[process.title, f"Imported by `kamflow import` from {source} ({what}); the source's own layout is not kept."]
    )
    if not same_process(load_process_text(text, f"{process.id}.yaml"), process):
        raise RuntimeError(f"kamflow bug: the YAML written for {process.id!r} does not read back as the imported process")
    return text


def import_files(paths: Iterable[Path | str], *, output_dir: Path | str = ".", fmt: str | None = None, sheet: str | None = None, force: bool = False):
    """Write `output_dir/<id>.yaml` for every process of every file, all or nothing; an existing
    file is replaced only with `force`. Returns (written paths, notes)."""
    from kamflow.loader.imports import import_plan

    plan = import_plan(paths, folder=Path(output_dir), fmt=fmt, sheet=sheet, force=force)
    outputs = {target: imported_yaml(process, source=source, fmt=kind).encode("utf-8") for target, process, source, kind in plan.outputs}
    return write_atomically(outputs), plan.notes
