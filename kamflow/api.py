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
    if source.lower().endswith(PROCESS_SUFFIXES):
        source_file = Path(source)
        if not source_file.is_file():
            raise UsageError(f"--from {source}: no such file")
        reference = Path(os.path.relpath(source_file.resolve(), folder.resolve())).as_posix()
    elif re.match(ID_PATTERN, source):
        source_file = _bundled_file(source, space)
        reference = source
        if source == name:
            raise UsageError(f"a process cannot be based on itself: choose a NAME other than {source!r}")
        for suffix in PROCESS_SUFFIXES:
            shadow = folder / f"{source}{suffix}"
            if shadow.is_file():
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
