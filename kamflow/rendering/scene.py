"""build_scene: process + overlay + options + theme -> the one positioned Scene every writer reads.

The stages, each a function on plain values: what to draw (items and flows, with their wrapped
text and sizes) -> ranks and order (one `dot -Tjson` run, place.py) -> lanes packed to their
content (place.py) -> orthogonal routes, rank spacing and label spots (route.py) -> page
coordinates, lane bands and headers, title block, legend (here)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import quote

import networkx as nx

from kamflow.model.graph import back_edges
from kamflow.model.overlay import MARK_KINDS, Overlay
from kamflow.model.process import Process
from kamflow.model.scene import Badge, Box, Legend, LegendEntry, Point, Scene, SceneFlow, SceneLane, SceneStep, Text, TitleBlock
from kamflow.rendering import shapes
from kamflow.rendering.dot import EDGE_WRAP, edge_badge, layout_dot
from kamflow.rendering.options import RenderOptions
from kamflow.rendering.place import Item, Placement, compact_ranks, find_passages, pack, rank_and_order
from kamflow.rendering.route import NO_TWEAKS, PAGE_SIDE, FlowSpec, Tweaks, loop_channels, place_labels, route
from kamflow.rendering.sizes import LINE, symbol_size, text_size
from kamflow.rendering.text import DECISION_WRAP, text_width, wrap
from kamflow.rendering.themes import Theme
from kamflow.rendering.untangle import Arrangement, untangle

MARGIN = 20.0
ARROW_LENGTH = 8.0
ARROW_HALF_WIDTH = 3.6
UNASSIGNED = "_unassigned"  # the band of steps with no lane, when the chart has lanes
NO_LANE_LABEL = "(no lane)"
TRY_UP_TO = 150  # steps: up to this size a chart is arranged several ways and the best kept
BADGES = {
    "added": "new",
    "changed": "changed",
    "critical": "critical path",
    "dead-end": "dead end",
    "removed": "removed",
    "unreachable": "unreachable",
    "no-exit": "no way out",
    "one-way": "one way out",
}


# what the stages before routing make of one try: the lanes packed, each loop's (lane, side) and
# channel, the flows drawn straight across on one rank
_Placed = tuple[Placement, dict[str, tuple[str | None, str]], dict[str, int], frozenset[str]]


@dataclass
class _Flow:
    id: str
    source: str
    target: str
    kind: str
    label: str | None
    badge: str | None
    mark: str | None
    edge_index: int | None
    ghost_kinds: tuple[str, ...] = ()
    first_branch: bool = True


def build_scene(
    process: Process,
    *,
    overlay: Overlay | None = None,
    options: RenderOptions | None = None,
    theme: Theme,
    direction: str | None = None,
    link_ext: str = "svg",
    timeout: float = 60.0,
    lane_pad: float | None = None,
    rank_gap: float | None = None,
    title: bool = True,
) -> Scene:
    """The positioned scene of a chart. `lane_pad` (room beside steps in a lane), `rank_gap` (the
    least room between ranks) and `title` (a title block above the chart) let exports ask for a
    roomier drawing without a title."""
    from kamflow.rendering.svg import flow_numbers, safe_link, subprocess_target

    overlay = overlay or Overlay()
    options = options or RenderOptions()
    direction = direction or options.direction or process.direction
    fs = theme.font_size
    label_size = round(fs * 0.86, 2)

    # what to draw
    lanes = _lanes(process, overlay)
    lane_ids: list[str | None] = [lane for lane, _, _ in lanes] or [None]
    kinds: dict[str, str] = {}
    texts: dict[str, list[str]] = {}
    badges: dict[str, tuple[Badge, ...]] = {}
    items: dict[str, Item] = {}
    ghost_of: dict[str, str] = {}
    for step in process.steps:
        width = min(options.wrap, DECISION_WRAP) if step.type == "decision" else options.wrap
        lines = wrap(step.label, width)
        mark = overlay.step_marks.get(step.id)
        marks = (Badge(mark.kind, mark.text or BADGES.get(mark.kind, mark.kind)),) if mark else ()
        _add_item(items, kinds, texts, badges, step.id, step.type, _band(process, step.lane, lanes), lines, marks, fs, options.number)
    for ghost in overlay.ghosts:
        step_type = ghost.step_type if ghost.step_type in shapes.DOT_SHAPES else "step"
        width = min(options.wrap, DECISION_WRAP) if step_type == "decision" else options.wrap
        _add_item(items, kinds, texts, badges, ghost.id, step_type, _band(process, ghost.lane, lanes), wrap(ghost.label, width), (), fs, False)
        ghost_of[ghost.id] = ghost.kind
    flows = _flows(process, overlay, items)

    # loops: back edges of the drawn graph, depth-first from the starts in file order
    graph = nx.DiGraph()
    graph.add_nodes_from(items)
    graph.add_edges_from((f.source, f.target) for f in flows)
    starts = [s.id for s in process.steps if s.type == "start"]
    loops = back_edges(graph, starts)
    forward = [(f.id, f.source, f.target) for f in flows if (f.source, f.target) not in loops and f.source != f.target]
    source = layout_dot(
        process.id,
        [(name, item.lane, item.width, item.height) for name, item in items.items()],
        lane_ids if lanes else list[str | None](),
        [(s, t) for _, s, t in forward],
        direction=direction,
    )
    _, spline_of, clusters = rank_and_order(source, items, forward, direction=direction, timeout=timeout)
    specs = []
    for f in flows:
        label_lines = _flow_lines(f, options)
        size = text_size(label_lines, label_size) if label_lines else None
        label = (size[0] + 4, size[1] + 2) if size else None
        specs.append(FlowSpec(f.id, f.source, f.target, (f.source, f.target) in loops or f.source == f.target, f.first_branch, label))
    lane_index: dict[str | None, int] = {lane: index for index, lane in enumerate(lane_ids)}
    header_lines: dict[str | None, list[str]] = {}
    header_size = fs + 1

    def header_cross(lane: str | None, content: float) -> float:
        if not lanes:
            return 0.0
        label = next(text for lid, text, _ in lanes if lid == lane)
        if direction == "TB":
            chars = max(10, min(24, int((content + 14) / (header_size * 0.62))))
            header_lines[lane] = wrap(label, chars)
            return text_size(header_lines[lane], header_size, bold_last=False)[0] * 1.16 + 20
        header_lines[lane] = wrap(label, 16)
        return len(header_lines[lane]) * header_size * LINE + 16

    numbers = flow_numbers(process) if options.number else {}
    graphviz_says = {name: (item.rank, item.cross, item.main) for name, item in items.items()}

    def set_back(at: dict[str, tuple[int, float]], mains: dict[str, float], headers: dict[str | None, list[str]]) -> None:
        """Put the state tries share (the items' positions, the lanes' header lines) as a try left it."""
        for name, (rank, cross) in at.items():
            items[name].rank, items[name].cross, items[name].main = rank, cross, mains[name]
        header_lines.clear()
        header_lines.update(headers)

    def placed(compact: bool, columns: bool, tweaks: Tweaks) -> _Placed:
        """The stages before routing: ranks, passages, loop channels, lanes packed. Items are set
        back to what Graphviz said first, so every try starts alike. They read only the way and
        the tweaks that move steps or loops, so a try that changes only ports or branch sides
        takes what an earlier try made (set back on the items: routing moves them)."""
        key = (compact, columns, tweaks.item_ranks, tweaks.item_swaps, tweaks.loop_sides)
        if key in packed:
            (placement, where, channel_of, flat), at, headers = packed[key]
            set_back(at, {name: said[2] for name, said in graphviz_says.items()}, headers)
            return _own_copy(placement), where, channel_of, flat
        for name, (rank, cross, main) in graphviz_says.items():
            items[name].rank, items[name].cross, items[name].main = rank, cross, main
        flat = frozenset[str]()
        if compact:
            if not swimlane_ranks:  # it reads only what Graphviz said, alike in every try: worked out once
                swimlane_ranks.append((frozenset(compact_ranks(items, forward, lane_ids)), {name: item.rank for name, item in items.items()}))
            flat, ranks = swimlane_ranks[0]
            for name, rank in ranks.items():
                items[name].rank = rank
        for name, rank in tweaks.item_ranks:
            items[name].rank = rank
        for a, b in tweaks.item_swaps:
            items[a].cross, items[b].cross = items[b].cross, items[a].cross
        passages = {} if flat else find_passages(items, forward, spline_of, clusters)
        where, channels, channel_of = loop_channels(items, specs, lane_index, passages, forced=dict(tweaks.loop_sides))
        # a label on a hand-off across lanes sits beside its exit, between the two steps: room for it
        spaced = [
            (spec.source, spec.target, (spec.label[0] if direction == "TB" else spec.label[1]) + 12.0)
            for spec in specs
            if spec.id in flat and spec.label
        ]
        header_lines.clear()
        placement = pack(
            items,
            passages,
            lane_ids,
            direction=direction,
            channels=channels,
            header_cross=header_cross,
            lane_pad=lane_pad,
            columns=columns,
            spaced=spaced,
        )
        at = {name: (item.rank, item.cross) for name, item in items.items()}
        packed[key] = ((_own_copy(placement), where, channel_of, flat), at, dict(header_lines))
        return placement, where, channel_of, flat

    def arrange(compact: bool, columns: bool, tweaks: Tweaks = NO_TWEAKS, cutoff: int | None = None) -> Arrangement:
        """Place and route one way: hand-offs on one rank or not, lanes as columns or as Graphviz
        spread them, plus the untangling search's tweaks. With `cutoff`, a try with that many
        crossings or more is not worth its labels: they are left unplaced."""
        placement, where, channel_of, flat = placed(compact, columns, tweaks)
        header_main = 0.0
        if lanes:
            if direction == "TB":
                header_main = max(len(header_lines[lane]) * header_size * LINE for lane in lane_ids) + 14
            else:
                header_main = max(text_size(header_lines[lane], header_size)[0] * 1.16 for lane in lane_ids) + 22
        routing = route(
            placement,
            specs,
            kinds,
            where=where,
            channel_of=channel_of,
            start_main=header_main,
            rank_gap=rank_gap,
            numbered=frozenset(numbers),
            tweaks=tweaks,
        )
        at = {name: (item.rank, item.cross) for name, item in items.items()}
        done = Arrangement(placement, routing, header_main, where, (compact, columns), tweaks, at, flat)
        done.mains, done.header_lines = {name: item.main for name, item in items.items()}, dict(header_lines)
        if cutoff is None or done.crossings() < cutoff:
            bounds = (0.0, max((b[1] for b in placement.band.values()), default=0.0)) if lanes else None
            done.crowded_labels = place_labels(routing, specs, _flow_space_boxes(items, direction), direction=direction, bounds=bounds)
        latest[:] = [done]
        return done

    latest: list[Arrangement] = []  # the last arrangement made: the items hold its positions
    swimlane_ranks: list[tuple[frozenset[str], dict[str, int]]] = []  # compact_ranks' flat flows and ranks, once made
    # what placed() made of each way and tweaks, with the items' ranks and cross positions and the lanes' header lines it left
    packed: dict[tuple, tuple[_Placed, dict[str, tuple[int, float]], dict[str | None, list[str]]]] = {}

    # A small chart is arranged the ways that suit swimlanes and the one with the fewest crossings
    # (then the least area) is kept, then untangled; a large one is arranged the first way only
    # (each try costs a routing).
    tries = [(True, True), (True, False), (False, True)] if lanes and len(items) <= TRY_UP_TO else [(bool(lanes), True)]
    arranged: list[Arrangement] = []
    for way in tries:  # a way with more crossings than the best so far cannot win: its labels are not placed
        arranged.append(arrange(*way, NO_TWEAKS, min(a.score()[0] for a in arranged) + 1 if arranged else None))
    best = min(arranged, key=lambda a: (a.score(), arranged.index(a)))
    if len(items) <= TRY_UP_TO:
        best = untangle(best, arrange, specs=specs, items=items, kinds=kinds, lane_index=lane_index, direction=direction)
    if best is not latest[0]:  # the items hold the last try: set them as the best one left them
        set_back(best.at, best.mains, best.header_lines)
    placement, routing, header_main = best.placement, best.routing, best.header_main
    boxes_fs = _flow_space_boxes(items, direction)
    # page coordinates
    title_lines = wrap(process.title, 60)
    meta = [f"{label} {value}" for label, value in (("Version", process.version), ("Author", process.author), ("Date", process.date)) if value]
    title_size = fs + 7
    title_h = len(title_lines) * title_size * LINE + (fs * 1.5 if meta else 0) + 14 if title else 0.0
    ox, oy = MARGIN, round(MARGIN + title_h, 2)
    cross_total = max((band[1] for band in placement.band.values()), default=0.0)
    cross_min = 0.0
    if lanes:  # a label that found no room inside widens the outer lane it sticks out of
        label_boxes = [flow.label_box for flow in routing.flows.values() if flow.label_box]
        before = max([0.0] + [4.0 - box[0] for box in label_boxes])
        after = max([0.0] + [box[2] + 4.0 - cross_total for box in label_boxes])
        first, last = lane_ids[0], lane_ids[-1]
        placement.band[first] = (round(placement.band[first][0] - before, 2), placement.band[first][1])
        placement.band[last] = (placement.band[last][0], round(placement.band[last][1] + after, 2))
        cross_min, cross_total = -before, cross_total + after
    main_total = routing.length
    # flow space -> page: the first band starts at the margin, the chart below the title block
    if direction == "TB":
        cross_off, main_off = round(ox - cross_min, 2), oy
    else:
        cross_off, main_off = round(oy - cross_min, 2), ox

    def page(point: Point) -> Point:
        cross, main = point
        return (
            (round(cross_off + cross, 2), round(main_off + main, 2))
            if direction == "TB"
            else (round(main_off + main, 2), round(cross_off + cross, 2))
        )

    def page_box(c0: float, m0: float, c1: float, m1: float) -> Box:
        (x0, y0), (x1, y1) = page((c0, m0)), page((c1, m1))
        return Box(min(x0, x1), min(y0, y1), round(abs(x1 - x0), 2), round(abs(y1 - y0), 2))

    chart_w, chart_h = (cross_total - cross_min, main_total) if direction == "TB" else (main_total, cross_total - cross_min)
    if not lanes:  # no bands: the chart is as wide as what is drawn
        chart_w = max(chart_w, 1.0)
    chart = Box(ox, oy, round(chart_w, 2), round(chart_h, 2))

    steps_out: list[SceneStep] = []
    steps_by_id = process.steps_by_id
    for name, item in items.items():
        box = page_box(*boxes_fs[name])
        step_type = kinds[name]
        lines_ = texts[name]
        step_marks = badges[name]
        cy = box.cy - shapes.text_centre_offset(step_type, box.height)
        shown = len(lines_) + (1 if step_marks else 0)
        first_line = cy - fs * LINE * (shown - 1) / 2
        text_cy = first_line + fs * LINE * (len(lines_) - 1) / 2
        badge_text = (
            Text(
                (" ".join(f"[{b.text}]" for b in step_marks),), box.cx, round(first_line + fs * LINE * len(lines_), 2), round(fs * 0.9, 2), bold=True
            )
            if step_marks
            else None
        )
        source_step = steps_by_id.get(name)
        href, target = None, None
        if source_step is not None:
            target = subprocess_target(source_step, options) if source_step.type == "subprocess" and source_step.process else None
            if target:
                href = f"{quote(target, safe='')}.{link_ext}"
            elif safe_link(source_step.metadata.get("link")):
                href = safe_link(source_step.metadata.get("link"))
        number = numbers.get(name)
        number_at = None
        radius = 7.5 if number is None or number < 100 else 9.5
        if number is not None:
            number_at = _number_spot(step_type, box, radius, text_size(lines_, fs)[0])
        tooltip = (
            (source_step.label + (f"\n{source_step.metadata['notes']}" if source_step.metadata.get("notes") else ""))
            if source_step is not None
            else texts[name][0]
        )
        ghost_text = " ".join(texts[name]) if name in ghost_of else ""
        steps_out.append(
            SceneStep(
                id=name,
                type=step_type,
                box=box,
                text=Text(tuple(lines_), box.cx, round(text_cy, 2), fs, italic=name in ghost_of, underline=href is not None),
                lane=None if not lanes else item.lane,
                ghost=ghost_of.get(name),
                marks=step_marks,
                badge_text=badge_text,
                number=number,
                number_at=number_at,
                number_radius=radius,
                link=href,
                subprocess=target,
                tooltip=tooltip if source_step is not None else ghost_text,
            )
        )

    flows_out: list[SceneFlow] = []
    for f, spec in zip(flows, specs):
        routed = routing.flows[f.id]
        points = tuple(page(p) for p in routed.points)
        label_lines = _flow_lines(f, options)
        flow_label, label_box, badge = None, None, None
        if label_lines and routed.label_box:
            label_box = page_box(*routed.label_box)
            text_lines = wrap(f.label, min(EDGE_WRAP, options.wrap)) if f.label else []
            flow_label = Text(tuple(text_lines + ([f"[{f.badge}]"] if f.badge else [])), label_box.cx, label_box.cy, label_size)
        if f.badge:
            badge = Badge(f.mark or f.kind, f.badge)
        flows_out.append(
            SceneFlow(
                id=f.id,
                source=f.source,
                target=f.target,
                kind=f.kind if not spec.loop or f.kind in ("ghost", "removed") else "loop",
                points=points,
                source_side=PAGE_SIDE[direction][routed.source_side],
                target_side=PAGE_SIDE[direction][routed.target_side],
                arrow=_arrow(points),
                label=flow_label,
                label_box=label_box,
                badge=badge,
                mark=f.mark,
                edge_index=f.edge_index,
                ghost_kinds=f.ghost_kinds,
            )
        )

    lanes_out: list[SceneLane] = []
    for index, (lane, lane_label, declared) in enumerate(lanes):
        c0, c1 = placement.band[lane]
        band = page_box(c0, 0.0, c1, main_total)
        header = page_box(c0, 0.0, c1, header_main)
        lines_ = header_lines.get(lane) or [lane_label]
        lanes_out.append(
            SceneLane(
                lane,
                lane_label,
                index,
                band,
                header,
                Text(tuple(lines_), header.cx, header.cy, header_size, bold=True, italic=not declared),
                declared,
            )
        )

    page_width = chart.right + MARGIN
    height = chart.bottom + MARGIN
    title_w = max([text_width(line, title_size, bold=True) for line in title_lines] + [text_width("  ·  ".join(meta), fs * 0.95)])
    page_width = max(page_width, MARGIN * 2 + title_w)
    legend = None
    if options.legend:
        legend = _legend(process, overlay, options, flows_out, steps_out, x=MARGIN, y=chart.bottom + 16, width=max(chart.width, 480.0), fs=fs)
        if legend is not None:
            height = legend.box.bottom + MARGIN
            page_width = max(page_width, legend.box.right + MARGIN)
    title_text = Text(tuple(title_lines), MARGIN, round(MARGIN + title_size * 0.85, 2), title_size, bold=True)
    meta_text = (
        Text(
            ("  ·  ".join(meta),), MARGIN, round(MARGIN + title_size * 0.85 + len(title_lines) * title_size * LINE + fs * 0.2, 2), round(fs * 0.95, 2)
        )
        if meta
        else None
    )
    return Scene(
        process_id=process.id,
        title=process.title,
        description=process.description or process.title,
        direction=direction,
        width=round(page_width, 2),
        height=round(height, 2),
        chart=chart,
        title_block=TitleBlock(title_text, meta_text),
        steps=tuple(steps_out),
        lanes=tuple(lanes_out),
        flows=tuple(flows_out),
        legend=legend,
        font_family=theme.font_family,
        font_size=fs,
        rounded=(options.edges or theme.edge_style) == "rounded",
    )


def _own_copy(placement: Placement) -> Placement:
    """A placement whose ranks and bands a later try can change (routing sorts the ranks) without
    changing this one."""
    return replace(placement, ranks=[list(m) for m in placement.ranks], band=dict(placement.band))


def _flow_space_boxes(items: dict[str, Item], direction: str) -> dict[str, tuple[float, float, float, float]]:
    boxes = {}
    for name, item in items.items():
        cross_size, main_size = item.extent(direction)
        boxes[name] = (item.cross - cross_size / 2, item.main - main_size / 2, item.cross + cross_size / 2, item.main + main_size / 2)
    return boxes


def _add_item(items, kinds, texts, badges, name, step_type, lane, lines, marks, fs, numbered) -> None:
    text_w, text_h = text_size(lines, fs)
    if marks:
        badge_w = text_width(" ".join(f"[{b.text}]" for b in marks), fs * 0.9, bold=True)
        text_w, text_h = max(text_w, badge_w), text_h + fs * LINE
    width, height = symbol_size(step_type, text_w, text_h)
    if numbered and step_type == "decision":
        width, height = symbol_size(step_type, text_w + 40.0, text_h)  # room for the badge left of the text
    elif numbered:
        width += 12.0  # the number badge sits in the top-left corner, clear of the text
    items[name] = Item(name, lane, width, height)
    kinds[name] = step_type
    texts[name] = lines
    badges[name] = marks


def _number_spot(step_type: str, box: Box, radius: float, text_w: float) -> Point:
    """The number badge: in the top-left corner, clear of the text and of every port (ports sit
    around the sides' middles); in a diamond, just left of its text, well inside the left tip."""
    if step_type == "decision":
        return (round(box.cx - text_w / 2 - 12.0, 2), round(box.cy, 2))
    if step_type in ("start", "end"):
        return (round(box.x + box.height * 0.5, 2), round(box.y + 1.0, 2))
    return (round(box.x + radius + 2.0, 2), round(box.y + 2.0, 2))  # astride the top edge, left of every port


def _lanes(process: Process, overlay: Overlay) -> list[tuple[str, str, bool]]:
    """(band id, header text, declared) of every band in order: declared lanes, then each lane a
    step names but nobody declared ("<id> (undeclared)"), then a band for steps with no lane."""
    if not process.lanes:
        return []
    bands = [(lane.id, lane.label, True) for lane in process.lanes]
    declared = process.lanes_by_id
    extra: list[str] = []
    loose = False
    for lane in [s.lane for s in process.steps] + [g.lane for g in overlay.ghosts]:
        if lane is None:
            loose = True
        elif lane not in declared and lane not in extra:
            extra.append(lane)
    bands += [(lane, f"{lane} (undeclared)", False) for lane in extra]
    if loose:
        bands.append((UNASSIGNED, NO_LANE_LABEL, False))
    return bands


def _band(process: Process, lane: str | None, lanes: list[tuple[str, str, bool]]) -> str | None:
    if not lanes:
        return None
    if lane is not None and any(lane == lid for lid, _, _ in lanes):
        return lane
    return UNASSIGNED


def _flows(process: Process, overlay: Overlay, items: dict[str, Item]) -> list[_Flow]:
    """Every flow drawn, in file order: flows between steps (a pair once), extra flows (removed in
    a diff), flows to and from ghosts."""
    flows: list[_Flow] = []
    seen: set[tuple[str, str]] = set()
    branches_seen: set[str] = set()
    for index, edge in enumerate(process.edges):
        pair = (edge.source, edge.target)
        if edge.target not in items or pair in seen:
            continue
        seen.add(pair)
        mark = overlay.edge_marks.get(pair)
        badge = edge_badge(overlay, edge.source, edge.target)
        first = True
        if edge.kind == "branch":
            first = edge.source not in branches_seen
            branches_seen.add(edge.source)
        flows.append(
            _Flow(
                f"flow-{edge.source}-{edge.target}",
                edge.source,
                edge.target,
                edge.kind,
                edge.label,
                badge,
                mark.kind if mark else None,
                index,
                first_branch=first,
            )
        )
    for source, target, label, kind in overlay.extra_edges:
        if source in items and target in items:
            flows.append(
                _Flow(
                    f"extra-{source}-{target}",
                    source,
                    target,
                    "removed" if kind == "removed" else kind,
                    label,
                    edge_badge(overlay, source, target, kind),
                    kind,
                    None,
                )
            )
    for ghost in overlay.ghosts:
        for source in ghost.after:
            if source in items:
                flows.append(
                    _Flow(
                        f"ghost-flow-{source}-{ghost.id}",
                        source,
                        ghost.id,
                        "ghost",
                        ghost.flow_label(source, ghost.id),
                        None,
                        None,
                        None,
                        (ghost.kind,),
                    )
                )
        for target in ghost.before:
            if target in items:
                flows.append(
                    _Flow(
                        f"ghost-flow-{ghost.id}-{target}",
                        ghost.id,
                        target,
                        "ghost",
                        ghost.flow_label(ghost.id, target),
                        None,
                        None,
                        None,
                        (ghost.kind,),
                    )
                )
    return flows


def _flow_lines(flow: _Flow, options: RenderOptions) -> list[str]:
    lines = wrap(flow.label, min(EDGE_WRAP, options.wrap)) if flow.label else []
    return lines + ([f"[{flow.badge}]"] if flow.badge else [])


def _arrow(points: tuple[Point, ...]) -> tuple[Point, Point, Point]:
    """The arrowhead along the last segment: wing, tip, wing."""
    (x0, y0), (x1, y1) = points[-2], points[-1]
    length = max(abs(x1 - x0) + abs(y1 - y0), 1e-9)
    dx, dy = (x1 - x0) / length, (y1 - y0) / length
    bx, by = x1 - dx * ARROW_LENGTH, y1 - dy * ARROW_LENGTH
    return (
        (round(bx - dy * ARROW_HALF_WIDTH, 2), round(by + dx * ARROW_HALF_WIDTH, 2)),
        (x1, y1),
        (round(bx + dy * ARROW_HALF_WIDTH, 2), round(by - dx * ARROW_HALF_WIDTH, 2)),
    )


_STEP_MARK_TEXTS = {
    "added": "Added step",
    "changed": "Changed step (what changed in the badge)",
    "critical": "Step on the critical path",
    "dead-end": "Dead end: no way on to an end",
    "removed": "Removed step",
    "unreachable": "Unreachable: no start leads here",
    "no-exit": "Loop with no way out to an end",
    "one-way": "Decision with only one way out",
}
_FLOW_MARK_TEXTS = {
    "added": "Added flow",
    "changed": "Changed flow (label or probability)",
    "critical": "Flow on the critical path (double line)",
}
LEGEND_SYMBOL = 40.0
LEGEND_GAP = 8.0
LEGEND_SPACE = 26.0
LEGEND_ROW = 32.0
BADGE_GAP = 5.0


def _legend(
    process: Process,
    overlay: Overlay,
    options: RenderOptions,
    flows: list[SceneFlow],
    steps: list[SceneStep],
    *,
    x: float,
    y: float,
    width: float,
    fs: float,
) -> Legend | None:
    """The legend: the symbols used, then each kind of ghost, dashed flow and mark actually drawn,
    numbers and links, in rows no wider than the chart. Texts are generic."""
    used = {s.type for s in steps if s.ghost is None}
    entries: list[tuple[str, str, str, str]] = [("symbol", t, "", shapes.SYMBOL_NAMES[t]) for t in shapes.DOT_SHAPES if t in used]
    ghost_kinds = {s.ghost for s in steps if s.ghost}
    if ghost_kinds & {"missing", "dangling"}:
        entries.append(("ghost", "missing", "", "Missing step (dashed)"))
    if "removed" in ghost_kinds:
        entries.append(("ghost", "removed", "", "Removed step (dashed)"))
    if any(f.kind == "ghost" and "removed" not in f.ghost_kinds for f in flows):
        entries.append(("flow", "missing", "", "Flow to or from a missing step (dashed)"))
    if any(f.kind == "ghost" and "removed" in f.ghost_kinds for f in flows) or any(f.kind == "removed" for f in flows):
        entries.append(("flow", "removed", "", "Removed flow (dashed)"))
    step_kinds = {b.kind for s in steps for b in s.marks}
    edge_kinds = {f.mark for f in flows if f.mark}
    for kind in MARK_KINDS:
        if kind in step_kinds:
            entries.append(("mark", kind, BADGES.get(kind, kind), _STEP_MARK_TEXTS.get(kind, f"{kind} step")))
        if kind in edge_kinds and kind != "removed":
            badge = "" if kind == "critical" else BADGES.get(kind, kind)
            entries.append(("edge-mark", kind, badge, _FLOW_MARK_TEXTS.get(kind, f"{kind} flow")))
    if options.number:
        entries.append(("number", "", "", "Step number (flow order)"))
    if any(s.link for s in steps):
        entries.append(("link", "", "", "Underlined: links to a chart or page"))
    if not entries:
        return None
    size = fs * 0.9
    placed: list[LegendEntry] = []
    row, left, right = 0, 0.0, 0.0
    for kind, key, badge, text in entries:
        w = LEGEND_SYMBOL + LEGEND_GAP + (text_width(f"[{badge}]", size, bold=True) + BADGE_GAP if badge else 0.0) + text_width(text, size)
        if left and left + w > width:
            row, left = row + 1, 0.0
        placed.append(LegendEntry(kind, key, badge, text, round(x + left + 2, 2), round(y + 36 + row * LEGEND_ROW, 2)))
        right = max(right, left + w)
        left += w + LEGEND_SPACE
    box = Box(x, y, round(right + 4, 2), round((row + 1) * LEGEND_ROW + 32, 2))
    return Legend(box, Text(("Legend",), x, round(y + fs, 2), fs, bold=True), tuple(placed), LEGEND_SYMBOL)
