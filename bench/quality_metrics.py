"""Chart-quality metrics, measured from a chart's drawing: kamflow's SVG, Graphviz's own SVG, or
any layout turned into a `Chart` (bench/chart_quality.py does so for ELK's JSON). Pure functions,
no kamflow imports: whatever renderer wrote the SVG, the same rules count.

    from bench.quality_metrics import measure_svg
    figures = measure_svg(open("output/kam.svg").read())

What is read from an SVG (every `transform` on the way down is applied; paths may use any of
M L H V C S Q T A Z, absolute or relative; curves and arcs are flattened to within 0.05 pt):

- steps: `<g>` with an id `step-<id>` or a class `node` (Graphviz), outline = the first
  `<path>`/`<polygon>`/`<rect>`/`<ellipse>` in it; named by the id after `step-`, a kamflow ghost
  by its id, a Graphviz node by its `<title>`;
- flows: `<g class="edge ...">`, source and target from its `<title>` "a->b", the line = its first
  `<path>` (a critical flow's casing and core are the same line), arrowheads = its `<polygon>`s;
- labels: `<g class="flow-label">` with a `<rect>` plate (its flow: the id after `label-`), or
  the `<text>` lines inside a Graphviz edge (box from the font size and an estimate of the width);
- lanes: `<g class="... lane">` with a `<rect class="band">`.

The rules (TOL = 1 pt unless said):

- crossings: pairs of segments of two different flows that cross properly (each passes from one
  side of the other to the other side, not at a segment's end), away (> 2 pt) from the ends of
  either flow, so a T-junction or two flows meeting at one port are not crossings; crossing points
  of the same two flows closer than 2 pt count once (a curve flattened at the crossing).
- flows through a step: (flow, step) pairs where the flow's line comes more than TOL inside the
  outline of a step that is neither its source nor its target.
- overlap_pt: length of line drawn on top of another flow's line: nearly parallel (< 3 degrees)
  segments of two different flows less than TOL apart, over their common stretch; for each pair of
  flows the covered length of one is counted once, and the last 3 pt at an end point both flows
  share (two arrowheads meeting at one point) are not counted. Everything else is real overlap,
  including a shared last stretch into one port.
- label_label: pairs of labels whose boxes overlap by more than 0.5 pt both ways.
- label_step: (label, step) pairs where the label's box, shrunk by 0.5 pt, meets the step's outline.
- labels_crossed: labels through whose box (shrunk by TOL) a flow other than the label's own passes.
- misdirected_arrows: arrowheads whose direction (tip minus the middle of the base) is more than
  20 degrees off the direction of the line's last stretch (the last 8 pt) at the end it sits on,
  or whose tip does not point into that end's step (tip within 3 pt of its box, and a point 2 pt
  further on inside the box grown by 1 pt).
- axis_parallel: share of all flow length in segments within 1 degree of horizontal or vertical.
- bends: total turning of a flow's line divided by 90 degrees (an orthogonal route: its number of
  corners; a rounded corner or a curve: each quarter turn counts one); reported per flow (mean).
- area_per_step: the chart's frame (lane outline if drawn, else Graphviz's page, else the bounding
  box of steps, flows and labels) divided by the number of steps drawn (ghosts included).
"""
from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

Point = tuple[float, float]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1

TOL = 1.0
END_TOL = 2.0  # crossings this close to a flow's end are junctions, not crossings
PORT_SKIP = 3.0  # overlap this close to an end point both flows share is not counted
PARALLEL_SIN = math.sin(math.radians(3))
AXIS_SIN = math.sin(math.radians(1))
ARROW_ANGLE = 20.0
FLATNESS = 0.05
CELL = 48.0  # spatial grid


@dataclass
class Step:
    name: str
    outline: list[Point]  # closed polygon (last point not repeated)
    box: Box


@dataclass
class Flow:
    id: str
    source: str
    target: str
    lines: list[list[Point]]  # one polyline per subpath
    arrows: list[list[Point]] = field(default_factory=list)

    @property
    def points(self) -> list[Point]:
        return [p for line in self.lines for p in line]


@dataclass
class Label:
    id: str
    flow: str | None  # id of the flow it belongs to
    box: Box


@dataclass
class Chart:
    steps: dict[str, Step] = field(default_factory=dict)
    flows: list[Flow] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    lanes: list[tuple[str, Box]] = field(default_factory=list)
    frame: Box | None = None


# --------------------------------------------------------------------------- geometry helpers

def _bbox(points) -> Box:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


def _union(boxes) -> Box | None:
    boxes = [b for b in boxes if b is not None]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _grow(box: Box, d: float) -> Box:
    return (box[0] - d, box[1] - d, box[2] + d, box[3] + d)


def _inside_box(p: Point, box: Box) -> bool:
    return box[0] <= p[0] <= box[2] and box[1] <= p[1] <= box[3]


def _dist(a: Point, b: Point) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def _point_in_polygon(p: Point, poly: list[Point]) -> bool:
    x, y = p
    inside = False
    n = len(poly)
    for i in range(n):
        x1, y1 = poly[i]
        x2, y2 = poly[(i + 1) % n]
        if (y1 > y) != (y2 > y):
            xc = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if xc > x:
                inside = not inside
    return inside


def _seg_point_dist(p: Point, a: Point, b: Point) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    if length2 == 0:
        return _dist(p, a)
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def _depth(p: Point, poly: list[Point]) -> float:
    """Distance of p inside the polygon (0 or less when outside)."""
    if not _point_in_polygon(p, poly):
        return 0.0
    n = len(poly)
    return min(_seg_point_dist(p, poly[i], poly[(i + 1) % n]) for i in range(n))


def _clip(a: Point, b: Point, box: Box) -> tuple[float, float] | None:
    """Liang-Barsky: the parameter interval of segment a-b inside box, or None."""
    t0, t1 = 0.0, 1.0
    dx, dy = b[0] - a[0], b[1] - a[1]
    for p, q in ((-dx, a[0] - box[0]), (dx, box[2] - a[0]), (-dy, a[1] - box[1]), (dy, box[3] - a[1])):
        if p == 0:
            if q < 0:
                return None
        else:
            r = q / p
            if p < 0:
                if r > t1:
                    return None
                t0 = max(t0, r)
            else:
                if r < t0:
                    return None
                t1 = min(t1, r)
    return (t0, t1) if t1 > t0 else None


def _segments(lines: list[list[Point]]):
    for line in lines:
        for a, b in zip(line, line[1:]):
            if a != b:
                yield a, b


def _meet(a: Point, b: Point, c: Point, d: Point, *, strict: bool) -> tuple[float, float] | None:
    """Parameters (t on a-b, u on c-d) where two segments meet, or None when they do not or are
    (nearly) parallel. strict: interiors only (a proper crossing); else ends included."""
    r = (b[0] - a[0], b[1] - a[1])
    s = (d[0] - c[0], d[1] - c[1])
    den = r[0] * s[1] - r[1] * s[0]
    lr, ls = math.hypot(*r), math.hypot(*s)
    if lr == 0 or ls == 0 or abs(den) / (lr * ls) < 1e-3:
        return None
    qp = (c[0] - a[0], c[1] - a[1])
    t = (qp[0] * s[1] - qp[1] * s[0]) / den
    u = (qp[0] * r[1] - qp[1] * r[0]) / den
    eps = 1e-9
    if strict:
        return (t, u) if eps < t < 1 - eps and eps < u < 1 - eps else None
    return (t, u) if -eps <= t <= 1 + eps and -eps <= u <= 1 + eps else None


class _Walk:
    """A flow's line by arc length."""

    def __init__(self, flow: "Flow"):
        self.segs = []
        s = 0.0
        for a, b in _segments(flow.lines):
            self.segs.append((s, a, b))
            s += _dist(a, b)
        self.length = s
        self.offset = {(a, b): start for start, a, b in self.segs}

    def at(self, s: float) -> Point:
        s = max(0.0, min(self.length, s))
        for start, a, b in self.segs:
            length = _dist(a, b)
            if s <= start + length or (start, a, b) == self.segs[-1]:
                k = (s - start) / length if length else 0.0
                return (a[0] + k * (b[0] - a[0]), a[1] + k * (b[1] - a[1]))
        return self.segs[-1][2] if self.segs else (0.0, 0.0)


def _grid(items):
    """items: (key, box) -> dict cell -> [key]"""
    cells: dict[tuple[int, int], list] = {}
    for key, box in items:
        for i in range(int(math.floor(box[0] / CELL)), int(math.floor(box[2] / CELL)) + 1):
            for j in range(int(math.floor(box[1] / CELL)), int(math.floor(box[3] / CELL)) + 1):
                cells.setdefault((i, j), []).append(key)
    return cells


def _segment_pairs(flows: list[Flow], pad: float):
    """Candidate (flow i, seg a, flow j, seg b) with i < j whose boxes (grown by pad) meet."""
    segs = []
    for fi, flow in enumerate(flows):
        for a, b in _segments(flow.lines):
            segs.append((fi, a, b, _grow(_bbox((a, b)), pad)))
    cells = _grid((k, s[3]) for k, s in enumerate(segs))
    seen = set()
    for keys in cells.values():
        for x in range(len(keys)):
            for y in range(x + 1, len(keys)):
                k1, k2 = keys[x], keys[y]
                s1, s2 = segs[k1], segs[k2]
                if s1[0] == s2[0]:
                    continue
                pair = (k1, k2) if k1 < k2 else (k2, k1)
                if pair in seen:
                    continue
                seen.add(pair)
                b1, b2 = s1[3], s2[3]
                if b1[0] > b2[2] or b2[0] > b1[2] or b1[1] > b2[3] or b2[1] > b1[3]:
                    continue
                s1, s2 = segs[pair[0]], segs[pair[1]]
                if s1[0] > s2[0]:
                    s1, s2 = s2, s1
                yield s1[0], s1[1], s1[2], s2[0], s2[1], s2[2]


def _ends(flow: Flow) -> list[Point]:
    pts = [line for line in flow.lines if line]
    return [pts[0][0], pts[-1][-1]] if pts else []


# --------------------------------------------------------------------------- metrics

def crossings(chart: Chart) -> int:
    flows = chart.flows
    walks = [_Walk(f) for f in flows]
    found: dict[tuple[int, int], list[Point]] = {}
    for i, a, b, j, c, d in _segment_pairs(flows, 0.0):
        hit = _meet(a, b, c, d, strict=False)
        if hit is None:
            continue
        t, u = hit
        p = (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))
        if any(_dist(p, e) <= END_TOL for e in _ends(flows[i]) + _ends(flows[j])):
            continue
        points = found.setdefault((i, j), [])
        if any(_dist(p, q) <= END_TOL for q in points):
            continue
        # at a vertex (a flattened curve, a corner) the segments only touch: decide on the local
        # chords, END_TOL either side along each line, whether the lines really pass through
        wi, wj = walks[i], walks[j]
        si, sj = wi.offset[(a, b)] + t * _dist(a, b), wj.offset[(c, d)] + u * _dist(c, d)
        if 0.0 < t < 1.0 and 0.0 < u < 1.0 or _meet(wi.at(si - END_TOL), wi.at(si + END_TOL), wj.at(sj - END_TOL), wj.at(sj + END_TOL), strict=True):
            points.append(p)
    return sum(len(v) for v in found.values())


def _enters(a: Point, b: Point, step: Step, tol: float) -> bool:
    span = _clip(a, b, _grow(step.box, -tol))
    if span is None:
        return False
    length = _dist(a, b)
    t0, t1 = span
    n = max(2, int(math.ceil((t1 - t0) * length / 0.5)) + 1)
    for k in range(n):
        t = t0 + (t1 - t0) * k / (n - 1)
        p = (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))
        if _depth(p, step.outline) > tol:
            return True
    return False


def flows_through_steps(chart: Chart) -> list[tuple[str, str]]:
    cells = _grid((name, step.box) for name, step in chart.steps.items())
    hits = []
    for flow in chart.flows:
        near = set()
        for a, b in _segments(flow.lines):
            box = _bbox((a, b))
            for i in range(int(math.floor(box[0] / CELL)), int(math.floor(box[2] / CELL)) + 1):
                for j in range(int(math.floor(box[1] / CELL)), int(math.floor(box[3] / CELL)) + 1):
                    near.update(cells.get((i, j), ()))
        for name in sorted(near - {flow.source, flow.target}):
            step = chart.steps[name]
            if any(_enters(a, b, step, TOL) for a, b in _segments(flow.lines)):
                hits.append((flow.id, name))
    return hits


def overlap_length(chart: Chart) -> float:
    flows = chart.flows
    covered: dict[tuple[int, int], dict[tuple[Point, Point], list[tuple[float, float]]]] = {}
    for i, a, b, j, c, d in _segment_pairs(flows, TOL):
        ab = (b[0] - a[0], b[1] - a[1])
        cd = (d[0] - c[0], d[1] - c[1])
        lab, lcd = math.hypot(*ab), math.hypot(*cd)
        if abs(ab[0] * cd[1] - ab[1] * cd[0]) > PARALLEL_SIN * lab * lcd:
            continue
        ux, uy = ab[0] / lab, ab[1] / lab
        tc = (c[0] - a[0]) * ux + (c[1] - a[1]) * uy
        td = (d[0] - a[0]) * ux + (d[1] - a[1]) * uy
        lo, hi = max(0.0, min(tc, td)), min(lab, max(tc, td))
        if hi - lo <= 0:
            continue

        def off(t: float) -> float:  # distance of c-d from a-b's line at a-b's parameter t
            k = (t - tc) / (td - tc) if td != tc else 0.0
            px, py = c[0] + k * cd[0], c[1] + k * cd[1]
            return abs((px - a[0]) * uy - (py - a[1]) * ux)

        if off(lo) > TOL or off(hi) > TOL:
            continue
        covered.setdefault((i, j), {}).setdefault((a, b), []).append((lo, hi))
    total = 0.0
    for (i, j), by_segment in covered.items():
        shared = [e for e in _ends(flows[i]) if any(_dist(e, f) <= TOL for f in _ends(flows[j]))]
        for (a, b), spans in by_segment.items():
            lab = _dist(a, b)
            ux, uy = (b[0] - a[0]) / lab, (b[1] - a[1]) / lab
            spans.sort()
            merged: list[list[float]] = []
            for lo, hi in spans:
                if merged and lo <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], hi)
                else:
                    merged.append([lo, hi])
            for lo, hi in merged:
                length = hi - lo
                for e in shared:  # the stretch within PORT_SKIP of a shared end point
                    te = (e[0] - a[0]) * ux + (e[1] - a[1]) * uy
                    if abs((e[0] - a[0]) * uy - (e[1] - a[1]) * ux) <= TOL:
                        length -= max(0.0, min(hi, te + PORT_SKIP) - max(lo, te - PORT_SKIP))
                total += max(0.0, length)
    return round(total, 1)


def _boxes_overlap(a: Box, b: Box, by: float) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > by and min(a[3], b[3]) - max(a[1], b[1]) > by


def label_label_overlaps(chart: Chart) -> list[tuple[str, str]]:
    labels = chart.labels
    return [(labels[i].id, labels[j].id) for i in range(len(labels)) for j in range(i + 1, len(labels))
            if _boxes_overlap(labels[i].box, labels[j].box, 0.5)]


def _rect_meets_polygon(box: Box, poly: list[Point]) -> bool:
    if box[2] <= box[0] or box[3] <= box[1]:
        return False
    if any(_inside_box(p, box) for p in poly):
        return True
    corners = [(box[0], box[1]), (box[2], box[1]), (box[2], box[3]), (box[0], box[3])]
    if any(_point_in_polygon(c, poly) for c in corners):
        return True
    n = len(poly)
    return any(_clip(poly[k], poly[(k + 1) % n], box) is not None for k in range(n))


def label_step_overlaps(chart: Chart) -> list[tuple[str, str]]:
    hits = []
    for label in chart.labels:
        inner = _grow(label.box, -0.5)
        for name, step in chart.steps.items():
            if _boxes_overlap(inner, step.box, 0.0) and _rect_meets_polygon(inner, step.outline):
                hits.append((label.id, name))
    return hits


def labels_crossed(chart: Chart) -> list[tuple[str, str]]:
    """(label, first flow crossing it) for every label some other flow runs through."""
    hits = []
    for label in chart.labels:
        inner = _grow(label.box, -TOL)
        if inner[2] <= inner[0] or inner[3] <= inner[1]:
            continue
        for flow in chart.flows:
            if flow.id == label.flow:
                continue
            if any(_clip(a, b, inner) is not None for a, b in _segments(flow.lines)):
                hits.append((label.id, flow.id))
                break
    return hits


def _arrow_tip(polygon: list[Point]) -> tuple[Point, Point] | None:
    """(tip, direction unit vector) of an arrowhead: the vertex opposite the shortest side of the
    triangle it draws (Graphviz closes the polygon by repeating the first point)."""
    pts: list[Point] = []
    for p in polygon:
        if not pts or _dist(p, pts[-1]) > 1e-6:
            pts.append(p)
    if len(pts) > 1 and _dist(pts[0], pts[-1]) <= 1e-6:
        pts.pop()
    if len(pts) < 3:
        return None
    if len(pts) > 3:  # a quadrilateral arrow ('vee', 'diamond'...): the vertex farthest from the centroid
        cx, cy = sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
        tip = max(pts, key=lambda p: _dist(p, (cx, cy)))
        base = (cx, cy)
    else:
        sides = [(_dist(pts[(k + 1) % 3], pts[(k + 2) % 3]), k) for k in range(3)]
        k = min(sides)[1]
        tip = pts[k]
        o1, o2 = pts[(k + 1) % 3], pts[(k + 2) % 3]
        base = ((o1[0] + o2[0]) / 2, (o1[1] + o2[1]) / 2)
    length = _dist(tip, base)
    if length == 0:
        return None
    return tip, ((tip[0] - base[0]) / length, (tip[1] - base[1]) / length)


def _end_direction(line: list[Point], at_end: bool, stretch: float = 8.0) -> Point | None:
    """Unit direction of the line's last `stretch` pt, pointing out of the line at that end."""
    pts = line if at_end else line[::-1]
    end = pts[-1]
    walked = 0.0
    start = end
    for k in range(len(pts) - 2, -1, -1):
        walked += _dist(pts[k], pts[k + 1])
        start = pts[k]
        if walked >= stretch:
            break
    length = _dist(start, end)
    if length == 0:
        return None
    return ((end[0] - start[0]) / length, (end[1] - start[1]) / length)


def misdirected_arrows(chart: Chart) -> list[str]:
    bad = []
    for flow in chart.flows:
        lines = [line for line in flow.lines if len(line) > 1]
        if not lines:
            continue
        first, last = lines[0], lines[-1]
        for polygon in flow.arrows:
            found = _arrow_tip(polygon)
            if found is None:
                continue
            tip, direction = found
            at_end = _dist(tip, last[-1]) <= _dist(tip, first[0])
            node = chart.steps.get(flow.target if at_end else flow.source)
            line_dir = _end_direction(last if at_end else first, at_end)
            angle = 180.0 if line_dir is None else math.degrees(math.acos(max(-1.0, min(1.0, direction[0] * line_dir[0] + direction[1] * line_dir[1]))))
            into = True
            if node is not None:
                ahead = (tip[0] + 2 * direction[0], tip[1] + 2 * direction[1])
                near = _inside_box(tip, _grow(node.box, 3.0))
                into = near and _inside_box(ahead, _grow(node.box, 1.0))
            if angle > ARROW_ANGLE or not into:
                bad.append(flow.id)
    return bad


def _lengths(flow: Flow) -> tuple[float, float]:
    total = axis = 0.0
    for a, b in _segments(flow.lines):
        dx, dy = abs(b[0] - a[0]), abs(b[1] - a[1])
        length = math.hypot(dx, dy)
        total += length
        if min(dx, dy) <= AXIS_SIN * length:
            axis += length
    return total, axis


def bends(flow: Flow) -> float:
    turning = 0.0
    for line in flow.lines:
        previous = None
        for a, b in zip(line, line[1:]):
            if _dist(a, b) < 1e-6:
                continue
            heading = math.atan2(b[1] - a[1], b[0] - a[0])
            if previous is not None:
                delta = abs(heading - previous) % (2 * math.pi)
                turning += min(delta, 2 * math.pi - delta)
            previous = heading
    return turning / (math.pi / 2)


def frame(chart: Chart) -> Box | None:
    if chart.frame is not None:
        return chart.frame
    boxes = [s.box for s in chart.steps.values()] + [l.box for l in chart.labels] + [b for _, b in chart.lanes]
    boxes += [_bbox(f.points) for f in chart.flows if f.points]
    return _union(boxes)


def measure(chart: Chart) -> dict:
    """Every metric of one chart (counts, lengths in pt, area in pt²), plus the offending items."""
    total = axis = 0.0
    for flow in chart.flows:
        t, a = _lengths(flow)
        total += t
        axis += a
    through = flows_through_steps(chart)
    ll, ls, lc = label_label_overlaps(chart), label_step_overlaps(chart), labels_crossed(chart)
    arrows = misdirected_arrows(chart)
    box = frame(chart)
    area = (box[2] - box[0]) * (box[3] - box[1]) if box else 0.0
    all_bends = [bends(f) for f in chart.flows]
    return {
        "steps": len(chart.steps),
        "flows": len(chart.flows),
        "labels": len(chart.labels),
        "crossings": crossings(chart),
        "flows_through_steps": len(through),
        "overlap_pt": overlap_length(chart),
        "label_label": len(ll),
        "label_step": len(ls),
        "labels_crossed": len(lc),
        "misdirected_arrows": len(arrows),
        "axis_parallel": round(axis / total, 4) if total else 1.0,
        "flow_length_pt": round(total, 1),
        "bends_per_flow": round(sum(all_bends) / len(all_bends), 2) if all_bends else 0.0,
        "area_pt2": round(area),
        "area_per_step_pt2": round(area / len(chart.steps)) if chart.steps else 0,
        "details": {
            "flows_through_steps": [f"{f} through {s}" for f, s in through],
            "label_label": [f"{a} / {b}" for a, b in ll],
            "label_step": [f"{a} on {b}" for a, b in ls],
            "labels_crossed": [f"{a} crossed by {b}" for a, b in lc],
            "misdirected_arrows": arrows,
        },
    }


def measure_svg(text: str | bytes) -> dict:
    return measure(parse_svg(text))


# --------------------------------------------------------------------------- SVG reading

Matrix = tuple[float, float, float, float, float, float]  # a b c d e f, as in SVG
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_TRANSFORM = re.compile(r"(matrix|translate|scale|rotate|skewX|skewY)\s*\(([^)]*)\)")


def _mul(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + c * b2, b * a2 + d * b2, a * c2 + c * d2, b * c2 + d * d2, a * e2 + c * f2 + e, b * e2 + d * f2 + f)


def parse_transform(text: str | None) -> Matrix:
    m = IDENTITY
    for name, args in _TRANSFORM.findall(text or ""):
        v = [float(x) for x in _NUMBER.findall(args)]
        if name == "matrix" and len(v) == 6:
            n = tuple(v)
        elif name == "translate":
            n = (1.0, 0.0, 0.0, 1.0, v[0] if v else 0.0, v[1] if len(v) > 1 else 0.0)
        elif name == "scale":
            sx = v[0] if v else 1.0
            n = (sx, 0.0, 0.0, v[1] if len(v) > 1 else sx, 0.0, 0.0)
        elif name == "rotate":
            r = math.radians(v[0] if v else 0.0)
            n = (math.cos(r), math.sin(r), -math.sin(r), math.cos(r), 0.0, 0.0)
            if len(v) == 3:
                n = _mul(_mul((1.0, 0.0, 0.0, 1.0, v[1], v[2]), n), (1.0, 0.0, 0.0, 1.0, -v[1], -v[2]))
        elif name == "skewX":
            n = (1.0, 0.0, math.tan(math.radians(v[0])), 1.0, 0.0, 0.0)
        elif name == "skewY":
            n = (1.0, math.tan(math.radians(v[0])), 0.0, 1.0, 0.0, 0.0)
        else:
            continue
        m = _mul(m, n)  # type: ignore[arg-type]
    return m


def _apply(m: Matrix, p: Point) -> Point:
    return (m[0] * p[0] + m[2] * p[1] + m[4], m[1] * p[0] + m[3] * p[1] + m[5])


def _flat_cubic(p0, p1, p2, p3, out: list[Point], depth: int = 0) -> None:
    d1 = _seg_point_dist(p1, p0, p3)
    d2 = _seg_point_dist(p2, p0, p3)
    if depth >= 12 or max(d1, d2) <= FLATNESS:
        out.append(p3)
        return
    m01 = ((p0[0] + p1[0]) / 2, (p0[1] + p1[1]) / 2)
    m12 = ((p1[0] + p2[0]) / 2, (p1[1] + p2[1]) / 2)
    m23 = ((p2[0] + p3[0]) / 2, (p2[1] + p3[1]) / 2)
    a = ((m01[0] + m12[0]) / 2, (m01[1] + m12[1]) / 2)
    b = ((m12[0] + m23[0]) / 2, (m12[1] + m23[1]) / 2)
    mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
    _flat_cubic(p0, m01, a, mid, out, depth + 1)
    _flat_cubic(mid, b, m23, p3, out, depth + 1)


def _arc_points(p0: Point, rx: float, ry: float, phi_deg: float, large: bool, sweep: bool, p1: Point) -> list[Point]:
    """Points of an SVG elliptical arc after p0 (SVG 1.1 implementation notes, F.6.5)."""
    if p0 == p1:
        return []
    rx, ry = abs(rx), abs(ry)
    if rx == 0 or ry == 0:
        return [p1]
    phi = math.radians(phi_deg)
    cos, sin = math.cos(phi), math.sin(phi)
    dx, dy = (p0[0] - p1[0]) / 2, (p0[1] - p1[1]) / 2
    x1, y1 = cos * dx + sin * dy, -sin * dx + cos * dy
    lam = (x1 / rx) ** 2 + (y1 / ry) ** 2
    if lam > 1:
        rx, ry = rx * math.sqrt(lam), ry * math.sqrt(lam)
    num = rx * rx * ry * ry - rx * rx * y1 * y1 - ry * ry * x1 * x1
    den = rx * rx * y1 * y1 + ry * ry * x1 * x1
    coef = math.sqrt(max(0.0, num / den)) if den else 0.0
    if large == sweep:
        coef = -coef
    cx1, cy1 = coef * rx * y1 / ry, -coef * ry * x1 / rx
    cx = cos * cx1 - sin * cy1 + (p0[0] + p1[0]) / 2
    cy = sin * cx1 + cos * cy1 + (p0[1] + p1[1]) / 2

    def angle(ux, uy, vx, vy):
        return math.atan2(ux * vy - uy * vx, ux * vx + uy * vy)

    t1 = angle(1, 0, (x1 - cx1) / rx, (y1 - cy1) / ry)
    dt = angle((x1 - cx1) / rx, (y1 - cy1) / ry, (-x1 - cx1) / rx, (-y1 - cy1) / ry)
    if not sweep and dt > 0:
        dt -= 2 * math.pi
    elif sweep and dt < 0:
        dt += 2 * math.pi
    # enough pieces that the chord is within FLATNESS of the arc
    r = max(rx, ry)
    piece = 2 * math.acos(max(-1.0, 1 - FLATNESS / r)) if r > FLATNESS else math.pi / 2
    n = max(1, int(math.ceil(abs(dt) / max(piece, 1e-3))))
    pts = []
    for k in range(1, n + 1):
        t = t1 + dt * k / n
        ex, ey = rx * math.cos(t), ry * math.sin(t)
        pts.append((cos * ex - sin * ey + cx, sin * ex + cos * ey + cy))
    pts[-1] = p1
    return pts


_PATH_TOKEN = re.compile(r"([MmLlHhVvCcSsQqTtAaZz])|([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)")
_ARGS = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7, "Z": 0}


def _arc_tokens(text: str):
    """Tokens of path data; an arc's flags may be written without separators ('a5 5 0 011 1')."""
    tokens: list[str] = []
    command = ""
    count = 0
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch.isspace() or ch == ",":
            pos += 1
            continue
        if ch.isalpha() and ch in "MmLlHhVvCcSsQqTtAaZz":
            command, count = ch, 0
            tokens.append(ch)
            pos += 1
            continue
        if command in "Aa" and count % 7 in (3, 4) and ch in "01":
            tokens.append(ch)
            count += 1
            pos += 1
            continue
        match = _NUMBER.match(text, pos)
        if not match:
            pos += 1
            continue
        tokens.append(match.group(0))
        count += 1
        pos = match.end()
    return tokens


def parse_path(d: str, matrix: Matrix = IDENTITY) -> list[list[Point]]:
    """Polylines (one per subpath) of SVG path data, curves flattened, transformed by matrix."""
    tokens = _arc_tokens(d or "")
    lines: list[list[Point]] = []
    current: list[Point] = []
    x = y = 0.0
    start = (0.0, 0.0)
    last_ctrl: Point | None = None
    last_cmd = ""
    k = 0
    command = ""
    while k < len(tokens):
        tok = tokens[k]
        if tok.isalpha():
            command = tok
            k += 1
            if command in "Zz":
                if current:
                    if current[-1] != start:
                        current.append(start)
                    lines.append(current)
                    current = []
                x, y = start
                last_cmd, last_ctrl = "Z", None
                continue
        upper = command.upper()
        need = _ARGS.get(upper, 0)
        if need == 0 or k + need > len(tokens) or any(t.isalpha() for t in tokens[k:k + need]):
            k += 1
            continue
        v = [float(t) for t in tokens[k:k + need]]
        k += need
        rel = command.islower()
        ox, oy = (x, y) if rel else (0.0, 0.0)
        if upper == "M":
            if current and len(current) > 1:
                lines.append(current)
            x, y = v[0] + ox, v[1] + oy
            start = (x, y)
            current = [(x, y)]
            command = "l" if rel else "L"  # later pairs are line-tos
            last_ctrl = None
        elif upper == "L":
            x, y = v[0] + ox, v[1] + oy
            current.append((x, y))
            last_ctrl = None
        elif upper == "H":
            x = v[0] + ox
            current.append((x, y))
            last_ctrl = None
        elif upper == "V":
            y = v[0] + oy
            current.append((x, y))
            last_ctrl = None
        elif upper in ("C", "S"):
            if upper == "C":
                c1 = (v[0] + ox, v[1] + oy)
                c2, end = (v[2] + ox, v[3] + oy), (v[4] + ox, v[5] + oy)
            else:
                c1 = (2 * x - last_ctrl[0], 2 * y - last_ctrl[1]) if last_ctrl and last_cmd in "CS" else (x, y)
                c2, end = (v[0] + ox, v[1] + oy), (v[2] + ox, v[3] + oy)
            if not current:
                current = [(x, y)]
            _flat_cubic((x, y), c1, c2, end, current)
            x, y = end
            last_ctrl = c2
        elif upper in ("Q", "T"):
            if upper == "Q":
                q, end = (v[0] + ox, v[1] + oy), (v[2] + ox, v[3] + oy)
            else:
                q = (2 * x - last_ctrl[0], 2 * y - last_ctrl[1]) if last_ctrl and last_cmd in "QT" else (x, y)
                end = (v[0] + ox, v[1] + oy)
            c1 = (x + 2 / 3 * (q[0] - x), y + 2 / 3 * (q[1] - y))
            c2 = (end[0] + 2 / 3 * (q[0] - end[0]), end[1] + 2 / 3 * (q[1] - end[1]))
            if not current:
                current = [(x, y)]
            _flat_cubic((x, y), c1, c2, end, current)
            x, y = end
            last_ctrl = q
        elif upper == "A":
            end = (v[5] + ox, v[6] + oy)
            if not current:
                current = [(x, y)]
            current.extend(_arc_points((x, y), v[0], v[1], v[2], bool(v[3]), bool(v[4]), end))
            x, y = end
            last_ctrl = None
        last_cmd = upper
    if current and len(current) > 1:
        lines.append(current)
    if matrix != IDENTITY:
        lines = [[_apply(matrix, p) for p in line] for line in lines]
    # an arc or a transform can leave repeated points: drop them
    return [[p for n, p in enumerate(line) if n == 0 or _dist(p, line[n - 1]) > 1e-9] for line in lines]


def _points_attr(text: str, matrix: Matrix) -> list[Point]:
    v = [float(x) for x in _NUMBER.findall(text or "")]
    return [_apply(matrix, (v[k], v[k + 1])) for k in range(0, len(v) - 1, 2)]


def _f(el, name: str, default: float = 0.0) -> float:
    value = el.get(name)
    if value is None:
        return default
    match = _NUMBER.match(value.strip())
    return float(match.group(0)) if match else default


def _rect_points(el, matrix: Matrix) -> list[Point]:
    x, y, w, h = _f(el, "x"), _f(el, "y"), _f(el, "width"), _f(el, "height")
    return [_apply(matrix, p) for p in ((x, y), (x + w, y), (x + w, y + h), (x, y + h))]


def _shape_outline(el, matrix: Matrix) -> list[Point] | None:
    tag = _local(el.tag)
    if tag == "path":
        lines = parse_path(el.get("d", ""), matrix)
        pts = [p for line in lines for p in line]
    elif tag in ("polygon", "polyline"):
        pts = _points_attr(el.get("points", ""), matrix)
    elif tag == "rect":
        pts = _rect_points(el, matrix)
    elif tag in ("ellipse", "circle"):
        cx, cy = _f(el, "cx"), _f(el, "cy")
        rx = _f(el, "rx", _f(el, "r"))
        ry = _f(el, "ry", _f(el, "r"))
        pts = [_apply(matrix, (cx + rx * math.cos(2 * math.pi * k / 48), cy + ry * math.sin(2 * math.pi * k / 48))) for k in range(48)]
    else:
        return None
    if len(pts) > 1 and _dist(pts[0], pts[-1]) <= 1e-6:
        pts = pts[:-1]
    return pts if len(pts) >= 3 else None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _title(el) -> str | None:
    for child in el:
        if _local(child.tag) == "title":
            return (child.text or "").strip()
    return None


def _estimate_width(text: str, size: float) -> float:
    try:
        from kamflow.rendering.text import text_width  # the widths kamflow lays labels out with
    except ImportError:  # pragma: no cover - kamflow moved it: a plain estimate will do
        return len(text) * size * 0.6
    return text_width(text, size)


def _text_box(el, matrix: Matrix) -> Box:
    size = _f(el, "font-size", 10.0)
    x, y = _f(el, "x"), _f(el, "y")
    w = _estimate_width("".join(el.itertext()), size)
    anchor = el.get("text-anchor", "start")
    x0 = x - w / 2 if anchor == "middle" else x - w if anchor == "end" else x
    corners = [_apply(matrix, p) for p in ((x0, y - size * 0.8), (x0 + w, y + size * 0.25))]
    return _bbox(corners)


def _classes(el) -> set[str]:
    return set((el.get("class") or "").split())


def parse_svg(text: str | bytes) -> Chart:
    """Steps, flows, labels and lanes of a chart drawn by kamflow or by Graphviz."""
    if isinstance(text, str):
        text = text.encode("utf-8")
    text = re.sub(rb"<!DOCTYPE[^>]*>", b"", text, count=1)  # Graphviz's DOCTYPE: no entities are wanted
    root = ET.fromstring(text)
    chart = Chart()

    def walk(el, matrix: Matrix, in_legend: bool) -> None:
        matrix = _mul(matrix, parse_transform(el.get("transform")))
        tag, ident, cls = _local(el.tag), el.get("id") or "", _classes(el)
        if ident in ("legend", "title-block") or "legend" in cls:
            return
        if tag == "g":
            if "edge" in cls:
                _read_flow(el, matrix, chart)
                return
            if "flow-label" in cls:
                plate = next((c for c in el.iter() if _local(c.tag) == "rect"), None)
                if plate is not None:
                    owner = ident[len("label-"):] if ident.startswith("label-") else None
                    chart.labels.append(Label(ident, owner, _bbox(_rect_points(plate, _mul(matrix, parse_transform(plate.get("transform")))))))
                return
            if ident.startswith("step-") or "node" in cls:
                _read_step(el, matrix, chart)
                return
            if "lane" in cls:
                band = next((c for c in el.iter() if _local(c.tag) == "rect" and "band" in _classes(c)), None)
                if band is not None:
                    chart.lanes.append((ident[len("lane-"):] if ident.startswith("lane-") else ident, _bbox(_rect_points(band, matrix))))
            if "graph" in cls and chart.frame is None:
                page = next((c for c in el if _local(c.tag) == "polygon"), None)
                if page is not None:
                    chart.frame = _bbox(_points_attr(page.get("points", ""), matrix))
        if tag == "rect" and "lane-outline" in cls:
            chart.frame = _bbox(_rect_points(el, matrix))
        for child in el:
            walk(child, matrix, in_legend)

    walk(root, IDENTITY, False)
    return chart


def _read_step(el, matrix: Matrix, chart: Chart) -> None:
    ident, cls = el.get("id") or "", _classes(el)
    title = _title(el)
    if ident.startswith("step-"):
        name = ident[len("step-"):]
    elif "kamflow-ghost" in cls or title is None:
        name = ident
    else:
        name = title
    outline = None

    def find(node, m: Matrix):
        nonlocal outline
        for child in node:
            if outline is not None:
                return
            cm = _mul(m, parse_transform(child.get("transform")))
            if _local(child.tag) in ("path", "polygon", "rect", "ellipse", "circle") and "number" not in _classes(node):
                outline = _shape_outline(child, cm)
            elif _local(child.tag) in ("g", "a") and "number" not in _classes(child):
                find(child, cm)

    find(el, matrix)
    if outline:
        chart.steps[name] = Step(name, outline, _bbox(outline))


def _read_flow(el, matrix: Matrix, chart: Chart) -> None:
    ident = el.get("id") or ""
    title = _title(el) or ""
    source, _, target = title.partition("->")
    lines: list[list[Point]] = []
    arrows: list[list[Point]] = []
    texts = []

    def collect(node, m: Matrix):
        nonlocal lines
        for child in node:
            cm = _mul(m, parse_transform(child.get("transform")))
            tag = _local(child.tag)
            if tag == "path" and not lines:
                lines = parse_path(child.get("d", ""), cm)
            elif tag == "polyline" and not lines:
                lines = [_points_attr(child.get("points", ""), cm)]
            elif tag == "polygon":
                arrows.append(_points_attr(child.get("points", ""), cm))
            elif tag == "text":
                texts.append(_text_box(child, cm))
            elif tag in ("g", "a"):
                collect(child, cm)

    collect(el, matrix)
    flow_id = ident or f"flow-{source}-{target}"
    chart.flows.append(Flow(flow_id, source.strip(), target.strip(), lines, arrows))
    if texts:  # Graphviz writes an edge's label as <text> lines inside the edge
        box = _union(texts)
        chart.labels.append(Label("label-" + flow_id, flow_id, _grow(box, 1.0)))
