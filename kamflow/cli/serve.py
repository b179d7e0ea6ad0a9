from __future__ import annotations

import click

from kamflow.cli._chart_options import chart_options


@click.command("serve")
@click.argument("path", default=".", type=click.Path())
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="Port to listen on (0: any free port).")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but loopback makes the page reachable from other machines (a warning is printed).",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the default browser.")
@chart_options
def serve_command(path: str, port: int, host: str, open_browser: bool, chart: dict) -> None:
    """Show the processes of a folder (or one file) live in the browser until Ctrl-C.

    An index of the processes with their finding counts, and a page per process: the chart (zoom
    and pan), its findings with LINE:COL, a card per step, a toolbar for the chart options,
    downloads, and an editor pane. Every save of a process file, a file it uses or a theme updates
    the open pages at once. The address printed carries a random token that every request needs.
    The chart options set the toolbar's starting values.
    """
    from kamflow import serve

    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            f"warning: listening on {host}, not on 127.0.0.1: anyone who can reach this machine "
            "and learns the token can read and change the process files",
            err=True,
        )
    settings = serve.prepare(path, chart=chart, host=host)
    serve.run(settings, host=host, port=port, open_browser=open_browser, echo=click.echo)
