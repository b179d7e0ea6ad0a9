from __future__ import annotations

import click

from kamflow import api


@click.command("render")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-f", "--format", "formats", default="svg,pdf", show_default=True, help="Comma-separated: svg, pdf, png, dot.")
@click.option("-o", "--output", "output_dir", default="output", show_default=True, type=click.Path(file_okay=False), help="Folder to write <process id>.<format> into.")
@click.option("--direction", type=click.Choice(["TB", "LR"]), help="Flow direction (overrides the file's).")
@click.option("--strict", is_flag=True, help="Draw nothing when the check finds errors.")
def render_command(paths: tuple[str, ...], formats: str, output_dir: str, direction: str | None, strict: bool) -> None:
    """Draw process files as flowcharts (SVG and PDF by default).

    The check runs first and its findings go to stderr; the chart is still drawn unless --strict
    is given and there are errors. Nothing is written when a file does not load.
    """
    processes = api.collect_processes(paths)
    wanted = api._formats(formats.split(","))
    failed = False
    for process in processes:
        findings = api.check(process)
        for finding in findings:
            click.echo(str(finding), err=True)
        if strict and any(f.severity == "error" for f in findings):
            failed = True
    if failed:
        click.echo("not rendered: the check found errors (--strict)", err=True)
        raise SystemExit(1)
    for process in processes:
        for written in api.render(process, formats=wanted, output_dir=output_dir, direction=direction):
            click.echo(str(written))
