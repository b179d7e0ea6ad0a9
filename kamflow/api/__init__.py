"""The Python API: the pipeline stages wired together; the CLI is a thin layer over this package.

The policies live in the stages (loader, checks, rendering, exporters, analysis, reports) and the
state of a run in a Session (kamflow.session); pass `workspace=` (a Session) to share one across
calls, else each call starts a fresh one. This module wires loading, checking, charts and
analysis; kamflow.api.documents the reports, Word documents and decks, kamflow.api.exchange the
hand-off formats and imports, kamflow.api.library the bundled processes. Every name is offered here;
docs/python-api.md is the guide.

    >>> import kamflow
    >>> [f for f in kamflow.check(kamflow.load("kam")) if f.severity == "error"]
    []

Some stage functions are offered as they are (see _PASSED_THROUGH):

    >>> from kamflow import api
    >>> api.chart_formats("svg,pdf"), api.export_formats()[:3]
    (('svg', 'pdf'), ['bpmn', 'drawio', 'mermaid'])
    >>> api.themes()[0][0], api.check_theme("colorblind").name
    ('default', 'colorblind')
    >>> api.stats(load("billing"))["counts"]["steps"]
    24
    >>> api.format_stats(api.stats(load("billing")), load("billing")).splitlines()[1]
    'Durations are working time: 1d = 8h, 1w = 5d.'
    >>> api.format_diff(diff(load("kam"), load("kam"))).splitlines()[1]
    'No differences: both files describe the same process.'
    >>> api.link_warnings(loads(TINY.replace("type: end}", "type: end, link: 'javascript:x'}")))
    ["<stdin>:6:27: warning: link of step 'done' is not an http, https or mailto URL; it is not linked on the chart"]
    >>> '"$schema"' in api.json_schema()
    True
    >>> [rule["id"] for rule in rules()][:2], rule_doc("dead-end").startswith("# dead-end")
    (['dead-end', 'decision-branches'], True)
    >>> check_rule_ids(["dead-end"])
    >>> format_findings(check(loads(TINY.replace("next: done", "next: gone")))).splitlines()[-1]
    '1 file checked: 4 problems (2 errors, 2 warnings)'
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO, Iterable

from kamflow.api.documents import export_deck, portfolio, report, report_docx, write_deck, write_report
from kamflow.api.exchange import export, export_files, import_file, import_files, imported_yaml
from kamflow.api.library import library_ids, library_path, library_processes, new_process, show_process
from kamflow.checks import Finding, catalog
from kamflow.errors import UsageError
from kamflow.loader import Workspace
from kamflow.model.overlay import Overlay
from kamflow.model.process import Process
from kamflow.rendering.options import RenderOptions
from kamflow.session import Session, Space

__all__ = ["RenderOptions", "Session", "UsageError", "Workspace"]  # the classes a star import gives; dir() lists the functions too
TINY = "kamflow: 1\nid: tiny\ntitle: Tiny\nsteps:\n  - {id: go, type: start, next: done}\n  - {id: done, type: end}\n"  # for the examples


def _shown(process: Process) -> Process:
    """A process handed to the caller draws itself in Jupyter (Process._repr_svg_)."""
    process.renderer = lambda shown: render_charts(shown, formats=("svg",))["svg"].decode("utf-8")
    return process


# -- loading ------------------------------------------------------------------------------------


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
    """A process from a binary stream (stdin), read with the same guards as a file.

    >>> import io
    >>> load_stream(io.BytesIO(TINY.encode())).id
    'tiny'
    """
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
    """The API's functions, __all__ and the passed-through names; not the helpers it imports (Path, replace, ...)."""
    own = {n for n, v in globals().items() if n[0] != "_" and callable(v) and not isinstance(v, type) and (v.__module__ or "").startswith("kamflow.")}
    return sorted(own | set(__all__) | set(_PASSED_THROUGH))


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
    from kamflow.files import write_atomically

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
