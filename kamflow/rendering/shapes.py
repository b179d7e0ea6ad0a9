"""Flowchart symbols (ISO 5807 / what BPMN users recognise), one per step type, drawn as plain SVG
path data inside the box Graphviz reserved for the node. `DOT_SHAPES` tells Graphviz how much
room each symbol needs around its text; `symbol_path` draws it.

| type       | ISO 5807 symbol     | drawn as                                          |
|------------|---------------------|---------------------------------------------------|
| start, end | terminator          | stadium (half circles at both ends)               |
| step       | process             | rectangle                                         |
| decision   | decision            | diamond                                           |
| subprocess | predefined process  | rectangle with a second vertical bar at each side |
| document   | document            | rectangle with a wavy bottom                      |
| data       | data (input/output) | parallelogram                                     |
| manual     | manual operation    | trapezium, wide side up                           |
| wait       | delay               | "D": flat left side, half circle on the right     |
| parallel   | parallel mode       | two parallel horizontal lines (split and join)    |
| offpage    | off-page connector  | pentagon pointing down (joins of a split chart)   |
"""

from __future__ import annotations

from kamflow.model.numbers import number as _n  # the one number formatter

SYMBOL_NAMES = {
    "start": "Start",
    "end": "End",
    "step": "Step",
    "decision": "Decision",
    "subprocess": "Subprocess (linked chart)",
    "document": "Document",
    "data": "Data (input/output)",
    "manual": "Manual operation",
    "wait": "Wait (delay)",
    "parallel": "Parallel (split / join)",
    "offpage": "Off-page connector (continued on another page)",
}

# Graphviz shape and margins (inches, "x,y") that leave room for each symbol's extra parts.
DOT_SHAPES: dict[str, dict[str, str]] = {
    "start": {"shape": "box", "margin": "0.26,0.07"},
    "end": {"shape": "box", "margin": "0.26,0.07"},
    "step": {"shape": "box", "margin": "0.14,0.08"},
    "decision": {"shape": "diamond", "margin": "0.1,0.05", "height": "0.75"},
    "subprocess": {"shape": "box", "margin": "0.26,0.08"},
    "document": {"shape": "box", "margin": "0.14,0.16"},
    "data": {"shape": "box", "margin": "0.3,0.08"},
    "manual": {"shape": "box", "margin": "0.3,0.08"},
    "wait": {"shape": "box", "margin": "0.28,0.08"},
    "parallel": {"shape": "box", "margin": "0.3,0.1", "height": "0.3"},
    "offpage": {"shape": "box", "margin": "0.14,0.16"},  # a split chart's joins (model.split), never in a file
}

BAR_INSET = 7.0  # predefined process: distance of the inner bars from the sides


def _poly(points: list[tuple[float, float]]) -> str:
    return "M" + " L".join(f"{_n(x)},{_n(y)}" for x, y in points) + " Z"


def symbol_path(
    step_type: str, cx: float, cy: float, w: float, h: float, polygon: list[tuple[float, float]] | None = None, *, direction: str = "TB"
) -> str:
    """SVG path data for the symbol of `step_type` centred at (cx, cy) in a w x h box (the
    box Graphviz reserved; a diamond's corners are the middles of its sides, as in Graphviz, so
    flows end exactly on the outline)."""
    left, right, top, bottom = cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2
    if step_type == "decision":
        return _poly([(cx, top), (right, cy), (cx, bottom), (left, cy)])
    if step_type == "data":
        skew = min(h * 0.4, w * 0.15, 16.0)
        return _poly([(left + skew, top), (right, top), (right - skew, bottom), (left, bottom)])
    if step_type == "manual":
        inset = min(h * 0.4, w * 0.15, 16.0)
        return _poly([(left, top), (right, top), (right - inset, bottom), (left + inset, bottom)])
    if step_type in ("start", "end"):
        r = min(h / 2, w / 2)
        return (
            f"M{_n(left + r)},{_n(top)} L{_n(right - r)},{_n(top)} A{_n(r)},{_n(r)} 0 0 1 {_n(right - r)},{_n(bottom)}"
            f" L{_n(left + r)},{_n(bottom)} A{_n(r)},{_n(r)} 0 0 1 {_n(left + r)},{_n(top)} Z"
        )
    if step_type == "wait":
        r = min(h / 2, w / 2)
        return f"M{_n(left)},{_n(top)} L{_n(right - r)},{_n(top)} A{_n(r)},{_n(r)} 0 0 1 {_n(right - r)},{_n(bottom)} L{_n(left)},{_n(bottom)} Z"
    if step_type == "parallel":
        # ISO 5807 parallel mode: two parallel lines across the flow, the label between them
        if direction == "LR":  # the flow runs left to right: the lines stand upright
            return f"M{_n(left)},{_n(top)} L{_n(left)},{_n(bottom)} M{_n(right)},{_n(top)} L{_n(right)},{_n(bottom)}"
        return f"M{_n(left)},{_n(top)} L{_n(right)},{_n(top)} M{_n(left)},{_n(bottom)} L{_n(right)},{_n(bottom)}"
    if step_type == "offpage":  # ISO 5807 off-page connector: a pentagon pointing down
        shoulder = bottom - min(h * 0.28, 12.0)
        return _poly([(left, top), (right, top), (right, shoulder), (cx, bottom), (left, shoulder)])
    if step_type == "document":
        amp = min(h * 0.09, 6.0)
        base = bottom - amp
        # one full wave along the bottom: down on the left half, up on the right half; it crosses
        # the box's centre line at the middle, where flows leave the symbol
        return (
            f"M{_n(left)},{_n(top)} L{_n(right)},{_n(top)} L{_n(right)},{_n(base)}"
            f" C{_n(right - w * 0.25)},{_n(base - 2 * amp)} {_n(cx + w * 0.15)},{_n(base - amp)} {_n(cx)},{_n(base)}"
            f" C{_n(cx - w * 0.15)},{_n(base + amp)} {_n(left + w * 0.25)},{_n(base + 2 * amp)} {_n(left)},{_n(base)} Z"
        )
    return _poly([(left, top), (right, top), (right, bottom), (left, bottom)])


def symbol_extras(step_type: str, cx: float, cy: float, w: float, h: float) -> str:
    """Path data drawn over the symbol without fill: the inner bars of a predefined process."""
    if step_type != "subprocess":
        return ""
    left, right, top, bottom = cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2
    inset = min(BAR_INSET, w / 6)
    return f"M{_n(left + inset)},{_n(top)} L{_n(left + inset)},{_n(bottom)} M{_n(right - inset)},{_n(top)} L{_n(right - inset)},{_n(bottom)}"


def text_centre_offset(step_type: str, h: float) -> float:
    """How far up the text sits from the box centre (a document's wave takes the bottom)."""
    if step_type == "offpage":
        return min(h * 0.28, 12.0) / 2
    return min(h * 0.09, 6.0) / 2 if step_type == "document" else 0.0
