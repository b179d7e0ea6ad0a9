from __future__ import annotations

import click

from kamflow.cli._lazy import api


@click.command("rules")
@click.argument("rule_id", required=False, metavar="[ID]")
def rules_command(rule_id: str | None) -> None:
    """List the check rules (id, default severity, presets, summary), or print one rule's page.

    Rules marked `all` run only with `kamflow check --preset all` or `--enable ID`; rules marked
    `reference` report only for a process with `based_on` (or with `check --against`).
    """
    if rule_id is not None:
        click.echo(api.rule_doc(rule_id), nl=False)
        return
    rows = api.rules()
    width = max(len(row["id"]) for row in rows)
    click.echo(f"{'rule'.ljust(width)}  severity  preset       summary")
    for row in rows:
        preset = "recommended" if row["recommended"] else "all"
        note = " (with a reference)" if row["reference"] else ""
        click.echo(f"{row['id'].ljust(width)}  {row['severity'].ljust(8)}  {preset.ljust(11)}  {row['summary']}{note}")
    click.echo(f"{len(rows)} rules; `kamflow rules ID` shows one rule's page with a wrong and a right example")
