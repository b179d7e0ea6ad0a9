from __future__ import annotations

import click

from kamflow.cli._lazy import api


@click.command("show")
@click.argument("process_id", metavar="ID")
def show_command(process_id: str) -> None:
    """Print the YAML of the bundled process ID, exactly as shipped.

    Pipe it to a file or a pager; `kamflow list` shows the ids.
    """
    click.echo(api.show_process(process_id), nl=False)
