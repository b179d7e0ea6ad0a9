"""Build the DOT source of a process chart. All DOT quoting and escaping lives in this module:
user text only ever reaches DOT through `_text`, so a label can never become HTML-like label
markup, a Graphviz escape (\\N, \\G, \\l ...) or an attribute."""
from __future__ import annotations

import textwrap

import graphviz
from graphviz import quoting

from kamflow.model.overlay import Overlay
from kamflow.model.process import Process, Step

FONT = "DejaVu Sans"
WRAP_WIDTH = 24

# Flowchart symbols by step type (ISO 5807 names in comments).
SHAPES: dict[str, dict[str, str]] = {
    "start": {"shape": "box", "style": "rounded,filled", "fillcolor": "#d9ead3"},  # terminator
    "end": {"shape": "box", "style": "rounded,filled,bold", "fillcolor": "#f4cccc"},  # terminator
    "step": {"shape": "box", "style": "filled", "fillcolor": "#ffffff"},  # process
    "decision": {"shape": "diamond", "style": "filled", "fillcolor": "#fff2cc"},  # decision
    "subprocess": {"shape": "box", "style": "filled", "fillcolor": "#cfe2f3", "peripheries": "2"},  # predefined process
    "document": {"shape": "note", "style": "filled", "fillcolor": "#ffffff"},  # document
    "data": {"shape": "parallelogram", "style": "filled", "fillcolor": "#ffffff"},  # data (input/output)
    "manual": {"shape": "invtrapezium", "style": "filled", "fillcolor": "#ffffff"},  # manual operation
    "wait": {"shape": "box", "style": "rounded,dashed,filled", "fillcolor": "#eeeeee"},  # delay
}


def wrap(text: str, width: int = WRAP_WIDTH) -> list[str]:
    """Lines of at most `width` characters, broken at spaces; a longer word stays whole unless it
    is longer than `width`, then it is cut. Newlines the user wrote are kept."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines.extend(textwrap.wrap(paragraph, width, break_long_words=True, break_on_hyphens=False) or [""])
    return lines


def _text(text: str, *, width: int = WRAP_WIDTH) -> str:
    """User text as a quoted DOT string, wrapped into centred lines."""
    lines = wrap(text, width)
    return quoting.quote(graphviz.nohtml("\\n".join(graphviz.escape(line) for line in lines)))


def _plain(value: str) -> str:
    """A kamflow-chosen value (colour, shape name, validated id) as a DOT string."""
    return quoting.quote(graphviz.nohtml(value))


def _attrs(items: dict[str, str]) -> str:
    return ", ".join(f"{key}={value}" for key, value in items.items())


def node_id(step_id: str) -> str:
    return _plain(step_id)


def _node_line(step: Step, indent: str, overlay: Overlay) -> str:
    attrs = {key: _plain(value) for key, value in SHAPES[step.type].items()}
    mark = overlay.step_marks.get(step.id)
    text = f"{step.label}\n[{mark.text}]" if mark and mark.text else step.label
    attrs["label"] = _text(text, width=16 if step.type == "decision" else WRAP_WIDTH)
    if mark:
        attrs.update(color=_plain(MARK_COLOURS[mark.kind]), penwidth="2.5")
    attrs["id"] = _plain(f"step-{step.id}")
    attrs["class"] = _plain(f"kamflow-{step.type}")
    tooltip = step.metadata.get("notes") or step.label
    attrs["tooltip"] = _text(str(tooltip), width=10_000)
    return f"{indent}{node_id(step.id)} [{_attrs(attrs)}]"


GHOST_COLOUR = "#d55e00"
MARK_COLOURS = {"dead-end": "#d55e00", "added": "#009e73", "changed": "#e69f00", "removed": "#d55e00", "critical": "#0072b2"}


def _ghost_line(ghost, indent: str) -> str:
    attrs = {key: _plain(value) for key, value in SHAPES.get(ghost.step_type, SHAPES["step"]).items()}
    attrs.update(
        label=_text(ghost.label, width=WRAP_WIDTH),
        style=_plain("dashed,filled"),
        fillcolor=_plain("#fff4ec"),
        color=_plain(GHOST_COLOUR),
        fontcolor=_plain(GHOST_COLOUR),
        id=_plain(ghost.id),
        tooltip=_text(ghost.label, width=10_000),
    )
    attrs["class"] = _plain(f"kamflow-ghost kamflow-ghost-{ghost.kind}")
    return f"{indent}{_plain(ghost.id)} [{_attrs(attrs)}]"


def build_dot(process: Process, *, direction: str | None = None, overlay: Overlay | None = None) -> str:
    """The DOT source for a process; deterministic for the same process and options."""
    overlay = overlay or Overlay()
    rankdir = direction or process.direction
    out = [f"digraph {_plain(process.id)} {{"]
    graph_attrs = {
        "rankdir": rankdir,
        "label": _text(process.title, width=80),
        "labelloc": "t",
        "fontname": _plain(FONT),
        "fontsize": "20",
        "newrank": "true",
        "nodesep": "0.4",
        "ranksep": "0.45",
        "pad": "0.3",
        "id": _plain(f"process-{process.id}"),
    }
    out.append(f"  graph [{_attrs(graph_attrs)}]")
    out.append(f"  node [fontname={_plain(FONT)}, fontsize=11, margin=\"0.15,0.08\", penwidth=1.2]")
    out.append(f"  edge [fontname={_plain(FONT)}, fontsize=10, color=\"#444444\", arrowsize=0.8]")
    by_lane: dict[str | None, list[Step]] = {}
    for step in process.steps:
        lane = step.lane if step.lane in process.lanes_by_id else None
        by_lane.setdefault(lane, []).append(step)
    for index, lane in enumerate(process.lanes):
        cluster = {
            "label": _text(lane.label, width=40),
            "style": _plain("filled"),
            "fillcolor": _plain("#f3f6fa" if index % 2 == 0 else "#e8eef5"),
            "color": _plain("#9aa9bb"),
            "fontsize": "13",
            "id": _plain(f"lane-{lane.id}"),
        }
        out.append(f"  subgraph {_plain('cluster_lane_' + lane.id)} {{")
        out.append(f"    graph [{_attrs(cluster)}]")
        out.extend(_node_line(step, "    ", overlay) for step in by_lane.get(lane.id, []))
        out.extend(_ghost_line(g, "    ") for g in overlay.ghosts if g.lane == lane.id)
        out.append("  }")
    out.extend(_node_line(step, "  ", overlay) for step in by_lane.get(None, []))
    out.extend(_ghost_line(g, "  ") for g in overlay.ghosts if g.lane not in process.lanes_by_id)
    known = process.steps_by_id
    for edge in process.edges:
        if edge.target not in known:
            continue
        attrs = {"id": _plain(f"flow-{edge.source}-{edge.target}")}
        if edge.label:
            attrs["label"] = _text(edge.label, width=20)
        mark = overlay.edge_marks.get((edge.source, edge.target))
        if mark:
            attrs.update(color=_plain(MARK_COLOURS[mark.kind]), penwidth="2.5")
        out.append(f"  {node_id(edge.source)} -> {node_id(edge.target)} [{_attrs(attrs)}]")
    for source, target, label, kind in overlay.extra_edges:
        attrs = {"style": _plain("dashed"), "color": _plain(MARK_COLOURS.get(kind, GHOST_COLOUR)), "class": _plain(f"kamflow-{kind}")}
        if label:
            attrs["label"] = _text(label, width=20)
        out.append(f"  {_plain(source)} -> {_plain(target)} [{_attrs(attrs)}]")
    for ghost in overlay.ghosts:
        dashed = {"style": _plain("dashed"), "color": _plain(GHOST_COLOUR), "class": _plain("kamflow-ghost-flow")}
        for source in ghost.after:
            out.append(f"  {_plain(source)} -> {_plain(ghost.id)} [{_attrs(dashed)}]")
        for target in ghost.before:
            out.append(f"  {_plain(ghost.id)} -> {_plain(target)} [{_attrs(dashed)}]")
    out.append("}")
    return "\n".join(out) + "\n"
