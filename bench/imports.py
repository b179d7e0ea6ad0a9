"""`kamflow import` end to end through the CLI on synthetic BPMN, Mermaid and CSV files of 1k and
10k steps: a chain of tasks with an exclusive gateway every ten tasks that splits into two tasks
which meet again at a merge gateway (folded away on import), in two lanes. Growth should be close
to linear; the importers fold gateways, give ids and de-duplicate flows in linear time.

    .venv/bin/python bench/imports.py [--sizes 1000,10000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import KAMFLOW, timed, write_result  # noqa: E402


def bpmn(steps: int) -> str:
    nodes, flows, refs = ['<startEvent id="s" name="Start"/>'], [], {"a": ["s"], "b": []}
    last = "s"
    for i in range(steps):
        if i % 10 == 9:
            nodes += [f'<exclusiveGateway id="g{i}" name="OK {i}?"/>', f'<task id="y{i}" name="Yes {i}"/>', f'<task id="n{i}" name="No {i}"/>', f'<exclusiveGateway id="m{i}"/>']
            flows += [(last, f"g{i}", ""), (f"g{i}", f"y{i}", "Yes"), (f"g{i}", f"n{i}", "No"), (f"y{i}", f"m{i}", ""), (f"n{i}", f"m{i}", "")]
            refs["b"] += [f"g{i}", f"y{i}", f"n{i}", f"m{i}"]
            last = f"m{i}"
        else:
            nodes.append(f'<task id="t{i}" name="Task {i}"/>')
            flows.append((last, f"t{i}", ""))
            refs["a"].append(f"t{i}")
            last = f"t{i}"
    nodes.append('<endEvent id="e" name="End"/>')
    flows.append((last, "e", ""))
    refs["a"].append("e")
    lanes = "".join(f'<lane id="{k}" name="Lane {k}">' + "".join(f"<flowNodeRef>{r}</flowNodeRef>" for r in v) + "</lane>" for k, v in refs.items())
    body = "".join(nodes) + "".join(f'<sequenceFlow id="f{n}" sourceRef="{a}" targetRef="{b}"' + (f' name="{l}"' if l else "") + "/>" for n, (a, b, l) in enumerate(flows))
    return f'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"><process id="p" name="Synthetic"><laneSet>{lanes}</laneSet>{body}</process></definitions>\n'


def mermaid(steps: int) -> str:
    lines, last = ["flowchart TD", "  s([Start])"], "s"
    for i in range(steps):
        if i % 10 == 9:
            lines += [f"  {last} --> g{i}{{OK {i}?}}", f"  g{i} -->|Yes| y{i}[Yes {i}]", f"  g{i} -->|No| n{i}[No {i}]", f"  y{i} --> j{i}[Join {i}]", f"  n{i} --> j{i}"]
            last = f"j{i}"
        else:
            lines.append(f"  {last} --> t{i}[Task {i}]")
            last = f"t{i}"
    lines.append(f"  {last} --> e([End])")
    return "\n".join(lines) + "\n"


def csv(steps: int) -> str:
    rows = ["id,label,type,lane,next,condition", "s,Start,start,A,t0,"]
    for i in range(steps):
        following = f"t{i + 1}" if i + 1 < steps else "e"
        if i % 10 == 9:
            rows.append(f"t{i},OK {i}?,decision,B,{following}; e,Yes; No")
        else:
            rows.append(f"t{i},Task {i},,A,{following},")
    rows.append("e,End,end,A,,")
    return "\n".join(rows) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    figures: dict = {"sizes": {}}
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(s) for s in args.sizes.split(",")):
            row = {}
            for name, make, suffix in (("bpmn", bpmn, "bpmn"), ("mermaid", mermaid, "mmd"), ("csv", csv, "csv")):
                source = Path(folder, f"synthetic-{size}.{suffix}")
                source.write_text(make(size), encoding="utf-8")
                out = Path(folder, f"out-{name}-{size}")
                result = timed([*KAMFLOW, "import", str(source), "-o", str(out), "--force"], repeat=args.repeat)
                row[name] = {**result, "bytes": source.stat().st_size}
                print(f"{name:8} {size:>6} steps: {result['median_s']:.3f} s (min {result['min_s']:.3f}, max {result['max_s']:.3f})")
            figures["sizes"][str(size)] = row
    print(f"wrote {write_result('imports', figures)}")


if __name__ == "__main__":
    main()
