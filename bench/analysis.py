"""Time `stats` and `diff` on synthetic processes (bench/synthetic.py) with branch probabilities.

    .venv/bin/python bench/analysis.py 1000 10000
"""
from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import kamflow  # noqa: E402
from synthetic import synthetic_process  # noqa: E402


def with_probabilities(text: str) -> str:
    text = re.sub(r"Yes: (s\d+)", r"Yes: {to: \1, p: 0.9}", text)
    return re.sub(r"No: (s\d+)", r"No: {to: \1, p: 0.1}", text)


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            plain = synthetic_process(size)
            old, new = Path(folder, f"old{size}.yaml"), Path(folder, f"new{size}.yaml")
            old.write_text(plain)
            new.write_text(with_probabilities(plain))
            before, after = kamflow.load(old), kamflow.load(new)
            started = time.perf_counter()
            numbers = kamflow.stats(after)
            stats_s = time.perf_counter() - started
            started = time.perf_counter()
            changes = kamflow.diff(before, after)
            diff_s = time.perf_counter() - started
            print(f"{size:>7} steps: stats {stats_s:6.2f} s (expected {numbers['expected'][0].get('duration')}), "
                  f"diff {diff_s:6.2f} s ({len(changes.changes)} changes)")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [100, 1000, 10000])
