from __future__ import annotations

import click

from kamflow.cli._lazy import api

FORMATS = ("bpmn", "drawio", "mermaid", "csv", "xlsx")  # kamflow.loader.imports.FORMATS (kept light for --help)


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output-dir", default=".", show_default=True, type=click.Path(), help="Folder to write <process id>.yaml files into.")
@click.option("--from", "fmt", type=click.Choice(FORMATS), help="The files' format (default: from the suffix or the content).")
@click.option("--sheet", metavar="NAME", help="XLSX: the sheet to read (default: the first).")
@click.option("--force", is_flag=True, help="Replace existing files.")
def import_command(files: tuple[str, ...], output_dir: str, fmt: str | None, sheet: str | None, force: bool) -> None:
    """Import processes from BPMN 2.0, draw.io, Mermaid, CSV or XLSX files.

    Writes OUTPUT_DIR/<id>.yaml for every process found (a BPMN pool or expanded subprocess, a
    draw.io page, a Mermaid flowchart, a sheet), laid out like the bundled library with a header
    naming the source, steps in flow order. Every mapping that lost something is a
    `FILE:LINE:COL: warning: ...` line on stderr. Nothing is written when a file does not import,
    or when an output exists and --force is not given (exit code 2). Then `kamflow check` tells
    what the imported process is missing.
    """
    written, notes = api.import_files(files, output_dir=output_dir, fmt=fmt, sheet=sheet, force=force)
    for note in notes:
        click.echo(str(note), err=True)
    for path in written:
        click.echo(f"wrote {path}")
