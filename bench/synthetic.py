"""Synthetic processes for benchmarks: a chain of steps with a decision every few steps that loops
back, spread over four lanes (the lane changes every `lane_every` steps). Deterministic for a
given size and options."""
from __future__ import annotations

import sys
from pathlib import Path


def synthetic_process(steps: int, *, process_id: str | None = None, decision_every: int = 5, lane_every: int = 3) -> str:
    lanes = ["sales", "team", "finance", "customer"]
    out = [
        "kamflow: 1",
        f"id: {process_id or f'synthetic-{steps}'}",
        f"title: Synthetic process with {steps} steps",
        "lanes:",
    ]
    out += [f"  - {{id: {lane}, label: {lane.title()} lane}}" for lane in lanes]
    out.append("steps:")
    out.append(f"  - {{id: s0, type: start, label: Start, lane: sales, next: s1}}")
    for i in range(1, steps - 1):
        lane = lanes[(i // lane_every) % len(lanes)]
        nxt = f"s{i + 1}"
        if i % decision_every == 0 and i > 2:
            back = f"s{i - 3}"
            out.append(f"  - id: s{i}\n    type: decision\n    label: Is step {i} done right?\n    lane: {lane}\n    branches:\n      Yes: {nxt}\n      No: {back}")
        else:
            out.append(f"  - {{id: s{i}, label: Work on item {i} carefully, lane: {lane}, next: {nxt}, owner: Team {lane}, duration: 2h}}")
    out.append(f"  - {{id: s{steps - 1}, type: end, label: Done, lane: customer}}")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    size = int(sys.argv[1])
    target = Path(sys.argv[2])
    target.write_text(synthetic_process(size), encoding="utf-8")
