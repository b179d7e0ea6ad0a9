from __future__ import annotations

import sys

import click

from kamflow.cli._chart_options import chart_options
from kamflow.cli._inputs import processes_from
from kamflow.cli._lazy import api
from kamflow.errors import UsageError


@click.command("render")
@click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("-f", "--format", "formats", default="svg,pdf", show_default=True, help="Comma-separated: svg, pdf, png, dot.")
@click.option(
    "-o",
    "--output",
    "output_dir",
    default="output",
    show_default=True,
    type=click.Path(allow_dash=True),
    help=(
        "Folder to write <process id>.<format> into; a folder argument's tree is mirrored "
        "inside it. `-` writes the chart to stdout (with `-` as input and one format)."
    ),
)
@click.option("--strict", is_flag=True, help="Draw nothing for a process whose check finds errors.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Render in N parallel processes (default: the number of cores).")
@click.option("--force", is_flag=True, help="Render every process, even those the cache says are current.")
@click.option("-q", "--quiet", is_flag=True, help="Print only findings and failures: no progress bar, no file list, no summary.")
@click.option(
    "--page",
    type=click.Choice(["A4", "A3", "letter"]),
    help="PDF page size (landscape when the chart is wider than tall); default: the chart's own size.",
)
@chart_options
@click.option("--dpi", type=click.IntRange(30, 1200), default=150, show_default=True, help="PNG resolution.")
def render_command(
    paths: tuple[str, ...],
    formats: str,
    output_dir: str,
    strict: bool,
    jobs: int | None,
    force: bool,
    quiet: bool,
    chart: dict,
    page: str | None = None,
    dpi: int = 150,
) -> None:
    """Draw process files, or every process in folder trees, as flowcharts (SVG and PDF by default).

    The check runs first and its findings go to stderr; a chart is still drawn unless --strict is
    given and its check finds errors. Processes whose file, referenced processes, options and
    kamflow version are unchanged, and whose outputs are intact, are skipped (the cache is
    .kamflow-cache.json in the output folder; --force renders anyway). A file that fails is reported
    with its path and the others go on. Ends with a summary line on stderr. Exit code 0 when all
    were drawn or skipped, 1 when --strict held one back, 2 when one failed to load or render.

    `kamflow render - -f svg -o -` reads one process from stdin and writes its chart to stdout.

    Missing steps are drawn as dashed ghosts: each essential step of the `based_on` reference that
    no step implements ("Missing: <label>", where the reference has it) and each flow to a step
    that does not exist; dead ends get a "dead end" mark. --no-ghosts draws the process alone.
    """
    options = api.RenderOptions(**chart, page=page, dpi=dpi)
    wanted = api.chart_formats(formats)
    if "-" in paths or output_dir == "-":
        _render_stream(paths, wanted, output_dir, options, strict)
        return
    _render_batch(paths, wanted, output_dir, options, strict=strict, jobs=jobs, force=force, quiet=quiet)


def _render_stream(paths: tuple[str, ...], wanted: tuple[str, ...], output_dir: str, options, strict: bool) -> None:
    if output_dir == "-" and (len(wanted) != 1 or paths != ("-",)):
        raise UsageError("-o - writes one chart to stdout: read one process from stdin (`-`) and choose one format, e.g. -f svg")
    (process,) = processes_from(paths)
    findings = api.check(process)
    for finding in findings:
        click.echo(str(finding), err=True)
    for warning in api.render_warnings(process, options):
        click.echo(warning, err=True)
    if strict and any(f.severity == "error" for f in findings):
        click.echo("not rendered: the check found errors (--strict)", err=True)
        raise SystemExit(1)
    notes: list[str] = []  # what was split over several pages
    if output_dir == "-":
        stream = sys.stdout.buffer
        stream.write(api.render_charts(process, formats=wanted, options=options, findings=findings, notes=notes)[wanted[0]])
        for note in notes:
            click.echo(note, err=True)
        stream.flush()
        return
    for written in api.render(process, formats=wanted, output_dir=output_dir, options=options, findings=findings, notes=notes):
        click.echo(str(written))
    for note in notes:
        click.echo(note, err=True)


def _render_batch(paths, wanted, output_dir, options, *, strict: bool, jobs: int | None, force: bool, quiet: bool) -> None:
    from kamflow import batch

    bar = None
    show_bar = not quiet and sys.stderr.isatty()

    def planned(total: int) -> None:
        nonlocal bar
        if show_bar and total > 1:
            bar = click.progressbar(length=total, label="rendering", file=sys.stderr, show_pos=True)
            bar.__enter__()

    def advanced(outcome) -> None:
        if bar is not None:
            bar.update(1)

    try:
        result = batch.render_many(
            paths,
            output_dir=output_dir,
            formats=wanted,
            options=options,
            jobs=jobs or batch.default_jobs(),
            force=force,
            strict=strict,
            on_outcome=advanced,
            on_planned=planned,
        )
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    for outcome in result.outcomes:
        for line in outcome.findings + outcome.errors:
            click.echo(line, err=True)
        if not quiet:
            for written in outcome.written:
                click.echo(written)
    if not quiet and not (len(result.outcomes) == 1 and result.failed):  # one file not rendered: its own lines say why
        click.echo(result.summary(), err=True)
    if result.count("failed"):
        raise SystemExit(2)
    if result.count("blocked"):
        raise SystemExit(1)
