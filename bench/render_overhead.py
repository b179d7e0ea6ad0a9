"""Render overhead: `kamflow render -f svg,pdf` (the whole CLI run a user times) against Graphviz
`dot` alone writing SVG and PDF from the DOT kamflow emits, in one `dot` process, for the KAM
process, a 200-step chain whose lanes change every five steps with loop-backs, and a 1000-step
chain (bench/synthetic.py). Targets (issue #12): within 12x for KAM, 6x for the 200-step lane
changes, 1.25x for 1000 steps. Then where kamflow's time goes, in-process: load and check, the DOT,
the Graphviz runs, drawing the SVG, rsvg-convert to PDF; and the start-up (Python importing every
module a render needs) measured apart. bench/routing_growth.py times the layout stage apart.

    .venv/bin/python bench/render_overhead.py [--repeat 5]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import KAMFLOW, ROOT, timed, timed_pair, write_result  # noqa: E402
from bench.synthetic import synthetic_process  # noqa: E402

TARGETS = {"kam": 12.0, "lanes-200": 6.0, "synthetic-1000": 1.25}
DESCRIPTIONS = {
    "kam": "processes/kam.yaml",
    "lanes-200": "200-step chain, lanes change every 5 steps, loop-backs",
    "synthetic-1000": "1000-step chain, lanes change every 3 steps, loop-backs",
}


@contextmanager
def _clocked(module, name: str, totals: dict, key: str):
    """Time every call of module.name into totals[key] (calls are counted too); a name the
    renderer no longer has is left out."""
    original = getattr(module, name, None)
    if original is None:
        yield
        return

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            totals[key] = totals.get(key, 0.0) + time.perf_counter() - started
            totals[key + "_calls"] = totals.get(key + "_calls", 0) + 1

    setattr(module, name, wrapper)
    try:
        yield
    finally:
        setattr(module, name, original)


def breakdown(path: Path) -> dict:
    """One in-process render (SVG + PDF) split into its stages."""
    import importlib

    from kamflow import api

    def part(name: str):
        try:
            return importlib.import_module(f"kamflow.rendering.{name}")
        except ImportError:
            return None

    convert, dot, graphviz_run, svg = (part(name) for name in ("convert", "dot", "graphviz_run", "svg"))

    totals: dict = {}
    started = time.perf_counter()
    process = api.load(path, workspace=api.Workspace())
    totals["load_s"] = time.perf_counter() - started
    mark = time.perf_counter()
    findings = api.check(process)
    overlay = api.ghost_overlay(process, findings)
    totals["check_and_ghosts_s"] = time.perf_counter() - mark
    # the DOT: the one `-f dot` writes, and the one the scene lays out from (layout_dot), where the renderer has it
    with _clocked(dot, "build_dot", totals, "dot_source_s"), _clocked(dot, "layout_dot", totals, "dot_source_s"), \
            _clocked(graphviz_run, "render_bytes", totals, "graphviz_layout_s"), \
            _clocked(svg, "write_svg", totals, "draw_svg_s"), _clocked(convert, "convert", totals, "rsvg_convert_pdf_s"):
        mark = time.perf_counter()
        api.render_charts(process, formats=("svg", "pdf"), overlay=overlay)
        totals["render_total_s"] = time.perf_counter() - mark
    return {key: round(value, 4) if isinstance(value, float) else value for key, value in totals.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="kamflow-bench-") as scratch:
        folder = Path(scratch)
        big = folder / "synthetic-1000.yaml"
        big.write_text(synthetic_process(1000), encoding="utf-8")
        lanes = folder / "lanes-200.yaml"
        lanes.write_text(synthetic_process(200, process_id="lanes-200", lane_every=5), encoding="utf-8")
        # Python plus every module a render imports (the CLI, the api, the check rules with networkx, the renderer)
        startup = timed([sys.executable, "-c", "import kamflow.cli, kamflow.api, kamflow.checks.rules, kamflow.rendering.chart, kamflow.rendering.dot, kamflow.rendering.svg, kamflow.rendering.convert"], repeat=options.repeat)
        # kam's runs are short and its ratio sensitive to a few ms of noise: more of them
        cases = (("kam", ROOT / "processes" / "kam.yaml", 2 * options.repeat + 1), ("lanes-200", lanes, max(3, options.repeat // 2)),
                 ("synthetic-1000", big, 2))
        for name, path, repeat in cases:
            warm_up = name != "synthetic-1000"  # runs of many seconds: a warm-up run would only add to the wait
            out = folder / name
            # the DOT kamflow lays the chart out from (what `-f dot` writes)
            timed([*KAMFLOW, "render", str(path), "-f", "dot", "-o", str(out), "--force", "-q", "-j", "1"], repeat=1, ok=(0, 1))
            dot_file = next(out.glob("*.dot"))
            plain, cli = timed_pair(  # in turns: a drift of the machine's speed moves both
                ["dot", "-Tsvg", "-o", str(out / "plain.svg"), "-Tpdf", "-o", str(out / "plain.pdf"), str(dot_file)],
                [*KAMFLOW, "render", str(path), "-f", "svg,pdf", "-o", str(out), "--force", "-q", "-j", "1"],
                repeat=repeat, ok=(0, 1), warm_up=warm_up,
            )
            ratio = cli["median_s"] / plain["median_s"]
            row = {
                "process": name, "description": DESCRIPTIONS[name], "steps": sum(1 for _ in dot_file.read_text().splitlines() if "id=\"step-" in _),
                "dot_alone": plain, "kamflow_render": cli, "ratio": round(ratio, 2),
                "target_ratio": TARGETS[name], "met": ratio <= TARGETS[name],
                "breakdown": breakdown(path),
            }
            rows.append(row)
            print(f"{name}: dot alone {plain['median_s']:.3f} s | kamflow render {cli['median_s']:.3f} s | {ratio:.2f}x (target {TARGETS[name]}x)")
            print(f"  in-process: {row['breakdown']}")
        print(f"start-up with the imports a render needs: {startup['median_s']:.3f} s")
    write_result("render_overhead", {"rows": rows, "cli_startup": startup, "repeat": options.repeat})


if __name__ == "__main__":
    main()
