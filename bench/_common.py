"""Shared by the benchmark scripts: timing whole commands, the machine they ran on, and writing
each benchmark's figures to bench/results/<name>.json (bench/performance.py turns them into
docs/performance.md)."""
from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
KAMFLOW = [str(BIN / "kamflow")] if (BIN / "kamflow").exists() else [sys.executable, "-m", "kamflow"]


def _run(argv: list[str], *, env: dict | None, cwd: Path | None, ok) -> float:
    """One run of a command, its wall time in seconds; a failing run ends the benchmark."""
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, env=env, cwd=cwd or ROOT)
    seconds = time.perf_counter() - started
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stderr.decode(errors='replace')[-2000:]}")
    return seconds


def _summary(times: list[float], repeat: int) -> dict:
    return {"median_s": round(statistics.median(times), 4), "min_s": round(min(times), 4), "max_s": round(max(times), 4), "runs": repeat}


def timed(argv: list[str], *, repeat: int, env: dict | None = None, cwd: Path | None = None, ok=(0,), warm_up: bool = True) -> dict:
    """Run a command `repeat` times (after one untimed warm-up run, unless warm_up is False: for
    runs of many seconds) and return the median, min and max wall time in seconds."""
    times = [_run(argv, env=env, cwd=cwd, ok=ok) for _ in range(repeat + 1 if warm_up else repeat)]
    return _summary(times[1:] if warm_up else times, repeat)


def timed_pair(first: list[str], second: list[str], *, repeat: int, ok=(0,), warm_up: bool = True) -> tuple[dict, dict]:
    """`timed` for two commands run in turns (first, second, first, ...), so that a machine that
    slows down or speeds up during the runs moves both alike and their ratio stays fair."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat + 1 if warm_up else repeat):
        for argv, into in ((first, times[0]), (second, times[1])):
            into.append(_run(argv, env=None, cwd=None, ok=ok))
    if warm_up:
        times = (times[0][1:], times[1][1:])
    return _summary(times[0], repeat), _summary(times[1], repeat)


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def first_line(argv: list[str]) -> str:
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=10)
            return (done.stdout + done.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "not found"

    def package(name: str) -> str:
        from importlib import metadata

        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": cpu,
        "os": platform.platform(),
        "python": platform.python_version(),
        "graphviz": first_line(["dot", "-V"]),
        "rsvg-convert": first_line(["rsvg-convert", "--version"]),
        "pyyaml": package("PyYAML"),
        "libyaml": "yes" if _has_libyaml() else "no",
        "networkx": package("networkx"),
        "click": package("click"),
        "kamflow_commit": commit,
        "load_average": _load_average(),
    }


def _load_average() -> str:
    """The 1, 5 and 15 minute load averages when the figures were taken: on a shared machine they
    say how much else was running."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def _has_libyaml() -> bool:
    import yaml

    return hasattr(yaml, "CSafeLoader")


def write_result(name: str, figures: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    figures = {**figures, "machine": machine(), "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
