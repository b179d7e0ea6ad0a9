"""`kamflow check` end to end through the CLI on synthetic processes of 1k, 10k and 100k steps
(bench/synthetic.py: chains with a decision every few steps that loops back, four lanes).
Targets: 10k steps under 1.5 s, 100k under 12 s, growth close to linear. Also where the time goes,
in-process: reading and composing the YAML, building the model, running the check rules.

    .venv/bin/python bench/check_speed.py [--sizes 1000,10000,100000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import KAMFLOW, timed, write_result  # noqa: E402
from bench.synthetic import synthetic_process  # noqa: E402

TARGETS_S = {10_000: 1.5, 100_000: 12.0}
MAX_FILE_SIZE = str(200 * 1024 * 1024)  # a 100k-step file is about 8 MB, over the 5 MiB default


def stages(path: Path) -> dict:
    """One in-process run split into stages, as the CLI runs them (GC thresholds as in main())."""
    from kamflow import api
    from kamflow.loader import yamlsrc
    from kamflow.loader.build import _collector_paused, build_process

    gc.set_threshold(100_000, 50, 1000)
    split = {}
    started = time.perf_counter()
    text = yamlsrc.read_text(path)
    split["read_s"] = time.perf_counter() - started
    with _collector_paused():
        mark = time.perf_counter()
        root = yamlsrc.source_tree(text, str(path))
        split["yaml_compose_s"] = time.perf_counter() - mark
        mark = time.perf_counter()
        process = build_process(root, str(path))
        split["build_model_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    findings = api.check(process, workspace=api.Workspace())
    split["check_rules_s"] = time.perf_counter() - mark
    return {key: round(value, 3) for key, value in split.items()} | {"findings": len(findings)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    env = dict(os.environ, KAMFLOW_MAX_FILE_SIZE=MAX_FILE_SIZE)
    os.environ["KAMFLOW_MAX_FILE_SIZE"] = MAX_FILE_SIZE
    rows = []
    with tempfile.TemporaryDirectory(prefix="kamflow-bench-") as scratch:
        for size in sizes:
            path = Path(scratch) / f"synthetic-{size}.yaml"
            path.write_text(synthetic_process(size), encoding="utf-8")
            cli = timed([*KAMFLOW, "check", str(path)], repeat=options.repeat, env=env, ok=(0, 1))
            row = {"steps": size, "file_bytes": path.stat().st_size, "cli": cli, "stages": stages(path)}
            target = TARGETS_S.get(size)
            if target is not None:
                row["target_s"] = target
                row["met"] = cli["median_s"] < target
            rows.append(row)
            print(f"{size:>7} steps  {cli['median_s']:7.3f} s  (median of {cli['runs']})  stages {row['stages']}")
    growth = []
    for small, large in zip(rows, rows[1:]):
        growth.append({
            "from": small["steps"], "to": large["steps"],
            "size_ratio": round(large["steps"] / small["steps"], 1),
            "time_ratio": round(large["cli"]["median_s"] / small["cli"]["median_s"], 2),
        })
    for g in growth:
        print(f"{g['from']} -> {g['to']}: {g['size_ratio']}x the steps, {g['time_ratio']}x the time")
    write_result("check_speed", {"rows": rows, "growth": growth, "repeat": options.repeat, "max_file_size": int(MAX_FILE_SIZE)})


if __name__ == "__main__":
    main()
