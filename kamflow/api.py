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
from kamflow.errors import LoadError, Problem, Span, UsageError
from kamflow.files import write_atomically
from kamflow.loader import Workspace, find_process_files
from kamflow.model.overlay import Overlay
from kamflow.model.process import Process
from kamflow.rendering import RENDER_FORMATS, build_dot, render_bytes
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
    """Read and validate a process file; raises LoadError with every problem found."""
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
    def lookup(reference: str):
        try:
            found = space.lookup(reference, relative_to=process.path)
        except LoadError as error:
            return None, f"does not load: {error.problems[0]}"
        if found is None:
            return None, "was not found beside this file or in the bundled library"
        return found, None

    return lookup


def check(process: Process, *, enabled: Iterable[str] | None = None, disabled: Iterable[str] = (), workspace: Workspace | None = None) -> list[Finding]:
    """Every finding of the check rules for a process, sorted by position."""
    space = workspace or _default_workspace()
    ctx = CheckContext(process=process, lookup=_lookup_for(process, space))
    return run_checks(ctx, enabled=enabled, disabled=disabled)


def render(
    process: Process,
    *,
    formats: Iterable[str] = ("svg", "pdf"),
    output_dir: Path | str = "output",
    options: RenderOptions | None = None,
    direction: str | None = None,
    overlay: Overlay | None = None,
) -> list[Path]:
    """Draw the chart and write `output_dir/<process id>.<format>` for each format, atomically."""
    wanted = _formats(formats)
    charts = render_charts(process, formats=wanted, options=options, direction=direction, overlay=overlay)
    folder = Path(output_dir)
    return write_atomically({folder / f"{process.id}.{fmt}": data for fmt, data in charts.items()})


def render_charts(
    process: Process,
    *,
    formats: Iterable[str] = ("svg",),
    options: RenderOptions | None = None,
    direction: str | None = None,
    overlay: Overlay | None = None,
) -> dict[str, bytes]:
    """The chart's bytes per format, without touching the disk. `direction` is a shortcut for
    `options=RenderOptions(direction=...)`."""
    wanted = _formats(formats)
    options = options or RenderOptions()
    if direction is not None:
        options = replace(options, direction=direction)
    if options.direction is not None and options.direction not in ("TB", "LR"):
        raise UsageError(f"direction must be TB or LR, not {options.direction!r}")
    return render_bytes(build_dot(process, direction=options.direction, overlay=overlay), wanted)


def _formats(formats: Iterable[str]) -> tuple[str, ...]:
    wanted = tuple(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    unknown = [f for f in wanted if f not in RENDER_FORMATS]
    if unknown or not wanted:
        raise UsageError(f"unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(RENDER_FORMATS)}")
    return wanted


def format_findings(findings: list[Finding], *, fmt: str = "text", files: int = 1) -> str:
    """Findings as `text` (one line each plus a summary) or `json`."""
    from kamflow.checks.formats import findings_json, findings_text

    if fmt == "json":
        return findings_json(findings)
    if fmt == "text":
        return findings_text(findings, files=files)
    raise UsageError(f"unknown findings format {fmt!r}; choose text or json")
