"""Mermaid flowchart text, for Markdown wikis and Git hosting.

`flowchart TD` or `flowchart LR` (the process direction), one `subgraph` per lane, classic node
shapes that every Mermaid 9+ renderer knows (close to the ISO 5807 symbols):
  start/end ([stadium]), step [rectangle], decision {rhombus}, subprocess [[subroutine]],
  document >flag], data [/parallelogram/], manual [\\inverted trapezoid/], wait (rounded),
  parallel `@{ shape: fork }` (Mermaid 11.3+: the fork/join bar).
Branch and flow labels sit on the arrows (`-->|"label"|`).

Escaping (one function, `label`): every label is double-quoted, and inside the quotes every
character Mermaid or the browser could read as syntax or markup is written as a Mermaid entity
code: `#` -> #35;, `"` -> #quot;, `<` -> #lt;, `>` -> #gt;, `&` -> #amp;, backtick -> #96;,
`|` -> #124;, and so on; a newline becomes `<br>` (the only markup kamflow writes itself).
Node ids are kamflow's own, prefixed with `s_` (lanes: `lane_`; `-` becomes `_h`, see model.mermaid_ids), so a step
called `end` or `graph` cannot clash with a Mermaid keyword.
"""

from __future__ import annotations

from kamflow.model import mermaid_ids as mermaid_ids_codec
from kamflow.model.process import Process

_SHAPES = {
    "start": ('(["', '"])'),
    "end": ('(["', '"])'),
    "step": ('["', '"]'),
    "decision": ('{"', '"}'),
    "subprocess": ('[["', '"]]'),
    "document": ('>"', '"]'),
    "data": ('[/"', '"/]'),
    "manual": ('[\\"', '"/]'),
    "wait": ('("', '")'),
    "parallel": ('@{ shape: fork, label: "', '" }'),
}
# Characters written as entity codes; `#` first so that the codes themselves are not re-escaped.
_ENTITIES = {
    "#": "#35;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    "`": "#96;",
    "|": "#124;",
    "{": "#123;",
    "}": "#125;",
    "[": "#91;",
    "]": "#93;",
    "(": "#40;",
    ")": "#41;",
    ";": "#59;",
    "\\": "#92;",
}


def label(text: str) -> str:
    """User text as a quoted Mermaid label that reads back as exactly that text."""
    out = []
    for char in text.replace("\r\n", "\n").replace("\r", "\n"):
        if char == "\n":
            out.append("<br>")
        elif char in _ENTITIES:
            out.append(_ENTITIES[char])
        elif ord(char) < 0x20 or char in "\u2028\u2029\x7f":
            out.append(f"#{ord(char)};")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def mermaid_ids(prefix: str, ids: list[str]) -> dict[str, str]:
    """kamflow id -> Mermaid id: the prefix, then the id in model.mermaid_ids' codec, which the
    importer reads back to the same id (ids are distinct, so their codes are)."""
    return {original: prefix + mermaid_ids_codec.encode(original) for original in ids}


def to_mermaid(process: Process, *, direction: str | None = None) -> str:
    """The process as a Mermaid flowchart; deterministic for the same input."""
    rankdir = "LR" if (direction or process.direction) == "LR" else "TD"
    out = [f"flowchart {rankdir}"]
    if process.title:
        out.insert(0, f"%% {_comment(process.title)}")

    node_id = mermaid_ids("s_", [step.id for step in process.steps]).__getitem__
    lane_id = mermaid_ids("lane_", [lane.id for lane in process.lanes]).__getitem__

    def node_line(step, indent: str) -> str:
        opening, closing = _SHAPES[step.type]
        return f"{indent}{node_id(step.id)}{opening}{label(step.label)[1:-1]}{closing}"

    placed: set[str] = set()
    for lane in process.lanes:
        members = [step for step in process.steps if step.lane == lane.id]
        out.append(f"  subgraph {lane_id(lane.id)}[{label(lane.label)}]")
        out.extend(node_line(step, "    ") for step in members)
        placed.update(step.id for step in members)
        out.append("  end")
    out.extend(node_line(step, "  ") for step in process.steps if step.id not in placed)
    known = process.steps_by_id
    for edge in process.edges:
        if edge.target not in known:
            continue
        arrow = f"-->|{label(edge.label)}|" if edge.label else "-->"
        out.append(f"  {node_id(edge.source)} {arrow} {node_id(edge.target)}")
    return "\n".join(out) + "\n"


def _comment(text: str) -> str:
    """A one-line `%%` comment: newlines would end it, so they become spaces, and so do other
    control characters (a NUL would make the file binary)."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())
