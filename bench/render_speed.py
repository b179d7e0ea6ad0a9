"""How long a chart takes: `kamflow render -f svg,pdf` (whole CLI run, and the rendering alone,
in-process) against plain Graphviz writing SVG and PDF from the same DOT, for KAM and for a
1000-step synthetic process. Targets: within 5x of plain dot for KAM, within 1.25x for 1000 steps.

    .venv/bin/python bench/render_speed.py
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import kamflow  # noqa: E402
from bench.synthetic import synthetic_process  # noqa: E402
from kamflow.rendering.chart import render_process  # noqa: E402


def best(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times) if repeat < 3 else statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        big = Path(scratch) / "synthetic-1000.yaml"
        big.write_text(synthetic_process(1000), encoding="utf-8")
        for path, repeat in ((ROOT / "processes" / "kam.yaml", 5), (big, 2)):
            process = kamflow.load(path)
            dot = kamflow.render_charts(process, formats=("dot",))["dot"]
            plain = best(lambda: subprocess.run(["dot", "-Tsvg", "-o", "/dev/null", "-Tpdf", "-o", "/dev/null"], input=dot, check=True), repeat)
            inner = best(lambda: render_process(process, ("svg", "pdf")), repeat)
            cli = best(lambda: subprocess.run([str(ROOT / ".venv" / "bin" / "kamflow"), "render", str(path), "-f", "svg,pdf", "-o", scratch, "--force", "-q", "-j", "1"], check=True), repeat)
            print(f"{process.id}: plain dot {plain:.3f} s | kamflow rendering {inner:.3f} s ({inner / plain:.2f}x) | kamflow render CLI {cli:.3f} s ({cli / plain:.2f}x)")


if __name__ == "__main__":
    main()
