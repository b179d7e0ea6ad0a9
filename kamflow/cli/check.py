from __future__ import annotations

import click

from kamflow.cli._inputs import processes_from
from kamflow.cli._lazy import api
from kamflow.errors import UsageError


def _rule_ids(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    ids = tuple(part.strip() for value in values for part in value.split(",") if part.strip())
    try:
        api.check_rule_ids(ids)
    except UsageError as error:  # one line, `error: --disable: ...`, exit 2 (not Click's usage block)
        raise UsageError(f"{param.opts[0]}: {error}") from None
    return ids


@click.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif"]),
    default="text",
    show_default=True,
    help="How to print the findings: text lines, JSON, or SARIF 2.1.0 for code-scanning tools.",
)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option(
    "--against",
    metavar="REF",
    help="Reference process (an id, or a .yaml path from here) whose essential steps must be implemented, in order; wins over `based_on`.",
)
@click.option(
    "--preset",
    type=click.Choice(["recommended", "all"]),
    default="recommended",
    show_default=True,
    help="Which rules run: the recommended ones, or all.",
)
@click.option("--enable", "enable", multiple=True, metavar="RULE", callback=_rule_ids, help="Also run this rule (repeatable, or comma-separated).")
@click.option(
    "--disable", "disable", multiple=True, metavar="RULE", callback=_rule_ids, help="Do not run this rule (repeatable, or comma-separated)."
)
def check_command(
    paths: tuple[str, ...], fmt: str, strict: bool, against: str | None, preset: str, enable: tuple[str, ...], disable: tuple[str, ...]
) -> None:
    """Check process files (or folders of them) for missing and broken steps.

    `-` reads one process from standard input. Prints one line per finding, `PATH:LINE:COL: severity: message [rule-id]`, then a summary.
    A process with `based_on` (or every process, with --against) is also checked against that
    reference: its essential steps must be implemented (same id, or `implements`), in order.
    `kamflow rules` lists the rules. Exit code 0 without errors, 1 with errors (or warnings with
    --strict), 2 when a file does not load or an option is wrong.
    """
    processes = processes_from(paths)
    findings = [finding for process in processes for finding in api.check(process, against=against, preset=preset, enable=enable, disable=disable)]
    click.echo(api.format_findings(findings, fmt=fmt, files=len(processes)), nl=False)
    failing = {"error", "warning"} if strict else {"error"}
    if any(finding.severity in failing for finding in findings):
        raise SystemExit(1)
