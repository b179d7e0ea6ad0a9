"""What the worker processes do: load, check and draw one process (or the whole folder's index),
returning plain, JSON-ready values. The server never runs these itself, so a render that hangs or
crashes ends in a worker the pool replaces (kamflow/serve/pool.py), never in the server."""

from __future__ import annotations

from pathlib import Path

import kamflow.api as api
from kamflow.errors import KamflowError, LoadError
from kamflow.loader import Workspace
from kamflow.serve.folder import ServedFolder

_space: Workspace | None = None

# Downloads: format -> (what draws it, media type). "chart" formats come from api.render_charts,
# "report" ones from api.report, "deck" from api.export_deck.
DOWNLOADS = {
    "svg": ("chart", "image/svg+xml"),
    "pdf": ("chart", "application/pdf"),
    "png": ("chart", "image/png"),
    "pptx": ("deck", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "html": ("report", "text/html; charset=utf-8"),
    "docx": ("report", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}


def _workspace() -> Workspace:
    """One workspace per worker: it reloads a file when its size or modification time changed."""
    global _space
    if _space is None:
        _space = Workspace()
    return _space


def warm() -> bool:
    """Import everything a view needs, so the first page of a workshop is not the slow one."""
    import kamflow.rendering.chart  # noqa: F401
    import kamflow.reports  # noqa: F401

    return True


def _problem_rows(error: KamflowError, folder: ServedFolder) -> list[dict]:
    rows = []
    problems = error.problems if isinstance(error, LoadError) else []
    for problem in problems:
        shown = folder.relative(problem.span.path) or problem.span.path
        rows.append({"path": shown, "line": problem.span.line, "column": problem.span.column, "message": problem.message})
    if not problems:
        for line in error.lines():
            rows.append({"path": "", "line": 0, "column": 0, "message": _without_root(line, folder)})
    return rows


def _without_root(text: str, folder: ServedFolder) -> str:
    return text.replace(str(folder.root) + "/", "")


def _options(chart: dict) -> api.RenderOptions:
    return api.RenderOptions(**chart)


def _text(value) -> object:
    """Metadata as JSON: strings stay strings, lists stay lists of strings, the rest becomes text."""
    if isinstance(value, (list, tuple)):
        return [_text(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _text(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _steps(process, folder: ServedFolder, lines: list[str], space: Workspace) -> dict:
    lanes = {lane.id: lane.label for lane in process.lanes}
    steps = {}
    for step in process.steps:
        line = step.span.line
        page = None
        if step.type == "subprocess" and step.process:
            found = space.locate(step.process, relative_to=process.path)
            page = folder.relative(found) if found is not None else None
        steps[step.id] = {
            "id": step.id,
            "type": step.type,
            "label": step.label,
            "lane": lanes.get(step.lane or "", step.lane),
            "essential": step.essential,
            "implements": list(step.implements),
            "process": step.process,
            "page": page,
            "metadata": _text(step.metadata),
            "line": line,
            "column": step.span.column,
            "source": lines[line - 1] if 0 < line <= len(lines) else "",
        }
    return steps


def process_view(root: str, relative: str, chart: dict) -> dict:
    """Everything a process page shows: the chart (SVG text), findings with positions, each
    step's metadata and source line; or the positioned problems when the file does not load."""
    folder = ServedFolder(root)
    space = _workspace()
    path = folder.resolve(relative)
    base = {"path": relative}
    try:
        text, digest = folder.read(relative)
        process = api.load(path, workspace=space)
        findings = api.check(process, workspace=space)
        options = _options(chart)
        svg = api.render_charts(process, formats=("svg",), options=options, findings=findings, workspace=space)["svg"].decode("utf-8")
    except KamflowError as error:
        return {**base, "ok": False, "errors": _problem_rows(error, folder)}
    warnings = [_without_root(line, folder) for line in api.render_warnings(process, options)]
    return {
        **base,
        "ok": True,
        "id": process.id,
        "title": process.title,
        "hash": digest,
        "svg": svg,
        "findings": [{**f.as_dict(), "path": folder.relative(f.path) or f.path} for f in findings],
        "warnings": warnings,
        "steps": _steps(process, folder, text.splitlines(), space),
    }


def index_rows(root: str) -> list[dict]:
    """One row per process file of the folder: id, title, finding counts, or why it does not load."""
    folder = ServedFolder(root)
    space = _workspace()
    rows = []
    for relative in folder.process_files():
        row: dict[str, object] = {"path": relative}
        try:
            process = api.load(folder.resolve(relative), workspace=space)
            findings = api.check(process, workspace=space)
        except KamflowError as error:
            problems = _problem_rows(error, folder)
            first = problems[0] if problems else {"line": 0, "column": 0, "message": "does not load"}
            row.update(ok=False, problems=len(problems), first=first)
        else:
            row.update(
                ok=True,
                id=process.id,
                title=process.title,
                steps=len(process.steps),
                errors=sum(f.severity == "error" for f in findings),
                warnings=sum(f.severity == "warning" for f in findings),
            )
        rows.append(row)
    return rows


def download(root: str, relative: str, fmt: str, chart: dict) -> dict:
    """One download as {name, type, data}; {errors} when the file does not load or draw."""
    folder = ServedFolder(root)
    space = _workspace()
    kind, media = DOWNLOADS[fmt]
    try:
        process = api.load(folder.resolve(relative), workspace=space)
        findings = api.check(process, workspace=space)
        options = _options(chart)
        if kind == "chart":
            data = api.render_charts(process, formats=(fmt,), options=options, findings=findings, workspace=space)[fmt]
        elif kind == "deck":
            data = api.export_deck([process], options=options, workspace=space)
        else:
            files = api.report(process, fmt=fmt, options=options, findings=findings, workspace=space)
            data = files[f"{process.id}.{fmt}"]
    except KamflowError as error:
        return {"errors": _problem_rows(error, folder)}
    return {"name": f"{process.id}.{Path(fmt).name}", "type": media, "data": data}
