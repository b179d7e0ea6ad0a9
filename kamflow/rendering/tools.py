"""The one runner of external programs (Graphviz's `dot`/`neato`, librsvg's `rsvg-convert`).

Each program runs in its own process group with the input on stdin and a deadline; on a timeout,
Ctrl-C or any other exception the whole group is killed (a wrapper script's children too), so
nothing keeps running and no pipe keeps kamflow waiting. Every failure becomes one RenderError
sentence: not found, could not be started, took too long, crashed, failed (with the program's
last line of stderr)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kamflow.errors import RenderError


@dataclass(frozen=True)
class Tool:
    """How to name a program in messages: `label` with `{exe}` ("Graphviz `{exe}`"), a short name
    for "took longer"/"failed" ("Graphviz"), the install hint, and advice on a timeout."""

    label: str
    short: str
    hint: str
    timeout_advice: str = ""

    def named(self, argv: list[str]) -> str:
        return self.label.format(exe=Path(argv[0]).name)

    def find(self, program: str) -> str:
        """The path of `program` on PATH, else the error a run of it would give."""
        found = shutil.which(program)
        if not found:
            raise self.not_found([program])
        return found

    def not_found(self, argv: list[str]) -> RenderError:
        return RenderError(f"{self.named(argv)} was not found; {self.hint}")


@dataclass(frozen=True)
class Job:
    argv: list[str]
    data: bytes
    doing: str  # for messages: "laying out the chart", "writing PDF"


def run(tool: Tool, job: Job, *, timeout: float, env: dict[str, str] | None = None) -> bytes:
    """One program's standard output."""
    return run_all(tool, {"": job}, timeout=timeout, env=env)[""]


Started = dict[str, subprocess.Popen]  # programs started before their input, by job key


@contextmanager
def started(tool: Tool, argvs: dict[str, list[str]], *, env: dict[str, str] | None = None) -> Iterator[Started]:
    """Start programs before their input is known, for `run_all(..., started=)` to hand it to
    them: their own start-up (loading their libraries) then runs beside kamflow's work instead of
    after it. On the way out, any not used (kamflow failed first) is killed."""
    processes: Started = {}
    try:
        for key, argv in argvs.items():
            _start(tool, argv, _environment(env), processes, key)
        yield processes
    finally:
        _end(processes.values())


def run_all(
    tool: Tool,
    jobs: dict[str, Job],
    *,
    timeout: float,
    env: dict[str, str] | None = None,
    started: Started | None = None,
) -> dict[str, bytes]:
    """Start every job at once (they run side by side) and return each one's standard output;
    all share one deadline. SOURCE_DATE_EPOCH defaults to 0, so dates written into outputs do not
    change the bytes. A job whose program `started` holds already, with the same command line,
    gets that process."""
    env = _environment(env)
    running: dict[str, tuple[subprocess.Popen, Job]] = {}
    processes: dict[str, subprocess.Popen] = {}
    try:
        for key, job in jobs.items():
            early = (started or {}).pop(key, None)
            if early is not None and early.args == job.argv and early.poll() is None:
                processes[key] = early
            else:
                if early is not None:
                    kill_group(early)
                _start(tool, job.argv, env, processes, key)
            running[key] = (processes[key], job)
        deadline = time.monotonic() + timeout
        results = {}
        for key, (process, job) in running.items():
            try:
                out, err = process.communicate(job.data, timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                raise RenderError(f"{tool.short} took longer than {timeout:g} s and was stopped{tool.timeout_advice}") from None
            except BrokenPipeError:  # it died before reading its input: report like any other failure
                raise RenderError(f"{tool.short} stopped before reading its input while {job.doing}") from None
            if process.returncode < 0:
                raise RenderError(f"{tool.named(job.argv)} crashed (signal {-process.returncode}) while {job.doing}")
            if process.returncode != 0:
                detail = err.decode("utf-8", "replace").strip().splitlines()
                raise RenderError(f"{tool.short} failed while {job.doing}: {detail[-1] if detail else f'exit code {process.returncode}'}")
            results[key] = out
        return results
    finally:
        _end(processes.values())


def _end(processes) -> None:
    """Each program still running is killed with its children; each one that ended is closed."""
    for process in processes:
        if process.poll() is None:
            kill_group(process)
        else:
            _close(process)


def _environment(env: dict[str, str] | None) -> dict[str, str]:
    env = dict(os.environ if env is None else env)
    env.setdefault("SOURCE_DATE_EPOCH", "0")
    return env


def _start(tool: Tool, argv: list[str], env: dict[str, str], into: dict[str, subprocess.Popen], key: str) -> None:
    """Start one program with its input, output and errors piped, as `into[key]`."""
    held = _hold_signals()
    try:
        # its own session: no terminal signals reach it, and kill_group ends it and its children
        into[key] = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)
    except FileNotFoundError:
        raise tool.not_found(argv) from None
    except OSError as error:  # not executable, a broken interpreter line
        raise RenderError(f"{tool.named(argv)} could not be started: {error.strerror or error}; {tool.hint}") from None
    finally:
        _release_signals(held)  # a Ctrl-C held meanwhile arrives here, with the process known to the caller's finally


def _hold_signals() -> object:
    """Block Ctrl-C and kill while a program is being started: one that lands while Popen is still
    starting it would leave it running (there is no process object to kill yet). Returns what to
    restore; a held signal arrives on restore, once the process is known and can be killed."""
    if not hasattr(signal, "pthread_sigmask"):
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})


def _release_signals(previous: object) -> None:
    if previous is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)  # type: ignore[arg-type]


def kill_group(process: subprocess.Popen) -> None:
    """Kill a program started in its own session and everything it started; reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        if process.poll() is None:
            process.kill()
    _close(process)
    process.wait()


def _close(process: subprocess.Popen) -> None:
    for stream in (process.stdin, process.stdout, process.stderr):
        try:
            if stream is not None:
                stream.close()
        except OSError:
            pass
