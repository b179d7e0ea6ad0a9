"""Run the layout and read it back: `dot -Tjson` positions become plain values in SVG
coordinates (origin top-left, y down, points). Lanes come back as clusters; the caller turns them
into bands. When Graphviz puts the lanes out of their declared order (it reorders clusters to save
crossings), the layout is retried with invisible ties between neighbouring lanes; the first layout
with the lanes in order wins."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from kamflow.errors import RenderError
from kamflow.rendering.dot import FOOT, HEAD, _plain

POINTS_PER_INCH = 72.0


@dataclass(frozen=True)
class NodeBox:
    name: str
    cx: float
    cy: float
    width: float
    height: float
    polygon: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class EdgeGeometry:
    tail: str
    head: str
    dot_id: str
    path: str  # SVG path data of the curve
    arrows: tuple[tuple[tuple[float, float], ...], ...]
    label_at: tuple[float, float] | None
    label_size: tuple[float, float] | None = None  # width and height of the label text, as Graphviz measured it


@dataclass
class Geometry:
    width: float
    height: float
    nodes: dict[str, NodeBox] = field(default_factory=dict)
    edges: list[EdgeGeometry] = field(default_factory=list)
    clusters: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)  # lane -> x0, y0, x1, y1
    source: str = ""


def lanes_in_order(geometry: Geometry, lanes: list[str], direction: str) -> bool:
    """True when the lane clusters sit side by side, without overlap, in the given order."""
    boxes = [geometry.clusters.get(lane) for lane in lanes]
    if any(box is None for box in boxes):
        return False
    axis = 0 if direction == "TB" else 1
    return all(a[axis + 2] <= b[axis] + 0.01 for a, b in zip(boxes, boxes[1:]))


MAX_RETRY_NODES = 300  # above this, a retry costs more than moving the lanes into order


def lay_out(source: str, lanes: list[str], direction: str, *, timeout: float) -> Geometry:
    """Lay `source` out with lanes in declared order. Graphviz usually keeps the clusters in the
    order given; when it does not, smaller charts are laid out again with invisible ties between
    neighbouring lanes; if the lanes are still out of order, the lanes of the first layout are
    moved into order as whole blocks and the flows between lanes are drawn again."""
    from kamflow.rendering.graphviz_run import render_bytes

    first = parse(render_bytes(source, ("json",), timeout=timeout)["json"])
    first.source = source
    if not lanes or lanes_in_order(first, lanes, direction):
        return first
    if len(first.nodes) <= MAX_RETRY_NODES and len(lanes) > 1:
        close = source.rstrip().rfind("}")
        one_way = "".join(f"  {_plain(HEAD + a)} -> {_plain(FOOT + b)} [style=invis, weight=0]\n" for a, b in zip(lanes, lanes[1:]))
        both_ways = one_way + "".join(f"  {_plain(HEAD + b)} -> {_plain(FOOT + a)} [style=invis, weight=0]\n" for a, b in zip(lanes, lanes[1:]))
        for attempt in (source[:close] + one_way + "}\n", source[:close] + both_ways + "}\n"):
            try:
                geometry = parse(render_bytes(attempt, ("json",), timeout=timeout)["json"])
            except RenderError:  # an older Graphviz can crash on the extra ties; the fallback still works
                continue
            geometry.source = attempt
            if lanes_in_order(geometry, lanes, direction):
                return geometry
    moved = reorder_lanes(first, lanes, direction)
    if len(first.nodes) <= MAX_RETRY_NODES:
        try:
            return reroute(moved, timeout=timeout)
        except RenderError:
            pass
    return moved


def reorder_lanes(geometry: Geometry, lanes: list[str], direction: str) -> Geometry:
    """Move each lane's cluster, with everything in it, so that the lanes stand in declared order.
    Flows inside one lane move with it; flows between lanes are drawn again as smooth curves from
    the side of the source that faces the target to the target's facing side."""
    axis = 0 if direction == "TB" else 1
    boxes = {lane: geometry.clusters[lane] for lane in lanes}
    ordered = sorted(boxes.values(), key=lambda box: box[axis])
    gap = max(8.0, min((b[axis] - a[axis + 2] for a, b in zip(ordered, ordered[1:])), default=8.0))
    shift: dict[str, float] = {}
    cursor = ordered[0][axis]
    for lane in lanes:
        shift[lane] = cursor - boxes[lane][axis]
        cursor += boxes[lane][axis + 2] - boxes[lane][axis] + gap
    lane_of: dict[str, str] = {}
    for name, node in geometry.nodes.items():
        for lane, box in boxes.items():
            if box[0] <= node.cx <= box[2] and box[1] <= node.cy <= box[3]:
                lane_of[name] = lane
                break

    def moved(point: tuple[float, float], lane: str | None) -> tuple[float, float]:
        d = shift.get(lane, 0.0) if lane else 0.0
        return (round(point[0] + d, 2), point[1]) if axis == 0 else (point[0], round(point[1] + d, 2))

    nodes = {}
    for name, node in geometry.nodes.items():
        cx, cy = moved((node.cx, node.cy), lane_of.get(name))
        nodes[name] = NodeBox(name, cx, cy, node.width, node.height)
    edges = []
    for edge in geometry.edges:
        tail_lane, head_lane = lane_of.get(edge.tail), lane_of.get(edge.head)
        if tail_lane == head_lane:
            d = shift.get(tail_lane, 0.0) if tail_lane else 0.0
            path = _shift_path(edge.path, d, axis)
            arrows = tuple(tuple(moved(p, tail_lane) for p in arrow) for arrow in edge.arrows)
            label_at = moved(edge.label_at, tail_lane) if edge.label_at else None
            edges.append(EdgeGeometry(edge.tail, edge.head, edge.dot_id, path, arrows, label_at, edge.label_size))
        else:
            edges.append(_curve(edge, nodes[edge.tail], nodes[edge.head], axis))
    width, height = geometry.width, geometry.height
    if axis == 0:
        width = max(width, cursor - gap + 8.0)
    else:
        height = max(height, cursor - gap + 8.0)
    result = Geometry(width=width, height=height, nodes=nodes, edges=edges, source=geometry.source)
    for lane, box in boxes.items():
        d = shift[lane]
        result.clusters[lane] = (box[0] + d, box[1], box[2] + d, box[3]) if axis == 0 else (box[0], box[1] + d, box[2], box[3] + d)
    return result


_NODE_LINE = re.compile(r'^(\s*)("(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_]*) \[(.*)\]$')


def reroute(geometry: Geometry, *, timeout: float) -> Geometry:
    """Route every flow again around the steps where they stand now (`neato -n2`, splines that
    avoid nodes): nicer than `reorder_lanes`' curves, affordable for charts of a few hundred steps."""
    from kamflow.rendering.graphviz_run import render_bytes

    height = geometry.height
    lines = []
    for line in geometry.source.splitlines():
        stripped = line.strip()
        if stripped.startswith(("subgraph", "{rank")) or stripped == "}" and line.startswith("  }"):
            continue
        if "style=invis" in stripped and "->" in stripped or stripped.startswith("graph [") and line.startswith("    "):
            continue
        match = _NODE_LINE.match(line)
        if match and "->" not in stripped and not stripped.startswith(("graph", "node", "edge")):
            name = json.loads(match.group(2)) if match.group(2).startswith('"') else match.group(2)
            node = geometry.nodes.get(name)
            if node is not None:
                pin = f'pos="{node.cx:.2f},{height - node.cy:.2f}!", width={node.width / POINTS_PER_INCH:.4f}, height={node.height / POINTS_PER_INCH:.4f}, fixedsize=true'
                line = f"{match.group(1)}{match.group(2)} [{match.group(3)}, {pin}]"
        lines.append(line)
    text = "\n".join(lines).replace("graph [", "graph [splines=true, ", 1) + "\n"
    routed = parse(render_bytes(text, ("json",), timeout=timeout, engine="neato", extra=["-n2"])["json"])
    # neato moves the drawing to its own origin; put the flows back where the steps are
    name = next(n for n in routed.nodes if n in geometry.nodes)
    dx, dy = geometry.nodes[name].cx - routed.nodes[name].cx, geometry.nodes[name].cy - routed.nodes[name].cy
    edges = []
    for edge in routed.edges:
        path = _shift_path(_shift_path(edge.path, dx, 0), dy, 1)
        arrows = tuple(tuple((round(x + dx, 2), round(y + dy, 2)) for x, y in arrow) for arrow in edge.arrows)
        label_at = (round(edge.label_at[0] + dx, 2), round(edge.label_at[1] + dy, 2)) if edge.label_at else None
        edges.append(EdgeGeometry(edge.tail, edge.head, edge.dot_id, path, arrows, label_at, edge.label_size))
    return Geometry(width=geometry.width, height=geometry.height, nodes=geometry.nodes, edges=edges, clusters=geometry.clusters, source=geometry.source)


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _shift_path(path: str, d: float, axis: int) -> str:
    """Path data (absolute M and C commands with x,y pairs) moved by d along one axis."""
    values = _NUMBER.findall(path)
    out, index = [], 0

    def replace(match: re.Match) -> str:
        nonlocal index
        value = float(match.group(0))
        if index % 2 == axis:
            value += d
        index += 1
        return f"{value:.2f}".rstrip("0").rstrip(".")

    del values, out
    return _NUMBER.sub(replace, path)


ARROW_LENGTH = 8.0


def _curve(edge: EdgeGeometry, tail: NodeBox, head: NodeBox, axis: int) -> EdgeGeometry:
    """A flow between lanes after the lanes moved: a cubic curve from the middle of the tail's
    side that faces the head to the head's facing side, ending in an arrowhead."""
    def side(node: NodeBox, towards: NodeBox) -> tuple[tuple[float, float], tuple[float, float]]:
        # (point on the outline, outward unit direction)
        along = 1 - axis  # the flow axis: y for TB, x for LR
        delta = [towards.cx - node.cx, towards.cy - node.cy]
        half = [node.width / 2, node.height / 2]
        if abs(delta[along]) > half[along] + 4:  # the other node is further along the flow: leave forward or back
            sign = 1 if delta[along] > 0 else -1
            point = [node.cx, node.cy]
            point[along] += sign * half[along]
            direction = [0.0, 0.0]
            direction[along] = sign
        else:  # beside each other: leave sideways
            sign = 1 if delta[axis] > 0 else -1
            point = [node.cx, node.cy]
            point[axis] += sign * half[axis]
            direction = [0.0, 0.0]
            direction[axis] = sign
        return (point[0], point[1]), (direction[0], direction[1])

    (sx, sy), (sdx, sdy) = side(tail, head)
    (tx, ty), (tdx, tdy) = side(head, tail)
    ex, ey = tx + tdx * ARROW_LENGTH, ty + tdy * ARROW_LENGTH  # the curve ends where the arrow starts
    reach = max(30.0, (abs(ex - sx) + abs(ey - sy)) * 0.4)
    c1 = (sx + sdx * reach, sy + sdy * reach)
    c2 = (ex + tdx * reach, ey + tdy * reach)
    path = f"M{_n((sx, sy))} C{_n(c1)} {_n(c2)} {_n((ex, ey))}"
    wing = (-tdy * 3.5, tdx * 3.5)
    arrow = ((round(ex + wing[0], 2), round(ey + wing[1], 2)), (round(tx, 2), round(ty, 2)), (round(ex - wing[0], 2), round(ey - wing[1], 2)))
    mid = ((sx + 3 * c1[0] + 3 * c2[0] + ex) / 8, (sy + 3 * c1[1] + 3 * c2[1] + ey) / 8)
    return EdgeGeometry(edge.tail, edge.head, edge.dot_id, path, (arrow,), (round(mid[0], 2), round(mid[1], 2)) if edge.label_at else None, edge.label_size)


def _floats(text: str) -> list[float]:
    return [float(part) for part in text.split(",")]


def parse(raw: bytes, *, frame: tuple[float, float, float, float] | None = None) -> Geometry:
    """Graphviz JSON to a Geometry; coordinates relative to the layout's bounding box, or to
    `frame` (x0, y0, x1, y1 in Graphviz's own coordinates) when given."""
    try:
        data = json.loads(raw.decode("utf-8"), strict=False)  # Graphviz copies control characters of labels as they are
    except ValueError as error:
        raise RenderError(f"Graphviz returned a layout kamflow cannot read: {error}") from None
    x0, y0, x1, y1 = frame or _floats(data.get("bb", "0,0,0,0"))
    top = y1

    def pt(x: float, y: float) -> tuple[float, float]:
        return (round(x - x0, 2), round(top - y, 2))

    geometry = Geometry(width=round(x1 - x0, 2), height=round(y1 - y0, 2))
    names = {}
    for obj in data.get("objects", []):
        name = obj.get("name", "")
        names[obj.get("_gvid")] = name
        if "bb" in obj and name.startswith("cluster_lane_"):
            a, b, c, d = _floats(obj["bb"])
            (ax, ay), (cx, cy) = pt(a, d), pt(c, b)
            geometry.clusters[name[len("cluster_lane_"):]] = (ax, ay, cx, cy)
        elif "pos" in obj and "nodes" not in obj:
            x, y = _floats(obj["pos"])[:2]
            polygon: tuple = ()
            for op in obj.get("_draw_", []):
                if op.get("op") in ("p", "P") and len(op.get("points", [])) >= 4:
                    polygon = tuple(pt(px, py) for px, py in op["points"])
            cx, cy = pt(x, y)
            geometry.nodes[name] = NodeBox(name, cx, cy, float(obj.get("width", 0)) * POINTS_PER_INCH, float(obj.get("height", 0)) * POINTS_PER_INCH, polygon)
    for edge in sorted(data.get("edges", []), key=lambda e: e.get("_gvid", 0)):
        tail, head = names.get(edge.get("tail")), names.get(edge.get("head"))
        if tail.startswith(("kamflow:",)) or head.startswith(("kamflow:",)):
            continue
        path = ""
        for op in edge.get("_draw_", []):
            if op.get("op") == "b":
                points = [pt(px, py) for px, py in op["points"]]
                path = f"M{_n(points[0])}" + "".join(
                    f" C{_n(points[i])} {_n(points[i + 1])} {_n(points[i + 2])}" for i in range(1, len(points) - 2, 3)
                )
        arrows = []
        for key in ("_hdraw_", "_tdraw_"):
            for op in edge.get(key, []):
                if op.get("op") in ("p", "P"):
                    arrows.append(tuple(pt(px, py) for px, py in op["points"]))
        label_at = pt(*_floats(edge["lp"])[:2]) if edge.get("lp") else None
        label_size = None
        texts = [op for op in edge.get("_ldraw_", []) if op.get("op") == "T"]
        if texts:
            size = next((op.get("size", 10.0) for op in edge.get("_ldraw_", []) if op.get("op") == "F"), 10.0)
            label_size = (round(max(op.get("width", 0.0) for op in texts), 2), round(len(texts) * size * 1.2, 2))
        geometry.edges.append(EdgeGeometry(tail, head, edge.get("id", ""), path, tuple(arrows), label_at, label_size))
    return geometry


def _n(point: tuple[float, float]) -> str:
    return ",".join(f"{v:.2f}".rstrip("0").rstrip(".") for v in point)
