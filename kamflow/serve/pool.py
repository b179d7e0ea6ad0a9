"""Worker processes for renders, with a time limit: a job that fails comes back as a message, a
job that hangs or kills its worker gets the pool replaced. The server itself never draws."""

from __future__ import annotations

import asyncio
import multiprocessing
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool


class JobFailed(Exception):
    """A job that raised, took too long or lost its worker; the message is for the user."""


def _worker_started() -> None:
    # Ctrl-C in the terminal reaches the whole process group: the server stops the workers itself,
    # so they must not die half-way with a traceback of their own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class WorkerPool:
    def __init__(self, workers: int = 2):
        # spawn, not fork: the server has threads (event loop, file watcher) a fork would copy mid-step
        self._context = multiprocessing.get_context("spawn")
        self._workers = workers
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self._workers, mp_context=self._context, initializer=_worker_started)

    async def run(self, function, *args, timeout: float):
        """`function(*args)` in a worker; JobFailed when it raises, hangs past `timeout` seconds or
        its worker dies. A pool replaced under a job (another job hung) gets the job one retry."""
        for attempt in (1, 2):
            pool = self._pool
            try:
                future = pool.submit(function, *args)
            except RuntimeError:  # broken or shut down under us: a fresh pool, once
                self._replace(pool)
                continue
            try:
                return await asyncio.wait_for(asyncio.wrap_future(future), timeout)
            except asyncio.TimeoutError:
                self._replace(pool)
                raise JobFailed(f"the render took longer than {timeout:g} s and was stopped; the server goes on") from None
            except BrokenProcessPool:
                replaced = pool is not self._pool
                self._replace(pool)
                if attempt == 1 and replaced:
                    continue
                raise JobFailed("the render's worker process stopped; the server goes on") from None
            except Exception as error:  # noqa: BLE001 - a failing job is a message, never a dead server
                raise JobFailed(f"the render failed: {type(error).__name__}: {error}") from None
        raise JobFailed("the render's worker process stopped; the server goes on")

    def _replace(self, pool: ProcessPoolExecutor) -> None:
        if pool is not self._pool:
            return  # someone replaced it already
        self._pool = self._new_pool()
        _kill(pool)

    def close(self) -> None:
        _kill(self._pool)


def _kill(pool: ProcessPoolExecutor) -> None:
    processes = list(getattr(pool, "_processes", {}).values())  # the executor has no public kill
    for process in processes:
        if process.is_alive():
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(timeout=2)
