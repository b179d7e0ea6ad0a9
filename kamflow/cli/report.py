from __future__ import annotations

from pathlib import Path

import click

from kamflow.cli._chart_options import chart_options
from kamflow.cli._lazy import api


@click.command("report")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    help="The report file for one process (default output/<id>.<format>), the folder for a portfolio (default output/report).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "md"]),
    help="html (one self-contained page) or md (Markdown with the chart as an SVG beside it). Default: from -o's or --template's name, else html.",
)
@click.option("--template", type=click.Path(), help="Your own Jinja2 template for process pages; docs/templates.md lists its variables.")
@chart_options
def report_command(paths: tuple[str, ...], output: str | None, fmt: str | None, template: str | None, chart: dict) -> None:
    """Write a report of a process: title, description, the chart, the steps in flow order,
    a lane x step responsibility matrix, the decisions and the check findings.

    Several files or a folder give a portfolio: an index page and one page per process, each
    subprocess step linked to the page of the process it calls. Prints the files written.
    """
    fmt = fmt or _format_from_name(output) or _format_from_name(template) or "html"
    options = api.RenderOptions(**chart)
    for written in api.write_report(paths, output=output, fmt=fmt, template=template, options=options):
        click.echo(str(written))


def _format_from_name(name: str | None) -> str | None:
    if not name:
        return None
    suffixes = [s.lower() for s in Path(name).suffixes]
    if ".md" in suffixes or ".markdown" in suffixes:
        return "md"
    if ".html" in suffixes or ".htm" in suffixes:
        return "html"
    return None
