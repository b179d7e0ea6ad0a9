"""An uncompressed draw.io / diagrams.net file (mxGraph XML) with the Graphviz layout's geometry.

Structure: <mxfile><diagram><mxGraphModel><root> with the two standard cells "0" (root) and "1"
(the default layer); each lane is a swimlane container cell on layer "1" (horizontal bands with the
name at the left for LR, columns with the name on top for TB); each step is a vertex whose parent
is its lane, with geometry relative to the lane; each flow is an edge cell on layer "1" with source,
target, its label as value and the layout's path as waypoints (absolute, since layer "1" sits at 0,0).

Labels are plain text (`html=0` in every style), so a label can never become markup; ElementTree
escapes them as XML attribute values (newlines as &#10;, which draw.io shows as line breaks).
Cell ids: lane-<lane id>, step-<step id>, flow-<n>-<source>-<target> (n: the flow's position).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from kamflow.exporters._xmltext import xml_safe
from kamflow.model.layout import Box, Layout
from kamflow.model.numbers import number as _num
from kamflow.model.process import Process

HEADER = 30.0
_TEXT = "whiteSpace=wrap;html=0;fontFamily=Helvetica;fontSize=11;"
STYLES = {
    "start": "shape=mxgraph.flowchart.terminator;strokeWidth=2;fillColor=#d9ead3;" + _TEXT,
    "end": "shape=mxgraph.flowchart.terminator;strokeWidth=3;fillColor=#f4cccc;" + _TEXT,
    "step": "rounded=0;fillColor=#ffffff;" + _TEXT,
    "decision": "rhombus;fillColor=#fff2cc;" + _TEXT,
    "subprocess": "shape=process;backgroundOutline=1;fillColor=#cfe2f3;" + _TEXT,
    "document": "shape=document;boundedLbl=1;size=0.2;fillColor=#ffffff;" + _TEXT,
    "data": "shape=parallelogram;perimeter=parallelogramPerimeter;fixedSize=1;size=12;fillColor=#ffffff;" + _TEXT,
    "manual": "shape=trapezoid;perimeter=trapezoidPerimeter;fixedSize=1;size=12;flipV=1;fillColor=#ffffff;" + _TEXT,
    "wait": "shape=delay;fillColor=#eeeeee;" + _TEXT,
    "parallel": "shape=mxgraph.bpmn.gateway2;gwType=parallel;fillColor=#ffffff;" + _TEXT,
}
LANE_STYLE = "swimlane;startSize=30;html=0;fillColor=#f3f6fa;strokeColor=#9aa9bb;fontStyle=1;"
# orthogonal: diagrams.net keeps the elbows right-angled when a box is moved
EDGE_STYLE = "edgeStyle=orthogonalEdgeStyle;rounded=0;orthogonalLoop=1;endArrow=block;endFill=1;html=0;labelBackgroundColor=#ffffff;fontSize=10;"


def to_drawio(process: Process, layout: Layout) -> str:
    """The process as a .drawio file; deterministic for the same input."""
    horizontal = layout.direction == "LR"
    layout = layout.moved(HEADER, 0.0) if horizontal else layout.moved(0.0, HEADER)
    mxfile = ET.Element("mxfile", {"host": "kamflow", "type": "device"})
    diagram = ET.SubElement(mxfile, "diagram", {"id": f"kamflow-{process.id}", "name": xml_safe(process.title or process.id)})
    model = ET.SubElement(
        diagram,
        "mxGraphModel",
        {
            "grid": "1",
            "gridSize": "10",
            "guides": "1",
            "tooltips": "1",
            "connect": "1",
            "arrows": "1",
            "fold": "1",
            "page": "1",
            "pageScale": "1",
            "pageWidth": _num(layout.width),
            "pageHeight": _num(layout.height),
            "math": "0",
            "shadow": "0",
        },
    )
    root = ET.SubElement(model, "root")
    ET.SubElement(root, "mxCell", {"id": "0"})
    ET.SubElement(root, "mxCell", {"id": "1", "parent": "0"})
    lane_boxes: dict[str, Box] = {}
    for lane in process.lanes:
        band = layout.band_of(lane.id)
        if band is None:
            continue
        b = band.box
        box = Box(b.x - HEADER, b.y, b.width + HEADER, b.height) if horizontal else Box(b.x, b.y - HEADER, b.width, b.height + HEADER)
        lane_boxes[lane.id] = box
        style = LANE_STYLE + ("horizontal=0;" if horizontal else "")
        _cell(root, f"lane-{lane.id}", xml_safe(lane.label), style, "1", box, vertex=True)
    for step in process.steps:
        box = layout.nodes[step.id]
        parent = "1"
        if step.lane in lane_boxes:
            lane_box = lane_boxes[step.lane]
            box = Box(box.x - lane_box.x, box.y - lane_box.y, box.width, box.height)
            parent = f"lane-{step.lane}"
        _cell(root, f"step-{step.id}", xml_safe(step.label), STYLES[step.type], parent, box, vertex=True)
    known = process.steps_by_id
    for index, edge in enumerate(process.edges):
        if edge.target not in known:
            continue
        cell = ET.SubElement(
            root,
            "mxCell",
            {
                "id": f"flow-{index + 1}-{edge.source}-{edge.target}",
                "value": xml_safe(edge.label or ""),
                "style": EDGE_STYLE,
                "edge": "1",
                "parent": "1",
                "source": f"step-{edge.source}",
                "target": f"step-{edge.target}",
            },
        )
        geometry = ET.SubElement(cell, "mxGeometry", {"relative": "1", "as": "geometry"})
        path = layout.edge_for(index)
        if path is not None and len(path.points) >= 2:
            ET.SubElement(geometry, "mxPoint", {"x": _num(path.points[0][0]), "y": _num(path.points[0][1]), "as": "sourcePoint"})
            ET.SubElement(geometry, "mxPoint", {"x": _num(path.points[-1][0]), "y": _num(path.points[-1][1]), "as": "targetPoint"})
            inner = path.points[1:-1]
            if inner:
                array = ET.SubElement(geometry, "Array", {"as": "points"})
                for x, y in inner:
                    ET.SubElement(array, "mxPoint", {"x": _num(x), "y": _num(y)})
    ET.indent(mxfile, space="  ")
    return ET.tostring(mxfile, encoding="unicode") + "\n"


def _cell(root: ET.Element, cell_id: str, value: str, style: str, parent: str, box: Box, *, vertex: bool) -> None:
    cell = ET.SubElement(root, "mxCell", {"id": cell_id, "value": value, "style": style, "vertex": "1" if vertex else "0", "parent": parent})
    ET.SubElement(cell, "mxGeometry", {"x": _num(box.x), "y": _num(box.y), "width": _num(box.width), "height": _num(box.height), "as": "geometry"})
