from __future__ import annotations

from pathlib import Path

import click

from kamflow.cli._lazy import api


@click.command("report")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", type=click.Path(), help="The report file for one process (default output/<id>.<format>), the folder for a portfolio (default output/report).")
@click.option("--format", "fmt", type=click.Choice(["html", "md"]), help="html (one self-contained page) or md (Markdown with the chart as an SVG beside it). Default: from -o's or --template's name, else html.")
@click.option("--template", type=click.Path(), help="Your own Jinja2 template for process pages; docs/templates.md lists its variables.")
@click.option("--theme", help="Chart theme: a built-in name or a theme file.")
@click.option("--direction", type=click.Choice(["TB", "LR"]), help="Flow direction of the chart (overrides the file's).")
@click.option("--number", is_flag=True, help="Number the steps on the chart (the same numbers as the step table).")
@click.option("--legend", is_flag=True, help="Add a legend of the symbols the chart uses.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True, max=86400), default=60.0, show_default=True, help="Seconds each Graphviz layout or conversion may take before it is stopped.")
def report_command(paths: tuple[str, ...], output: str | None, fmt: str | None, template: str | None, theme: str | None, direction: str | None, number: bool, legend: bool, timeout: float = 60.0) -> None:
    """Write a report of a process: title, description, the chart, the steps in flow order,
    a lane x step responsibility matrix, the decisions and the check findings.

    Several files or a folder give a portfolio: an index page and one page per process, each
    subprocess step linked to the page of the process it calls. Prints the files written.
    """
    fmt = fmt or _format_from_name(output) or _format_from_name(template) or "html"
    options = api.RenderOptions(direction=direction, theme=theme, number=number, legend=legend, timeout=timeout)
    if theme:
        api.check_theme(theme)  # a bad theme file stops here: positioned errors, exit 2
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
