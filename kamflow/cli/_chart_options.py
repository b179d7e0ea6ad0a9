"""The chart options render, report and watch share, as one decorator: the same flags, help and
checks everywhere, gathered into the keyword arguments of api.RenderOptions (passed as `chart`)."""

from __future__ import annotations

import functools

import click

from kamflow.cli._lazy import api

_OPTIONS = (
    click.option("--direction", type=click.Choice(["TB", "LR"]), help="Flow direction (overrides the file's)."),
    click.option("--theme", help="Chart theme: default, print, colorblind, or a theme file (.yaml); overrides the file's `theme:`."),
    click.option("--number", is_flag=True, help="Number the steps in flow order."),
    click.option("--legend", is_flag=True, help="Add a legend of the symbols the chart uses."),
    click.option("--wrap", "wrap_width", type=click.IntRange(8, 60), default=24, show_default=True, help="Wrap labels at this many characters."),
    click.option(
        "--edges",
        type=click.Choice(["orthogonal", "rounded"]),
        help="Flow corners: right angles (default) or rounded; the routes are the same. A theme may set `edges:`.",
    ),
    click.option(
        "--highlight",
        type=click.Choice(["critical-path"]),
        help="Draw the critical path (the longest start-to-end path by duration, see `kamflow stats`) emphasised, with a legend.",
    ),
    click.option(
        "--no-ghosts",
        is_flag=True,
        help="Do not draw missing steps (of the `based_on` reference, or flows to missing ids) as dashed ghosts, nor mark dead ends.",
    ),
    click.option(
        "--timeout",
        type=click.FloatRange(min=0, min_open=True, max=86400),
        default=60.0,
        show_default=True,
        help="Seconds each Graphviz layout or PDF/PNG conversion may take before it is stopped (exit code 2).",
    ),
)
_NAMES = ("direction", "theme", "number", "legend", "wrap_width", "edges", "highlight", "no_ghosts", "timeout")


def chart_options(command):
    """Add the shared chart flags to a command; it receives them as `chart`, a dict for RenderOptions."""

    @functools.wraps(command)
    def with_chart(*args, **kwargs):
        values = {name: kwargs.pop(name) for name in _NAMES}
        if values["theme"]:
            api.check_theme(values["theme"])  # a bad theme file stops here: positioned errors, exit 2
        kwargs["chart"] = {
            "direction": values["direction"],
            "theme": values["theme"],
            "number": values["number"],
            "legend": values["legend"],
            "wrap": values["wrap_width"],
            "edges": values["edges"],
            "highlight": values["highlight"],
            "ghosts": not values["no_ghosts"],
            "timeout": values["timeout"],
        }
        return command(*args, **kwargs)

    for option in reversed(_OPTIONS):
        with_chart = option(with_chart)
    return with_chart
