"""The `kamflow` command: a thin shell over kamflow.api. Exit codes are chosen here only:
0 fine, 1 the check found errors, 2 bad input, usage or tooling errors."""

from __future__ import annotations

import gc
import signal
import sys

import click

from kamflow.errors import KamflowError


class KamflowGroup(click.Group):
    """Turns kamflow's own errors into `PATH:LINE:COL: error: message` lines and exit code 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KamflowError as error:
            for line in error.lines():
                click.echo(line, err=True)
            ctx.exit(2)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)


@click.group(cls=KamflowGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kamflow", prog_name="kamflow")
def cli() -> None:
    """Turn business processes written in YAML into checked, report-grade flowcharts."""


def _register() -> None:
    from kamflow.cli.check import check_command
    from kamflow.cli.diff import diff_command
    from kamflow.cli.export import export_command
    from kamflow.cli.importer import import_command
    from kamflow.cli.list import list_command
    from kamflow.cli.new import new_command
    from kamflow.cli.render import render_command
    from kamflow.cli.report import report_command
    from kamflow.cli.rules import rules_command
    from kamflow.cli.schema import schema_command
    from kamflow.cli.serve import serve_command
    from kamflow.cli.show import show_command
    from kamflow.cli.stats import stats_command
    from kamflow.cli.themes import themes_command
    from kamflow.cli.watch import watch_command

    cli.add_command(check_command)
    cli.add_command(diff_command)
    cli.add_command(export_command)
    cli.add_command(import_command)
    cli.add_command(schema_command)
    cli.add_command(stats_command)
    cli.add_command(render_command)
    cli.add_command(rules_command)
    cli.add_command(serve_command)
    cli.add_command(report_command)
    cli.add_command(watch_command)
    cli.add_command(list_command)
    cli.add_command(new_command)
    cli.add_command(show_command)
    cli.add_command(themes_command)


_register()


def _terminated(signum, frame) -> None:
    raise SystemExit(128 + signum)


def main() -> None:
    # A CLI run allocates many small long-lived objects (model, graph); with the default thresholds
    # the cyclic collector rescans them again and again (a third of `check` time at 100k steps).
    gc.set_threshold(100_000, 50, 1000)
    # A plain `kill` (SIGTERM) unwinds like Ctrl-C: half-written temporary files are removed and a
    # running Graphviz is killed, so the previous outputs stay as they were (exit code 143).
    signal.signal(signal.SIGTERM, _terminated)
    try:
        cli(prog_name="kamflow")
    finally:
        # Python's shutdown collects over every object still alive (networkx's modules, the model),
        # 40-80 ms of each command; frozen objects are left out of it, and nothing here needs it.
        gc.freeze()
    sys.exit(0)
