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


def lay_out(source: str, lanes: list[str], direction: str, *, timeout: float) -> Geometry:
    """Lay `source` out with lanes in declared order. Graphviz usually keeps the clusters in the
    order given; when it does not, the layout is retried with invisible ties between neighbouring
    lanes, and if the lanes are still out of order, the lanes of the first layout are moved into
    order as whole blocks and the flows are routed again around the steps (`neato -n2`)."""
    from kamflow.rendering.graphviz_run import render_bytes

    attempts = [source]
    if len(lanes) > 1:
        close = source.rstrip().rfind("}")
        one_way = "".join(f"  {_plain(HEAD + a)} -> {_plain(FOOT + b)} [style=invis, weight=0]\n" for a, b in zip(lanes, lanes[1:]))
        both_ways = one_way + "".join(f"  {_plain(HEAD + b)} -> {_plain(FOOT + a)} [style=invis, weight=0]\n" for a, b in zip(lanes, lanes[1:]))
        attempts += [source[:close] + one_way + "}\n", source[:close] + both_ways + "}\n"]
    first = None
    for attempt in attempts:
        geometry = parse(render_bytes(attempt, ("json",), timeout=timeout)["json"])
        geometry.source = attempt
        if first is None:
            first = geometry
        if not lanes or lanes_in_order(geometry, lanes, direction):
            return geometry
    return reorder_lanes(first, lanes, direction, timeout=timeout)


_NODE_LINE = re.compile(r'^(\s*)("(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_]*) \[(.*)\]$')


def reorder_lanes(geometry: Geometry, lanes: list[str], direction: str, *, timeout: float) -> Geometry:
    """Move each lane's cluster, with everything in it, so that the lanes stand in declared order,
    then let `neato -n2` route every flow again around the steps at their new places."""
    from kamflow.rendering.graphviz_run import render_bytes

    axis = 0 if direction == "TB" else 1
    boxes = {lane: geometry.clusters[lane] for lane in lanes}
    gap = min((b[axis] - a[axis + 2] for a, b in zip(sorted(boxes.values(), key=lambda box: box[axis]), sorted(boxes.values(), key=lambda box: box[axis])[1:])), default=8.0)
    gap = max(gap, 8.0)
    shift: dict[str, float] = {}
    cursor = min(box[axis] for box in boxes.values())
    for lane in lanes:
        shift[lane] = cursor - boxes[lane][axis]
        cursor += boxes[lane][axis + 2] - boxes[lane][axis] + gap
    lane_of_node: dict[str, str] = {}
    for lane, box in boxes.items():
        for name, node in geometry.nodes.items():
            if box[0] <= node.cx <= box[2] and box[1] <= node.cy <= box[3]:
                lane_of_node[name] = lane
    width = max(geometry.width, cursor - gap + (geometry.width - max(b[2] for b in boxes.values()) if axis == 0 else 0))
    height = max(geometry.height, cursor - gap + (geometry.height - max(b[3] for b in boxes.values()) if axis == 1 else 0))
    lines = []
    for line in geometry.source.splitlines():
        stripped = line.strip()
        if stripped.startswith(("subgraph", "{rank")) or stripped == "}" and line.startswith("  }") or "style=invis" in stripped and "->" in stripped:
            continue
        if stripped.startswith("graph [") and line.startswith("    "):
            continue
        match = _NODE_LINE.match(line)
        if match and "->" not in stripped and not stripped.startswith(("graph", "node", "edge")):
            name = json.loads(match.group(2)) if match.group(2).startswith('"') else match.group(2)
            node = geometry.nodes.get(name)
            if node is not None:
                dx = shift.get(lane_of_node.get(name, ""), 0.0)
                x, y = (node.cx + dx, node.cy) if axis == 0 else (node.cx, node.cy + dx)
                pos = f'pos="{x:.2f},{height - y:.2f}!", width={node.width / POINTS_PER_INCH:.4f}, height={node.height / POINTS_PER_INCH:.4f}, fixedsize=true'
                line = f"{match.group(1)}{match.group(2)} [{match.group(3)}, {pos}]"
        lines.append(line)
    text = "\n".join(lines)
    text = text.replace("graph [", 'graph [splines=true, outputorder=edgesfirst, ', 1)
    data = render_bytes(text + "\n", ("json",), timeout=timeout, engine="neato", extra=["-n2"])["json"]
    moved = parse(data)
    moved.source = geometry.source
    # neato moves the drawing to its own origin: find by how much from any step
    name = next(n for n in moved.nodes if n in geometry.nodes and n in lane_of_node)
    expect_x = geometry.nodes[name].cx + (shift[lane_of_node[name]] if axis == 0 else 0.0)
    expect_y = geometry.nodes[name].cy + (shift[lane_of_node[name]] if axis == 1 else 0.0)
    off_x, off_y = moved.nodes[name].cx - expect_x, moved.nodes[name].cy - expect_y
    # neato's bounding box may differ a little; keep the lanes where they were put
    moved.clusters = {}
    for lane, box in boxes.items():
        d = shift[lane]
        x0, y0, x1, y1 = (box[0] + d, box[1], box[2] + d, box[3]) if axis == 0 else (box[0], box[1] + d, box[2], box[3] + d)
        moved.clusters[lane] = (x0 + off_x, y0 + off_y, x1 + off_x, y1 + off_y)
    return moved


def _floats(text: str) -> list[float]:
    return [float(part) for part in text.split(",")]


def parse(raw: bytes, *, frame: tuple[float, float, float, float] | None = None) -> Geometry:
    """Graphviz JSON to a Geometry; coordinates relative to the layout's bounding box, or to
    `frame` (x0, y0, x1, y1 in Graphviz's own coordinates) when given."""
    try:
        data = json.loads(raw.decode("utf-8"))
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
        geometry.edges.append(EdgeGeometry(tail, head, edge.get("id", ""), path, tuple(arrows), label_at))
    return geometry


def _n(point: tuple[float, float]) -> str:
    return ",".join(f"{v:.2f}".rstrip("0").rstrip(".") for v in point)
