"""Worker processes for a batch: how they start, what they run, and how Ctrl-C or a kill stops them
at once (not after their renders), using only the public multiprocessing API."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Callable

from kamflow.batch.jobs import Job, Outcome, render_one


def run_in_workers(todo: list[tuple[int, Job, Outcome]], workers: int, done: Callable[[int, Outcome, Outcome], None]) -> None:
    """Render each (index, job, pending outcome) in a pool of `workers` processes; `done(index,
    pending, result)` as each finishes. A worker that dies fails its file; the rest go on."""
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=_worker_started)
    try:
        futures = {pool.submit(_render_in_worker, job): (index, pending) for index, job, pending in todo}
        for future in as_completed(futures):
            index, pending = futures[future]
            try:
                result = future.result()
            except Exception as error:  # a worker died: that file failed, the rest go on
                result = Outcome(pending.source, "failed", errors=[f"{pending.source}: error: worker failed: {error}"])
            done(index, pending, result)
    except BaseException:  # Ctrl-C or a kill: stop the workers now, not after their renders (the
        _stop_workers()  # pool then fails the futures left, and shutdown waits for its thread)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _context() -> Any:
    """How worker processes start. Forking is the cheapest (kamflow is already imported) but is
    only safe while this process runs a single thread; otherwise (kamflow watch has its observer
    thread) a fork server with kamflow preloaded, or spawn where there is no fork."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["kamflow.batch"])
        return context
    return multiprocessing.get_context("spawn")


def _worker_started() -> None:
    """Workers leave Ctrl-C to the main process, which stops them with SIGTERM; in a worker SIGTERM
    unwinds like an exception, so its Graphviz is killed and its temporary files are removed."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_terminated)


def _worker_terminated(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def _render_in_worker(job: Job) -> Outcome:
    try:
        return render_one(job)
    except SystemExit as stop:  # stopped by the main process: Graphviz and temporary files are cleaned up by now
        os._exit(stop.code if isinstance(stop.code, int) else 1)  # leave at once; the pool would start the next job


def _stop_workers() -> None:
    """End every worker of this process (SIGTERM, then SIGKILL after 10 s)."""
    workers = multiprocessing.active_children()
    for process in workers:
        process.terminate()
    for process in workers:
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
            process.join()
