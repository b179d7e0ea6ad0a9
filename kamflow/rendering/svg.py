"""Write the chart as SVG from its scene (model/scene.py): lane bands, ISO 5807 symbols, orthogonal
flows, title block, legend. It reads only the scene and the theme: no layout happens here. Every
piece of text is a plain <text> element (no foreignObject, no image, no script) in a font stack
that exists on the rendering machine; user text is always escaped."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kamflow.model.links import safe_link  # noqa: F401  the one link policy (#13); scene.py takes it from here
from kamflow.model.numbers import number as _n
from kamflow.model.process import Process, Step
from kamflow.model.scene import Scene, SceneFlow, SceneStep, Text
from kamflow.rendering import shapes
from kamflow.rendering.options import RenderOptions
from kamflow.rendering.text import text_width, xml_attr, xml_text
from kamflow.rendering.themes import Theme

LINE = 1.22  # line height as a multiple of the font size
# Noto Color Emoji is not named: librsvg would take digits from it (keycap bases); emoji still
# come from it through fontconfig's fallback.
FALLBACK_FONTS = ("DejaVu Sans", "Noto Sans", "Noto Sans CJK SC", "Noto Sans Arabic", "sans-serif")


def font_stack(family: str) -> str:
    names = [family] + [f for f in FALLBACK_FONTS if f != family]
    return ", ".join(n if n == "sans-serif" else f"'{n}'" for n in names)


_PLAIN_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")  # a process id (a file path has a dot or a slash)


def subprocess_target(step: Step, options: RenderOptions) -> str | None:
    """The process id a subprocess step links to (its chart is <id>.svg beside this one), or None."""
    if options.subprocess_links is not None:
        return dict(options.subprocess_links).get(step.id)
    reference = step.process or ""
    if _PLAIN_ID.match(reference):
        return reference
    return None


@dataclass
class _Canvas:
    parts: list[str]

    def add(self, text: str) -> None:
        self.parts.append(text)


def _text_lines(
    lines: list[str], cx: float, cy: float, size: float, fill: str, *, weight: str | None = None, anchor: str = "middle", extra: str = ""
) -> str:
    """Lines centred vertically on cy; each its own <text> so every viewer shows the same breaks."""
    step = size * LINE
    first = cy - step * (len(lines) - 1) / 2 + size * 0.35
    bold = f' font-weight="{weight}"' if weight else ""
    return "".join(
        f'<text x="{_n(cx)}" y="{_n(first + i * step)}" font-size="{_n(size)}" fill="{fill}" '
        f'text-anchor="{anchor}"{bold}{extra}>{xml_text(line)}</text>'
        for i, line in enumerate(lines)
    )


def flow_numbers(process: Process) -> dict[str, int]:
    """Step numbers in flow order: a topological order of the flow without its loops, ties broken
    by file order; steps no start reaches follow in file order. Inserting or removing one step
    shifts only the numbers after it."""
    import networkx as nx

    from kamflow.model.graph import forward_graph, start_ids

    order_in_file = {step.id: index for index, step in enumerate(process.steps)}
    forward = forward_graph(process.graph, start_ids(process))
    ordered = list(nx.lexicographical_topological_sort(forward, key=lambda node: order_in_file[node]))
    return {step_id: number for number, step_id in enumerate(ordered, start=1)}


def write_svg(scene: Scene, *, theme: Theme) -> str:
    fs = scene.font_size
    c = _Canvas([])
    width, height = scene.width, scene.height
    c.add('<?xml version="1.0" encoding="UTF-8"?>\n')
    c.add(
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" '
        f'width="{_n(width)}pt" height="{_n(height)}pt" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'id="{xml_attr("process-" + scene.process_id)}" role="img" aria-labelledby="chart-title chart-desc" '
        f'font-family="{xml_attr(font_stack(theme.font_family))}">\n'
    )
    c.add(f'<title id="chart-title">{xml_text(scene.title)}</title>\n')
    c.add(f'<desc id="chart-desc">{xml_text(scene.description)}</desc>\n')
    c.add(f'<rect class="background" x="0" y="0" width="{_n(width)}" height="{_n(height)}" fill="{theme.background}"/>\n')
    c.add('<g id="title-block" class="title-block">')
    title = scene.title_block.title
    for index, line in enumerate(title.lines):
        c.add(
            f'<text x="{_n(title.x)}" y="{_n(title.y + index * title.size * LINE)}" font-size="{_n(title.size)}" font-weight="bold" '
            f'fill="{theme.text}">{xml_text(line)}</text>'
        )
    meta = scene.title_block.meta
    if meta:
        c.add(f'<text x="{_n(meta.x)}" y="{_n(meta.y)}" font-size="{_n(meta.size)}" fill="{theme.muted}">{xml_text(meta.lines[0])}</text>')
    c.add("</g>\n")
    c.add('<g id="chart">\n')
    _draw_lanes(c, scene, theme, fs)
    _draw_flows(c, scene, theme)
    _draw_steps(c, scene, theme, fs)
    c.add("</g>\n")
    if scene.legend:
        _draw_legend(c, scene, theme, fs)
    c.add("</svg>\n")
    return "".join(c.parts)


def _block(text: Text, fill: str, *, extra: str = "") -> str:
    """A Text as one <text> per line, centred on its point."""
    weight = "bold" if text.bold else None
    style = (' font-style="italic"' if text.italic else "") + (' text-decoration="underline"' if text.underline else "") + extra
    return _text_lines(list(text.lines), text.x, text.y, text.size, fill, weight=weight, extra=style)


def _draw_lanes(c: _Canvas, scene: Scene, theme: Theme, fs: float) -> None:
    if not scene.lanes:
        return
    c.add('<g id="lanes" class="lanes">\n')
    for lane in scene.lanes:
        band, header = lane.band, lane.header
        c.add(f'<g id="{xml_attr("lane-" + lane.id)}" class="cluster lane">')
        c.add(f"<title>{xml_text(lane.label)}</title>")
        c.add(
            f'<rect class="band" x="{_n(band.x)}" y="{_n(band.y)}" width="{_n(band.width)}" height="{_n(band.height)}" '
            f'fill="{theme.lane_fill(lane.index)}"/>'
        )
        c.add(
            f'<rect class="lane-header" x="{_n(header.x)}" y="{_n(header.y)}" width="{_n(header.width)}" height="{_n(header.height)}" '
            f'fill="{theme.lane_header_fill(lane.index)}"/>'
        )
        c.add(_block(lane.header_text, theme.lane_header_text))
        c.add("</g>\n")
    # borders between bands, the header rule and the outline, over the fills
    tb = scene.direction == "TB"
    chart = scene.chart
    rules = []
    for lane in scene.lanes[1:]:
        b = lane.band
        rules.append(f"M{_n(b.x)},{_n(b.y)} L{_n(b.x)},{_n(b.bottom)}" if tb else f"M{_n(b.x)},{_n(b.y)} L{_n(b.right)},{_n(b.y)}")
    h = scene.lanes[0].header
    rules.append(
        f"M{_n(chart.x)},{_n(h.bottom)} L{_n(chart.right)},{_n(h.bottom)}"
        if tb
        else f"M{_n(h.right)},{_n(chart.y)} L{_n(h.right)},{_n(chart.bottom)}"
    )
    c.add(f'<path class="lane-rules" d="{" ".join(rules)}" fill="none" stroke="{theme.lane_border}" stroke-width="0.8"/>')
    c.add(
        f'<rect class="lane-outline" x="{_n(chart.x)}" y="{_n(chart.y)}" width="{_n(chart.width)}" height="{_n(chart.height)}" '
        f'fill="none" stroke="{theme.lane_border}" stroke-width="1"/>\n'
    )
    c.add("</g>\n")


def _flow_style(flow: SceneFlow, theme: Theme) -> tuple[str, str, float, str]:
    """(class, colour, stroke width, dash attribute) of a flow."""
    cls = "edge"
    colour, width, dash = theme.edge, 1.2, ""
    if flow.kind == "ghost":
        cls = " ".join(["edge", "kamflow-ghost-flow"] + [f"kamflow-{kind}" for kind in sorted(set(flow.ghost_kinds))])
        colour, dash = theme.warning.stroke, ' stroke-dasharray="5,3"'
    elif flow.id.startswith("extra-"):
        cls = f"edge kamflow-{flow.mark or flow.kind}"
        colour, dash = theme.marks.get(flow.mark or flow.kind, theme.warning.stroke), ' stroke-dasharray="5,3"'
    elif flow.mark:
        colour, width = theme.marks.get(flow.mark, colour), 2.4
        cls += f" kamflow-{flow.mark}"
    if flow.kind == "loop":
        cls += " kamflow-loop"
    return cls, colour, width, dash


def flow_path(points, *, rounded: bool, radius: float = 6.0) -> str:
    """SVG path data of an orthogonal polyline; with `rounded`, each corner a quarter circle."""
    if not rounded or len(points) < 3:
        return "M" + " L".join(f"{_n(x)},{_n(y)}" for x, y in points)
    out = [f"M{_n(points[0][0])},{_n(points[0][1])}"]
    for (ax, ay), (bx, by), (cx, cy) in zip(points, points[1:], points[2:]):
        r = min(radius, (abs(bx - ax) + abs(by - ay)) / 2, (abs(cx - bx) + abs(cy - by)) / 2)
        ux, uy = _unit(bx - ax, by - ay)
        vx, vy = _unit(cx - bx, cy - by)
        out.append(f"L{_n(bx - ux * r)},{_n(by - uy * r)}")
        out.append(f"Q{_n(bx)},{_n(by)} {_n(bx + vx * r)},{_n(by + vy * r)}")
    out.append(f"L{_n(points[-1][0])},{_n(points[-1][1])}")
    return " ".join(out)


def _unit(dx: float, dy: float) -> tuple[float, float]:
    length = abs(dx) + abs(dy)
    return (dx / length, dy / length) if length else (0.0, 0.0)


def _draw_flows(c: _Canvas, scene: Scene, theme: Theme) -> None:
    c.add('<g id="flows" class="flows">\n')
    for flow in scene.flows:
        cls, colour, width, dash = _flow_style(flow, theme)
        # the line stops where the arrowhead begins, so it never shows through the tip
        (wx, wy), _, (vx, vy) = flow.arrow
        points = list(flow.points[:-1]) + [((wx + vx) / 2, (wy + vy) / 2)]
        d = flow_path(points, rounded=scene.rounded)
        c.add(f'<g id="{xml_attr(flow.id)}" class="{cls}">')
        c.add(f"<title>{xml_text(flow.source)}-&gt;{xml_text(flow.target)}</title>")
        if flow.mark == "critical":
            # a double line (a wide stroke with a page-coloured core) reads as "the path" in black and white too
            c.add(f'<path class="casing" d="{d}" fill="none" stroke="{colour}" stroke-width="4.2"/>')
            c.add(f'<path class="core" d="{d}" fill="none" stroke="{theme.background}" stroke-width="1.4"/>')
        else:
            c.add(f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="{_n(width)}"{dash}/>')
        arrow = " ".join(f"{_n(x)},{_n(y)}" for x, y in flow.arrow)
        c.add(f'<polygon points="{arrow}" fill="{colour}" stroke="{colour}" stroke-width="{_n(min(width, 1.2))}"/>')
        c.add("</g>\n")
    c.add("</g>\n")
    # every label over every line: a later flow's line never runs through an earlier flow's label
    c.add('<g id="flow-labels" class="flow-labels">\n')
    for flow in scene.flows:
        if not flow.label or not flow.label_box:
            continue
        colour = _flow_style(flow, theme)[1]
        box, text = flow.label_box, flow.label
        c.add(f'<g id="{xml_attr("label-" + flow.id)}" class="flow-label">')
        c.add(f"<title>{xml_text(flow.source)}-&gt;{xml_text(flow.target)}</title>")
        # a plate in the page colour behind the text keeps it readable where it meets a line
        # (a plate, not a paint-order halo: Word and PowerPoint ignore paint-order)
        c.add(
            f'<rect class="label-plate" x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.width)}" height="{_n(box.height)}" '
            f'rx="2" fill="{theme.background}"/>'
        )
        lines = list(text.lines)
        badge = lines.pop() if flow.badge else None
        step = text.size * LINE
        first = text.y - step * (len(text.lines) - 1) / 2
        if lines:
            c.add(_text_lines(lines, text.x, first + step * (len(lines) - 1) / 2, text.size, theme.edge_label))
        if badge:
            c.add(_text_lines([badge], text.x, first + step * len(lines), text.size, colour, weight="bold", extra=' class="badge"'))
        c.add("</g>\n")
    c.add("</g>\n")


def _draw_steps(c: _Canvas, scene: Scene, theme: Theme, fs: float) -> None:
    c.add('<g id="steps" class="steps">\n')
    for step in scene.steps:
        if step.ghost is None:
            _draw_step(c, step, theme, fs, scene.direction)
    for step in scene.steps:
        if step.ghost is not None:
            w = theme.warning
            box = step.box
            c.add(f'<g id="{xml_attr(step.id)}" class="node kamflow-ghost kamflow-ghost-{xml_attr(step.ghost)}">')
            c.add(f"<title>{xml_text(step.tooltip)}</title>")
            path = shapes.symbol_path(step.type, box.cx, box.cy, box.width, box.height)
            c.add(f'<path d="{path}" fill="{w.fill}" stroke="{w.stroke}" stroke-width="1.6" stroke-dasharray="6,3"/>')
            c.add(_block(step.text, w.text or w.stroke))
            c.add("</g>\n")
    c.add("</g>\n")


def _draw_step(c: _Canvas, step: SceneStep, theme: Theme, fs: float, direction: str) -> None:
    box = step.box
    colours = theme.step(step.type)
    stroke, stroke_w, mark_colour = colours.stroke, 1.3, None
    if step.marks:
        mark_colour = theme.marks.get(step.marks[0].kind, theme.warning.stroke)
        stroke, stroke_w = mark_colour, 2.6
    c.add(f'<g id="{xml_attr("step-" + step.id)}" class="node kamflow-{step.type}">')
    c.add(f"<title>{xml_text(step.id)}</title>")
    if step.link:
        c.add(f'<a href="{xml_attr(step.link)}" xlink:href="{xml_attr(step.link)}">')
    c.add(f'<g class="symbol"><title>{xml_text(step.tooltip)}</title>')
    c.add(
        f'<path d="{shapes.symbol_path(step.type, box.cx, box.cy, box.width, box.height, direction=direction)}" fill="{colours.fill}" '
        f'stroke="{stroke}" stroke-width="{_n(stroke_w)}"/>'
    )
    extras = shapes.symbol_extras(step.type, box.cx, box.cy, box.width, box.height)
    if extras:
        c.add(f'<path d="{extras}" fill="none" stroke="{stroke}" stroke-width="{_n(stroke_w)}"/>')
    c.add(_block(step.text, colours.text or theme.text))
    if step.badge_text:
        c.add(_block(step.badge_text, mark_colour or colours.text or theme.text, extra=' class="badge"'))
    c.add("</g>")
    if step.link:
        c.add("</a>")
    if step.number is not None and step.number_at:
        nx, ny = step.number_at
        c.add(
            f'<g class="number"><circle cx="{_n(nx)}" cy="{_n(ny)}" r="{_n(step.number_radius)}" fill="{theme.text}" '
            f'stroke="{theme.background}" stroke-width="1"/>'
        )
        c.add(
            f'<text x="{_n(nx)}" y="{_n(ny + fs * 0.3)}" font-size="{_n(fs * 0.8)}" font-weight="bold" fill="{theme.background}" '
            f'text-anchor="middle">{step.number}</text></g>'
        )
    c.add("</g>\n")


def _draw_legend(c: _Canvas, scene: Scene, theme: Theme, fs: float) -> None:
    legend = scene.legend
    assert legend is not None
    title = legend.title
    c.add(
        f'<g id="legend" class="legend"><text x="{_n(title.x)}" y="{_n(title.y)}" font-size="{_n(title.size)}" font-weight="bold" '
        f'fill="{theme.text}">Legend</text>\n'
    )
    size = fs * 0.9
    for entry in legend.entries:
        kind, key, badge, text = entry.kind, entry.key, entry.badge, entry.text
        sx, sy = entry.x + legend.symbol_width / 2, entry.y
        w, h = legend.symbol_width, legend.symbol_height
        c.add(f'<g class="legend-entry legend-{kind}{" legend-" + key if key else ""}">')
        if kind == "symbol":
            colours = theme.step(key)
            c.add(f'<path d="{shapes.symbol_path(key, sx, sy, w, h)}" fill="{colours.fill}" stroke="{colours.stroke}" stroke-width="1.2"/>')
            extras = shapes.symbol_extras(key, sx, sy, w, h)
            if extras:
                c.add(f'<path d="{extras}" fill="none" stroke="{colours.stroke}" stroke-width="1.2"/>')
        elif kind == "ghost":
            c.add(
                f'<path d="{shapes.symbol_path("step", sx, sy, w, h)}" fill="{theme.warning.fill}" stroke="{theme.warning.stroke}" '
                f'stroke-width="1.4" stroke-dasharray="6,3"/>'
            )
        elif kind == "mark":
            c.add(
                f'<path d="{shapes.symbol_path("step", sx, sy, w, h)}" fill="{theme.background}" stroke="{theme.marks.get(key, theme.text)}" '
                f'stroke-width="2.6"/>'
            )
        elif kind in ("flow", "edge-mark"):
            colour = theme.warning.stroke if kind == "flow" and key != "removed" else theme.marks.get(key, theme.edge)
            x0, x1 = sx - w / 2, sx + w / 2 - 7
            line = f"M{_n(x0)},{_n(sy)} L{_n(x1)},{_n(sy)}"
            if kind == "flow":
                c.add(f'<path d="{line}" fill="none" stroke="{colour}" stroke-width="1.2" stroke-dasharray="5,3"/>')
            elif key == "critical":
                c.add(
                    f'<path d="{line}" fill="none" stroke="{colour}" stroke-width="4.2"/><path d="{line}" fill="none" stroke="{theme.background}" '
                    f'stroke-width="1.4"/>'
                )
            else:
                c.add(f'<path d="{line}" fill="none" stroke="{colour}" stroke-width="2.4"/>')
            c.add(f'<polygon points="{_n(x1)},{_n(sy - 3.5)} {_n(sx + w / 2)},{_n(sy)} {_n(x1)},{_n(sy + 3.5)}" fill="{colour}" stroke="{colour}"/>')
        elif kind == "number":
            c.add(
                f'<circle cx="{_n(sx)}" cy="{_n(sy)}" r="7.5" fill="{theme.text}"/><text x="{_n(sx)}" y="{_n(sy + fs * 0.3)}" '
                f'font-size="{_n(fs * 0.8)}" font-weight="bold" fill="{theme.background}" text-anchor="middle">1</text>'
            )
        elif kind == "link":
            c.add(
                f'<text x="{_n(sx)}" y="{_n(sy + fs * 0.35)}" font-size="{_n(fs)}" fill="{theme.text}" text-anchor="middle" '
                f'text-decoration="underline">abc</text>'
            )
        tx = sx + w / 2 + 8.0
        if badge:
            colour = theme.marks.get(key, theme.text)
            c.add(
                f'<text class="badge" x="{_n(tx)}" y="{_n(sy + fs * 0.35)}" font-size="{_n(size)}" font-weight="bold" '
                f'fill="{colour}">{xml_text(f"[{badge}]")}</text>'
            )
            tx += text_width(f"[{badge}]", size, bold=True) + 5.0
        c.add(f'<text x="{_n(tx)}" y="{_n(sy + fs * 0.35)}" font-size="{_n(size)}" fill="{theme.text}">{xml_text(text)}</text></g>\n')
    c.add("</g>\n")
