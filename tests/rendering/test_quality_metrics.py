"""bench/quality_metrics.py counts what it says it counts: each metric on small hand-made SVGs in
kamflow's own form (steps, flows, labels inside a translated chart group) and in Graphviz's."""
from __future__ import annotations

import pytest

from bench.quality_metrics import measure_svg, parse_path, parse_svg


def rect_step(name: str, x: float, y: float, w: float = 40, h: float = 20) -> str:
    return f'<g id="step-{name}" class="node kamflow-step"><title>{name}</title><g class="symbol"><path d="M{x},{y} L{x + w},{y} L{x + w},{y + h} L{x},{y + h} Z"/></g></g>'


def diamond_step(name: str, cx: float, cy: float, w: float, h: float) -> str:
    return (f'<g id="step-{name}" class="node kamflow-decision"><title>{name}</title><g class="symbol">'
            f'<path d="M{cx},{cy - h / 2} L{cx + w / 2},{cy} L{cx},{cy + h / 2} L{cx - w / 2},{cy} Z"/></g></g>')


def arrow_at(tip: tuple[float, float], direction: tuple[float, float], size: float = 8.0) -> str:
    """A Graphviz-like arrowhead whose tip is at `tip`, pointing along `direction` (a unit vector)."""
    (x, y), (dx, dy) = tip, direction
    bx, by = x - dx * size, y - dy * size
    px, py = -dy * size * 0.35, dx * size * 0.35
    return f'<polygon points="{bx + px},{by + py} {x},{y} {bx - px},{by - py}"/>'


def flow(source: str, target: str, d: str, *arrows: str, ident: str | None = None) -> str:
    return (f'<g id="{ident or f"flow-{source}-{target}"}" class="edge"><title>{source}-&gt;{target}</title>'
            f'<path d="{d}" fill="none"/>{"".join(arrows)}</g>')


def label(flow_id: str, x: float, y: float, w: float, h: float) -> str:
    return (f'<g id="label-{flow_id}" class="flow-label"><title>t</title><rect class="label-plate" x="{x}" y="{y}" width="{w}" height="{h}"/>'
            f'<text x="{x + w / 2}" y="{y + h / 2}">x</text></g>')


def chart(*parts: str, translate: tuple[float, float] = (30, 80), extra: str = "") -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000 1000">'
            '<g id="title-block"><text x="5" y="5">Title</text></g>'
            f'<g id="chart" transform="translate({translate[0]},{translate[1]})">{"".join(parts)}</g>{extra}</svg>')


# --------------------------------------------------------------------------- path reading

def test_paths_read_every_command_and_flatten_curves_and_arcs():
    [line] = parse_path("M0,0 H10 v10 l-10,0 Z")
    assert line == [(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)]
    [arc] = parse_path("M0,10 A10,10 0 0 1 10,0")  # a quarter circle around (10, 10)
    assert arc[0] == (0, 10) and arc[-1] == (10, 0) and len(arc) > 8
    assert all(abs(((x - 10) ** 2 + (y - 10) ** 2) ** 0.5 - 10) < 0.06 for x, y in arc)
    [quad] = parse_path("M0,0 Q10,0 10,10")
    assert quad[-1] == (10, 10) and len(quad) > 4
    [straight] = parse_path("M0,0 C0,10 0,20 0,30")  # a straight cubic stays one segment
    assert straight == [(0, 0), (0, 30)]
    assert len(parse_path("M0,0 L1,1 M5,5 l1,1")) == 2
    [packed] = parse_path("M0,10 a10 10 0 0110-10")  # flags written without separators
    assert packed[-1] == pytest.approx((10, 0))


def test_transforms_of_the_chart_group_and_graphviz_are_applied():
    svg = chart(rect_step("a", 0, 0), translate=(100, 200))
    assert parse_svg(svg).steps["a"].box == (100, 200, 140, 220)
    graphviz = ('<svg xmlns="http://www.w3.org/2000/svg"><g id="graph0" class="graph" transform="scale(1 1) rotate(0) translate(4 100)">'
                '<polygon fill="white" points="-4,4 -4,-100 200,-100 200,4 -4,4"/>'
                '<g id="node1" class="node"><title>a</title><polygon points="0,-90 40,-90 40,-70 0,-70 0,-90"/></g></g></svg>')
    parsed = parse_svg(graphviz)
    assert parsed.steps["a"].box == (4, 10, 44, 30)
    assert parsed.frame == (0, 0, 204, 104)


# --------------------------------------------------------------------------- crossings

def test_a_crossing_is_counted_and_a_t_junction_or_a_shared_port_is_not():
    steps = [rect_step("a", 0, 0), rect_step("b", 200, 0), rect_step("c", 0, 200), rect_step("d", 200, 200)]
    x_shape = [flow("a", "d", "M20,20 L220,200"), flow("b", "c", "M220,20 L20,200")]
    assert measure_svg(chart(*steps, *x_shape))["crossings"] == 1
    # the second flow ends on the first one's line: a junction, not a crossing
    t_shape = [flow("a", "d", "M20,20 L220,200"), flow("b", "c", "M300,110 L120,110")]
    assert measure_svg(chart(*steps, *t_shape))["crossings"] == 0
    # two flows into one port meet at their last point
    shared = [flow("a", "d", "M20,20 L210,200"), flow("b", "d", "M220,20 L210,200")]
    assert measure_svg(chart(*steps, *shared))["crossings"] == 0
    # one flow's own segments never cross themselves into the count
    loop = [flow("a", "d", "M0,100 L100,100 L100,50 L50,50 L50,150")]
    assert measure_svg(chart(*steps, *loop))["crossings"] == 0


def test_a_curve_crossing_a_line_counts_once_and_two_crossings_count_twice():
    steps = [rect_step("a", 0, 0), rect_step("b", 200, 0)]
    curve = flow("a", "b", "M0,0 C50,100 150,100 200,0")
    once = flow("b", "a", "M100,-20 L100,200")
    assert measure_svg(chart(*steps, curve, once))["crossings"] == 1
    twice = flow("b", "a", "M-20,40 L220,40")
    assert measure_svg(chart(*steps, curve, twice))["crossings"] == 2


# --------------------------------------------------------------------------- flows through steps

def test_a_flow_through_another_step_is_counted_not_through_its_own_ends():
    steps = [rect_step("a", 0, 0), rect_step("b", 0, 100), rect_step("c", 0, 200)]
    through = flow("a", "c", "M20,20 L20,200")
    result = measure_svg(chart(*steps, through))
    assert result["flows_through_steps"] == 1
    assert result["details"]["flows_through_steps"] == ["flow-a-c through b"]
    # into its own target and out of its own source: fine
    assert measure_svg(chart(*steps, flow("a", "b", "M20,10 L20,110")))["flows_through_steps"] == 0
    # grazing b's side within the tolerance (0.5 pt inside) is not through it
    assert measure_svg(chart(*steps, flow("a", "c", "M39.5,20 L39.5,200")))["flows_through_steps"] == 0
    # 3 pt inside is
    assert measure_svg(chart(*steps, flow("a", "c", "M37,20 L37,200")))["flows_through_steps"] == 1


def test_a_flow_past_a_diamonds_corner_is_outside_it():
    steps = [rect_step("a", 0, 0), diamond_step("d", 100, 100, 80, 60), rect_step("c", 0, 300)]
    # passes through the diamond's bounding box, not the diamond
    assert measure_svg(chart(*steps, flow("a", "c", "M120,60 L150,90 L150,300")))["flows_through_steps"] == 0
    assert measure_svg(chart(*steps, flow("a", "c", "M100,0 L100,300")))["flows_through_steps"] == 1


# --------------------------------------------------------------------------- overlap

def test_flows_drawn_on_top_of_each_other_are_measured_over_their_common_stretch():
    steps = [rect_step("a", 0, 0), rect_step("b", 300, 0), rect_step("c", 0, 200), rect_step("d", 300, 200)]
    one = flow("a", "d", "M20,100 L200,100 L200,220")
    other = flow("c", "b", "M120,100.4 L170,100.4 L170,0")  # 50 pt along the same line, 0.4 pt apart
    assert measure_svg(chart(*steps, one, other))["overlap_pt"] == pytest.approx(50, abs=0.2)
    apart = flow("c", "b", "M120,105 L170,105 L170,0")  # 5 pt apart: two lines
    assert measure_svg(chart(*steps, one, apart))["overlap_pt"] == 0
    crossing = flow("c", "b", "M150,50 L150,150")
    assert measure_svg(chart(*steps, one, crossing))["overlap_pt"] == 0


def test_a_shared_last_stretch_into_one_port_is_overlap_but_the_meeting_point_is_not():
    steps = [rect_step("a", 0, 0), rect_step("b", 300, 0), rect_step("t", 140, 300)]
    one = flow("a", "t", "M20,20 L160,280 L160,300")
    other = flow("b", "t", "M320,20 L160,280 L160,300")  # both run the last 20 pt in one line
    assert measure_svg(chart(*steps, one, other))["overlap_pt"] == pytest.approx(20 - 3, abs=0.2)
    meet = flow("b", "t", "M320,20 L160,300")  # only the end point in common
    assert measure_svg(chart(*steps, one, meet))["overlap_pt"] == 0


# --------------------------------------------------------------------------- labels

def test_label_overlaps_with_labels_and_steps():
    steps = [rect_step("a", 0, 0), rect_step("b", 0, 200)]
    f = flow("a", "b", "M20,20 L20,200")
    apart = [label("flow-a-b", 30, 100, 30, 12), label("flow-x", 100, 100, 30, 12)]
    assert measure_svg(chart(*steps, f, *apart))["label_label"] == 0
    touching = [label("flow-a-b", 30, 100, 30, 12), label("flow-x", 60, 100, 30, 12)]
    assert measure_svg(chart(*steps, f, *touching))["label_label"] == 0
    overlapping = [label("flow-a-b", 30, 100, 30, 12), label("flow-x", 50, 105, 30, 12)]
    assert measure_svg(chart(*steps, f, *overlapping))["label_label"] == 1
    on_step = label("flow-a-b", 30, 10, 30, 12)  # over a's right edge
    result = measure_svg(chart(*steps, f, on_step))
    assert result["label_step"] == 1 and result["details"]["label_step"] == ["label-flow-a-b on a"]
    beside = label("flow-a-b", 41, 10, 30, 12)
    assert measure_svg(chart(*steps, f, beside))["label_step"] == 0


def test_a_label_beside_a_diamonds_corner_is_clear_of_it():
    steps = [diamond_step("d", 100, 100, 80, 60), rect_step("b", 80, 300)]
    f = flow("d", "b", "M100,130 L100,300")
    assert measure_svg(chart(*steps, f, label("flow-d-b", 125, 72, 14, 10)))["label_step"] == 0
    assert measure_svg(chart(*steps, f, label("flow-d-b", 105, 80, 14, 10)))["label_step"] == 1


def test_a_label_crossed_by_another_flow_counts_its_own_flow_does_not():
    steps = [rect_step("a", 0, 0), rect_step("b", 0, 200), rect_step("c", 100, 0), rect_step("d", 100, 200)]
    own = flow("a", "b", "M20,20 L20,200")
    other = flow("c", "d", "M120,20 L120,200")
    through_own = label("flow-a-b", 10, 100, 20, 12)
    assert measure_svg(chart(*steps, own, other, through_own))["labels_crossed"] == 0
    by_other = label("flow-a-b", 110, 100, 20, 12)
    result = measure_svg(chart(*steps, own, other, by_other))
    assert result["labels_crossed"] == 1 and result["details"]["labels_crossed"] == ["label-flow-a-b crossed by flow-c-d"]
    grazed = label("flow-a-b", 120.5, 100, 20, 12)  # the line runs along the plate's edge
    assert measure_svg(chart(*steps, own, other, grazed))["labels_crossed"] == 0


# --------------------------------------------------------------------------- arrowheads

@pytest.mark.parametrize(("tip", "direction", "bad"), [
    ((20, 100), (0, 1), 0),  # along the last segment, tip on the target's top side
    ((20, 100), (0.2588, 0.9659), 0),  # 15 degrees off: fine
    ((20, 100), (0.5, 0.866), 1),  # 30 degrees off
    ((20, 92), (0, -1), 1),  # reversed
    ((20, 80), (0, 1), 1),  # along the line but 20 pt short of the target
])
def test_misdirected_arrowheads(tip, direction, bad):
    steps = [rect_step("a", 0, 0), rect_step("b", 0, 100)]
    f = flow("a", "b", "M20,20 L20,92", arrow_at(tip, direction))
    assert measure_svg(chart(*steps, f))["misdirected_arrows"] == bad


def test_an_arrowhead_is_judged_against_the_lines_last_stretch():
    steps = [rect_step("a", 0, 0), rect_step("b", 100, 100)]
    # an elbow: right, then down into b; the arrow points down
    elbow = flow("a", "b", "M40,10 L120,10 L120,92", arrow_at((120, 100), (0, 1)))
    assert measure_svg(chart(*steps, elbow))["misdirected_arrows"] == 0
    # the arrow kept the first segment's direction (what re-routed Graphviz flows do)
    stale = flow("a", "b", "M40,10 L120,10 L120,92", arrow_at((120, 100), (1, 0)))
    assert measure_svg(chart(*steps, stale))["misdirected_arrows"] == 1


# --------------------------------------------------------------------------- straightness, bends, area

def test_axis_parallel_share_and_bends():
    steps = [rect_step("a", 0, 0), rect_step("b", 200, 200)]
    elbow = measure_svg(chart(*steps, flow("a", "b", "M20,20 L220,20 L220,200")))
    assert elbow["axis_parallel"] == 1.0 and elbow["bends_per_flow"] == pytest.approx(1.0)
    z = measure_svg(chart(*steps, flow("a", "b", "M20,20 L120,20 L120,120 L220,120")))
    assert z["bends_per_flow"] == pytest.approx(2.0)
    diagonal = measure_svg(chart(*steps, flow("a", "b", "M20,20 L220,220")))
    assert diagonal["axis_parallel"] == 0.0 and diagonal["bends_per_flow"] == 0
    half = measure_svg(chart(*steps, flow("a", "b", "M0,0 L100,0 L200,100")))  # 100 straight, 141 diagonal
    assert half["axis_parallel"] == pytest.approx(100 / (100 + 2 ** 0.5 * 100), abs=1e-3)
    # a rounded corner (arc or quadratic) is still one bend, and the straight parts stay axis-parallel
    for corner in ("M20,20 L210,20 A10,10 0 0 1 220,30 L220,200", "M20,20 L210,20 Q220,20 220,30 L220,200"):
        rounded = measure_svg(chart(*steps, flow("a", "b", corner)))
        assert rounded["bends_per_flow"] == pytest.approx(1.0, abs=0.01)
        assert 0.95 < rounded["axis_parallel"] < 1.0


def test_area_per_step_uses_the_lane_outline_and_ignores_title_and_legend():
    lanes = ('<g id="lanes"><g id="lane-x" class="cluster lane"><rect class="band" x="-10" y="-10" width="310" height="410"/></g>'
             '<rect class="lane-outline" x="-10" y="-10" width="310" height="410"/></g>')
    steps = [rect_step("a", 0, 0), rect_step("b", 0, 100)]
    legend = '<g id="legend" class="legend"><g class="legend-entry"><path d="M0,900 L900,900"/></g></g>'
    result = measure_svg(chart(lanes, *steps, extra=legend))
    assert result["steps"] == 2 and result["area_pt2"] == 310 * 410 and result["area_per_step_pt2"] == 310 * 410 / 2
    parsed = parse_svg(chart(lanes, *steps))
    assert parsed.lanes == [("x", (20, 70, 330, 480))]
    # without lanes: the bounding box of what is drawn
    bare = measure_svg(chart(*steps, flow("a", "b", "M20,20 L20,100")))
    assert bare["area_pt2"] == 40 * 120


def test_graphviz_edges_labels_and_nodes_are_read():
    svg = ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
           '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg xmlns="http://www.w3.org/2000/svg">'
           '<g id="graph0" class="graph" transform="translate(0 300)"><polygon fill="white" points="0,0 0,-300 200,-300 200,0 0,0"/>'
           '<g id="step&#45;a" class="node"><title>a</title><polygon points="0,-300 40,-300 40,-280 0,-280 0,-300"/><text>A</text></g>'
           '<g id="step&#45;b" class="node"><title>b</title><ellipse cx="20" cy="-20" rx="20" ry="10"/></g>'
           '<g id="flow&#45;a&#45;b" class="edge"><title>a&#45;&gt;b</title><path d="M20,-280C20,-200 20,-100 20,-38"/>'
           '<polygon points="16,-38 20,-30 24,-38 16,-38"/>'
           '<text text-anchor="middle" x="40" y="-150" font-size="10">Yes</text></g></g></svg>')
    parsed = parse_svg(svg)
    assert sorted(parsed.steps) == ["a", "b"] and parsed.steps["b"].box == pytest.approx((0, 270, 40, 290))
    [f] = parsed.flows
    assert (f.id, f.source, f.target) == ("flow-a-b", "a", "b") and f.points[0] == (20, 20)
    [lab] = parsed.labels
    assert lab.flow == "flow-a-b" and lab.box[0] < 40 < lab.box[2] and lab.box[1] < 150 < lab.box[3]
    result = measure_svg(svg)
    assert result["misdirected_arrows"] == 0 and result["axis_parallel"] == 1.0 and result["area_pt2"] == 200 * 300


def test_the_elk_comparison_gets_kamflows_graph_and_is_read_back_as_elk_laid_it_out():
    from bench.chart_quality import chart_svg, elk_chart, elk_graph

    lanes = ('<g id="lanes"><g id="lane-left" class="cluster lane"><rect class="band" x="0" y="0" width="100" height="300"/></g>'
             '<g id="lane-right" class="cluster lane"><rect class="band" x="100" y="0" width="100" height="300"/></g></g>')
    drawn = parse_svg(chart(lanes, rect_step("a", 10, 10), diamond_step("d", 150, 100, 60, 40), rect_step("b", 10, 200),
                            flow("a", "d", "M50,20 L150,80"), flow("d", "b", "M150,120 L30,200"), label("flow-d-b", 60, 150, 24, 12),
                            translate=(0, 0)))
    graph = elk_graph(drawn, "TB", lanes=True)
    assert graph["layoutOptions"]["elk.direction"] == "DOWN" and graph["layoutOptions"]["elk.edgeRouting"] == "ORTHOGONAL"
    assert graph["layoutOptions"]["elk.partitioning.activate"] == "true"
    assert [(c["id"], c["width"], c["height"], c["layoutOptions"]["elk.partitioning.partition"]) for c in graph["children"]] == [
        ("a", 40, 20, "0"), ("d", 60, 40, "1"), ("b", 40, 20, "0")]
    assert [(e["sources"], e["targets"], [(l["width"], l["height"]) for l in e.get("labels", [])]) for e in graph["edges"]] == [
        (["a"], ["d"], []), (["d"], ["b"], [(24, 12)])]
    assert "elk.partitioning.activate" not in elk_graph(drawn, "LR", lanes=False)["layoutOptions"]
    # what ELK would answer: boxes moved, orthogonal sections, the label placed
    laid_out = {"width": 200, "height": 200, "children": [
        {"id": "a", "x": 0, "y": 0, "width": 40, "height": 20}, {"id": "d", "x": 100, "y": 60, "width": 60, "height": 40},
        {"id": "b", "x": 0, "y": 150, "width": 40, "height": 20}],
        "edges": [{"id": "e0", "sections": [{"startPoint": {"x": 20, "y": 20}, "bendPoints": [{"x": 20, "y": 80}], "endPoint": {"x": 100, "y": 80}}]},
                  {"id": "e1", "sections": [{"startPoint": {"x": 130, "y": 100}, "bendPoints": [{"x": 130, "y": 130}, {"x": 30, "y": 130}],
                                             "endPoint": {"x": 30, "y": 150}}],
                   "labels": [{"x": 60, "y": 132, "width": 24, "height": 12}]}]}
    elk = elk_chart(laid_out, drawn)
    assert elk.steps["d"].box == (100, 60, 160, 100) and (130, 60) in elk.steps["d"].outline  # the diamond moved with its box
    assert elk.flows[1].lines == [[(130, 100), (130, 130), (30, 130), (30, 150)]]
    result = measure_svg(chart_svg(elk))  # measured from its SVG, as the benchmark does
    assert result["misdirected_arrows"] == 0 and result["axis_parallel"] == 1.0 and result["crossings"] == 0
    assert result["bends_per_flow"] == pytest.approx(1.5) and result["labels"] == 1 and result["area_pt2"] == 160 * 170
