from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import click

from kamflow.cli._chart_options import chart_options
from kamflow.cli._lazy import api

WATCHED_SUFFIXES = (".yaml", ".yml")
CHANGES = {"created", "modified", "moved", "deleted", "closed"}


@click.command("watch")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "-o", "--output", "output_dir", default="output", show_default=True, type=click.Path(file_okay=False), help="Folder to write the charts into."
)
@click.option("-f", "--format", "formats", default="svg", show_default=True, help="Comma-separated: svg, pdf, png, dot.")
@click.option(
    "--debounce",
    type=click.FloatRange(min=0.0, max=10.0),
    default=0.3,
    show_default=True,
    help="Seconds of quiet after a save before re-rendering (editors write in bursts).",
)
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True, help="Parallel processes per re-render.")
@chart_options
def watch_command(paths: tuple[str, ...], output_dir: str, formats: str, debounce: float, jobs: int, chart: dict) -> None:
    """Re-check and re-render process files on every save until Ctrl-C.

    Renders everything once (skipping what the cache says is current), then waits for changes to
    .yaml/.yml files under PATHS; after a short debounce it re-renders what changed (a change to a
    referenced process re-renders the processes that use it) and prints the findings. Exit code 0
    after Ctrl-C, or 2 when a file still failed to load or render in the latest run.
    """
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    from kamflow import batch
    from kamflow.errors import LoadError, Problem, Span

    missing = [Problem(Span(path), "no such file or folder") for path in paths if not Path(path).exists()]
    if missing:  # nothing to watch: one line per path, exit 2
        raise LoadError(missing)
    options = api.RenderOptions(**chart)
    wanted = api.chart_formats(formats)
    changed = threading.Event()
    last_event = [0.0]

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event) -> None:
            if event.event_type not in CHANGES:
                return  # reads (opened, closed without writing) are not saves; kamflow reads the files itself
            touched = [getattr(event, "src_path", ""), getattr(event, "dest_path", "")]
            if event.is_directory or not any(str(p).lower().endswith(WATCHED_SUFFIXES) for p in touched if p):
                return
            last_event[0] = time.monotonic()
            changed.set()

    last_failed = [False]  # did the latest run fail for some file? It decides the exit code

    def run(first: bool) -> None:
        result = batch.render_many(paths, output_dir=output_dir, formats=wanted, options=options, jobs=jobs)
        last_failed[0] = bool(result.count("failed"))
        for outcome in result.outcomes:
            if first or outcome.status != "skipped":
                for line in outcome.findings + outcome.errors:
                    click.echo(line, err=True)
                for written in outcome.written:
                    click.echo(written)
        click.echo(f"{time.strftime('%H:%M:%S')} {result.summary()}", err=True)

    # Ctrl-C (SIGINT) and SIGTERM both end the loop cleanly, also when started from a script that
    # ignores SIGINT for background jobs.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    observer = Observer()
    handler = Handler()
    for path in paths:
        target = Path(path)
        if target.is_dir():
            observer.schedule(handler, str(target), recursive=True)
        else:
            observer.schedule(handler, str(target.resolve().parent), recursive=False)
    observer.start()
    try:
        run(first=True)
        click.echo(f"watching {', '.join(paths)} (Ctrl-C to stop)", err=True)
        while True:
            if not changed.wait(timeout=0.5):
                continue
            if time.monotonic() - last_event[0] < debounce:
                time.sleep(0.05)
                continue
            changed.clear()
            run(first=False)
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not break the clean stop
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        click.echo("stopped watching", err=True)
    finally:
        observer.stop()
        observer.join(timeout=5)
    if last_failed[0]:
        raise SystemExit(2)  # like every command: a file that does not load (still) means exit 2


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
