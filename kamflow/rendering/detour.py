"""Flows that Graphviz routed through a step (its spline router cuts corners inside lane
clusters) are routed again around the steps: a shortest path on a grid over the chart that keeps
clear of every step but the flow's own two, smoothed at its corners. The flow keeps its end points
and its arrowhead, so it still leaves and enters its steps where Graphviz put it."""
from __future__ import annotations

import heapq
import math
import re
from dataclasses import replace

from kamflow.rendering.geometry import EdgeGeometry, Geometry, NodeBox

CELL = 6.0  # grid spacing in points
CLEARANCE = 5.0  # how far a re-routed flow keeps from other steps
MAX_NODES = 300  # larger charts keep Graphviz's routing (the search grows with the area)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def path_points(path: str, samples: int = 16) -> list[tuple[float, float]]:
    """Points along an SVG path made of M and C commands (as Graphviz gives them)."""
    numbers = [float(n) for n in _NUMBER.findall(path)]
    points = list(zip(numbers[::2], numbers[1::2]))
    if len(points) < 4 or "C" not in path:
        return points
    out = [points[0]]
    for i in range(0, len(points) - 3, 3):
        p0, p1, p2, p3 = points[i : i + 4]
        for k in range(1, samples + 1):
            t = k / samples
            u = 1 - t
            out.append((u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                        u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1]))
    return out


def _inside(point: tuple[float, float], node: NodeBox, margin: float) -> bool:
    return abs(point[0] - node.cx) < node.width / 2 + margin and abs(point[1] - node.cy) < node.height / 2 + margin


def crossed_steps(edge: EdgeGeometry, geometry: Geometry, steps: set[str]) -> list[str]:
    """The steps (other than its own ends) that a flow's line runs through."""
    points = path_points(edge.path)
    return [name for name, node in geometry.nodes.items()
            if name in steps and name not in (edge.tail, edge.head) and any(_inside(p, node, -2.0) for p in points)]


DETOUR_RATIO = 1.7  # a flow this many times longer than the way between its ends is a long sweep
DETOUR_SLACK = 80.0  # points a flow may run beyond that before it counts as a sweep


def path_length(path: str) -> float:
    points = path_points(path)
    return sum(math.dist(a, b) for a, b in zip(points, points[1:]))


def sweeps(edge: EdgeGeometry) -> bool:
    """True when Graphviz drew the flow as a long sweep (typically a loop taken round the outside
    of the chart): much longer than the straight way between its ends."""
    points = path_points(edge.path)
    if len(points) < 2:
        return False
    return path_length(edge.path) > DETOUR_RATIO * math.dist(points[0], points[-1]) + DETOUR_SLACK


def fix_crossings(geometry: Geometry, steps: set[str]) -> Geometry:
    """Re-route every flow that runs through a step, and every long sweep when a clear, shorter
    way exists; the rest stay as Graphviz drew them."""
    if len(geometry.nodes) > MAX_NODES:
        return geometry
    edges = []
    for edge in geometry.edges:
        if edge.path and crossed_steps(edge, geometry, steps):
            rerouted = _route(edge, geometry, steps)
            edges.append(rerouted or edge)
        elif edge.path and sweeps(edge):
            rerouted = _route(edge, geometry, steps)
            shorter = rerouted is not None and path_length(rerouted.path) < path_length(edge.path) * 0.8
            edges.append(rerouted if shorter else edge)
        else:
            edges.append(edge)
    return replace(geometry, edges=_free_labels(edges, list(geometry.nodes.values())))


def _free_labels(edges: list[EdgeGeometry], nodes: list[NodeBox]) -> list[EdgeGeometry]:
    """Move a flow label that sits on a step or on an earlier label to the nearest clear spot
    along its own flow (Graphviz places labels of loops and non-constraining flows carelessly)."""
    placed: list[tuple[float, float, float, float]] = []  # cx, cy, w, h of labels kept so far

    def clear(x: float, y: float, w: float, h: float) -> bool:
        # the drawn plate is 2pt wider and 1pt taller on each side than the text
        return (all(abs(x - n.cx) > (w + n.width) / 2 + 3 or abs(y - n.cy) > (h + n.height) / 2 + 2 for n in nodes)
                and all(abs(x - px) > (w + pw) / 2 + 5 or abs(y - py) > (h + ph) / 2 + 3 for px, py, pw, ph in placed))

    out = []
    for edge in edges:
        if edge.label_at is None:
            out.append(edge)
            continue
        w, h = edge.label_size or (40.0, 12.0)
        x, y = edge.label_at
        if not clear(x, y, w, h) and edge.path:
            points = path_points(edge.path, samples=8)
            middle = len(points) // 2
            order = sorted(range(2, max(3, len(points) - 2)), key=lambda i: (abs(i - middle), i))
            # on the line first (from its middle outwards), then just beside it
            beside = ((0.0, 0.0), (0.0, -(h / 2 + 4)), (0.0, h / 2 + 4), (w / 2 + 5, 0.0), (-(w / 2 + 5), 0.0))
            spots = [(points[i][0] + dx, points[i][1] + dy) for dx, dy in beside for i in order if i < len(points)]
            for sx, sy in spots:
                if clear(sx, sy, w, h):
                    x, y = round(sx, 2), round(sy, 2)
                    edge = replace(edge, label_at=(x, y))
                    break
        placed.append((x, y, w, h))
        out.append(edge)
    return out


def _route(edge: EdgeGeometry, geometry: Geometry, steps: set[str]) -> EdgeGeometry | None:
    points = path_points(edge.path, samples=1)
    start, end = points[0], points[-1]
    obstacles = [node for name, node in geometry.nodes.items() if name in steps and name not in (edge.tail, edge.head)]
    cols, rows = int(geometry.width // CELL) + 3, int(geometry.height // CELL) + 3

    def cell(point):
        return (min(cols - 1, max(0, round(point[0] / CELL))), min(rows - 1, max(0, round(point[1] / CELL))))

    blocked = set()
    for node in obstacles:
        x0, x1 = node.cx - node.width / 2 - CLEARANCE, node.cx + node.width / 2 + CLEARANCE
        y0, y1 = node.cy - node.height / 2 - CLEARANCE, node.cy + node.height / 2 + CLEARANCE
        for cx in range(max(0, math.floor(x0 / CELL)), min(cols, math.ceil(x1 / CELL) + 1)):
            for cy in range(max(0, math.floor(y0 / CELL)), min(rows, math.ceil(y1 / CELL) + 1)):
                blocked.add((cx, cy))
    source, target = cell(start), cell(end)
    blocked.discard(source)
    blocked.discard(target)
    # a flow running along a lane border would read as part of the border: those cells cost more
    costly = set()
    for axis, border in _lane_borders(geometry):
        index = round(border / CELL)
        for near in (index - 1, index, index + 1):
            if axis == 0:
                costly.update((near, y) for y in range(rows))
            else:
                costly.update((x, near) for x in range(cols))
    found = _search(source, target, blocked, cols, rows, costly)
    if not found:
        return None
    corners = _corners(found)
    line = [start] + [(c[0] * CELL, c[1] * CELL) for c in corners[1:-1]] + [end]
    path = _smooth(line)
    label_at = edge.label_at
    if label_at is not None:
        label_at = _label_spot(line, edge.label_size, list(geometry.nodes.values()))
    return replace(edge, path=path, label_at=label_at)


def _label_spot(line: list[tuple[float, float]], size: tuple[float, float] | None, nodes: list[NodeBox]) -> tuple[float, float]:
    """Where a re-routed flow's label goes: on its longest straight runs (clear of the bends),
    the first spot from their middle outwards where the label covers no node."""
    w, h = size or (40.0, 12.0)

    def clear(x: float, y: float) -> bool:
        return all(abs(x - n.cx) > (w + n.width) / 2 + 3 or abs(y - n.cy) > (h + n.height) / 2 + 3 for n in nodes)

    runs = sorted(zip(line, line[1:]), key=lambda pair: -math.dist(*pair))
    for a, b in runs[:3]:
        for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8):
            x, y = a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t
            if clear(x, y):
                return (round(x, 2), round(y, 2))
    a, b = runs[0]
    return (round((a[0] + b[0]) / 2, 2), round((a[1] + b[1]) / 2, 2))


_MOVES = [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)]


def _lane_borders(geometry: Geometry) -> list[tuple[int, float]]:
    """(axis, position) of the lines between neighbouring lane clusters: x positions (axis 0)
    when the lanes stand side by side, y positions (axis 1) when they are stacked."""
    borders = []
    boxes = list(geometry.clusters.values())
    for axis in (0, 1):
        ordered = sorted(boxes, key=lambda box: box[axis])
        for a, b in zip(ordered, ordered[1:]):
            if a[axis + 2] <= b[axis] + 0.01:
                borders.append((axis, (a[axis + 2] + b[axis]) / 2))
    return borders


def _search(source, target, blocked, cols, rows, costly=frozenset()):
    """A* over the grid; bends cost extra so the line stays calm. Ties break on the cell, so the
    same chart always gives the same route."""
    def estimate(c):
        dx, dy = abs(c[0] - target[0]), abs(c[1] - target[1])
        return max(dx, dy) + (math.sqrt(2) - 1) * min(dx, dy)

    frontier = [(estimate(source), 0.0, source, None)]
    came: dict = {}
    best = {(source, None): 0.0}
    while frontier:
        _, cost, current, heading = heapq.heappop(frontier)
        if (current, heading) in came and came[(current, heading)][1] < cost - 1e-9:
            continue
        if current == target:
            path = [current]
            key = (current, heading)
            while key in came and came[key][0] is not None:
                key = came[key][0]
                path.append(key[0])
            return path[::-1]
        for move in _MOVES:
            nxt = (current[0] + move[0], current[1] + move[1])
            if not (0 <= nxt[0] < cols and 0 <= nxt[1] < rows) or nxt in blocked:
                continue
            step = math.sqrt(2) if move[0] and move[1] else 1.0
            turn = 0.0 if heading in (None, move) else 2.0
            total = cost + step + turn + (1.5 if nxt in costly else 0.0)
            if total < best.get((nxt, move), math.inf) - 1e-9:
                best[(nxt, move)] = total
                came[(nxt, move)] = ((current, heading), total)
                heapq.heappush(frontier, (total + estimate(nxt), total, nxt, move))
    return None


def _corners(cells):
    """Only the cells where the direction changes, plus both ends."""
    if len(cells) < 3:
        return cells
    out = [cells[0]]
    for before, here, after in zip(cells, cells[1:], cells[2:]):
        if (here[0] - before[0], here[1] - before[1]) != (after[0] - here[0], after[1] - here[1]):
            out.append(here)
    out.append(cells[-1])
    return out


def _n(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _smooth(points: list[tuple[float, float]]) -> str:
    """A polyline as cubic segments with rounded corners (every segment a C, so that the path
    reads like Graphviz's own)."""
    def c_line(a, b):
        return f" C{_n(a[0] + (b[0] - a[0]) / 3)},{_n(a[1] + (b[1] - a[1]) / 3)} {_n(a[0] + 2 * (b[0] - a[0]) / 3)},{_n(a[1] + 2 * (b[1] - a[1]) / 3)} {_n(b[0])},{_n(b[1])}"

    out = f"M{_n(points[0][0])},{_n(points[0][1])}"
    current = points[0]
    for index in range(1, len(points) - 1):
        corner, after = points[index], points[index + 1]
        r_in = min(10.0, math.dist(current, corner) / 2)
        r_out = min(10.0, math.dist(corner, after) / 2)
        d_in = math.dist(current, corner) or 1.0
        d_out = math.dist(corner, after) or 1.0
        enter = (corner[0] - (corner[0] - current[0]) * r_in / d_in, corner[1] - (corner[1] - current[1]) * r_in / d_in)
        leave = (corner[0] + (after[0] - corner[0]) * r_out / d_out, corner[1] + (after[1] - corner[1]) * r_out / d_out)
        out += c_line(current, enter)
        out += f" C{_n(corner[0])},{_n(corner[1])} {_n(corner[0])},{_n(corner[1])} {_n(leave[0])},{_n(leave[1])}"
        current = leave
    out += c_line(current, points[-1])
    return out
