from __future__ import annotations

import click

from kamflow.cli._lazy import api


@click.command("themes")
@click.option("--check", "theme_file", type=click.Path(dir_okay=False), help="Validate a theme file instead of listing.")
def themes_command(theme_file: str | None) -> None:
    """List the built-in chart themes (use one with `render --theme NAME` or `theme: NAME` in a
    process file), or check a custom theme file with --check FILE.

    A custom theme is a YAML file overriding any part of a built-in one, e.g.:

    \b
        extends: print
        font: {family: DejaVu Sans, size: 12}
        steps:
          decision: {fill: "#ffe9a8", stroke: "#8a6d00"}
        lanes: {fills: ["#ffffff", "#f4f4f4"]}
    """
    if theme_file:
        theme = api.check_theme(theme_file)
        click.echo(f"{theme_file}: ok (theme {theme.name!r})")
        return
    for name, description in api.themes():
        click.echo(f"{name:<12} {description}")
