"""The one place that starts Graphviz. DOT goes in on stdin; the layout is computed once and every
requested format is written by the same `dot` process."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from kamflow.errors import RenderError

RENDER_FORMATS = ("svg", "pdf", "png", "dot")
# Graphviz output format per kamflow format; cairo gives PDF with embedded, subset fonts.
_GRAPHVIZ_FORMATS = {"svg": "svg", "pdf": "pdf:cairo", "png": "png:cairo", "json": "json"}  # json: positions for exporters (rendering/layout.py)
DEFAULT_TIMEOUT = 60.0
INSTALL_HINT = "install Graphviz: `apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS) or `choco install graphviz` (Windows), then make sure `dot` is on PATH"


def dot_executable() -> str:
    found = shutil.which("dot")
    if not found:
        raise RenderError(f"Graphviz `dot` was not found; {INSTALL_HINT}")
    return found


def render_bytes(source: str, formats: tuple[str, ...], *, timeout: float = DEFAULT_TIMEOUT, engine: str = "dot", extra: tuple[str, ...] | list[str] = ()) -> dict[str, bytes]:
    """Lay out `source` once and return the bytes of each format ('dot' is the source itself).
    `engine` names another Graphviz layout program (kamflow uses `neato -n2` to route flows around
    steps placed already); `extra` are further command-line arguments."""
    results: dict[str, bytes] = {}
    graphviz_formats = [fmt for fmt in formats if fmt != "dot"]
    if "dot" in formats:
        results["dot"] = source.encode("utf-8")
    if not graphviz_formats:
        return results
    with tempfile.TemporaryDirectory(prefix="kamflow-") as scratch:
        argv = [dot_executable()] if engine == "dot" else [str(Path(dot_executable()).with_name(engine)), *extra]
        if engine == "dot":
            argv += list(extra)
        files = {}
        for fmt in graphviz_formats:
            files[fmt] = Path(scratch) / f"chart.{fmt}"
            argv += [f"-T{_GRAPHVIZ_FORMATS[fmt]}", f"-o{files[fmt]}"]
        _run(argv, source, timeout)
        for fmt, file in files.items():
            results[fmt] = file.read_bytes()
        if "pdf" in results:
            results["pdf"] = _fixed_pdf_date(results["pdf"])
    return {fmt: results[fmt] for fmt in formats}


_PDF_DATE = re.compile(rb"/CreationDate \((D:[^)]*)\)")


def _fixed_pdf_date(pdf: bytes) -> bytes:
    """cairo stamps the render time into the PDF; replace it with SOURCE_DATE_EPOCH (default
    1970-01-01) at the same byte length, so the cross-reference offsets stay valid."""
    match = _PDF_DATE.search(pdf)
    if not match:
        return pdf
    original = match.group(1)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "0")
    stamp = time.strftime("D:%Y%m%d%H%M%S", time.gmtime(int(epoch) if epoch.isdigit() else 0)).encode()
    for suffix in (b"Z", b"+00'00'", b"+00'00"):
        if len(stamp + suffix) == len(original):
            return pdf[: match.start(1)] + stamp + suffix + pdf[match.end(1) :]
    return pdf


def run_killable(argv: list[str], data: bytes, *, timeout: float, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a tool in its own process group, feeding `data` on stdin. On a timeout, Ctrl-C or any
    other exception the whole group is killed (a wrapper script's children too), so nothing keeps
    running and no pipe keeps kamflow waiting."""
    # Ctrl-C or a kill that lands while Popen is still starting the tool would leave it running
    # (there is no process object to kill yet): hold those signals until it exists. The tool runs
    # in a session of its own, so it gets no terminal signals, and kill_group uses SIGKILL.
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        raise
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)  # a signal held meanwhile arrives here, inside the try
        out, err = process.communicate(data, timeout=timeout)
    except BaseException:
        kill_group(process)
        raise
    return subprocess.CompletedProcess(argv, process.returncode, out, err)


def kill_group(process: subprocess.Popen) -> None:
    """Kill a tool started with start_new_session=True and everything it started; reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        if process.poll() is None:
            process.kill()
    for stream in (process.stdin, process.stdout, process.stderr):
        try:
            if stream is not None:
                stream.close()
        except OSError:
            pass
    process.wait()


def _run(argv: list[str], source: str, timeout: float) -> None:
    env = dict(os.environ)
    env.setdefault("SOURCE_DATE_EPOCH", "0")  # PDF creation dates must not change the bytes
    try:
        completed = run_killable(argv, source.encode("utf-8"), timeout=timeout, env=env)
    except FileNotFoundError:
        raise RenderError(f"Graphviz `dot` was not found; {INSTALL_HINT}") from None
    except subprocess.TimeoutExpired:
        raise RenderError(f"Graphviz took longer than {timeout:g} s and was stopped (raise --timeout for very large processes)") from None
    except OSError as error:  # not executable, a broken interpreter line
        raise RenderError(f"Graphviz `{Path(argv[0]).name}` could not be started: {error.strerror or error}; {INSTALL_HINT}") from None
    if completed.returncode < 0:
        raise RenderError(f"Graphviz `{Path(argv[0]).name}` crashed (signal {-completed.returncode}) while laying out the chart")
    if completed.returncode != 0:
        detail = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = detail[-1] if detail else f"exit code {completed.returncode}"
        raise RenderError(f"Graphviz failed: {reason}")
