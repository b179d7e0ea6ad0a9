from __future__ import annotations

import click

from kamflow.cli._lazy import api


@click.command("stats")
@click.argument("path")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Readable text or the JSON documented in docs/diff.md.",
)
def stats_command(path: str, fmt: str) -> None:
    """Path analytics for a process file (or a library id): steps per type and lane, decisions,
    ends and loops; the shortest and longest paths from start to each end by duration (the longest
    is the critical path); the expected duration from branch probabilities, loops included; the
    hand-offs between lanes; and the steps with no owner or no duration.

    Durations are working time: 1d = 8h, 1w = 5d. Exit code 0, or 2 when the file does not load.
    """
    process = api.load_any(path)
    click.echo(api.format_stats(api.stats(process), process, fmt=fmt), nl=False)
