"""Node-link JSON: the whole process model as data, loadable again by kamflow (lossless).

Shape (documented by docs/json-schema/kamflow-export.schema.json):
  {"kamflow": 1, "format": "kamflow-node-link", "directed": true, "multigraph": true,
   "graph": {process metadata and "lanes": [{"id", "label"}]},
   "nodes": [one object per step, in file order],
   "links": [one object per flow, in file order: source, target, label, kind, probability]}
Every key is always present (null when unset), so the file reads the same for every process.
Escaping is the json module's; non-ASCII text is kept as UTF-8.
"""

from __future__ import annotations

import json

from kamflow.model.nodelink import FORMAT, FORMAT_VERSION
from kamflow.model.process import Process


def to_node_link(process: Process) -> dict:
    return {
        "kamflow": FORMAT_VERSION,
        "format": FORMAT,
        "directed": True,
        "multigraph": True,
        "graph": {
            "id": process.id,
            "title": process.title,
            "description": process.description,
            "direction": process.direction,
            "version": process.version,
            "author": process.author,
            "date": process.date,
            "based_on": process.based_on,
            "theme": process.theme,
            "disabled_rules": list(process.disabled_rules),
            "lanes": [{"id": lane.id, "label": lane.label} for lane in process.lanes],
        },
        "nodes": [
            {
                "id": step.id,
                "type": step.type,
                "label": step.label,
                "label_given": step.label_given,
                "lane": step.lane,
                "process": step.process,
                "essential": step.essential,
                "implements": list(step.implements),
                "ignore": list(step.ignore),
                "metadata": {key: list(value) if isinstance(value, (list, tuple)) else value for key, value in step.metadata.items()},
            }
            for step in process.steps
        ],
        "links": [
            {"source": edge.source, "target": edge.target, "label": edge.label, "kind": edge.kind, "probability": edge.probability}
            for edge in process.edges
        ],
    }


def to_json(process: Process) -> str:
    return json.dumps(to_node_link(process), ensure_ascii=False, indent=2) + "\n"
