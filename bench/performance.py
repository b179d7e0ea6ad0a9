"""Write docs/performance.md from the figures the benchmarks left in bench/results/*.json (`make
bench` runs them all first, so the page shows one run on one machine). Each benchmark owns its JSON
file; this script only reads them, states every target as met or missed (and by how much), and
says where the time goes.

    .venv/bin/python bench/performance.py
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import RESULTS, ROOT  # noqa: E402

PAGE = ROOT / "docs" / "performance.md"
NOTES = ROOT / "docs" / "performance"  # <benchmark>.md: hand-written notes kept under that benchmark's figures


def _load(name: str) -> dict | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _s(value: float) -> str:
    return f"{value:.3f} s" if value < 10 else f"{value:.2f} s"


def _verdict(met: bool, measured: str, target: str, miss: str = "") -> str:
    return f"**met** ({measured}; target {target})" if met else f"**missed** ({measured}; target {target}{'; ' + miss if miss else ''})"


def machine_section(results: dict[str, dict]) -> list[str]:
    first = next(iter(results.values()))["machine"]
    lines = ["## Machine and versions", "", "| | |", "|---|---|"]
    labels = {"nproc": "CPUs (nproc)", "cpu": "CPU model (/proc/cpuinfo)", "os": "OS", "python": "Python", "graphviz": "Graphviz",
              "rsvg-convert": "rsvg-convert", "pyyaml": "PyYAML", "libyaml": "libyaml (C loader)", "networkx": "networkx", "click": "Click",
              "kamflow_commit": "kamflow commit", "load_average": "load average (1, 5, 15 min) when written"}
    for key, label in labels.items():
        if key in first:
            lines.append(f"| {label} | {first[key]} |")
    commits = sorted({r["machine"].get("kamflow_commit", "?") for r in results.values()})
    when = sorted({r.get("measured", "") for r in results.values() if r.get("measured")})
    lines += ["", f"Benchmarks in this run: {', '.join(sorted(results))}; measured {when[0] if when else 'unknown'}"
              + (f" to {when[-1]}" if len(when) > 1 else "") + f" at commit {', '.join(commits)}.", ""]
    return lines


def check_section(data: dict) -> tuple[list[str], list[tuple[str, str]]]:
    lines = ["## `kamflow check` on large processes", "",
             "Synthetic processes from `bench/synthetic.py` (a chain with a decision every five steps that loops back, four lanes), "
             "checked end to end through the CLI (`kamflow check FILE`, start-up included; `KAMFLOW_MAX_FILE_SIZE` raised, since a "
             f"100k-step file is over the 5 MiB default). Median of {data['repeat']} runs after a warm-up run.", "",
             "| steps | file | median | min - max | per step | YAML compose | build model | check rules | target |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    summary = []
    for row in data["rows"]:
        cli, stages = row["cli"], row["stages"]
        target = f"< {row['target_s']:g} s: {'met' if row['met'] else 'missed'}" if "target_s" in row else ""
        lines.append(f"| {row['steps']:,} | {row['file_bytes'] / 1e6:.1f} MB | {_s(cli['median_s'])} | {cli['min_s']:.3f} - {cli['max_s']:.3f} | "
                     f"{cli['median_s'] / row['steps'] * 1e6:.0f} µs | {_s(stages['yaml_compose_s'])} | {_s(stages['build_model_s'])} | {_s(stages['check_rules_s'])} | {target} |")
        if "target_s" in row:
            miss = f"{cli['median_s'] / row['target_s']:.2f}x the target" if not row["met"] else ""
            summary.append((f"check, {row['steps']:,} steps", _verdict(row["met"], _s(cli["median_s"]), f"< {row['target_s']:g} s", miss)))
    lines.append("")
    if data["growth"]:
        parts = [f"{g['from']:,} -> {g['to']:,} steps: {g['size_ratio']:g}x the steps, {g['time_ratio']:g}x the time" for g in data["growth"]]
        lines += ["Growth: " + "; ".join(parts) + ".", ""]
        last = data["growth"][-1]
        linear = last["time_ratio"] <= last["size_ratio"] * 1.25
        summary.append(("check, growth", _verdict(linear, f"{last['time_ratio']:g}x the time for {last['size_ratio']:g}x the steps", "close to linear")))
        lines += ["Below 10k steps the fixed start-up (Python, imports: see below) dominates, so the time grows slower than the steps; "
                  "from 10k to 100k it grows about in proportion. The stages columns are one in-process run: composing the YAML "
                  "(libyaml's C composer, with the cyclic garbage collector paused) is the largest part, then building the model "
                  "(positions kept for every value) and the rules.", ""]
    return lines, summary


def render_section(data: dict) -> tuple[list[str], list[tuple[str, str]]]:
    lines = ["## Render overhead", "",
             "`kamflow render FILE -f svg,pdf` (the whole CLI run: start-up, load, check, layout, drawing, PDF) against Graphviz "
             "`dot` alone writing SVG and PDF from the DOT kamflow emits, in one `dot` process (`dot -Tsvg -o a.svg -Tpdf -o a.pdf`). "
             "The two are run in turns (dot, kamflow, dot, ...) so that a drift of the machine's speed moves both; medians of the runs the table gives, after a warm-up run of each. Targets from issue #12.", "",
             "| process | what | runs | dot alone | kamflow render | ratio | target |", "|---|---|---:|---:|---:|---:|---|"]
    summary = []
    for row in data["rows"]:
        plain, cli = row["dot_alone"]["median_s"], row["kamflow_render"]["median_s"]
        lines.append(f"| {row['process']} | {row.get('description', '')} | {row['kamflow_render'].get('runs', '')} | {_s(plain)} | {_s(cli)} | {row['ratio']:.2f}x | within {row['target_ratio']:g}x: {'met' if row['met'] else 'missed'} |")
        miss = f"{row['ratio'] / row['target_ratio']:.2f}x over" if not row["met"] else ""
        summary.append((f"render overhead, {row['process']}", _verdict(row["met"], f"{row['ratio']:.2f}x", f"within {row['target_ratio']:g}x", miss)))
    startup = data["cli_startup"]["median_s"]
    lines += ["", "Where kamflow's time goes (one in-process run of the same render; start-up measured apart: Python importing every module a render needs):", "",
              "| process | start-up | load | check + ghosts | DOT | Graphviz layout (`dot -Tjson`) | kamflow's chart work after the layout (placing, routing, labels) | draw SVG | rsvg-convert PDF |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in data["rows"]:
        b = row["breakdown"]
        layouts = f"{_s(b.get('graphviz_layout_s', 0))} ({b.get('graphviz_layout_s_calls', 0)} run{'s' if b.get('graphviz_layout_s_calls', 0) != 1 else ''})"
        lines.append(f"| {row['process']} | {_s(startup)} | {_s(b['load_s'])} | {_s(b['check_and_ghosts_s'])} | {_s(b.get('dot_source_s', 0))} | "
                     f"{layouts} | {_s(_other(b))} | {_s(b.get('draw_svg_s', 0))} | {_s(b.get('rsvg_convert_pdf_s', 0))} |")
    lines.append("")
    for row in data["rows"]:
        b, plain, total = row["breakdown"], row["dot_alone"]["median_s"], row["kamflow_render"]["median_s"]
        layout, pdf = b.get("graphviz_layout_s", 0), b.get("rsvg_convert_pdf_s", 0)
        floor = layout + pdf
        own = b["load_s"] + b["check_and_ghosts_s"] + b.get("dot_source_s", 0) + b.get("draw_svg_s", 0) + _other(b)
        parts = (f"the `dot -Tjson` layout takes {_s(layout)} and `rsvg-convert` {_s(pdf)} for the PDF: {_s(floor)}, "
                 f"{floor / plain:.2f}x `dot` alone, before any Python runs; start-up with the imports a render needs is "
                 f"{_s(startup)} (networkx, which the check rules need, about 70 ms of it); kamflow's own work (load, check, "
                 f"DOT, the chart work after the layout, drawing the SVG) {_s(own)}, of which {_s(_other(b))} goes to the chart work "
                 "after the layout (lanes, routing flows, labels; bench/routing_growth.py follows it as processes grow).")
        if row["met"]:
            lines.append(f"- **{row['process']}**: within target; {parts}")
        elif floor / plain > row["target_ratio"]:
            lines.append(f"- **{row['process']}**: {parts} The two programs alone are over the {row['target_ratio']:g}x target: "
                         "kamflow lays out with Graphviz but draws the chart itself (lanes as true bands, ISO 5807 symbols, "
                         "plain text) and converts that SVG to PDF, so it cannot share `dot`'s single drawing pass. Meeting the "
                         "target would need another PDF writer, not faster Python.")
        elif _other(b) > startup:
            lines.append(f"- **{row['process']}**: {parts} That work is the largest part kamflow controls: without it the "
                         f"render would take about {_s(total - _other(b))}, {(total - _other(b)) / plain:.1f}x `dot` alone; the rest "
                         "is start-up (imports are already lazy: `--help` loads only Click; a render needs networkx for the check).")
        else:
            lines.append(f"- **{row['process']}**: {parts} The start-up is the largest part kamflow controls: Python itself "
                         f"({_s(0.015)}) and imports; the chart work is {_s(floor + own)}. Imports are already lazy "
                         "(`--help` loads only Click); what remains is what a check and a render use.")
    lines.append("")
    return lines, summary


def _other(b: dict) -> float:
    """Render time not spent in the DOT, Graphviz, drawing or rsvg-convert: kamflow's work on the layout."""
    known = b.get("dot_source_s", 0) + b.get("graphviz_layout_s", 0) + b.get("draw_svg_s", 0) + b.get("rsvg_convert_pdf_s", 0)
    return max(0.0, b.get("render_total_s", 0) - known)


def startup_section(data: dict) -> tuple[list[str], list[tuple[str, str]]]:
    lines = ["## Start-up", "", f"Median of {data['repeat']} runs after a warm-up run.", "",
             "| command | median |", "|---|---:|",
             f"| `python -c pass` (the floor) | {_s(data['python_floor']['median_s'])} |",
             f"| `kamflow --help` | {_s(data['kamflow_help']['median_s'])} |",
             f"| `kamflow check processes/kam.yaml` | {_s(data['kamflow_check_kam']['median_s'])} |"]
    for name, result in data["imports"].items():
        lines.append(f"| `python -c 'import {name}'` | {_s(result['median_s'])} |")
    lines += ["", "Slowest imports of one `kamflow check processes/kam.yaml` run (`python -X importtime`, cumulative): "
              + ", ".join(f"{item['module']} {item['ms']} ms" for item in data["check_import_profile"]) + ".", "",
              "`kamflow.api` is imported on first use (the package's attributes and the command modules go through lazy "
              "imports), so `--help`, `--version` and option errors load only Click; a check loads networkx (through the "
              "check rules) and PyYAML but not the Graphviz bindings, Jinja2 or watchdog (tests/hardening/test_startup.py keeps "
              "it so).", ""]
    return lines, [("start-up, `kamflow --help`", f"{_s(data['kamflow_help']['median_s'])} (no target; was 0.17 s before lazy imports)"),
                   ("start-up, `kamflow check processes/kam.yaml`", f"{_s(data['kamflow_check_kam']['median_s'])} (no target)")]


def batch_section(data: dict) -> tuple[list[str], list[tuple[str, str]]]:
    lines = ["## Batch rendering", "",
             f"`bench/batch.py`: {data.get('files')} process files rendered to {data.get('formats', 'svg,pdf')} by `kamflow render DIR`, "
             f"median of {data.get('repeat')} whole CLI runs.", "",
             "| run | median |", "|---|---:|",
             f"| `-j 1` (serial) | {_s(data['serial_j1_s'])} |",
             f"| `-j 2` | {_s(data['parallel_j2_s'])} ({data['speedup_j2']}x) |",
             f"| no-op re-run (cache: all skipped) | {_s(data['noop_rerun_s'])} |", "",
             f"`-j 2` output byte-identical to `-j 1`: {'yes' if data.get('parallel_output_identical') else 'NO'}.", ""]
    return lines, [("batch, 50 files, -j 2", f"{_s(data['parallel_j2_s'])} ({data['speedup_j2']}x serial); no-op re-run {_s(data['noop_rerun_s'])}")]


def routing_section(data: dict) -> tuple[list[str], list[tuple[str, str]]]:
    lines = ["## Routing growth", "",
             f"`bench/routing_growth.py`: chains whose lanes change every {data['lane_every']} steps, with loop-backs, rendered to SVG "
             "in-process (`kamflow.rendering.render_process`), timed with `time.perf_counter` around the call and its parts. The "
             "layout stage is the call without building the DOT and writing the SVG; kamflow's share of it is that without "
             "the time spent waiting for Graphviz (every child process), wall time and, apart, the CPU time of kamflow's process "
             "(what other programs on a shared machine do not change; the growth verdict reads it). The run with the least CPU "
             "time is shown.", "",
             "| steps | runs | render (SVG) | layout stage | waiting for Graphviz | kamflow's layout and routing | its CPU time | CPU per step | write SVG |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in data["rows"]:
        lines.append(f"| {row['steps']:,} | {row['runs']} | {_s(row['render_s'])} | {_s(row['layout_stage_s'])} | {_s(row.get('child_processes_s', 0))} | "
                     f"{_s(row['kamflow_layout_s'])} | {_s(row.get('kamflow_layout_cpu_s', 0))} | {row.get('kamflow_layout_cpu_s', 0) / row['steps'] * 1e3:.2f} ms | {_s(row.get('draw_svg_s', 0))} |")
    lines.append("")
    summary = []
    if data["growth"]:
        parts = [f"{g['from']:,} -> {g['to']:,} steps: {g['size_ratio']:g}x the steps, n log n {g['nlogn_ratio']:g}x; kamflow's layout "
                 f"{g.get('kamflow_layout_ratio', 0):g}x (its CPU time {g.get('kamflow_layout_cpu_ratio', 0):g}x), the whole layout stage {g.get('layout_stage_ratio', 0):g}x, Graphviz {g.get('child_processes_ratio', 0):g}x"
                 for g in data["growth"]]
        lines += ["Growth: " + "; ".join(parts) + ".", ""]
        # every step up in size, not only first to last: a renderer that takes a slower path on small charts would hide its growth
        for g in data["growth"]:
            summary.append((f"routing growth, {g['from']:,} -> {g['to']:,} steps",
                            _verdict(g["met"], f"kamflow's layout and routing, CPU time {g.get('kamflow_layout_cpu_ratio', 0):g}x for {g['size_ratio']:g}x the steps",
                                     f"about n log n: within {data.get('slack', 1.5):g} x {g['nlogn_ratio']:g}x")))
        lines += ["Graphviz's own time (ranking and ordering the steps, in `dot -Tjson`) is counted apart: it is the larger part "
                  "at 2,000 steps and grows faster than n log n; it is not kamflow's routing.", ""]
    return lines, summary


_QUALITY_ROWS = (
    ("crossings", "flow crossings", "{:g}"),
    ("flows_through_steps", "flows through a step", "{:g}"),
    ("overlap_pt", "flows drawn on top of each other (pt)", "{:g}"),
    ("label_label", "label/label overlaps", "{:g}"),
    ("label_step", "label/step overlaps", "{:g}"),
    ("labels_crossed", "labels crossed by a flow", "{:g}"),
    ("misdirected_arrows", "misdirected arrowheads", "{:g}"),
    ("axis_parallel", "flow length axis-parallel", "{:.1%}"),
    ("bends_per_flow", "bends per flow (quarter turns)", "{:.2f}"),
    ("median_area_per_step_pt2", "area per step, median (pt²)", "{:,}"),
)


def chart_quality_section(data: dict) -> tuple[list[str], list[tuple[str, str]]]:
    variants = [v for v in data["variants"] if v in data["summary"]]
    names = [data["variants"][v] for v in variants]
    charts = len({row["process"] for row in data["rows"]})
    lines = ["## Chart quality", "",
             f"`bench/chart_quality.py`: the {charts} bundled processes, top to bottom (TB) and left to right (LR), each drawn by "
             "kamflow, by Graphviz `dot` alone (`dot -Tsvg` on the DOT kamflow emits) and by ELK layered with orthogonal routing "
             f"({data.get('elk') or 'not run'}, on kamflow's step and label sizes; lanes as `elk.partitioning` partitions, which ELK "
             "stacks along the flow, and without lanes), all measured from their SVG with the same rules "
             "(bench/quality_metrics.py states them). Counts and lengths are sums over the processes; the axis-parallel share is "
             "of all flow length; the area is the chart without title and legend (kamflow: the lane outline; dot: Graphviz's page; ELK: the bounding box of what it placed) per step, median "
             "over the processes. The charts are left in `output/chart-quality/` to be looked at.", ""]
    for direction in ("TB", "LR"):
        lines += [f"**{direction}**", "", "| | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
        for key, label, fmt in _QUALITY_ROWS:
            cells = [fmt.format(data["summary"][v][direction][key]) if direction in data["summary"][v] else "" for v in variants]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += ["Per chart (kamflow / dot alone / " + " / ".join(names[2:]) + "):", "",
              "| process | dir | crossings | through a step | overlap (pt) | label overlaps | labels crossed | misdirected arrows | axis-parallel | area per step (pt²) |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for row in data["rows"]:
        def cell(key: str, fmt: str = "{:g}") -> str:
            return " / ".join(fmt.format(row[v][key]) for v in variants if v in row)

        overlaps = " / ".join(f"{row[v]['label_label'] + row[v]['label_step']:g}" for v in variants if v in row)
        lines.append(f"| {row['process']} | {row['direction']} | {cell('crossings')} | {cell('flows_through_steps')} | {cell('overlap_pt')} | "
                     f"{overlaps} | {cell('labels_crossed')} | {cell('misdirected_arrows')} | {cell('axis_parallel', '{:.0%}')} | {cell('area_per_step_pt2', '{:,}')} |")
    lines.append("")
    summary = []
    for check in data["targets"]:
        measured = check["measured"]
        shown = f"{measured:.1%}" if "axis" in check["what"] else f"{measured:,}" if isinstance(measured, int) else f"{measured:g}"
        summary.append((f"chart quality, {check['what']}", _verdict(check["met"], shown, check["target"])))
    return lines, summary


def serve_section(data: dict) -> tuple[list[str], list[tuple[str, str]]]:
    small, variant = data["small_3_steps"], data["kam_as_is_variant"]
    lines = ["## Live preview (`kamflow serve`)", "",
             f"`bench/serve_latency.py`: a real server, an open event stream, a file saved {data['repeat']} times; median "
             "seconds from the save to the `change` event and to the new chart's JSON (what the page then shows).", "",
             "| process | save -> event | save -> new chart |", "|---|---:|---:|",
             f"| 3 steps | {_s(small['save_to_event']['median_s'])} | {_s(small['save_to_chart']['median_s'])} |",
             f"| examples/kam-as-is.yaml (14 steps, 9 ghosts, checked against the bundled KAM) | {_s(variant['save_to_event']['median_s'])} | {_s(variant['save_to_chart']['median_s'])} |"]
    if "kam_35_steps" in data:
        kam = data["kam_35_steps"]
        lines.append(f"| processes/kam.yaml (35 steps, 2 subprocesses) | {_s(kam['save_to_event']['median_s'])} | {_s(kam['save_to_chart']['median_s'])} |")
    lines.append("")
    met = variant["save_to_chart"]["median_s"] <= 0.5
    return lines, [("serve, save to new chart (client-sized variant)", _verdict(met, _s(variant["save_to_chart"]["median_s"]), "0.5 s", "the Graphviz layout is most of it"))]


SECTIONS = {"check_speed": check_section, "render_overhead": render_section, "routing_growth": routing_section, "startup": startup_section,
            "batch": batch_section, "chart_quality": chart_quality_section, "serve_latency": serve_section}


def main() -> None:
    results = {name: data for name in SECTIONS if (data := _load(name)) is not None}
    if not results:
        raise SystemExit("no results in bench/results: run `make bench`")
    body: list[str] = []
    summary: list[tuple[str, str]] = []
    for name, build in SECTIONS.items():
        if name in results:
            lines, rows = build(results[name])
            body += lines
            summary += rows
            notes = NOTES / f"{name}.md"
            if notes.exists():
                text = re.sub(r"<!--.*?-->\s*", "", notes.read_text(encoding="utf-8"), flags=re.S).strip()
                body += [text, ""]
    page = ["# Performance", "",
            "Written by `make bench` (bench/performance.py) from the figures the benchmarks in `bench/` record in "
            "`bench/results/*.json`; every figure on this page comes from one run on the machine below. Wall times are medians "
            "of whole command runs, as a user would time them. Notes under a benchmark's figures come from "
            "`docs/performance/<benchmark>.md`. Unit tests never time anything.", ""]
    page += machine_section(results)
    page += ["## Targets", "", "| what | result |", "|---|---|"] + [f"| {what} | {result} |" for what, result in summary] + [""]
    page += body
    PAGE.write_text("\n".join(page).rstrip() + "\n", encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
