"""Chart quality: every bundled process, top to bottom (TB) and left to right (LR), drawn three
ways and measured with the same rules (bench/quality_metrics.py):

- kamflow: kamflow's own chart (`kamflow.render_charts`, SVG), whatever the current renderer is;
- dot alone: Graphviz `dot -Tsvg` on the DOT kamflow emits (what `kamflow render -f dot` writes);
- ELK layered, orthogonal routing (elkjs from npm, pinned in bench/elk/package-lock.json and
  installed with `npm ci` into the git-ignored .cache/elk/; never a kamflow dependency), on the same
  graph: kamflow's step boxes and label sizes, direction DOWN or RIGHT; once with the lanes as
  `elk.partitioning` partitions, once without lanes.

Prints a table per process, sums and medians, states the issue #12 targets as met or missed and
writes bench/results/chart_quality.json (bench/performance.py puts it in docs/performance.md).
Every chart it measured is written to output/chart-quality/ to be looked at.

    .venv/bin/python bench/chart_quality.py [--only kam] [--no-elk]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ROOT, write_result  # noqa: E402
from bench.quality_metrics import Chart, Flow, Label, Step, measure, parse_svg  # noqa: E402

ELK_SOURCE = ROOT / "bench" / "elk"
ELK_CACHE = ROOT / ".cache" / "elk"
CHARTS = ROOT / "output" / "chart-quality"
DIRECTIONS = ("TB", "LR")
VARIANTS = ("kamflow", "dot", "elk_lanes", "elk")
VARIANT_NAMES = {"kamflow": "kamflow", "dot": "dot alone", "elk_lanes": "ELK, lanes as partitions", "elk": "ELK, no lanes"}
# kamflow's DOT spacing (nodesep 0.32 in, ranksep 0.42 in), so that ELK gets the same room
ELK_NODE_SPACING = 23.0
ELK_LAYER_SPACING = 30.0
COUNTS = ("crossings", "flows_through_steps", "overlap_pt", "label_label", "label_step", "labels_crossed", "misdirected_arrows")
DEFECTS = {"flows_through_steps": "flows through a step", "overlap_pt": "length of flows drawn on top of each other (pt)",
           "label_label": "label/label overlaps", "label_step": "label/step overlaps", "labels_crossed": "labels crossed by a flow",
           "misdirected_arrows": "misdirected arrowheads"}
TARGETS = {"crossings_tb_sum": 15, "crossings_kam_tb": 6, "median_area_per_step_pt2": 45000, "axis_parallel": 0.99}


# --------------------------------------------------------------------------- the three drawings

def kamflow_charts(path: Path, direction: str) -> tuple[str, str]:
    """kamflow's SVG and the DOT it lays the chart out from."""
    import kamflow

    process = kamflow.load(path)
    charts = kamflow.render_charts(process, formats=("svg", "dot"), direction=direction)
    return charts["svg"].decode("utf-8"), charts["dot"].decode("utf-8")


def dot_alone(dot_source: str) -> str:
    done = subprocess.run(["dot", "-Tsvg"], input=dot_source.encode("utf-8"), capture_output=True, timeout=120)
    if done.returncode != 0:
        raise SystemExit(f"dot -Tsvg failed: {done.stderr.decode(errors='replace')[-1000:]}")
    return done.stdout.decode("utf-8")


def elk_graph(chart: Chart, direction: str, *, lanes: bool) -> dict:
    """ELK JSON for the graph kamflow drew: its step boxes, its flows with their label sizes."""
    labels = {label.flow: label for label in chart.labels if label.flow}
    lane_of = {}
    for name, step in chart.steps.items():
        cx, cy = (step.box[0] + step.box[2]) / 2, (step.box[1] + step.box[3]) / 2
        for index, (_, band) in enumerate(chart.lanes):
            if band[0] <= cx <= band[2] and band[1] <= cy <= band[3]:
                lane_of[name] = index
                break
    options = {
        "elk.algorithm": "layered",
        "elk.direction": "DOWN" if direction == "TB" else "RIGHT",
        "elk.edgeRouting": "ORTHOGONAL",
        "elk.spacing.nodeNode": str(ELK_NODE_SPACING),
        "elk.layered.spacing.nodeNodeBetweenLayers": str(ELK_LAYER_SPACING),
    }
    if lanes and lane_of:
        options["elk.partitioning.activate"] = "true"
    children = []
    for name, step in chart.steps.items():
        child = {"id": name, "width": round(step.box[2] - step.box[0], 2), "height": round(step.box[3] - step.box[1], 2)}
        if lanes and name in lane_of:
            child["layoutOptions"] = {"elk.partitioning.partition": str(lane_of[name])}
        children.append(child)
    edges = []
    for index, flow in enumerate(chart.flows):
        if flow.source not in chart.steps or flow.target not in chart.steps:
            continue
        edge = {"id": f"e{index}", "sources": [flow.source], "targets": [flow.target]}
        label = labels.get(flow.id)
        if label is not None:
            edge["labels"] = [{"id": f"e{index}-label", "text": flow.id,
                               "width": round(label.box[2] - label.box[0], 2), "height": round(label.box[3] - label.box[1], 2)}]
        edges.append(edge)
    return {"id": "root", "layoutOptions": options, "children": children, "edges": edges}


def elk_modules() -> Path:
    """The folder with elkjs installed (`npm ci` from bench/elk, cached by the lock file's hash)."""
    npm = shutil.which("npm")
    if not shutil.which("node") or not npm:
        raise SystemExit("Node.js and npm are needed for the ELK comparison (apt-get install nodejs npm), or pass --no-elk")
    manifest = [ELK_SOURCE / "package.json", ELK_SOURCE / "package-lock.json"]
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in manifest)).hexdigest()[:16]
    folder = ELK_CACHE / digest
    if not (folder / ".installed").exists():
        scratch = ELK_CACHE / f".{digest}.partial"
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True)
        for path in manifest:
            shutil.copy(path, scratch / path.name)
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=scratch, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise SystemExit(f"`npm ci` for elkjs failed (is the npm registry reachable?):\n{done.stderr[-3000:]}")
        (scratch / ".installed").write_text("ok\n")
        shutil.rmtree(folder, ignore_errors=True)
        scratch.rename(folder)
    shutil.copy(ELK_SOURCE / "layout.js", folder / "layout.js")  # require() resolves beside the script
    return folder


def elk_layout(graphs: list[dict]) -> list[dict]:
    folder = elk_modules()
    with tempfile.TemporaryDirectory(prefix="kamflow-elk-") as scratch:
        job = Path(scratch) / "graphs.json"
        job.write_text(json.dumps(graphs), encoding="utf-8")
        done = subprocess.run(["node", str(folder / "layout.js"), str(job)], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"ELK failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def elk_chart(laid_out: dict, drawn: Chart) -> Chart:
    """The ELK layout as a Chart: kamflow's symbols moved to ELK's boxes, flows as ELK routed them
    with an arrowhead along the last segment, labels where ELK put them."""
    chart = Chart()
    for child in laid_out.get("children", []):
        original = drawn.steps[child["id"]]
        dx, dy = child["x"] - original.box[0], child["y"] - original.box[1]
        outline = [(x + dx, y + dy) for x, y in original.outline]
        chart.steps[child["id"]] = Step(child["id"], outline, (child["x"], child["y"], child["x"] + child["width"], child["y"] + child["height"]))
    for edge in laid_out.get("edges", []):
        flow = drawn.flows[int(edge["id"][1:])]
        lines = []
        for section in edge.get("sections", []):
            points = [section["startPoint"], *section.get("bendPoints", []), section["endPoint"]]
            lines.append([(p["x"], p["y"]) for p in points])
        arrows = []
        if lines and len(lines[-1]) > 1:
            (x0, y0), (x1, y1) = lines[-1][-2], lines[-1][-1]
            length = math.hypot(x1 - x0, y1 - y0) or 1.0
            ux, uy = (x1 - x0) / length, (y1 - y0) / length
            bx, by = x1 - 8 * ux, y1 - 8 * uy
            arrows.append([(bx - 3 * uy, by + 3 * ux), (x1, y1), (bx + 3 * uy, by - 3 * ux)])
        chart.flows.append(Flow(flow.id, flow.source, flow.target, lines, arrows))
        for label in edge.get("labels", []):
            chart.labels.append(Label("label-" + flow.id, flow.id, (label["x"], label["y"], label["x"] + label["width"], label["y"] + label["height"])))
    return chart  # no frame: the area is the bounding box of what ELK placed (its 12 pt padding left out)


def chart_svg(chart: Chart) -> str:
    """A plain drawing of a Chart (for looking at ELK's layouts), in kamflow's SVG form."""
    def n(v: float) -> str:
        return f"{v:.2f}".rstrip("0").rstrip(".")

    from bench.quality_metrics import frame

    box = frame(chart) or (0, 0, 100, 100)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{n(box[0] - 10)} {n(box[1] - 10)} {n(box[2] - box[0] + 20)} {n(box[3] - box[1] + 20)}" font-family="DejaVu Sans" font-size="9">']
    parts.append('<g id="chart">')
    for name, step in chart.steps.items():
        points = " ".join(f"L{n(x)},{n(y)}" for x, y in step.outline)
        cx, cy = (step.box[0] + step.box[2]) / 2, (step.box[1] + step.box[3]) / 2
        parts.append(f'<g id="step-{name}" class="node"><title>{name}</title><path d="M{points[1:]} Z" fill="#eef" stroke="#335"/>'
                     f'<text x="{n(cx)}" y="{n(cy + 3)}" text-anchor="middle">{name[:24]}</text></g>')
    for flow in chart.flows:
        d = " ".join("M" + " L".join(f"{n(x)},{n(y)}" for x, y in line) for line in flow.lines if line)
        arrows = "".join(f'<polygon points="{" ".join(f"{n(x)},{n(y)}" for x, y in a)}" fill="#456"/>' for a in flow.arrows)
        parts.append(f'<g id="{flow.id}" class="edge"><title>{flow.source}-&gt;{flow.target}</title><path d="{d}" fill="none" stroke="#456"/>{arrows}</g>')
    for label in chart.labels:
        x0, y0, x1, y1 = label.box
        parts.append(f'<g id="{label.id}" class="flow-label"><rect x="{n(x0)}" y="{n(y0)}" width="{n(x1 - x0)}" height="{n(y1 - y0)}" fill="#fff" stroke="#c96" stroke-width="0.5"/></g>')
    parts.append("</g></svg>\n")
    return "\n".join(parts)


# --------------------------------------------------------------------------- the run

def summarise(rows: list[dict]) -> dict:
    """Sums and medians per variant and direction."""
    out: dict = {}
    for variant in VARIANTS:
        for direction in DIRECTIONS:
            charts = [r[variant] for r in rows if r["direction"] == direction and variant in r]
            if not charts:
                continue
            length = sum(c["flow_length_pt"] for c in charts)
            axis = sum(c["axis_parallel_pt"] for c in charts)
            flows = sum(c["flows"] for c in charts)
            out.setdefault(variant, {})[direction] = {
                **{key: round(sum(c[key] for c in charts), 1) if key == "overlap_pt" else sum(c[key] for c in charts) for key in COUNTS},
                "axis_parallel": round(axis / length, 4) if length else 1.0,
                "bends_per_flow": round(sum(c["bends_per_flow"] * c["flows"] for c in charts) / flows, 2) if flows else 0.0,
                "median_area_per_step_pt2": round(statistics.median(c["area_per_step_pt2"] for c in charts)),
                "charts": len(charts),
            }
    return out


def targets(summary: dict, rows: list[dict]) -> list[dict]:
    """Issue #12's chart targets, for kamflow's charts."""
    own = summary.get("kamflow", {})
    checks = []
    tb = own.get("TB")
    if tb:
        checks.append({"what": "crossings, sum over the bundled processes, TB", "measured": tb["crossings"], "target": f"<= {TARGETS['crossings_tb_sum']}",
                       "met": tb["crossings"] <= TARGETS["crossings_tb_sum"]})
        kam = next((r["kamflow"]["crossings"] for r in rows if r["process"] == "kam" and r["direction"] == "TB"), None)
        if kam is not None:
            checks.append({"what": "crossings, kam, TB", "measured": kam, "target": f"<= {TARGETS['crossings_kam_tb']}", "met": kam <= TARGETS["crossings_kam_tb"]})
        areas = [r["kamflow"]["area_per_step_pt2"] for r in rows if r["direction"] == "TB"]
        median = round(statistics.median(areas))
        checks.append({"what": "area per step, median, TB", "measured": median, "target": f"<= {TARGETS['median_area_per_step_pt2']:,}",
                       "met": median <= TARGETS["median_area_per_step_pt2"]})
    for direction in DIRECTIONS:
        figures = own.get(direction)
        if not figures:
            continue
        for key, name in DEFECTS.items():
            checks.append({"what": f"{name}, sum, {direction}", "measured": figures[key], "target": "0", "met": figures[key] == 0})
        checks.append({"what": f"axis-parallel share of flow length, {direction}", "measured": figures["axis_parallel"],
                       "target": f">= {TARGETS['axis_parallel']:.0%}", "met": figures["axis_parallel"] >= TARGETS["axis_parallel"]})
    return checks


def _cell(row: dict, key: str) -> str:
    values = []
    for variant in VARIANTS:
        if variant in row:
            value = row[variant][key]
            values.append(f"{value:.0%}" if key == "axis_parallel" else f"{value:g}")
    return " / ".join(values)


def print_table(rows: list[dict], summary: dict) -> None:
    keys = ("crossings", "flows_through_steps", "overlap_pt", "label_label", "label_step", "labels_crossed", "misdirected_arrows", "axis_parallel", "bends_per_flow", "area_per_step_pt2")
    heads = ("cross", "thru", "overlap", "lab/lab", "lab/step", "lab-hit", "arrows", "axis", "bends", "area/step")
    print("per chart, kamflow / dot alone / ELK with lanes / ELK without lanes")
    print(f"{'process':<26} {'dir':<3} " + " ".join(f"{h:>18}" for h in heads))
    for row in rows:
        print(f"{row['process']:<26} {row['direction']:<3} " + " ".join(f"{_cell(row, k):>18}" for k in keys))
    print()
    for direction in DIRECTIONS:
        print(f"{direction}: sums (axis: share of all flow length; bends: per flow; area: median per chart)")
        for variant, by_direction in summary.items():
            s = by_direction.get(direction)
            if s:
                print(f"  {VARIANT_NAMES[variant]:<26} crossings {s['crossings']:>3}  through steps {s['flows_through_steps']:>2}  overlap {s['overlap_pt']:>6} pt  "
                      f"label/label {s['label_label']:>2}  label/step {s['label_step']:>2}  labels crossed {s['labels_crossed']:>2}  "
                      f"misdirected {s['misdirected_arrows']:>2}  axis {s['axis_parallel']:.1%}  bends {s['bends_per_flow']:.2f}  area/step {s['median_area_per_step_pt2']:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", help="process file stem(s) to measure (default: all bundled)")
    parser.add_argument("--no-elk", action="store_true", help="leave ELK out (no Node.js needed)")
    options = parser.parse_args()
    started = time.perf_counter()
    paths = sorted((ROOT / "processes").glob("*.yaml"))
    if options.only:
        paths = [p for p in paths if p.stem in options.only]
    CHARTS.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    drawn: list[Chart] = []
    for path in paths:
        for direction in DIRECTIONS:
            svg, dot_source = kamflow_charts(path, direction)
            plain = dot_alone(dot_source)
            (CHARTS / f"{path.stem}-{direction}-kamflow.svg").write_text(svg, encoding="utf-8")
            (CHARTS / f"{path.stem}-{direction}-dot.svg").write_text(plain, encoding="utf-8")
            own = parse_svg(svg)
            drawn.append(own)
            rows.append({"process": path.stem, "direction": direction, "kamflow": _figures(own), "dot": _figures(parse_svg(plain))})
    if not options.no_elk:
        graphs = []
        for row, own in zip(rows, drawn):
            graphs += [elk_graph(own, row["direction"], lanes=True), elk_graph(own, row["direction"], lanes=False)]
        laid_out = elk_layout(graphs)
        for index, (row, own) in enumerate(zip(rows, drawn)):
            for variant, result in (("elk_lanes", laid_out[2 * index]), ("elk", laid_out[2 * index + 1])):
                chart = elk_chart(result, own)
                picture = chart_svg(chart)
                (CHARTS / f"{row['process']}-{row['direction']}-{variant.replace('_', '-')}.svg").write_text(picture, encoding="utf-8")
                row[variant] = _figures(parse_svg(picture))  # measured from its SVG, like the others
    summary = summarise(rows)
    checks = targets(summary, rows)
    print_table(rows, summary)
    print()
    for check in checks:
        print(f"  {'met   ' if check['met'] else 'MISSED'} {check['what']}: {check['measured']} (target {check['target']})")
    seconds = time.perf_counter() - started
    print(f"\n{len(rows)} charts per variant measured in {seconds:.1f} s; the charts are in {CHARTS.relative_to(ROOT)}/")
    path = write_result("chart_quality", {"rows": rows, "summary": summary, "targets": checks, "variants": VARIANT_NAMES,
                                          "elk": _elk_version() if not options.no_elk else None, "seconds": round(seconds, 1)})
    print(f"wrote {path.relative_to(ROOT)}")


def _figures(chart: Chart) -> dict:
    figures = measure(chart)
    figures["axis_parallel_pt"] = round(figures["axis_parallel"] * figures["flow_length_pt"], 1)
    return figures


def _elk_version() -> str:
    lock = json.loads((ELK_SOURCE / "package-lock.json").read_text(encoding="utf-8"))
    return "elkjs " + lock["packages"]["node_modules/elkjs"]["version"]


if __name__ == "__main__":
    main()
