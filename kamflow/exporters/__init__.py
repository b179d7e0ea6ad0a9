"""Exporters: pure functions from the model (plus a Layout for the formats that need geometry) to
text, each with its own escaping. EXPORTERS maps a format name to its exporter; the CLI's `--to`
choices and the file extensions come from it. Exporters never lay anything out themselves: the api
computes the Layout (kamflow.rendering.layout) in the direction `Exporter.layout_for` names and passes it in."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from kamflow.errors import UsageError
from kamflow.model.layout import Layout
from kamflow.model.process import Process


@dataclass(frozen=True)
class Exporter:
    name: str
    extension: str
    summary: str
    write: Callable[[Process, Layout | None, str | None], str]
    layout_direction: str | None = None  # None: no layout; "process": the process's own direction
    needs_layout: bool = False
    band_padding: float | None = None  # room beside steps inside a lane band (None: the layout's default)

    def layout_for(self, process: Process, direction: str | None) -> str | None:
        """The direction this format's geometry is laid out in; None when the format carries none."""
        if not self.needs_layout:
            return None
        return (direction or process.direction) if self.layout_direction == "process" else self.layout_direction


def _bpmn(process, layout, direction):
    from kamflow.exporters.bpmn import to_bpmn

    return to_bpmn(process, layout)


def _drawio(process, layout, direction):
    from kamflow.exporters.drawio import to_drawio

    return to_drawio(process, layout)


def _mermaid(process, layout, direction):
    from kamflow.exporters.mermaid import to_mermaid

    return to_mermaid(process, direction=direction)


def _graphml(process, layout, direction):
    from kamflow.exporters.graphml import to_graphml

    return to_graphml(process)


def _json(process, layout, direction):
    from kamflow.exporters.json import to_json

    return to_json(process)


EXPORTERS: dict[str, Exporter] = {
    exporter.name: exporter
    for exporter in (
        # BPMN pools are laid out left to right, as BPM suites draw them.
        Exporter("bpmn", "bpmn", "BPMN 2.0 XML with diagram layout (bpmn.io, Camunda, Signavio)", _bpmn, "LR", True, 64.0),
        Exporter("drawio", "drawio", "draw.io / diagrams.net file with lanes as swimlanes", _drawio, "process", True),
        Exporter("mermaid", "mmd", "Mermaid flowchart for Markdown wikis and Git hosting", _mermaid),
        Exporter("graphml", "graphml", "GraphML for yEd, Gephi and network tools", _graphml),
        Exporter("json", "json", "node-link JSON that kamflow loads again (lossless)", _json),
    )
}


def export_formats() -> list[str]:
    """The names `kamflow export --to` accepts: the text formats, and pptx (a deck of the report stage)."""
    return [*EXPORTERS, "pptx"]


def get_exporter(name: str) -> Exporter:
    try:
        return EXPORTERS[name.strip().lower()]
    except KeyError:
        raise UsageError(f"unknown export format {name!r}; choose from {', '.join(EXPORTERS)}") from None


def export_text(process: Process, exporter: Exporter, *, layout: Layout | None = None, direction: str | None = None) -> str:
    if exporter.needs_layout and layout is None:
        raise ValueError(f"the {exporter.name} exporter needs a layout")
    return exporter.write(process, layout, direction)


def export_targets(process_ids: list[str], *, output: Path | str, extension: str) -> list[Path]:
    """Where each export goes. One process: `output` is the file, unless it is an existing folder or
    ends with a slash; several processes: `output` is a folder that gets `<process id>.<extension>`
    each. Refuses a file where a folder is needed and two processes with one id."""
    target = Path(output)
    into_folder = len(process_ids) != 1 or target.is_dir() or str(output).endswith(("/", "\\"))
    if into_folder and target.exists() and not target.is_dir():
        raise UsageError(f"{output}: exporting {len(process_ids)} processes needs a folder, and this is a file")
    paths: list[Path] = []
    for process_id in process_ids:
        path = target / f"{process_id}.{extension}" if into_folder else target
        if path in paths:
            raise UsageError(f"two processes have the id {process_id!r}; both would be written to {path}")
        paths.append(path)
    return paths
