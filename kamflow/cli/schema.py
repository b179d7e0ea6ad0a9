from __future__ import annotations

import click

from kamflow.cli._lazy import api


@click.command("schema")
@click.option(
    "--of",
    "of",
    type=click.Choice(["process", "export"]),
    default="process",
    show_default=True,
    help="process: the YAML process format; export: the node-link JSON that `export --to json` writes.",
)
def schema_command(of: str) -> None:
    """Print a JSON Schema: by default the one of the YAML process format, for editor completion.

    Save it and point the YAML language server at it (VS Code: the `yaml.schemas` setting, or a
    `# yaml-language-server: $schema=kamflow.schema.json` first line); see docs/exports.md.
    """
    click.echo(api.json_schema(of), nl=False)
