"""Run the layout and read it back: `dot -Tjson` positions become plain values in SVG
coordinates (origin top-left, y down, points). Lanes come back as clusters; the caller turns them
into bands. When Graphviz puts the lanes out of their declared order (it reorders clusters to save
crossings), the layout is retried with invisible ties between neighbouring lanes; the first layout
with the lanes in order wins."""
from __future__ import annotations

import json
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
    """Lay `source` out; retry with lane ties (and reversed cluster order) until lanes are in order."""
    from kamflow.rendering.graphviz_run import render_bytes

    attempts = [source]
    if len(lanes) > 1:
        ties = "".join(f"  {_plain(HEAD + a)} -> {_plain(FOOT + b)} [style=invis, weight=0]\n" for a, b in zip(lanes, lanes[1:]))
        attempts.append(source[: source.rstrip().rfind("}")] + ties + "}\n")
    first = None
    for attempt in attempts:
        data = render_bytes(attempt, ("json",), timeout=timeout)["json"]
        geometry = parse(data)
        geometry.source = attempt
        if first is None:
            first = geometry
        if not lanes or lanes_in_order(geometry, lanes, direction):
            return geometry
    return first


def _floats(text: str) -> list[float]:
    return [float(part) for part in text.split(",")]


def parse(raw: bytes) -> Geometry:
    try:
        data = json.loads(raw.decode("utf-8"))
    except ValueError as error:
        raise RenderError(f"Graphviz returned a layout kamflow cannot read: {error}") from None
    x0, y0, x1, y1 = _floats(data.get("bb", "0,0,0,0"))
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
