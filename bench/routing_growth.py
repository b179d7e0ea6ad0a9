"""Routing growth: how the layout stage of one render grows with the size of the process. Chains
of 100, 500 and 2000 steps whose lanes change every five steps, with loop-backs (bench/synthetic.py),
rendered to SVG in-process through `kamflow.rendering.render_process`; time.perf_counter around
the whole call and around its parts: building the DOT, writing the SVG, and every child process
it waits for (Graphviz). The layout stage is the call minus the DOT and the SVG writing; kamflow's
own share of it (placing lanes, routing flows, labels) is that minus the time spent waiting for
Graphviz, and is also taken as this process's CPU time, which other programs on a shared machine
do not change: the growth verdict reads that. Issue #12: it must grow no worse than about n log n.

    .venv/bin/python bench/routing_growth.py [--sizes 100,500,2000]
"""
from __future__ import annotations

import argparse
import importlib
import math
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import write_result  # noqa: E402
from bench.synthetic import synthetic_process  # noqa: E402

SIZES = (100, 500, 2000)
LANE_EVERY = 5
TIMEOUT = 900.0  # Graphviz alone takes tens of seconds at 2000 steps on a small machine
SLACK = 1.5  # "about n log n": within this factor of n log n growth


@contextmanager
def _clocked(owner, name: str, totals: dict, key: str):
    """Time every call of owner.name into totals[key]; a name that no longer exists is left out."""
    original = getattr(owner, name, None)
    if original is None:
        yield
        return

    def wrapper(*args, **kwargs):
        started, cpu = time.perf_counter(), time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            totals[key] = totals.get(key, 0.0) + time.perf_counter() - started
            totals[key + "_cpu"] = totals.get(key + "_cpu", 0.0) + time.process_time() - cpu

    setattr(owner, name, wrapper)
    try:
        yield
    finally:
        setattr(owner, name, original)


def _module(name: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def one_render(process, overlay) -> dict:
    from kamflow.rendering import render_process

    totals: dict = {}
    with ExitStack() as stack:
        for module, name, key in (("kamflow.rendering.dot", "build_dot", "dot_source_s"), ("kamflow.rendering.dot", "layout_dot", "dot_source_s"),
                                  ("kamflow.rendering.svg", "write_svg", "draw_svg_s")):
            stack.enter_context(_clocked(_module(module), name, totals, key))
        # every child process kamflow waits for (Graphviz; rsvg-convert is not run for SVG)
        stack.enter_context(_clocked(subprocess.Popen, "communicate", totals, "child_processes_s"))
        started, cpu = time.perf_counter(), time.process_time()
        render_process(process, ("svg",), overlay=overlay, timeout=TIMEOUT)
        totals["render_s"] = time.perf_counter() - started
        totals["render_s_cpu"] = time.process_time() - cpu
    layout = totals["render_s"] - totals.get("dot_source_s", 0.0) - totals.get("draw_svg_s", 0.0)
    totals["layout_stage_s"] = layout
    totals["kamflow_layout_s"] = max(0.0, layout - totals.get("child_processes_s", 0.0))
    # the same share as this process's own CPU time (children not included): what other programs
    # on a shared machine do not change, so the growth verdict reads it
    totals["kamflow_layout_cpu_s"] = max(0.0, totals["render_s_cpu"] - totals.get("dot_source_s_cpu", 0.0) - totals.get("draw_svg_s_cpu", 0.0)
                                         - totals.get("child_processes_s_cpu", 0.0))
    return {key: round(value, 4) for key, value in totals.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    from kamflow import api

    rows = []
    for size in sizes:
        process = api.loads(synthetic_process(size, process_id=f"lanes-{size}", lane_every=LANE_EVERY), name=f"lanes-{size}.yaml")
        overlay = api.ghost_overlay(process, api.check(process))
        runs = [one_render(process, overlay) for _ in range(5 if size <= 100 else 3 if size <= 500 else 2)]
        best = min(runs, key=lambda run: run["kamflow_layout_cpu_s"])
        rows.append({"steps": size, "runs": len(runs), **best})
        print(f"{size} steps: render {best['render_s']:.3f} s | layout stage {best['layout_stage_s']:.3f} s "
              f"(waiting for Graphviz {best.get('child_processes_s', 0):.3f} s, kamflow {best['kamflow_layout_s']:.3f} s, its CPU {best['kamflow_layout_cpu_s']:.3f} s) | "
              f"DOT {best.get('dot_source_s', 0):.3f} s | SVG {best.get('draw_svg_s', 0):.3f} s")
    growth = []
    for a, b in zip(rows, rows[1:]):
        nlogn = (b["steps"] * math.log(b["steps"])) / (a["steps"] * math.log(a["steps"]))
        entry = {"from": a["steps"], "to": b["steps"], "size_ratio": round(b["steps"] / a["steps"], 2), "nlogn_ratio": round(nlogn, 2)}
        for key in ("layout_stage_s", "kamflow_layout_s", "kamflow_layout_cpu_s", "child_processes_s"):
            if a.get(key) and b.get(key) is not None:
                entry[key[:-2] + "_ratio"] = round(b[key] / a[key], 2)
        entry["met"] = entry.get("kamflow_layout_cpu_ratio", 0) <= nlogn * SLACK
        growth.append(entry)
        print(f"{a['steps']} -> {b['steps']} steps: {entry['size_ratio']}x the steps (n log n: {nlogn:.2f}x); kamflow's layout time "
              f"{entry.get('kamflow_layout_ratio')}x (CPU {entry.get('kamflow_layout_cpu_ratio')}x), whole layout stage {entry.get('layout_stage_ratio')}x, Graphviz {entry.get('child_processes_ratio')}x")
    write_result("routing_growth", {"rows": rows, "growth": growth, "lane_every": LANE_EVERY, "slack": SLACK})


if __name__ == "__main__":
    main()
