"""Build the DOT source that Graphviz lays a chart out from. All DOT quoting and escaping lives in
this module: user text only ever reaches DOT through `_text`, so a label can never become HTML-like
label markup, a Graphviz escape (\\N, \\G, \\l ...) or an attribute.

The DOT is for layout: Graphviz sizes every node around its wrapped text and places nodes and
flows; kamflow draws the chart itself from the positions (see svg.py). Swimlanes are made to come
out as side-by-side bands in declared order:
- each lane is a cluster holding its steps, a header node and a foot node;
- the header nodes share one rank, above every step (each lane's steps without an incoming flow
  hang from their lane's header by an invisible edge), and invisible flat edges between them fix
  the lanes' order along that rank;
- the foot nodes share one rank below every step (steps without an outgoing flow lead to them);
so every lane cluster spans all ranks, clusters cannot overlap, and they sit side by side in order.
Graphviz breaks cycles by a depth-first search from the first nodes, the lane headers, so a flow
that closes a loop is the one turned around and drawn back up, never a header's edge.
"""

from __future__ import annotations

import graphviz
from graphviz import quoting

from kamflow.model.overlay import Overlay
from kamflow.model.process import Process, Step
from kamflow.rendering.options import RenderOptions
from kamflow.rendering.shapes import DOT_SHAPES
from kamflow.rendering.text import _NOT_XML, DECISION_WRAP, DEFAULT_WRAP, wrap

FONT = "DejaVu Sans"
WRAP_WIDTH = DEFAULT_WRAP
EDGE_WRAP = 18
UNASSIGNED = "_unassigned"  # lane id of the band for steps without a (declared) lane; not a valid id
UNASSIGNED_LABEL = "(no lane)"
HEAD = "kamflow:head:"  # node names with a colon cannot clash with step or ghost ids
FOOT = "kamflow:foot:"


def _text(text: str, *, width: int = WRAP_WIDTH) -> str:
    """User text as a quoted DOT string, wrapped into centred lines."""
    return lines_text(wrap(text, width))


def lines_text(lines: list[str]) -> str:
    # Characters XML cannot hold become U+FFFD, as in the SVG; a NUL would end Graphviz's string.
    return quoting.quote(graphviz.nohtml("\\n".join(graphviz.escape(_NOT_XML.sub("\ufffd", line)) for line in lines)))


def _plain(value: str) -> str:
    """A kamflow-chosen value (colour, shape name, validated id) as a DOT string."""
    return quoting.quote(graphviz.nohtml(value))


def _attrs(items: dict[str, str]) -> str:
    return ", ".join(f"{key}={value}" for key, value in items.items())


def node_id(step_id: str) -> str:
    return _plain(step_id)


def node_width(options: RenderOptions, step_type: str) -> int:
    """The wrap width of a step's label: decisions wrap narrower so the diamond stays compact."""
    return min(options.wrap, DECISION_WRAP) if step_type == "decision" else options.wrap


def node_lines(step: Step, options: RenderOptions) -> list[str]:
    return wrap(step.label, node_width(options, step.type))


# Flows whose meaning a colour shows also get a text badge under their label (critical flows are
# drawn with a double line instead: a badge on every flow of the path would crowd the chart).
EDGE_BADGE_KINDS = ("added", "changed", "removed", "dead-end")


def edge_badge(overlay: Overlay, source: str, target: str, kind: str | None = None) -> str | None:
    """The badge text of a flow: its edge mark's (or an extra edge's kind's) text, if any."""
    mark = overlay.edge_marks.get((source, target))
    if kind is None and mark is not None and mark.kind in EDGE_BADGE_KINDS:
        return mark.text or mark.kind
    if kind in EDGE_BADGE_KINDS:
        return kind
    return None


def edge_lines(label: str | None, badge: str | None, options: RenderOptions) -> list[str]:
    """The lines of a flow's label: the wrapped label, then the badge in brackets."""
    lines = wrap(label, min(EDGE_WRAP, options.wrap)) if label else []
    return lines + ([f"[{badge}]"] if badge else [])


def lane_groups(process: Process, overlay: Overlay) -> list[tuple[str, str]]:
    """(lane id, header text) for every band in order: declared lanes, then a band for steps
    without a declared lane when there is at least one declared lane. No lanes, no bands."""
    if not process.lanes:
        return []
    groups = [(lane.id, lane.label) for lane in process.lanes]
    loose = any(step.lane not in process.lanes_by_id for step in process.steps)
    loose = loose or any(g.lane not in process.lanes_by_id for g in overlay.ghosts)
    if loose:
        groups.append((UNASSIGNED, UNASSIGNED_LABEL))
    return groups


def lane_of(process: Process, lane: str | None) -> str:
    return lane if lane in process.lanes_by_id else UNASSIGNED


def header_width(direction: str) -> int:
    return 16 if direction == "LR" else 20


def build_dot(
    process: Process,
    *,
    direction: str | None = None,
    overlay: Overlay | None = None,
    options: RenderOptions | None = None,
    font: str = FONT,
    font_size: float = 11.0,
) -> str:
    """The DOT source for a process; deterministic for the same process and options."""
    from kamflow.model.graph import back_edges, start_ids

    overlay = overlay or Overlay()
    options = options or RenderOptions()
    rankdir = direction or options.direction or process.direction
    size = f"{font_size:g}"
    out = [f"digraph {_plain(process.id)} {{"]
    graph_attrs = {
        "rankdir": rankdir,
        "newrank": "true",
        "nodesep": "0.32",
        "ranksep": "0.42",
        "pad": "0",
        "fontname": _plain(font),
        "id": _plain(f"process-{process.id}"),
    }
    out.append(f"  graph [{_attrs(graph_attrs)}]")
    out.append(f"  node [fontname={_plain(font)}, fontsize={size}, penwidth=1.2]")
    out.append(f"  edge [fontname={_plain(font)}, fontsize={font_size * 0.86:.3g}, arrowsize=0.8]")

    groups = lane_groups(process, overlay)
    members: dict[str, list[str]] = {lane: [] for lane, _ in groups}
    step_lines = []
    for step in process.steps:
        line = _node_line(step, options, overlay)
        if groups:
            members[lane_of(process, step.lane)].append(line)
        else:
            step_lines.append(line)
    for ghost in overlay.ghosts:
        line = _ghost_line(ghost, options)
        if groups:
            members[lane_of(process, ghost.lane)].append(line)
        else:
            step_lines.append(line)

    for lane, header_label in groups:
        out.append(f"  subgraph {_plain('cluster_lane_' + lane)} {{")
        out.append(f"    graph [id={_plain('lane-' + lane)}, margin=10, peripheries=0]")
        head = {
            "label": _text(header_label, width=header_width(rankdir)),
            "shape": "box",
            "fontname": _plain(f"{font} Bold"),
            "fontsize": f"{font_size + 1:g}",
            "margin": _plain("0.16,0.08"),
            "style": "invis",
        }
        out.append(f"    {_plain(HEAD + lane)} [{_attrs(head)}]")
        out.extend("    " + line for line in members[lane])
        out.append(f"    {_plain(FOOT + lane)} [shape=point, width=0.01, height=0.01, style=invis]")
        out.append("  }")
    out.extend("  " + line for line in step_lines)

    # flows, in file order; a pair drawn once; loops closed without constraining ranks
    known = process.steps_by_id
    loops = back_edges(process.graph, start_ids(process))
    drawn: set[tuple[str, str]] = set()
    has_in: set[str] = set()
    has_out: set[str] = set()
    for edge in process.edges:
        pair = (edge.source, edge.target)
        if edge.target not in known or pair in drawn:
            continue
        drawn.add(pair)
        attrs = {"id": _plain(f"flow-{edge.source}-{edge.target}")}
        lines = edge_lines(edge.label, edge_badge(overlay, edge.source, edge.target), options)
        if lines:
            attrs["label"] = lines_text(lines)
        if pair not in loops:
            has_in.add(edge.target)
            has_out.add(edge.source)
        out.append(f"  {node_id(edge.source)} -> {node_id(edge.target)} [{_attrs(attrs)}]")
    for source, target, label, kind in overlay.extra_edges:
        attrs = {"id": _plain(f"extra-{source}-{target}"), "constraint": "false"}
        lines = edge_lines(label, edge_badge(overlay, source, target, kind), options)
        if lines:
            attrs["label"] = lines_text(lines)
        out.append(f"  {_plain(source)} -> {_plain(target)} [{_attrs(attrs)}]")
    for ghost in overlay.ghosts:
        for source in ghost.after:
            out.append(f"  {_plain(source)} -> {_plain(ghost.id)} [{_ghost_flow_attrs(ghost, source, ghost.id, options)}]")
            has_in.add(ghost.id)
            has_out.add(source)
        for target in ghost.before:
            out.append(f"  {_plain(ghost.id)} -> {_plain(target)} [{_ghost_flow_attrs(ghost, ghost.id, target, options)}]")
            has_out.add(ghost.id)
            has_in.add(target)

    if groups:
        hidden = "style=invis, weight=0"
        heads = [_plain(HEAD + lane) for lane, _ in groups]
        feet = [_plain(FOOT + lane) for lane, _ in groups]
        out.append(f"  {{rank=same; {'; '.join(heads)}}}")
        out.append(f"  {{rank=same; {'; '.join(feet)}}}")
        if len(heads) > 1:
            out.append(f"  {' -> '.join(heads)} [style=invis, weight=100]")
        items = [(s.id, lane_of(process, s.lane)) for s in process.steps] + [(g.id, lane_of(process, g.lane)) for g in overlay.ghosts]
        for item, lane in items:
            if item not in has_in:
                out.append(f"  {_plain(HEAD + lane)} -> {_plain(item)} [{hidden}]")
            if item not in has_out:
                out.append(f"  {_plain(item)} -> {_plain(FOOT + lane)} [{hidden}]")
    out.append("}")
    return "\n".join(out) + "\n"


def _node_line(step: Step, options: RenderOptions, overlay: Overlay) -> str:
    attrs = {key: _plain(value) for key, value in DOT_SHAPES[step.type].items()}
    lines = node_lines(step, options)
    if step.id in overlay.step_marks and overlay.step_marks[step.id].text:
        lines = lines + [f"[{overlay.step_marks[step.id].text}]"]
    attrs["label"] = lines_text(lines)
    attrs["id"] = _plain(f"step-{step.id}")
    return f"{node_id(step.id)} [{_attrs(attrs)}]"


def ghost_lines(ghost, options: RenderOptions) -> list[str]:
    return wrap(ghost.label, min(options.wrap, DECISION_WRAP) if ghost.step_type == "decision" else options.wrap)


def _ghost_line(ghost, options: RenderOptions) -> str:
    attrs = {key: _plain(value) for key, value in DOT_SHAPES.get(ghost.step_type, DOT_SHAPES["step"]).items()}
    attrs["label"] = lines_text(ghost_lines(ghost, options))
    attrs["id"] = _plain(ghost.id)
    return f"{_plain(ghost.id)} [{_attrs(attrs)}]"


def _ghost_flow_attrs(ghost, source: str, target: str, options: RenderOptions) -> str:
    attrs = {"id": _plain(f"ghost-flow-{source}-{target}")}
    label = ghost.flow_label(source, target)
    if label:
        attrs["label"] = _text(label, width=min(EDGE_WRAP, options.wrap))
    return _attrs(attrs)


def layout_dot(
    name: str, items: list[tuple[str, str | None, float, float]], lanes: list[str | None], flows: list[tuple[str, str]], *, direction: str
) -> str:
    """The DOT Graphviz ranks and orders a chart from: every step and ghost as a box of the size
    kamflow measured (no text: nothing a user wrote reaches this DOT but ids, quoted), lanes as
    clusters held in declared order by a row of header nodes, forward flows only (loops are
    routed by kamflow in channels beside the lanes)."""
    out = [f"digraph {_plain(name)} {{"]
    out.append(f"  graph [rankdir={direction}, newrank=true, nodesep=0.45, ranksep=0.5, pad=0, splines=true]")
    out.append('  node [shape=box, fixedsize=true, label=""]')
    has_in = {t for _, t in flows}
    members: dict[str | None, list[str]] = {lane: [] for lane in lanes}
    for item, lane, width, height in items:
        line = f"{_plain(item)} [width={width / 72:.4f}, height={height / 72:.4f}]"
        members.setdefault(lane, []).append(line) if lanes else out.append("  " + line)
    for lane in lanes:
        out.append(f"  subgraph {_plain('cluster_lane_' + str(lane))} {{")
        out.append("    graph [margin=8, peripheries=0]")
        out.append(f"    {_plain(HEAD + str(lane))} [width=0.1, height=0.1]")
        out.extend("    " + line for line in members.get(lane, []))
        out.append("  }")
    for source, target in flows:
        out.append(f"  {_plain(source)} -> {_plain(target)}")
    if lanes:
        heads = [_plain(HEAD + str(lane)) for lane in lanes]
        out.append(f"  {{rank=min; {'; '.join(heads)}}}")
        if len(heads) > 1:
            out.append(f"  {' -> '.join(heads)} [style=invis, weight=100]")
        for item, lane, _, _ in items:
            if item not in has_in:
                out.append(f"  {_plain(HEAD + str(lane))} -> {_plain(item)} [style=invis, weight=0]")
    out.append("}")
    return "\n".join(out) + "\n"
