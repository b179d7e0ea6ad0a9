"""The API's hand-offs: a process as text in the formats clients' tools read (BPMN and draw.io with
the chart's geometry), and the processes of their files (BPMN 2.0, draw.io, Mermaid, CSV, XLSX)
turned into process files. Formats, targets and notes are kamflow.exporters' and
kamflow.loader.imports' own rules; this module wires them to the layout and the loader."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from kamflow.errors import RenderError
from kamflow.files import write_atomically
from kamflow.model.process import Process
from kamflow.rendering.options import check_direction

if TYPE_CHECKING:  # the importers load only for `kamflow import`
    from kamflow.loader.imports.ir import Note


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
    wanted = exporter.layout_for(process, direction)
    try:
        layout = compute_layout(process, direction=wanted, band_padding=exporter.band_padding, timeout=timeout) if wanted else None
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
    from kamflow.loader.imports import import_header, same_process

    text = to_process_yaml(process, header=import_header(process, source=source, fmt=fmt))
    if not same_process(load_process_text(text, f"{process.id}.yaml"), process):
        raise RuntimeError(f"kamflow bug: the YAML written for {process.id!r} does not read back as the imported process")
    return text


def import_files(
    paths: Iterable[Path | str], *, output_dir: Path | str = ".", fmt: str | None = None, sheet: str | None = None, force: bool = False
) -> tuple[list[Path], tuple[Note, ...]]:
    """Write `output_dir/<id>.yaml` for every process of every file, all or nothing; an existing
    file is replaced only with `force`. Returns (written paths, notes)."""
    from kamflow.loader.imports import import_plan

    plan = import_plan(paths, folder=Path(output_dir), fmt=fmt, sheet=sheet, force=force)
    outputs = {target: imported_yaml(process, source=source, fmt=kind).encode("utf-8") for target, process, source, kind in plan.outputs}
    return write_atomically(outputs), plan.notes
