from __future__ import annotations

import click

from kamflow.cli._lazy import api

_COLUMNS = ("id", "title", "steps", "decisions", "lanes")


@click.command("list")
@click.argument("folder", required=False, type=click.Path())
def list_command(folder: str | None) -> None:
    """List the bundled reference processes, or the processes in FOLDER.

    One row per process: id, title, number of steps, decisions and lanes. Start a client's
    process from one of them with `kamflow new NAME --from ID`.
    """
    processes = api.collect_processes([folder]) if folder else api.library_processes()
    rows = [(p.id, p.title, str(len(p.steps)), str(sum(s.type == "decision" for s in p.steps)), str(len(p.lanes))) for p in processes]
    widths = [max(len(row[i]) for row in [_COLUMNS, *rows]) for i in range(len(_COLUMNS))]
    numeric = {2, 3, 4}
    for row in [_COLUMNS, *rows]:
        cells = [cell.rjust(w) if i in numeric else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))]
        click.echo("  ".join(cells).rstrip())
