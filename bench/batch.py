"""Batch rendering: 50 process files (the 10 bundled processes, five copies each under new ids)
rendered to SVG and PDF by the `kamflow render DIR` command, serial (-j 1) against two worker
processes (-j 2), then a no-op re-run that the cache answers. Each figure is the median of
--repeat whole CLI runs, as a user would time them. Also checks that -j 2 wrote the same bytes as
-j 1. Prints the figures and writes them, with the machine, to bench/results/batch.json.

    .venv/bin/python bench/batch.py [--repeat 3] [--copies 5]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KAMFLOW = [sys.executable, "-m", "kamflow"]
sys.path.insert(0, str(ROOT))
from bench._common import machine  # noqa: E402  (one description of the machine for every benchmark)


def make_portfolio(folder: Path, copies: int) -> int:
    count = 0
    for source in sorted((ROOT / "processes").glob("*.yaml")):
        text = source.read_text(encoding="utf-8")
        for n in range(1, copies + 1):
            renamed = re.sub(r"^id: (\S+)", lambda m: f"id: {m.group(1)}-{n}", text, count=1, flags=re.M)
            (folder / f"{source.stem}-{n}.yaml").write_text(renamed, encoding="utf-8")
            count += 1
    return count


def run(args: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(KAMFLOW + args, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"kamflow {' '.join(args)} failed:\n{done.stderr}")
    return seconds, done.stderr.strip().splitlines()[-1]


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--copies", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kamflow-bench-") as scratch:
        src, serial_out, parallel_out = Path(scratch, "src"), Path(scratch, "serial"), Path(scratch, "parallel")
        src.mkdir()
        files = make_portfolio(src, options.copies)
        common = [str(src), "-f", "svg,pdf", "--force"]
        serial, parallel, noop = [], [], []
        for _ in range(options.repeat):
            serial.append(run(["render", *common, "-j", "1", "-o", str(serial_out)])[0])
            parallel.append(run(["render", *common, "-j", "2", "-o", str(parallel_out)])[0])
            seconds, summary = run(["render", str(src), "-f", "svg,pdf", "-j", "2", "-o", str(parallel_out)])
            if not summary.startswith(f"rendered 0, skipped {files},"):
                raise SystemExit(f"the re-run was not a no-op: {summary}")
            noop.append(seconds)
        identical = tree_digest(serial_out) == tree_digest(parallel_out)
        charts = len(list(serial_out.glob("*.svg")))
    figures = {
        "files": files,
        "charts": charts,
        "formats": "svg,pdf",
        "repeat": options.repeat,
        "serial_j1_s": round(statistics.median(serial), 2),
        "parallel_j2_s": round(statistics.median(parallel), 2),
        "speedup_j2": round(statistics.median(serial) / statistics.median(parallel), 2),
        "noop_rerun_s": round(statistics.median(noop), 2),
        "parallel_output_identical": identical,
        "machine": machine(),
    }
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "batch.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"{files} processes, SVG+PDF, median of {options.repeat} CLI runs:")
    print(f"  -j 1 (serial)     {figures['serial_j1_s']:6.2f} s")
    print(f"  -j 2              {figures['parallel_j2_s']:6.2f} s   ({figures['speedup_j2']}x)")
    print(f"  no-op re-run      {figures['noop_rerun_s']:6.2f} s   (cache: all {files} skipped)")
    print(f"  -j 2 output byte-identical to -j 1: {identical}")
    print(f"  machine: {figures['machine']}")
    if not identical:
        raise SystemExit("parallel output differs from serial output")


if __name__ == "__main__":
    main()
