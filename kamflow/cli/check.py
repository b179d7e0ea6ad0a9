from __future__ import annotations

import click

from kamflow import api


@click.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="How to print the findings.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
def check_command(paths: tuple[str, ...], fmt: str, strict: bool) -> None:
    """Check process files (or folders of them) for missing and broken steps.

    Prints one line per finding, `PATH:LINE:COL: severity: message [rule-id]`, then a summary.
    Exit code 0 without errors, 1 with errors (or warnings with --strict), 2 when a file does not load.
    """
    processes = api.collect_processes(paths)
    findings = [finding for process in processes for finding in api.check(process)]
    click.echo(api.format_findings(findings, fmt=fmt, files=len(processes)), nl=False)
    failing = {"error", "warning"} if strict else {"error"}
    if any(finding.severity in failing for finding in findings):
        raise SystemExit(1)
