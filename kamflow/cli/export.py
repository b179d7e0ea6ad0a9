from __future__ import annotations

import click

from kamflow.cli._inputs import processes_from
from kamflow.cli._lazy import api


class _ExportFormats(click.Choice):
    """The exporters' names (bpmn, drawio, ...), asked of the API when first needed, so the CLI
    imports nothing but the API and errors."""

    def __init__(self) -> None:
        super().__init__([])

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(api.export_formats())

    @choices.setter
    def choices(self, value: object) -> None:
        pass


@click.command("export")
@click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option(
    "--to",
    "to",
    required=True,
    type=_ExportFormats(),
    help="The format to write (pptx: a PowerPoint deck of native shapes, one for all the processes).",
)
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(),
    help="File to write (one process), or folder for <process id>.<ext> files. Default: standard output.",
)
@click.option(
    "--direction", type=click.Choice(["TB", "LR"]), help="Flow direction for Mermaid and draw.io (overrides the file's; BPMN is always LR)."
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True, max=86400),
    default=60.0,
    show_default=True,
    help="Seconds the Graphviz layout (BPMN, draw.io) may take before it is stopped.",
)
def export_command(paths: tuple[str, ...], to: str, output: str | None, direction: str | None, timeout: float = 60.0) -> None:
    """Export process files for the client's own tools: BPMN 2.0 (with diagram layout), draw.io,
    Mermaid, GraphML, node-link JSON (which kamflow loads again) or a PowerPoint deck (pptx: every
    process in one deck, default output/<id>.pptx or output/deck.pptx, charts as editable shapes).

    `-` reads one process from standard input. One process goes to standard output unless -o names a file (or an existing folder). A folder, or
    several files, export every process: then -o is required and names a folder that receives one
    <process id>.<ext> file per process (.bpmn .drawio .mmd .graphml .json). Files are written
    atomically: all of them or none. Nothing is written when a file does not load.
    """
    processes = processes_from(paths)
    if to == "pptx":  # one deck of every process; binary, so never standard output
        notes: list[str] = []
        warnings: list[str] = []
        options = api.RenderOptions(direction=direction, timeout=timeout)
        written = api.write_deck(processes, output=output, options=options, notes=notes, warnings=warnings)
        for line in warnings + notes:  # as render: warnings first, then what was split
            click.echo(line, err=True)
        for path in written:
            click.echo(str(path))
        return
    if output is None:
        if len(processes) != 1:
            raise click.UsageError(f"{len(processes)} processes to export: give -o FOLDER to write one file per process")
        click.echo(api.export(processes[0], to=to, direction=direction, timeout=timeout), nl=False)
        return
    for written in api.export_files(processes, to=to, output=output, direction=direction, timeout=timeout):
        click.echo(str(written))
