from __future__ import annotations

import click

from kamflow.cli._lazy import api


@click.command("diff")
@click.argument("old")
@click.argument("new")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A change log (text) or the JSON documented in docs/diff.md.",
)
@click.option("-o", "--output", "output_dir", type=click.Path(), help="Also draw the diff chart, <new id>-diff.<format>, into this folder.")
@click.option(
    "-f", "--chart-format", "formats", default="svg,pdf", show_default=True, help="Chart formats with -o, comma-separated: svg, pdf, png, dot."
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True, max=86400),
    default=60.0,
    show_default=True,
    help="Seconds the chart's Graphviz layout or conversion may take before it is stopped.",
)
def diff_command(old: str, new: str, fmt: str, output_dir: str | None, formats: str, timeout: float = 60.0) -> None:
    """Show what changed from the OLD (as-is) process to the NEW (to-be) one.

    OLD and NEW are process files or ids of processes in the current folder or the bundled library.
    Steps are matched by id, and through the reference steps they implement when both processes
    share a reference (`based_on`). Reported: steps added, removed, renamed, relabelled, retyped and
    moved between lanes; changed owner, duration, KPIs and other details; flows added and removed;
    branch labels and probabilities changed; lanes and process details changed.

    With -o, the diff chart shows the new process with added steps and flows marked "new", changed
    steps marked with what changed, and removed steps as dashed ghosts with their old flows.
    Exit code 0 when the processes are the same, 1 when they differ, 2 on errors.
    """
    wanted = api.chart_formats(formats) if output_dir else ()
    before = api.load_any(old)
    after = api.load_any(new)
    result = api.diff(before, after)
    click.echo(api.format_diff(result, fmt=fmt), nl=False)
    if output_dir:
        for written in api.render_diff(result, formats=wanted, output_dir=output_dir, options=api.RenderOptions(timeout=timeout)):
            click.echo(f"wrote {written}", err=True)
    if not result.identical:
        raise SystemExit(1)
