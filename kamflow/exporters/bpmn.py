"""BPMN 2.0 XML with diagram interchange (DI): what bpmn.io, Camunda and Signavio open.

Mapping (kamflow step type -> BPMN element):
  start -> startEvent, end -> endEvent, step -> task, manual -> manualTask,
  decision -> exclusiveGateway (its outgoing sequence flows carry the branch labels as names),
  parallel -> parallelGateway (a split or a join; a parallel step that several flows enter and that
  also splits gets the exclusive join in front, as below: write a join and a split as two steps),
  subprocess -> callActivity (calledElement = Process_<linked id>), wait -> intermediateCatchEvent
  with a timer, document / data -> a task (the step of the flow) whose dataOutputAssociation points
  to a dataObjectReference (the document or data it produces: its `outputs`, else its label); the
  task carries `kamflow:type="document"` (or "data", namespace urn:kamflow:bpmn) for `kamflow import`.
Two additions keep the diagram clean BPMN (bpmnlint's recommended rules, warnings included): a step
that several flows enter gets an unnamed joining exclusiveGateway in front of it (a gateway must not
join and fork; a task must not join implicitly), and a step with several outgoing flows forks
through a parallelGateway.

One participant (the process title) holds the process; each kamflow lane is a BPMN lane whose
flowNodeRefs list its steps. Ids are derived from kamflow ids (which are valid XML names), so they
are XML-safe and stay the same from export to export: Process_<id>, Lane_<id>, Activity_<step>,
Event_<step>, Gateway_<step>, Flow_<source>__<target>, DataObjectReference_<step> ...

Geometry comes from the Layout the api computes with Graphviz: shapes keep their layout centre
(events 36x36, gateways 50x50, data objects 36x50, activities at least 100x56), sequence flows follow the layout's edge paths,
lanes are the layout's bands behind a 30-unit header, and the participant encloses them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from kamflow.exporters._xmltext import xml_safe
from kamflow.model.layout import Box, Layout, Point
from kamflow.model.numbers import number as _num
from kamflow.model.process import Process, Step

NS = {
    "xmlns:bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "xmlns:bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "xmlns:dc": "http://www.omg.org/spec/DD/20100524/DC",
    "xmlns:di": "http://www.omg.org/spec/DD/20100524/DI",
    "xmlns:kamflow": "urn:kamflow:bpmn",
}
HEADER = 30.0  # width of the participant's and of each lane's name strip
EVENT, GATEWAY, DATA, ACTIVITY = (36.0, 36.0), (50.0, 50.0), (36.0, 50.0), (100.0, 56.0)
_ELEMENTS = {
    "start": "startEvent",
    "end": "endEvent",
    "step": "task",
    "manual": "manualTask",
    "decision": "exclusiveGateway",
    "subprocess": "callActivity",
    "wait": "intermediateCatchEvent",
    "parallel": "parallelGateway",
    "document": "task",
    "data": "task",
}
_PREFIX = {"startEvent": "Event", "endEvent": "Event", "intermediateCatchEvent": "Event", "exclusiveGateway": "Gateway", "parallelGateway": "Gateway"}
_ACTIVITIES = {"task", "manualTask", "callActivity"}


class _Node:
    """One BPMN flow node being built: its element name, id, shape box and flows."""

    def __init__(self, element: str, node_id: str, box: Box, name: str | None, step: Step | None, lane: str | None):
        self.element, self.id, self.box, self.name, self.step, self.lane = element, node_id, box, name, step, lane
        self.incoming: list[str] = []
        self.outgoing: list[str] = []


class _Flow:
    def __init__(self, flow_id: str, source: _Node, target: _Node, name: str | None, points: list[Point]):
        self.id, self.source, self.target, self.name, self.points = flow_id, source, target, name, points


def to_bpmn(process: Process, layout: Layout) -> str:
    """The process as a BPMN 2.0 XML document with DI; deterministic for the same input."""
    return _Builder(process, layout).build()


class _Builder:
    def __init__(self, process: Process, layout: Layout):
        self.process = process
        self.horizontal = layout.direction == "LR"
        self.layout = layout.moved(2 * HEADER, 0.0) if self.horizontal else layout.moved(0.0, 2 * HEADER)
        self.nodes: dict[str, _Node] = {}  # by step id, plus join/fork gateways by their own ids
        self.extra: list[_Node] = []
        self.flows: list[_Flow] = []
        self.taken: set[str] = set()

    # -- ids -------------------------------------------------------------------------------
    def new_id(self, base: str) -> str:
        candidate, n = base, 2
        while candidate in self.taken:
            candidate, n = f"{base}_{n}", n + 1
        self.taken.add(candidate)
        return candidate

    # -- the graph -------------------------------------------------------------------------
    def build(self) -> str:
        pid = self.process.id
        self.taken.update(
            {f"Definitions_{pid}", f"Collaboration_{pid}", f"Participant_{pid}", f"Process_{pid}", f"LaneSet_{pid}", f"Diagram_{pid}", f"Plane_{pid}"}
        )
        for step in self.process.steps:
            element = _ELEMENTS[step.type]
            lane = step.lane if step.lane in self.process.lanes_by_id else None
            node_id = self.new_id(f"{_PREFIX.get(element, 'Activity')}_{step.id}")
            self.nodes[step.id] = _Node(element, node_id, self.shape_box(element, self.layout.nodes[step.id]), step.label, step, lane)
        self.sequence_flows()
        return self.serialize()

    def shape_box(self, element: str, box: Box) -> Box:
        if element.endswith("Event"):
            return box.centered_box(*EVENT)
        if element.endswith("Gateway"):
            return box.centered_box(*GATEWAY)
        # bpmn.io writes 12px labels inside activities: give them room for three lines.
        return box.centered_box(max(box.width, ACTIVITY[0]), max(box.height, ACTIVITY[1]))

    def sequence_flows(self) -> None:
        """kamflow edges -> sequence flows: unknown targets left out, flows between the same pair
        merged (their labels joined), then joins before decisions and forks after steps added."""
        merged: dict[tuple[str, str], tuple[list[str], list[Point]]] = {}
        for index, edge in enumerate(self.process.edges):
            if edge.target not in self.nodes:
                continue
            path = self.layout.edge_for(index)
            points = list(path.points) if path else []
            labels, _ = merged.setdefault((edge.source, edge.target), ([], points))
            if edge.label and edge.label not in labels:
                labels.append(edge.label)
        incoming: dict[str, int] = {}
        outgoing: dict[str, int] = {}
        for source, target in merged:
            outgoing[source] = outgoing.get(source, 0) + 1
            incoming[target] = incoming.get(target, 0) + 1
        joins: dict[str, _Node] = {}
        forks: dict[str, _Node] = {}
        for step in self.process.steps:
            node = self.nodes[step.id]
            # a parallel step is its own join, unless it also forks (a gateway must not do both):
            # then the flows entering it (a loop back, typically) meet at an exclusive join first
            if incoming.get(step.id, 0) > 1 and (step.type != "parallel" or outgoing.get(step.id, 0) > 1):
                joins[step.id] = self.add_gateway("exclusiveGateway", f"Gateway_join_{step.id}", node, before=True)
            if step.type not in ("decision", "end", "parallel") and outgoing.get(step.id, 0) > 1:
                forks[step.id] = self.add_gateway("parallelGateway", f"Gateway_fork_{step.id}", node, before=False)
        for step_id, join in joins.items():
            self.add_flow(join, self.nodes[step_id], None, [])
        for step_id, fork in forks.items():
            self.add_flow(self.nodes[step_id], fork, None, [])
        for (source, target), (labels, points) in merged.items():
            start = forks.get(source, self.nodes[source])
            end = joins.get(target, self.nodes[target])
            avoid = [self.layout.nodes[source]] if source in forks else []
            if target in joins:
                avoid.append(_union(self.layout.nodes[target], end.box))
            self.add_flow(start, end, " / ".join(labels) or None, points, avoid)

    def add_gateway(self, element: str, base: str, beside: _Node, *, before: bool) -> _Node:
        """A gateway on the main axis just before (join) or after (fork) a node's layout box."""
        assert beside.step is not None  # gateways sit beside steps
        box = self.layout.nodes[beside.step.id]
        cx, cy = box.center
        gap = GATEWAY[0] / 2 + 22
        if self.horizontal:
            cx = box.x - gap if before else box.right + gap
        else:
            cy = box.y - gap if before else box.bottom + gap
        node = _Node(element, self.new_id(base), Box(cx - GATEWAY[0] / 2, cy - GATEWAY[1] / 2, *GATEWAY), None, None, beside.lane)
        self.extra.append(node)
        return node

    def add_flow(self, source: _Node, target: _Node, name: str | None, points: list[Point], avoid: list[Box] | tuple[Box, ...] = ()) -> None:
        flow_id = self.new_id(f"Flow_{_flow_part(source)}__{_flow_part(target)}")
        inner = [
            p
            for p in points
            if not source.box.contains(p, margin=1) and not target.box.contains(p, margin=1) and not any(b.contains(p, margin=2) for b in avoid)
        ]
        if not inner:  # a short hop (to a join, from a fork): straight, or one corner
            inner = [] if _aligned(source.box, target.box) else [_corner(source.box, target.box)]
        head = _attach(source.box, inner[0] if inner else target.box.center)
        tail = _attach(target.box, inner[-1] if inner else source.box.center)
        waypoints = head + inner + tail[::-1]
        source.outgoing.append(flow_id)
        target.incoming.append(flow_id)
        self.flows.append(_Flow(flow_id, source, target, name, waypoints))

    # -- XML -------------------------------------------------------------------------------
    def serialize(self) -> str:
        pid = self.process.id
        root = ET.Element(
            "bpmn:definitions",
            {**NS, "id": f"Definitions_{pid}", "targetNamespace": f"urn:kamflow:{pid}", "exporter": "kamflow", "exporterVersion": "1"},
        )
        collaboration = ET.SubElement(root, "bpmn:collaboration", {"id": f"Collaboration_{pid}"})
        ET.SubElement(
            collaboration, "bpmn:participant", {"id": f"Participant_{pid}", "name": xml_safe(self.process.title), "processRef": f"Process_{pid}"}
        )
        proc = ET.SubElement(root, "bpmn:process", {"id": f"Process_{pid}", "isExecutable": "false"})
        if self.process.lanes:
            lane_set = ET.SubElement(proc, "bpmn:laneSet", {"id": f"LaneSet_{pid}"})
            self.lane_ids = {}
            for lane in self.process.lanes:
                lane_id = self.new_id(f"Lane_{lane.id}")
                self.lane_ids[lane.id] = lane_id
                element = ET.SubElement(lane_set, "bpmn:lane", {"id": lane_id, "name": xml_safe(lane.label)})
                for node in self.all_nodes():
                    if node.lane == lane.id:
                        ET.SubElement(element, "bpmn:flowNodeRef").text = node.id
        data_objects: list[tuple[_Node, str, str, str]] = []
        for node in self.all_nodes():
            attrs = {"id": node.id}
            if node.name is not None:
                attrs["name"] = xml_safe(node.name)
            if node.element == "callActivity" and node.step is not None and node.step.process and _is_id(node.step.process):
                attrs["calledElement"] = f"Process_{node.step.process}"
            if node.step is not None and node.step.type in ("document", "data"):
                attrs["kamflow:type"] = node.step.type  # what BPMN has no task for; `kamflow import` reads it back
            element = ET.SubElement(proc, f"bpmn:{node.element}", attrs)
            for flow_id in node.incoming:
                ET.SubElement(element, "bpmn:incoming").text = flow_id
            for flow_id in node.outgoing:
                ET.SubElement(element, "bpmn:outgoing").text = flow_id
            if node.element == "intermediateCatchEvent" and node.step is not None:
                ET.SubElement(element, "bpmn:timerEventDefinition", {"id": self.new_id(f"TimerEventDefinition_{node.step.id}")})
            if node.step is not None and node.step.type in ("document", "data") and node.element in _ACTIVITIES:
                ref_id = self.new_id(f"DataObjectReference_{node.step.id}")
                object_id = self.new_id(f"DataObject_{node.step.id}")
                association = ET.SubElement(element, "bpmn:dataOutputAssociation", {"id": self.new_id(f"DataOutputAssociation_{node.step.id}")})
                ET.SubElement(association, "bpmn:targetRef").text = ref_id
                data_objects.append((node, ref_id, object_id, association.get("id", "")))
        for flow in self.flows:
            attrs = {"id": flow.id, "sourceRef": flow.source.id, "targetRef": flow.target.id}
            if flow.name:
                attrs["name"] = xml_safe(flow.name)
            ET.SubElement(proc, "bpmn:sequenceFlow", attrs)
        for node, ref_id, object_id, _ in data_objects:
            assert node.step is not None  # data objects belong to steps
            outputs = node.step.metadata.get("outputs") or []
            name = "; ".join(outputs) if outputs else node.step.label
            ET.SubElement(proc, "bpmn:dataObject", {"id": object_id})
            ET.SubElement(proc, "bpmn:dataObjectReference", {"id": ref_id, "name": xml_safe(name), "dataObjectRef": object_id})
        self.diagram(root, data_objects)
        ET.indent(root, space="  ")
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

    def all_nodes(self) -> list[_Node]:
        return list(self.nodes.values()) + self.extra

    def diagram(self, root: ET.Element, data_objects) -> None:
        pid = self.process.id
        diagram = ET.SubElement(root, "bpmndi:BPMNDiagram", {"id": f"Diagram_{pid}"})
        plane = ET.SubElement(diagram, "bpmndi:BPMNPlane", {"id": f"Plane_{pid}", "bpmnElement": f"Collaboration_{pid}"})
        bands = [band for band in self.layout.lanes]
        first, last = bands[0].box, bands[-1].box
        if self.horizontal:
            pool = Box(0.0, first.y, first.right, last.bottom - first.y)
        else:
            pool = Box(first.x, 0.0, last.right - first.x, first.bottom)
        orientation = {"isHorizontal": "true" if self.horizontal else "false"}
        self.shape(plane, f"Participant_{pid}", pool, orientation)
        for band in bands:
            if band.lane is None or band.lane not in getattr(self, "lane_ids", {}):
                continue
            box = band.box
            lane_box = Box(HEADER, box.y, box.right - HEADER, box.height) if self.horizontal else Box(box.x, HEADER, box.width, box.bottom - HEADER)
            self.shape(plane, self.lane_ids[band.lane], lane_box, orientation)
        placed = [node.box for node in self.all_nodes()]
        for node in self.all_nodes():
            attrs = {"isMarkerVisible": "true"} if node.element == "exclusiveGateway" else {}
            self.shape(plane, node.id, node.box, attrs)
        for node, ref_id, _, association_id in data_objects:
            box = self.data_box(node, placed)
            placed.append(box)
            self.shape(plane, ref_id, box, {})
            self.edge(plane, association_id, [node.box.boundary_toward(box.center), box.boundary_toward(node.box.center)], None)
        for flow in self.flows:
            self.edge(plane, flow.id, flow.points, flow)

    def data_box(self, node: _Node, placed: list[Box]) -> Box:
        """Beside its step, across the flow: the nearest spot inside the step's band that hits no
        other shape; when there is none, the spot that overlaps least."""
        band = self.layout.band_of(node.lane)
        width, height = DATA
        cx, cy = node.box.center
        candidates = []
        for shift in (0.0, -1.0, 1.0, -2.0, 2.0):
            if self.horizontal:
                x = cx - width / 2 + shift * (node.box.width / 2 + 24)
                candidates += [Box(x, node.box.bottom + 8, width, height), Box(x, node.box.y - 8 - height, width, height)]
            else:
                y = cy - height / 2 + shift * (node.box.height / 2 + 24)
                candidates += [Box(node.box.right + 8, y, width, height), Box(node.box.x - 8 - width, y, width, height)]
        if band is not None:
            inside = [c for c in candidates if band.box.contains((c.x, c.y)) and band.box.contains((c.right, c.bottom))]
            candidates = inside or [_clamped(c, band.box) for c in candidates]
        return min(candidates, key=lambda c: sum(_overlap_area(c, other) for other in placed))  # first of the least overlapping

    def shape(self, plane: ET.Element, element_id: str, box: Box, attrs: dict) -> None:
        shape = ET.SubElement(plane, "bpmndi:BPMNShape", {"id": f"{element_id}_di", "bpmnElement": element_id, **attrs})
        ET.SubElement(shape, "dc:Bounds", _bounds(box))

    def edge(self, plane: ET.Element, element_id: str, points: list[Point], flow: _Flow | None) -> None:
        edge = ET.SubElement(plane, "bpmndi:BPMNEdge", {"id": f"{element_id}_di", "bpmnElement": element_id})
        for x, y in points:
            ET.SubElement(edge, "di:waypoint", {"x": _num(x), "y": _num(y)})
        if flow is not None and flow.name:
            mid = points[len(points) // 2]
            lines = flow.name.count("\n") + 1
            label = Box(mid[0] + 4, mid[1] - 7 * lines, min(120.0, 7.0 * max(len(line) for line in flow.name.split("\n"))), 14.0 * lines)
            ET.SubElement(ET.SubElement(edge, "bpmndi:BPMNLabel"), "dc:Bounds", _bounds(label))


def _flow_part(node: _Node) -> str:
    return node.step.id if node.step is not None else node.id.removeprefix("Gateway_")


def _is_id(text: str) -> bool:
    return text.replace("_", "a").replace("-", "a").isalnum() and text[:1].isalpha() and text.isascii()


def _aligned(a: Box, b: Box) -> bool:
    return abs(a.cx - b.cx) < 0.5 or abs(a.cy - b.cy) < 0.5


def _corner(a: Box, b: Box) -> Point:
    """The elbow of a one-corner route between two boxes: along the longer distance first."""
    return (a.cx, b.cy) if abs(b.cy - a.cy) > abs(b.cx - a.cx) else (b.cx, a.cy)


def _attach(box: Box, toward: Point) -> list[Point]:
    """Where an orthogonal flow meets a box on its way to `toward`: straight out of the side that
    faces it when it lies within the box's span, else out of the box's middle with one corner."""
    tx, ty = toward
    if box.x <= tx <= box.right and not box.y <= ty <= box.bottom:
        return [(tx, box.bottom if ty > box.bottom else box.y)]
    if box.y <= ty <= box.bottom and not box.x <= tx <= box.right:
        return [(box.right if tx > box.right else box.x, ty)]
    if abs(ty - box.cy) >= abs(tx - box.cx):
        return [(box.cx, box.bottom if ty > box.cy else box.y), (box.cx, ty)]
    return [(box.right if tx > box.cx else box.x, box.cy), (tx, box.cy)]


def _union(a: Box, b: Box) -> Box:
    x, y = min(a.x, b.x), min(a.y, b.y)
    return Box(x, y, max(a.right, b.right) - x, max(a.bottom, b.bottom) - y)


def _overlap_area(a: Box, b: Box) -> float:
    return max(0.0, min(a.right, b.right) - max(a.x, b.x)) * max(0.0, min(a.bottom, b.bottom) - max(a.y, b.y))


def _clamped(box: Box, inside: Box) -> Box:
    x = min(max(box.x, inside.x), inside.right - box.width)
    y = min(max(box.y, inside.y), inside.bottom - box.height)
    return Box(x, y, box.width, box.height)


def _bounds(box: Box) -> dict[str, str]:
    return {"x": _num(box.x), "y": _num(box.y), "width": _num(box.width), "height": _num(box.height)}
