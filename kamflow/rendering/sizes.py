"""How big each symbol must be to hold its wrapped text, and where a point on its outline is. Pure
geometry on real (unrotated) boxes: the layout asks for sizes, the router for port points."""

from __future__ import annotations

import math

from kamflow.model.scene import Box, Point
from kamflow.rendering.text import text_width

LINE = 1.22  # line height as a multiple of the font size
PAD_X = 12.0  # room between text and a box's sides
PAD_Y = 9.0
MIN_WIDTH = 86.0
MIN_HEIGHT = 36.0
DIAMOND_ASPECT = 1.9  # width / height of a decision diamond
BAR_INSET = 7.0  # predefined process: its inner bars


def text_size(lines: list[str], size: float, *, bold_last: bool = False) -> tuple[float, float]:
    """Width and height of centred lines of text."""
    widths = [text_width(line, size, bold=bold_last and i == len(lines) - 1) for i, line in enumerate(lines)]
    return (max(widths, default=0.0), len(lines) * size * LINE)


def symbol_size(step_type: str, text_w: float, text_h: float) -> tuple[float, float]:
    """The smallest box of a symbol whose inside holds a text block of text_w x text_h."""
    if step_type == "decision":
        # a rectangle w x h fits a diamond of half-diagonals a, b when w/2a + h/2b <= 1; with
        # a = k b that is a = (w + k h) / 2
        width = text_w + DIAMOND_ASPECT * text_h + PAD_X
        height = width / DIAMOND_ASPECT
        return (round(max(width, 100.0), 2), round(max(height, 50.0), 2))
    height = max(MIN_HEIGHT, text_h + 2 * PAD_Y)
    extra = 0.0
    if step_type in ("start", "end"):
        extra = height * 0.8  # the half circles at both ends
    elif step_type == "wait":
        extra = height * 0.5
    elif step_type == "subprocess":
        extra = 2 * BAR_INSET + 4
    elif step_type in ("data", "manual"):
        extra = 2 * min(height * 0.4, 16.0)
    elif step_type == "document":
        height += min(height * 0.09, 6.0) * 2
    elif step_type == "offpage":
        height += min(height * 0.28, 12.0)
    width = max(MIN_WIDTH, text_w + 2 * PAD_X + extra)
    return (round(width, 2), round(height, 2))


def outline_point(step_type: str, box: Box, side: str, offset: float) -> Point:
    """The point on the symbol's outline on `side` (top, right, bottom, left), `offset` from the
    side's middle along it (x for top/bottom, y for left/right)."""
    cx, cy = box.center
    hw, hh = box.width / 2, box.height / 2
    if side in ("top", "bottom"):
        sign = -1 if side == "top" else 1
        x = cx + offset
        if step_type == "decision":
            return (x, cy + sign * hh * (1 - min(abs(offset) / hw, 1.0)))
        if step_type in ("start", "end", "wait"):
            r = min(hh, hw)
            flat = hw - r
            reach = offset if step_type != "wait" or offset < 0 else offset  # wait: flat on the left
            if step_type == "wait" and offset < 0:
                return (x, cy + sign * hh)
            if abs(reach) > flat:
                d = abs(reach) - flat
                return (x, cy + sign * math.sqrt(max(r * r - d * d, 0.0)))
            return (x, cy + sign * hh)
        if step_type == "document" and side == "bottom":
            amp = min(box.height * 0.09, 6.0)
            return (x, box.bottom - amp - amp * math.sin(math.pi * offset / hw) * 0.8)
        return (x, cy + sign * hh)
    sign = -1 if side == "left" else 1
    y = cy + offset
    if step_type == "decision":
        return (cx + sign * hw * (1 - min(abs(offset) / hh, 1.0)), y)
    if step_type in ("start", "end") or (step_type == "wait" and side == "right"):
        r = min(hh, hw)
        inner = hw - r
        return (cx + sign * (inner + math.sqrt(max(r * r - offset * offset, 0.0))), y)
    if step_type == "data":
        skew = min(box.height * 0.4, box.width * 0.15, 16.0)
        t = (y - box.y) / box.height  # 0 at the top, 1 at the bottom
        return ((box.x + skew * (1 - t)) if side == "left" else (box.right - skew * t), y)
    if step_type == "manual":
        inset = min(box.height * 0.4, box.width * 0.15, 16.0)
        t = (y - box.y) / box.height
        return ((box.x + inset * t) if side == "left" else (box.right - inset * t), y)
    return (cx + sign * hw, y)


def side_room(step_type: str, box: Box, side: str) -> float:
    """How far from a side's middle ports may be spread (each way)."""
    if step_type == "decision":
        return (box.width if side in ("top", "bottom") else box.height) * 0.18
    if side in ("top", "bottom"):
        if step_type in ("start", "end"):
            return max(box.width / 2 - min(box.height / 2, box.width / 2) - 2, 4.0)
        return box.width * 0.34
    if step_type in ("start", "end", "wait"):
        return box.height * 0.25
    return box.height * 0.3
