"""draw.io / diagrams.net files (.drawio, or .xml with `<mxfile>`) -> the import IR.

Every page (`<diagram>`) is one process, plain or compressed (base64 of raw-deflated, URL-encoded
XML; the expanded size is bounded). Shapes are read by their style:
  rhombus, flowchart decision, BPMN gateways, EPC connectors -> decision (a parallel gateway ->
  parallel); terminators, ellipses, BPMN events -> start when nothing flows in, end when nothing
  flows out (else a step, with a note); document; data (parallelogram, flowchart data, cylinder,
  database, stored data); manual (manual input, manual operation, trapezoid); wait (delay);
  subprocess (predefined process); anything else -> step.
Swimlane containers are lanes (a pool holding lanes gives its lanes; the pool's name is the
title); `horizontal=0` lanes (the name at the left, bands across) make the process LR. HTML labels
become plain text. Edge labels come from the edge's value or its label children; free-standing text
is attached to the nearest unlabelled edge (with a note). Edges that miss an end are notes.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import urllib.parse
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from kamflow.errors import LoadError, Problem, Span
from kamflow.loader import yamlsrc
from kamflow.loader.imports.ir import Flow, Lane, Node, Source, SourceProcess, collapse, readable_id
from kamflow.loader.imports.xmltree import Element, parse_xml

NEAR_EDGE = 80.0
MAX_PAIRS = 2_000_000  # free texts x edges compared at most  # how far (px) free text may sit from an edge to count as its label


class _Text(HTMLParser):
    """Text of an HTML label: tags dropped, <br>/<div>/<p>/<li> as line breaks, entities decoded."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "div", "p", "li", "tr"):
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def label_text(value: str | None, style: dict[str, str]) -> str | None:
    if not value:
        return None
    if style.get("html") == "1":
        parser = _Text()
        parser.feed(value)
        parser.close()
        value = "".join(parser.parts)
    return collapse(value)


def parse_style(text: str | None) -> dict[str, str]:
    """`rhombus;whiteSpace=wrap;html=1;` -> {"": "rhombus", "whiteSpace": "wrap", "html": "1"}."""
    style: dict[str, str] = {}
    for index, part in enumerate((text or "").split(";")):
        part = part.strip()
        if not part:
            continue
        if "=" in part:
            key, _, value = part.partition("=")
            style[key.strip()] = value.strip()
        elif index == 0 or "" not in style:
            style.setdefault("", part)
    return style


@dataclass
class _Cell:
    id: str
    value: str | None
    style: dict[str, str]
    parent: str | None
    vertex: bool
    edge: bool
    source: str | None
    target: str | None
    element: Element
    x: float = 0.0
    y: float = 0.0
    width: float = 0.0
    height: float = 0.0
    points: list[tuple[float, float]] = field(default_factory=list)
    source_point: tuple[float, float] | None = None
    target_point: tuple[float, float] | None = None


def read_drawio(data: bytes, shown: str) -> Source:
    root = parse_xml(data, shown)
    source = Source(shown, "drawio")
    if root.tag == "mxGraphModel":
        pages = [(root, root, "Page-1", "page-1", False)]
    elif root.tag == "mxfile":
        pages = []
        for index, diagram in enumerate(root.findall("diagram"), 1):
            name = diagram.get("name") or f"Page-{index}"
            model = diagram.find("mxGraphModel")
            if model is None:
                model = _expand(diagram, shown)
                if model is None:
                    source.note(diagram.span(shown), f"page {name!r} is empty; skipped")
                    continue
                pages.append((model, diagram, name, diagram.get("id") or f"page-{index}", True))
            else:
                pages.append((model, diagram, name, diagram.get("id") or f"page-{index}", False))
    else:
        raise LoadError([Problem(root.span(shown), f"not a draw.io file: the root element is {root.tag!r}, not 'mxfile'")])
    if len(pages) == 1 and re.fullmatch(r"Page-\d+", pages[0][2]):  # the default name says nothing: use the file's
        model, diagram, _, _, compressed = pages[0]
        pages = [(model, diagram, Path(shown).stem, Path(shown).stem, compressed)]
    for model, diagram, name, key, compressed in pages:
        process = _Page(source, model, diagram, name, key, compressed).read()
        if process is not None:
            source.processes.append(process)
    if not source.processes:
        raise LoadError([Problem(root.span(shown), "no diagram content: no page has a shape")])
    return source


def _expand(diagram: Element, shown: str) -> Element | None:
    """A compressed page: base64 -> raw deflate (bounded) -> URL-decoding -> XML."""
    text = "".join(diagram.text.split())
    if not text:
        return None
    where = diagram.span(shown)
    try:
        packed = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise LoadError([Problem(where, "a compressed draw.io page that is not valid base64")]) from None
    limit = yamlsrc.max_bytes()
    inflater = zlib.decompressobj(-15)
    try:
        raw = inflater.decompress(packed, limit + 1)
    except zlib.error as error:
        raise LoadError([Problem(where, f"a compressed draw.io page that does not inflate: {error}")]) from None
    if len(raw) > limit or inflater.unconsumed_tail:
        raise LoadError(
            [Problem(where, f"a compressed draw.io page expands to more than {limit} bytes (set {yamlsrc.MAX_BYTES_ENV} to raise the limit)")]
        )
    try:
        xml_text = urllib.parse.unquote(raw.decode("ascii" if raw.isascii() else "utf-8"), errors="strict")
    except UnicodeError:
        raise LoadError([Problem(where, "a compressed draw.io page that is not URL-encoded UTF-8 text")]) from None
    try:
        model = parse_xml(xml_text.encode("utf-8"), shown)
    except LoadError as error:
        first = error.problems[0]
        raise LoadError(
            [
                Problem(
                    where,
                    f"in the compressed page {diagram.get('name')!r} (line {first.span.line}, column {first.span.column} of its XML): "
                    + first.message,
                )
            ]
        ) from None
    if model.tag != "mxGraphModel":
        raise LoadError([Problem(where, f"a compressed draw.io page holding {model.tag!r}, not 'mxGraphModel'")])
    return model


_TERMINATORS = ("terminator", "ellipse", "doubleEllipse", "start_1", "start_2", "mxgraph.flowchart.on-page_reference")


def _shape(style: dict[str, str]) -> str:
    """A cell style -> a kamflow step type, or `terminator`, `text`, `lane`."""
    first = style.get("", "")
    shape = style.get("shape", first)
    name = shape.rsplit(".", 1)[-1].lower()
    if first in ("text", "edgeLabel") or shape == "text":
        return "text"
    if first == "swimlane" or shape in ("swimlane", "mxgraph.bpmn.pool", "pool", "table", "tableRow"):
        return "lane"
    if "gateway" in name or style.get("symbol", "").endswith("Gw"):
        return "parallel" if style.get("gwType") == "parallel" or style.get("symbol") == "parallelGw" else "decision"
    if first == "rhombus" or name in ("rhombus", "decision", "or", "summing_function", "xor"):
        return "decision"
    if name in ("document", "multi-document", "multidocument", "paper_tape"):
        return "document"
    if name in (
        "parallelogram",
        "data",
        "cylinder",
        "cylinder3",
        "database",
        "stored_data",
        "datastorage",
        "direct_data",
        "internal_storage",
        "sequential_data",
    ):
        return "data"
    if name in ("manual_input", "manualinput", "manual_operation", "trapezoid", "card"):
        return "manual"
    if name in ("delay",):
        return "wait"
    if name in ("process", "predefined_process") and shape != "rect":
        return "subprocess"
    if (
        style.get("shape") == "mxgraph.bpmn.shape"
        or name in ("terminator", "start_1", "start_2", "ellipse", "doubleellipse", "endevent", "startevent")
        or first in ("ellipse", "doubleEllipse")
    ):
        outline = style.get("outline", "")
        if outline in ("end", "eventEnd"):
            return "end"
        if outline in ("catching", "throwing", "boundInt", "boundNonint"):
            return "wait"
        return "terminator"
    return "step"


class _Page:
    def __init__(self, source: Source, model: Element, diagram: Element, name: str, key: str, compressed: bool):
        self.source, self.model, self.diagram, self.name, self.key, self.compressed = source, model, diagram, name, key, compressed
        self.shown = source.path
        self.cells: dict[str, _Cell] = {}

    def span(self, cell: _Cell | None = None) -> Span:
        if cell is None or self.compressed:
            return self.diagram.span(self.shown)
        return cell.element.span(self.shown)

    def note(self, cell: _Cell | None, message: str) -> None:
        where = f"page {self.name!r}, cell {cell.id!r}: " if cell is not None and self.compressed else ""
        self.source.note(self.span(cell), where + message)

    def read(self) -> SourceProcess | None:
        root = self.model.find("root")
        if root is None:
            return None
        for element in root.children:
            cell = self.cell(element)
            if cell is not None and cell.id not in self.cells:
                self.cells[cell.id] = cell
        self.absolute()
        vertices = [c for c in self.cells.values() if c.vertex]
        if not vertices:
            self.note(None, f"page {self.name!r} has no shapes; skipped")
            return None
        kinds = {c.id: _shape(c.style) for c in vertices}
        edge_parent = {c.id for c in self.cells.values() if c.edge}
        for cell in vertices:
            if cell.parent in edge_parent:
                kinds[cell.id] = "edge-label"
        process = SourceProcess(key=self.key, title=self.name, span=self.span(), direction="TB")
        lanes = self.lanes(kinds, process)
        edges = [c for c in self.cells.values() if c.edge]
        steps = {cid for cid, kind in kinds.items() if kind not in ("lane", "text", "edge-label")}
        for cell in vertices:
            kind = kinds[cell.id]
            if kind in ("edge-label", "text", "lane"):
                continue
            label = label_text(cell.value, cell.style)
            hint = cell.id[5:] if cell.id.startswith("step-") and readable_id(cell.id[5:]) else None
            node = Node(key=cell.id, type=kind, label=label, span=self.span(cell), lane=self.lane_of(cell, lanes), id_hint=hint)
            process.nodes.append(node)
        labels = self.edge_labels(edges, vertices, kinds)
        for edge in edges:
            source, target = edge.source, edge.target
            if source not in steps or target not in steps:
                missing = "source" if source not in steps else "target"
                what = "nothing" if not (source if missing == "source" else target) else "a shape that is not a step"
                self.note(edge, f"an edge whose {missing} is {what} (a dangling edge); not imported")
                continue
            start_arrow, end_arrow = edge.style.get("startArrow", "none"), edge.style.get("endArrow", "classic")
            if end_arrow == "none" and start_arrow not in ("none", ""):
                source, target = target, source
                self.note(edge, "an edge with its arrowhead at the start: read from the arrowhead's end")
            elif end_arrow == "none":
                self.note(edge, "an edge without an arrowhead: read from its source to its target")
            process.flows.append(Flow(source, target, labels.get(edge.id), self.span(edge)))
        self.terminators(process)
        return process

    def cell(self, element: Element) -> _Cell | None:
        if element.tag in ("UserObject", "object"):
            inner = element.find("mxCell")
            if inner is None:
                return None
            value = element.get("label")
            cell_id = element.get("id") or ""
            base = inner
        elif element.tag == "mxCell":
            value = element.get("value")
            cell_id = element.get("id") or ""
            base = element
        else:
            return None
        cell = _Cell(
            id=cell_id,
            value=value,
            style=parse_style(base.get("style")),
            parent=base.get("parent"),
            vertex=base.get("vertex") == "1",
            edge=base.get("edge") == "1",
            source=base.get("source"),
            target=base.get("target"),
            element=element,
        )
        geometry = base.find("mxGeometry")
        if geometry is not None:
            cell.x, cell.y = _num(geometry.get("x")), _num(geometry.get("y"))
            cell.width, cell.height = _num(geometry.get("width")), _num(geometry.get("height"))
            for point in geometry.children:
                if point.tag == "mxPoint" and point.get("as") == "sourcePoint":
                    cell.source_point = (_num(point.get("x")), _num(point.get("y")))
                elif point.tag == "mxPoint" and point.get("as") == "targetPoint":
                    cell.target_point = (_num(point.get("x")), _num(point.get("y")))
                elif point.tag == "Array":
                    cell.points = [(_num(p.get("x")), _num(p.get("y"))) for p in point.children if p.tag == "mxPoint"]
        return cell

    def absolute(self) -> None:
        """Vertex geometry is relative to the parent vertex: make it absolute (parents first)."""
        done: dict[str, tuple[float, float]] = {}

        def origin(cell_id: str | None, depth: int = 0) -> tuple[float, float]:
            cell = self.cells.get(cell_id or "")
            if cell is None or not cell.vertex or depth > 100:
                return 0.0, 0.0
            if cell.id not in done:
                px, py = origin(cell.parent, depth + 1)
                done[cell.id] = (px + cell.x, py + cell.y)
            return done[cell.id]

        for cell in self.cells.values():
            if cell.vertex:
                cell.x, cell.y = origin(cell.id)
        for cell in self.cells.values():
            if cell.edge:
                ox, oy = origin(cell.parent)
                cell.points = [(x + ox, y + oy) for x, y in cell.points]

    def lanes(self, kinds: dict[str, str], process: SourceProcess) -> dict[str, str]:
        """Lane cell id -> lane key; pools holding lanes give their lanes and their name as title."""
        lane_cells = [c for c in self.cells.values() if c.vertex and kinds.get(c.id) == "lane"]
        children = {c.id: [d for d in lane_cells if d.parent == c.id] for c in lane_cells}
        result: dict[str, str] = {}
        pools = [c for c in lane_cells if children[c.id]]
        leaves = [c for c in lane_cells if not children[c.id]]
        if len(pools) == 1 and label_text(pools[0].value, pools[0].style):
            process.title = label_text(pools[0].value, pools[0].style) or process.title
        for lane in sorted(leaves, key=lambda c: (c.x, c.y) if c.style.get("horizontal") != "0" else (c.y, c.x)):
            label = label_text(lane.value, lane.style)
            if not label:
                label = f"Lane {len(process.lanes) + 1}"
                self.note(lane, f"a lane without a name is called {label!r}")
            process.lanes.append(Lane(lane.id, label, self.span(lane)))
            result[lane.id] = lane.id
        horizontal = [c.style.get("horizontal") == "0" for c in leaves]
        if horizontal and sum(horizontal) * 2 > len(horizontal):
            process.direction = "LR"
        for pool in pools:
            self.note(pool, f"pool {label_text(pool.value, pool.style) or pool.id!r} holds lanes: its lanes are imported, the pool names the process")
        return result

    def lane_of(self, cell: _Cell, lanes: dict[str, str]) -> str | None:
        parent, depth = cell.parent, 0
        while parent and depth < 100:
            if parent in lanes:
                return lanes[parent]
            parent_cell = self.cells.get(parent)
            parent = parent_cell.parent if parent_cell is not None else None
            depth += 1
        cx, cy = cell.x + cell.width / 2, cell.y + cell.height / 2
        for lane_id in lanes:
            lane = self.cells[lane_id]
            if lane.x <= cx <= lane.x + lane.width and lane.y <= cy <= lane.y + lane.height:
                return lanes[lane_id]
        return None

    def edge_labels(self, edges: list[_Cell], vertices: list[_Cell], kinds: dict[str, str]) -> dict[str, str]:
        labels: dict[str, str] = {}
        for edge in edges:
            text = label_text(edge.value, edge.style)
            if text:
                labels[edge.id] = text
        for cell in vertices:
            if kinds[cell.id] == "edge-label":
                text = label_text(cell.value, cell.style)
                if text and cell.parent:
                    labels[cell.parent] = f"{labels[cell.parent]} {text}" if cell.parent in labels else text
        # Free text: every (text, unlabelled edge) pair by distance, edges out of a decision first;
        # the closest pairs are taken, each text and each edge once (greedy matching).
        texts = [c for c in vertices if kinds[c.id] == "text" and label_text(c.value, c.style)]
        paths = {e.id: self.edge_path(e) for e in edges if e.id not in labels}
        decisions = {cid for cid, kind in kinds.items() if kind == "decision"}
        pairs = []
        if len(texts) * max(1, len(paths)) > MAX_PAIRS:
            for cell in texts:
                self.note(
                    cell,
                    f"free text {label_text(cell.value, cell.style)!r} is not matched to an edge: the page has too many texts and edges to compare",
                )
            return labels
        for cell in texts:
            centre = (cell.x + cell.width / 2, cell.y + cell.height / 2)
            for edge in edges:
                path = paths.get(edge.id)
                if not path or len(path) < 2:
                    continue
                distance = min(_segment_distance(centre, a, b) for a, b in zip(path, path[1:]))
                if distance <= NEAR_EDGE:
                    pairs.append((edge.source not in decisions, distance, cell.id, edge.id))
        used_texts: set[str] = set()
        for _, distance, text_id, edge_id in sorted(pairs):
            if text_id in used_texts or edge_id in labels:
                continue
            cell = self.cells[text_id]
            labels[edge_id] = label_text(cell.value, cell.style) or ""
            used_texts.add(text_id)
            self.note(cell, f"free text {labels[edge_id]!r} is read as the label of the edge {distance:.0f} px away")
        for cell in texts:
            if cell.id not in used_texts:
                self.note(cell, f"free text {label_text(cell.value, cell.style)!r} is near no unlabelled edge; not imported")
        return labels

    def edge_path(self, edge: _Cell) -> list[tuple[float, float]]:
        """The edge's route, roughly as draw.io draws it: from the exit point on the source (its
        centre, or exitX/exitY) through the waypoints to the entry point, with the elbow of
        elbow and orthogonal edge styles (horizontal first when the edge leaves sideways)."""

        def end_point(cell_id: str | None, fallback, fx: str, fy: str):
            cell = self.cells.get(cell_id or "")
            if cell is None or not cell.vertex:
                return fallback
            rx = _num(edge.style.get(fx)) if fx in edge.style else 0.5
            ry = _num(edge.style.get(fy)) if fy in edge.style else 0.5
            return (cell.x + rx * cell.width, cell.y + ry * cell.height)

        start = end_point(edge.source, edge.source_point, "exitX", "exitY")
        end = end_point(edge.target, edge.target_point, "entryX", "entryY")
        if start is None or end is None:
            return [p for p in [start, *edge.points, end] if p is not None]
        style = edge.style.get("edgeStyle", "")
        if style not in ("elbowEdgeStyle", "orthogonalEdgeStyle", "segmentEdgeStyle"):
            return [start, *edge.points, end]
        route = [start]
        sideways = edge.style.get("elbow") == "horizontal" or _num(edge.style.get("exitX", "0.5")) in (0.0, 1.0) and "exitX" in edge.style
        if edge.style.get("elbow") == "vertical":
            sideways = False
        for point in [*edge.points, end]:
            last = route[-1]
            corner = (point[0], last[1]) if sideways else (last[0], point[1])
            route.extend([corner, point])
            sideways = not sideways
        return route

    def terminators(self, process: SourceProcess) -> None:
        incoming = {f.target for f in process.flows}
        outgoing = {f.source for f in process.flows}
        for node in process.nodes:
            if node.type != "terminator":
                continue
            if node.key not in incoming and node.key in outgoing:
                node.type = "start"
            elif node.key in incoming and node.key not in outgoing:
                node.type = "end"
            elif node.key not in incoming and node.key not in outgoing:
                node.type = "start"
                self.note(self.cells[node.key], f"terminator {node.label or node.key!r} has no flows: imported as a start")
            else:
                node.type = "step"
                self.note(self.cells[node.key], f"terminator {node.label or node.key!r} has flows in and out: imported as a step")


def _num(text: str | None) -> float:
    try:
        value = float(text) if text else 0.0
    except ValueError:
        return 0.0
    return value if math.isfinite(value) else 0.0


def _segment_distance(p, a, b) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))
