"""GraphML through networkx, for yEd, Gephi and network tools.

A directed multigraph (two flows between the same steps stay two edges) whose <graph> id is the
process id. Every attribute is a string: graph process_id/title/description/direction; per node label, type, lane, lane_label, process,
essential ("true"/"false") and the step's metadata (lists joined by newlines, a RACI as
"R: ...; A: ..."); per edge label, kind,
probability. Keys are named after the attributes (`named_key_ids`), so yEd's Properties Mapper
offers `label` by name. networkx's writer escapes the XML; characters XML 1.0 cannot carry at
all become U+FFFD first.
"""

from __future__ import annotations

import networkx as nx

from kamflow.exporters._xmltext import xml_safe
from kamflow.model.process import Process, raci_text


def to_graphml(process: Process) -> str:
    graph = nx.MultiDiGraph()
    for key, value in (("process_id", process.id), ("title", process.title), ("description", process.description), ("direction", process.direction)):
        if value:
            graph.graph[key] = xml_safe(value)
    lanes = process.lanes_by_id
    for step in process.steps:
        attrs = {"label": step.label, "type": step.type}
        if step.lane:
            attrs["lane"] = step.lane
            if step.lane in lanes:
                attrs["lane_label"] = lanes[step.lane].label
        if step.process:
            attrs["process"] = step.process
        attrs["essential"] = "true" if step.essential else "false"
        for key, value in step.metadata.items():
            attrs[key] = "\n".join(value) if isinstance(value, list) else raci_text(value) if key == "raci" else str(value)
        graph.add_node(step.id, **{key: xml_safe(value) for key, value in attrs.items()})
    known = process.steps_by_id
    for index, edge in enumerate(process.edges):
        if edge.target not in known:
            continue
        attrs = {"kind": edge.kind}
        if edge.label is not None:
            attrs["label"] = xml_safe(edge.label)
        if edge.probability is not None:
            attrs["probability"] = repr(edge.probability)
        graph.add_edge(edge.source, edge.target, key=f"flow-{index + 1}", **attrs)
    return "\n".join(nx.generate_graphml(graph, prettyprint=True, named_key_ids=True)) + "\n"
