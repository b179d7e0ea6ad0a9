"""Write the chart as SVG from the Graphviz layout: lane bands, ISO 5807 symbols, flows, title
block, legend. Every piece of text is a plain <text> element (no foreignObject, no image, no
script) in a font stack that exists on the rendering machine; user text is always escaped."""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from kamflow.model.overlay import MARK_KINDS, Overlay
from kamflow.model.process import Process, Step
from kamflow.rendering import shapes
from kamflow.rendering.dot import FOOT, HEAD, UNASSIGNED, ghost_lines, header_width, lane_groups, node_lines
from kamflow.rendering.geometry import Geometry
from kamflow.rendering.options import RenderOptions
from kamflow.rendering.text import text_width, wrap, xml_attr, xml_text
from kamflow.rendering.themes import Theme

MARGIN = 20.0
LANE_PAD = 10.0  # room between the layout's outermost text and the lanes' outline
LINE = 1.22  # line height as a multiple of the font size
SAFE_SCHEMES = ("http://", "https://", "mailto:")
# Noto Color Emoji is not named: librsvg would take digits from it (keycap bases); emoji still
# come from it through fontconfig's fallback.
FALLBACK_FONTS = ("DejaVu Sans", "Noto Sans", "Noto Sans CJK SC", "Noto Sans Arabic", "sans-serif")


def font_stack(family: str) -> str:
    names = [family] + [f for f in FALLBACK_FONTS if f != family]
    return ", ".join(n if n == "sans-serif" else f"'{n}'" for n in names)


def safe_link(value: object) -> str | None:
    """A step's `link` when it is an http, https or mailto URL; None otherwise."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text if text.lower().startswith(SAFE_SCHEMES) and len(text) > 8 and not any(c in text for c in " \n\t<>\"") else None


def unsafe_links(process: Process) -> list[str]:
    """Warnings for step links that are not drawn (not http, https or mailto)."""
    found = []
    for step in process.steps:
        link = step.metadata.get("link")
        if link is not None and safe_link(link) is None:
            found.append(f"{step.span_of('link')}: warning: link of step '{step.id}' is not an http, https or mailto URL; it is not linked on the chart")
    return found


_PLAIN_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")  # a process id (a file path has a dot or a slash)


def subprocess_target(step: Step, options: RenderOptions) -> str | None:
    """The process id a subprocess step links to (its chart is <id>.svg beside this one), or None."""
    if options.subprocess_links is not None:
        return dict(options.subprocess_links).get(step.id)
    reference = step.process or ""
    if _PLAIN_ID.match(reference):
        return reference
    return None


def _n(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass
class _Canvas:
    parts: list[str]

    def add(self, text: str) -> None:
        self.parts.append(text)


def _text_lines(lines: list[str], cx: float, cy: float, size: float, fill: str, *, weight: str | None = None, anchor: str = "middle", extra: str = "") -> str:
    """Lines centred vertically on cy; each its own <text> so every viewer shows the same breaks."""
    step = size * LINE
    first = cy - step * (len(lines) - 1) / 2 + size * 0.35
    bold = f' font-weight="{weight}"' if weight else ""
    return "".join(
        f'<text x="{_n(cx)}" y="{_n(first + i * step)}" font-size="{_n(size)}" fill="{fill}" text-anchor="{anchor}"{bold}{extra}>{xml_text(line)}</text>'
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


def write_svg(process: Process, geometry: Geometry, *, theme: Theme, options: RenderOptions, overlay: Overlay, direction: str, link_ext: str = "svg") -> str:
    fs = theme.font_size
    title_lines = wrap(process.title, 60)
    meta = [f"{label} {value}" for label, value in (("Version", process.version), ("Author", process.author), ("Date", process.date)) if value]
    title_size = fs + 7
    title_h = len(title_lines) * title_size * LINE + (fs * 1.5 if meta else 0) + 14
    pad = LANE_PAD if lane_groups(process, overlay) else 0.0
    ox, oy = MARGIN + pad, MARGIN + title_h + pad

    legend_items = _legend_items(process, overlay, options) if options.legend else []
    legend_width = max(geometry.width + 2 * pad, 480.0)
    legend_rows = _legend_rows(legend_items, legend_width, fs)
    legend_w = max((left + _legend_width(item, fs) for row in legend_rows for item, left in row), default=0.0)
    legend_h = (len(legend_rows) * _LEGEND_ROW + 32) if legend_rows else 0

    title_w = max([len(line) * title_size * 0.62 for line in title_lines] + [len(" · ".join(meta)) * fs * 0.58])
    width = max(geometry.width + 2 * pad, title_w, legend_w + 4) + 2 * MARGIN
    height = oy + geometry.height + pad + (16 + legend_h if legend_rows else 0) + MARGIN
    c = _Canvas([])
    c.add('<?xml version="1.0" encoding="UTF-8"?>\n')
    c.add(f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" '
          f'width="{_n(width)}pt" height="{_n(height)}pt" viewBox="0 0 {_n(width)} {_n(height)}" '
          f'id="{xml_attr("process-" + process.id)}" role="img" aria-labelledby="chart-title chart-desc" '
          f'font-family="{xml_attr(font_stack(theme.font_family))}">\n')
    c.add(f'<title id="chart-title">{xml_text(process.title)}</title>\n')
    c.add(f'<desc id="chart-desc">{xml_text(process.description or process.title)}</desc>\n')
    c.add(f'<rect class="background" x="0" y="0" width="{_n(width)}" height="{_n(height)}" fill="{theme.background}"/>\n')

    # title block
    c.add('<g id="title-block" class="title-block">')
    y = MARGIN + title_size * 0.85
    for line in title_lines:
        c.add(f'<text x="{_n(MARGIN)}" y="{_n(y)}" font-size="{_n(title_size)}" font-weight="bold" fill="{theme.text}">{xml_text(line)}</text>')
        y += title_size * LINE
    if meta:
        c.add(f'<text x="{_n(MARGIN)}" y="{_n(y + fs * 0.2)}" font-size="{_n(fs * 0.95)}" fill="{theme.muted}">{xml_text("  ·  ".join(meta))}</text>')
    c.add("</g>\n")

    c.add(f'<g id="chart" transform="translate({_n(ox)},{_n(oy)})">\n')
    _draw_lanes(c, process, geometry, theme, overlay, direction, fs)
    _draw_edges(c, process, geometry, theme, overlay, fs, options)
    _draw_nodes(c, process, geometry, theme, options, overlay, fs, link_ext)
    c.add("</g>\n")
    if legend_rows:
        _draw_legend(c, legend_rows, theme, MARGIN, oy + geometry.height + pad + 16, fs)
    c.add("</svg>\n")
    return "".join(c.parts)


def lane_bands(process: Process, geometry: Geometry, overlay: Overlay, direction: str) -> list[tuple[str, str, tuple[float, float, float, float]]]:
    """(lane id, label, (x0, y0, x1, y1)) of every band, in chart coordinates: full length along
    the flow, split halfway between neighbouring lane clusters across it, no gaps."""
    groups = lane_groups(process, overlay)
    if not groups:
        return []
    axis = 0 if direction == "TB" else 1
    limit = geometry.width if axis == 0 else geometry.height
    # Graphviz keeps the declared order nearly always (geometry.lay_out retries otherwise); if it
    # still did not, the bands follow the clusters as laid out, so that they stay true bands.
    groups = sorted(groups, key=lambda group: geometry.clusters[group[0]][axis])
    boxes = [geometry.clusters[lane] for lane, _ in groups]
    cuts = [-LANE_PAD]
    for a, b in zip(boxes, boxes[1:]):
        cuts.append(round((a[axis + 2] + b[axis]) / 2, 2))
    cuts.append(limit + LANE_PAD)
    bands = []
    for index, (lane, label) in enumerate(groups):
        lo, hi = cuts[index], cuts[index + 1]
        box = (lo, -LANE_PAD, hi, geometry.height + LANE_PAD) if axis == 0 else (-LANE_PAD, lo, geometry.width + LANE_PAD, hi)
        bands.append((lane, label, box))
    return bands


def _draw_lanes(c: _Canvas, process, geometry: Geometry, theme: Theme, overlay, direction: str, fs: float) -> None:
    bands = lane_bands(process, geometry, overlay, direction)
    if not bands:
        return
    heads = [geometry.nodes.get(HEAD + lane) for lane, _, _ in bands]
    if direction == "TB":
        header = max(h.cy + h.height / 2 for h in heads if h) + 6
    else:
        header = max(h.cx + h.width / 2 for h in heads if h) + 6
    c.add('<g id="lanes" class="lanes">\n')
    for index, (lane, label, (x0, y0, x1, y1)) in enumerate(bands):
        c.add(f'<g id="{xml_attr("lane-" + lane)}" class="cluster lane">')
        c.add(f"<title>{xml_text(label)}</title>")
        c.add(f'<rect class="band" x="{_n(x0)}" y="{_n(y0)}" width="{_n(x1 - x0)}" height="{_n(y1 - y0)}" fill="{theme.lane_fill(index)}"/>')
        lines = wrap(label, header_width(direction))
        if direction == "TB":
            hx0, hy0, hx1, hy1 = x0, y0, x1, header
        else:
            hx0, hy0, hx1, hy1 = x0, y0, header, y1
        c.add(f'<rect class="lane-header" x="{_n(hx0)}" y="{_n(hy0)}" width="{_n(hx1 - hx0)}" height="{_n(hy1 - hy0)}" fill="{theme.lane_header_fill(index)}"/>')
        italic = ' font-style="italic"' if lane == UNASSIGNED else ""
        c.add(_text_lines(lines, (hx0 + hx1) / 2, (hy0 + hy1) / 2, fs + 1, theme.lane_header_text, weight="bold", extra=italic))
        c.add("</g>\n")
    # borders between bands, the header rule and the outline, over the fills
    rules = []
    for _, _, (x0, y0, x1, y1) in bands[1:]:
        rules.append(f"M{_n(x0)},{_n(y0)} L{_n(x0)},{_n(y1)}" if direction == "TB" else f"M{_n(x0)},{_n(y0)} L{_n(x1)},{_n(y0)}")
    left, top, right, bottom = -LANE_PAD, -LANE_PAD, geometry.width + LANE_PAD, geometry.height + LANE_PAD
    rules.append(f"M{_n(left)},{_n(header)} L{_n(right)},{_n(header)}" if direction == "TB" else f"M{_n(header)},{_n(top)} L{_n(header)},{_n(bottom)}")
    c.add(f'<path class="lane-rules" d="{" ".join(rules)}" fill="none" stroke="{theme.lane_border}" stroke-width="0.8"/>')
    c.add(f'<rect class="lane-outline" x="{_n(left)}" y="{_n(top)}" width="{_n(right - left)}" height="{_n(bottom - top)}" fill="none" stroke="{theme.lane_border}" stroke-width="1"/>\n')
    c.add("</g>\n")


def _edge_class(dot_id: str, overlay: Overlay) -> tuple[str, str | None]:
    if dot_id.startswith("ghost-flow-"):
        kinds = {g.kind for g in overlay.ghosts if dot_id.startswith(f"ghost-flow-{g.id}-") or dot_id.endswith(f"-{g.id}")}
        return " ".join(["edge", "kamflow-ghost-flow"] + [f"kamflow-{kind}" for kind in sorted(kinds)]), "ghost"
    if dot_id.startswith("extra-"):
        for source, target, _, kind in overlay.extra_edges:
            if dot_id == f"extra-{source}-{target}":
                return f"edge kamflow-{kind}", kind
    return "edge", None


def _edge_style(edge, overlay: Overlay, theme: Theme) -> tuple[str, object, str, float, str]:
    """(class, edge mark, colour, stroke width, dash attribute) of a drawn flow."""
    cls, kind = _edge_class(edge.dot_id, overlay)
    colour, width, dash = theme.edge, 1.2, ""
    if kind == "ghost":
        colour, dash = theme.warning.stroke, ' stroke-dasharray="5,3"'
    elif kind is not None:
        colour, dash = theme.marks.get(kind, theme.warning.stroke), ' stroke-dasharray="5,3"'
    mark = overlay.edge_marks.get((edge.tail, edge.head)) if kind is None else None
    if mark:
        colour, width = theme.marks.get(mark.kind, colour), 2.4
        cls += f" kamflow-{mark.kind}"
    return cls, mark, colour, width, dash


def _edge_texts(process: Process, overlay: Overlay) -> dict[str, tuple[str | None, str | None]]:
    """(label, badge) of every drawn flow by its DOT id."""
    from kamflow.rendering.dot import edge_badge

    texts: dict[str, tuple[str | None, str | None]] = {}
    for edge in process.edges:
        texts.setdefault(f"flow-{edge.source}-{edge.target}", (edge.label, edge_badge(overlay, edge.source, edge.target)))
    for source, target, label, kind in overlay.extra_edges:
        texts.setdefault(f"extra-{source}-{target}", (label, edge_badge(overlay, source, target, kind)))
    for ghost in overlay.ghosts:
        for source in ghost.after:
            texts.setdefault(f"ghost-flow-{source}-{ghost.id}", (ghost.flow_label(source, ghost.id), None))
        for target in ghost.before:
            texts.setdefault(f"ghost-flow-{ghost.id}-{target}", (ghost.flow_label(ghost.id, target), None))
    return texts


def _draw_edges(c: _Canvas, process: Process, geometry: Geometry, theme: Theme, overlay: Overlay, fs: float, options: RenderOptions) -> None:
    from kamflow.rendering.dot import EDGE_WRAP

    texts = _edge_texts(process, overlay)
    c.add('<g id="flows" class="flows">\n')
    for edge in geometry.edges:
        cls, mark, colour, width, dash = _edge_style(edge, overlay, theme)
        c.add(f'<g id="{xml_attr(edge.dot_id or f"flow-{edge.tail}-{edge.head}")}" class="{cls}">')
        c.add(f"<title>{xml_text(edge.tail)}-&gt;{xml_text(edge.head)}</title>")
        if mark and mark.kind == "critical":
            # a double line (a wide stroke with a page-coloured core) reads as "the path" in black and white too
            c.add(f'<path class="casing" d="{edge.path}" fill="none" stroke="{colour}" stroke-width="4.2"/>')
            c.add(f'<path class="core" d="{edge.path}" fill="none" stroke="{theme.background}" stroke-width="1.4"/>')
        else:
            c.add(f'<path d="{edge.path}" fill="none" stroke="{colour}" stroke-width="{_n(width)}"{dash}/>')
        for arrow in edge.arrows:
            points = " ".join(f"{_n(x)},{_n(y)}" for x, y in arrow)
            c.add(f'<polygon points="{points}" fill="{colour}" stroke="{colour}" stroke-width="{_n(min(width, 1.2))}"/>')
        c.add("</g>\n")
    c.add("</g>\n")
    # every label over every line: a later flow's line never runs through an earlier flow's label
    c.add('<g id="flow-labels" class="flow-labels">\n')
    for edge in geometry.edges:
        colour = _edge_style(edge, overlay, theme)[2]
        label, badge = texts.get(edge.dot_id, (None, None))
        lines = wrap(label, min(EDGE_WRAP, options.wrap)) if label else []
        shown = lines + ([f"[{badge}]"] if badge else [])
        if shown and edge.label_at:
            c.add(f'<g id="{xml_attr("label-" + (edge.dot_id or f"flow-{edge.tail}-{edge.head}"))}" class="flow-label">')
            c.add(f"<title>{xml_text(edge.tail)}-&gt;{xml_text(edge.head)}</title>")
            size = fs * 0.86
            # a plate in the page colour behind the text keeps it readable where it meets a line
            # (a plate, not a paint-order halo: Word and PowerPoint ignore paint-order)
            w, h = edge.label_size or (max(text_width(line, size) for line in shown), len(shown) * size * LINE)
            x0, y0 = edge.label_at[0] - w / 2 - 2, edge.label_at[1] - h / 2 - 1
            c.add(f'<rect class="label-plate" x="{_n(x0)}" y="{_n(y0)}" width="{_n(w + 4)}" height="{_n(h + 2)}" rx="2" fill="{theme.background}"/>')
            step = size * LINE
            first = edge.label_at[1] - step * (len(shown) - 1) / 2
            if lines:
                c.add(_text_lines(lines, edge.label_at[0], first + step * (len(lines) - 1) / 2, size, theme.edge_label))
            if badge:
                c.add(_text_lines([f"[{badge}]"], edge.label_at[0], first + step * len(lines), size, colour, weight="bold", extra=' class="badge"'))
            c.add("</g>\n")
    c.add("</g>\n")


def _draw_nodes(c: _Canvas, process: Process, geometry: Geometry, theme: Theme, options: RenderOptions, overlay: Overlay, fs: float, link_ext: str) -> None:
    numbers = flow_numbers(process) if options.number else {}
    c.add('<g id="steps" class="steps">\n')
    for step in process.steps:
        box = geometry.nodes.get(step.id)
        if box is None:
            continue
        colours = theme.step(step.type)
        stroke, stroke_w, mark_colour = colours.stroke, 1.3, None
        mark = overlay.step_marks.get(step.id)
        lines = node_lines(step, options)
        if mark:
            mark_colour = theme.marks.get(mark.kind, stroke)
            stroke, stroke_w = mark_colour, 2.6
        href = None
        target = subprocess_target(step, options) if step.type == "subprocess" and step.process else None
        if target:
            href = f"{quote(target, safe='')}.{link_ext}"
        elif safe_link(step.metadata.get("link")):
            href = safe_link(step.metadata.get("link"))
        c.add(f'<g id="{xml_attr("step-" + step.id)}" class="node kamflow-{step.type}">')
        c.add(f"<title>{xml_text(step.id)}</title>")
        if href:
            c.add(f'<a href="{xml_attr(href)}" xlink:href="{xml_attr(href)}">')
        tip = step.label + (f"\n{step.metadata['notes']}" if step.metadata.get("notes") else "")
        c.add(f'<g class="symbol"><title>{xml_text(tip)}</title>')
        path = shapes.symbol_path(step.type, box.cx, box.cy, box.width, box.height, list(box.polygon))
        c.add(f'<path d="{path}" fill="{colours.fill}" stroke="{stroke}" stroke-width="{_n(stroke_w)}"/>')
        extras = shapes.symbol_extras(step.type, box.cx, box.cy, box.width, box.height)
        if extras:
            c.add(f'<path d="{extras}" fill="none" stroke="{stroke}" stroke-width="{_n(stroke_w)}"/>')
        shown = lines + ([f"[{mark.text}]"] if mark and mark.text else [])
        cy = box.cy - shapes.text_centre_offset(step.type, box.height)
        text_colour = colours.text or theme.text
        size = fs
        if mark and mark.text:
            c.add(_text_lines(lines, box.cx, cy - fs * LINE / 2, size, text_colour, extra=' text-decoration="underline"' if href else ""))
            last_y = cy + (len(shown) - 1) / 2 * size * LINE
            c.add(_text_lines([f"[{mark.text}]"], box.cx, last_y, size * 0.9, mark_colour or text_colour, weight="bold", extra=' class="badge"'))
        else:
            c.add(_text_lines(lines, box.cx, cy, size, text_colour, extra=' text-decoration="underline"' if href else ""))
        c.add("</g>")
        if href:
            c.add("</a>")
        if step.id in numbers:
            # on the shape, away from its text: the top-left corner of a box, inside a diamond's
            # left tip, the top of a stadium's left arc
            if step.type == "decision":
                nx, ny = box.cx - box.width / 2 + 10.0, box.cy
            elif step.type in ("start", "end"):
                nx, ny = box.cx - box.width / 2 + min(box.height / 2, box.width / 4), box.cy - box.height / 2
            else:
                nx, ny = box.cx - box.width / 2 + 1.0, box.cy - box.height / 2 + 1.0
            label = str(numbers[step.id])
            r = 7.5 if len(label) < 3 else 9.5
            c.add(f'<g class="number"><circle cx="{_n(nx)}" cy="{_n(ny)}" r="{_n(r)}" fill="{theme.text}" stroke="{theme.background}" stroke-width="1"/>')
            c.add(f'<text x="{_n(nx)}" y="{_n(ny + fs * 0.3)}" font-size="{_n(fs * 0.8)}" font-weight="bold" fill="{theme.background}" text-anchor="middle">{label}</text></g>')
        c.add("</g>\n")
    for ghost in overlay.ghosts:
        box = geometry.nodes.get(ghost.id)
        if box is None:
            continue
        w = theme.warning
        c.add(f'<g id="{xml_attr(ghost.id)}" class="node kamflow-ghost kamflow-ghost-{xml_attr(ghost.kind)}">')
        c.add(f"<title>{xml_text(ghost.label)}</title>")
        step_type = ghost.step_type if ghost.step_type in shapes.DOT_SHAPES else "step"
        path = shapes.symbol_path(step_type, box.cx, box.cy, box.width, box.height, list(box.polygon))
        c.add(f'<path d="{path}" fill="{w.fill}" stroke="{w.stroke}" stroke-width="1.6" stroke-dasharray="6,3"/>')
        c.add(_text_lines(ghost_lines(ghost, options), box.cx, box.cy, fs, w.text or w.stroke, extra=' font-style="italic"'))
        c.add("</g>\n")
    c.add("</g>\n")


_STEP_MARK_TEXTS = {
    "added": "Added step",
    "changed": "Changed step (what changed in the badge)",
    "critical": "Step on the critical path",
    "dead-end": "Dead end: no way on to an end",
    "removed": "Removed step",
}
_FLOW_MARK_TEXTS = {
    "added": "Added flow",
    "changed": "Changed flow (label or probability)",
    "critical": "Flow on the critical path (double line)",
}
_LEGEND_SYMBOL = 40.0  # width of an entry's symbol
_LEGEND_GAP = 8.0  # between the symbol and the text
_LEGEND_SPACE = 26.0  # between entries in a row
_LEGEND_ROW = 32.0
_BADGE_GAP = 5.0  # between an entry's badge and its text


def _legend_items(process: Process, overlay: Overlay, options: RenderOptions) -> list[tuple[str, str, str, str]]:
    """(kind, key, badge, text) of each legend entry: the symbols used, then each kind of ghost,
    dashed flow and mark actually drawn, numbers and links. Texts are generic: a badge shows the
    bracketed word the chart uses, never one step's own details."""
    used = {step.type for step in process.steps}
    items = [("symbol", t, "", shapes.SYMBOL_NAMES[t]) for t in shapes.DOT_SHAPES if t in used]
    ghost_kinds = {g.kind for g in overlay.ghosts}
    if ghost_kinds & {"missing", "dangling"}:
        items.append(("ghost", "missing", "", "Missing step (dashed)"))
    if "removed" in ghost_kinds:
        items.append(("ghost", "removed", "", "Removed step (dashed)"))
    if any(g.after or g.before for g in overlay.ghosts if g.kind != "removed"):
        items.append(("flow", "missing", "", "Flow to or from a missing step (dashed)"))
    if any(g.after or g.before for g in overlay.ghosts if g.kind == "removed") or any(kind == "removed" for *_, kind in overlay.extra_edges):
        items.append(("flow", "removed", "", "Removed flow (dashed)"))
    step_kinds = {m.kind for m in overlay.step_marks.values()}
    edge_kinds = {m.kind for m in overlay.edge_marks.values()}
    badges = {"added": "new", "changed": "changed", "critical": "critical path", "dead-end": "dead end", "removed": "removed"}
    for kind in MARK_KINDS:
        if kind in step_kinds:
            items.append(("mark", kind, badges.get(kind, kind), _STEP_MARK_TEXTS.get(kind, f"{kind} step")))
        if kind in edge_kinds:
            badge = "" if kind == "critical" else badges.get(kind, kind)
            items.append(("edge-mark", kind, badge, _FLOW_MARK_TEXTS.get(kind, f"{kind} flow")))
    if options.number:
        items.append(("number", "", "", "Step number (flow order)"))
    if any(step.type == "subprocess" and subprocess_target(step, options) for step in process.steps) or any(safe_link(s.metadata.get("link")) for s in process.steps):
        items.append(("link", "", "", "Underlined: links to a chart or page"))
    return items


def _legend_width(item: tuple[str, str, str, str], fs: float) -> float:
    _, _, badge, text = item
    size = fs * 0.9
    badge_w = text_width(f"[{badge}]", size, bold=True) + _BADGE_GAP if badge else 0.0
    return _LEGEND_SYMBOL + _LEGEND_GAP + badge_w + text_width(text, size)


def _legend_rows(items, width: float, fs: float) -> list[list[tuple[tuple[str, str, str, str], float]]]:
    """Entries in rows no wider than `width`, each entry as wide as its measured text: (item, x)."""
    rows: list[list] = [[]]
    x = 0.0
    for item in items:
        w = _legend_width(item, fs)
        if rows[-1] and x + w > width:
            rows.append([])
            x = 0.0
        rows[-1].append((item, x))
        x += w + _LEGEND_SPACE
    return rows if rows[0] else []


def _draw_legend(c: _Canvas, rows, theme: Theme, x: float, y: float, fs: float) -> None:
    c.add(f'<g id="legend" class="legend"><text x="{_n(x)}" y="{_n(y + fs)}" font-size="{_n(fs)}" font-weight="bold" fill="{theme.text}">Legend</text>\n')
    size = fs * 0.9
    for row_index, row in enumerate(rows):
        for (kind, key, badge, text), left in row:
            sx, sy = x + left + _LEGEND_SYMBOL / 2 + 2, y + 36 + row_index * _LEGEND_ROW
            w, h = _LEGEND_SYMBOL, 22.0
            c.add(f'<g class="legend-entry legend-{kind}{" legend-" + key if key else ""}">')
            if kind == "symbol":
                colours = theme.step(key)
                c.add(f'<path d="{shapes.symbol_path(key, sx, sy, w, h)}" fill="{colours.fill}" stroke="{colours.stroke}" stroke-width="1.2"/>')
                extras = shapes.symbol_extras(key, sx, sy, w, h)
                if extras:
                    c.add(f'<path d="{extras}" fill="none" stroke="{colours.stroke}" stroke-width="1.2"/>')
            elif kind == "ghost":
                c.add(f'<path d="{shapes.symbol_path("step", sx, sy, w, h)}" fill="{theme.warning.fill}" stroke="{theme.warning.stroke}" stroke-width="1.4" stroke-dasharray="6,3"/>')
            elif kind == "mark":
                c.add(f'<path d="{shapes.symbol_path("step", sx, sy, w, h)}" fill="{theme.background}" stroke="{theme.marks.get(key, theme.text)}" stroke-width="2.6"/>')
            elif kind in ("flow", "edge-mark"):
                colour = theme.warning.stroke if kind == "flow" and key != "removed" else theme.marks.get(key, theme.edge)
                x0, x1 = sx - w / 2, sx + w / 2 - 7
                line = f"M{_n(x0)},{_n(sy)} L{_n(x1)},{_n(sy)}"
                if kind == "flow":
                    c.add(f'<path d="{line}" fill="none" stroke="{colour}" stroke-width="1.2" stroke-dasharray="5,3"/>')
                elif key == "critical":
                    c.add(f'<path d="{line}" fill="none" stroke="{colour}" stroke-width="4.2"/><path d="{line}" fill="none" stroke="{theme.background}" stroke-width="1.4"/>')
                else:
                    c.add(f'<path d="{line}" fill="none" stroke="{colour}" stroke-width="2.4"/>')
                c.add(f'<polygon points="{_n(x1)},{_n(sy - 3.5)} {_n(sx + w / 2)},{_n(sy)} {_n(x1)},{_n(sy + 3.5)}" fill="{colour}" stroke="{colour}"/>')
            elif kind == "number":
                c.add(f'<circle cx="{_n(sx)}" cy="{_n(sy)}" r="7.5" fill="{theme.text}"/><text x="{_n(sx)}" y="{_n(sy + fs * 0.3)}" font-size="{_n(fs * 0.8)}" font-weight="bold" fill="{theme.background}" text-anchor="middle">1</text>')
            elif kind == "link":
                c.add(f'<text x="{_n(sx)}" y="{_n(sy + fs * 0.35)}" font-size="{_n(fs)}" fill="{theme.text}" text-anchor="middle" text-decoration="underline">abc</text>')
            tx = sx + w / 2 + _LEGEND_GAP
            if badge:
                colour = theme.marks.get(key, theme.text)
                c.add(f'<text class="badge" x="{_n(tx)}" y="{_n(sy + fs * 0.35)}" font-size="{_n(size)}" font-weight="bold" fill="{colour}">{xml_text(f"[{badge}]")}</text>')
                tx += text_width(f"[{badge}]", size, bold=True) + _BADGE_GAP
            c.add(f'<text x="{_n(tx)}" y="{_n(sy + fs * 0.35)}" font-size="{_n(size)}" fill="{theme.text}">{xml_text(text)}</text></g>\n')
    c.add("</g>\n")
