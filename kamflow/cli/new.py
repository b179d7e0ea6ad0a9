from __future__ import annotations

import click

from kamflow.cli._lazy import api


@click.command("new")
@click.argument("name")
@click.option(
    "--from", "source", required=True, metavar="ID|FILE", help="The reference: a bundled process id (see `kamflow list`) or a process file."
)
@click.option("-o", "--output-dir", default=".", show_default=True, type=click.Path(), help="Folder to write NAME.yaml into.")
def new_command(name: str, source: str, output_dir: str) -> None:
    """Start a new process NAME from a reference process, ready to adapt.

    Writes OUTPUT_DIR/NAME.yaml: a copy of the reference, comments and order kept, with
    `id: NAME` and `based_on: <reference>`, so `kamflow check` reports the essential steps the
    adapted process is missing. Never overwrites an existing file (exit code 2).
    """
    path = api.new_process(name, source=source, output_dir=output_dir)
    click.echo(f"wrote {path} (based on {source})")
