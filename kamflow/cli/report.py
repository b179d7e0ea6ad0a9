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
    type=click.Choice(["html", "md", "docx"]),
    help="html (one self-contained page), md (Markdown with the chart as an SVG beside it) or docx (one Word document, also for a folder)."
    " Default: from -o's or --template's name, else html.",
)
@click.option("--template", type=click.Path(), help="Your own Jinja2 template for process pages; docs/templates.md lists its variables.")
@click.option(
    "--reference-doc",
    type=click.Path(),
    help="docx: a Word document (.docx) whose styles, page size, margins, headers and footers the report takes, as pandoc's --reference-doc.",
)
@click.option("--page", type=click.Choice(["A4", "A3", "letter"]), help="docx: the paper size (default: the reference document's, else A4).")
@chart_options
def report_command(
    paths: tuple[str, ...], output: str | None, fmt: str | None, template: str | None, reference_doc: str | None, page: str | None, chart: dict
) -> None:
    """Write a report of a process: title, description, the chart, the steps in flow order,
    a lane x step responsibility matrix, the RACI matrix (when steps have one), the decisions,
    path analytics and the check findings. --format docx writes one Word document.

    Several files or a folder give a portfolio: an index page and one page per process, each
    subprocess step linked to the page of the process it calls. Prints the files written.
    """
    fmt = fmt or _format_from_name(output) or _format_from_name(template) or ("docx" if reference_doc else "html")
    if fmt != "docx" and (reference_doc or page):
        raise click.UsageError("--reference-doc and --page are for --format docx")
    if fmt == "docx" and template:
        raise click.UsageError("--template is for html and md reports; a Word report takes --reference-doc")
    options = api.RenderOptions(**chart, page=page)
    warnings: list[str] = []
    written = api.write_report(paths, output=output, fmt=fmt, template=template, options=options, reference_doc=reference_doc, warnings=warnings)
    for warning in warnings:
        click.echo(warning, err=True)
    for path in written:
        click.echo(str(path))


def _format_from_name(name: str | None) -> str | None:
    if not name:
        return None
    suffixes = [s.lower() for s in Path(name).suffixes]
    if ".md" in suffixes or ".markdown" in suffixes:
        return "md"
    if ".html" in suffixes or ".htm" in suffixes:
        return "html"
    if ".docx" in suffixes:
        return "docx"
    return None
