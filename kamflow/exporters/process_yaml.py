"""A Process as a kamflow process file, laid out like the bundled library: top-level keys, lanes
in flow style, one block per step with a blank line between steps, `type` and `label` first.

Every value is text to kamflow, so the one escaping function, `scalar`, writes a value plain only
when YAML reads that plain scalar back as exactly the same string (so `Yes`, `No`, `null`, `1.0`,
`a: b`, `#x`, `{x}`, `- x`, leading or trailing spaces and empty text are quoted) and, inside flow
collections, only when it has none of `,[]{}`; everything else is a double-quoted scalar written
by PyYAML's own emitter (newlines, control characters, line separators as escapes).
"""

from __future__ import annotations

import re
from typing import Sequence

import yaml

from kamflow.model.process import Edge, Process, Step

_FLOW_UNSAFE = set(",[]{}")
_TEXT_LISTS = ("kpis", "inputs", "outputs", "tags")


# Text that is certainly a plain YAML string: a letter first, then letters, digits, spaces and
# punctuation that means nothing inside a plain scalar; YAML 1.1's words for true, false and null
# aside. Anything else is asked of the YAML parser itself.
_SURELY_PLAIN = re.compile(r"[A-Za-z](?:[\w.,()/'?!&+-]| (?=\S))*")
_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def scalar(value: str, *, flow: bool = False) -> str:
    """`value` as a YAML scalar that reads back as exactly `value`."""
    if _SURELY_PLAIN.fullmatch(value) and value.lower() not in _WORDS and not (flow and "," in value):
        return value
    if value and "\n" not in value and not (flow and _FLOW_UNSAFE & set(value)) and value.isprintable():
        try:
            plain = yaml.load(value, Loader=_Loader) == value
            if plain and flow:  # inside [...] and {...} the parser is stricter (`:x`, `?x`): ask it there
                plain = yaml.load(f"[{value}]", Loader=_Loader) == [value] and yaml.load(f"{{k: {value}}}", Loader=_Loader) == {"k": value}
        except yaml.YAMLError:
            plain = False
        if plain and value == value.strip() and not value.startswith(("'", '"', "&", "*", "!", "|", ">", "%", "@", "`")):
            return value
    return yaml.safe_dump(value, default_style='"', allow_unicode=True, width=float("inf")).rstrip("\n")


def _comment(text: str) -> str:
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def to_process_yaml(process: Process, *, header: Sequence[str] = ()) -> str:
    """The process as process-file text (version 1); `header` lines become `#` comments on top."""
    out = [f"# {_comment(line)}" if line else "#" for line in header]
    out += ["kamflow: 1", f"id: {scalar(process.id)}"]
    if process.title and process.title != process.id:
        out.append(f"title: {scalar(process.title)}")
    if process.description:
        out.append(f"description: {scalar(process.description)}")
    out.append(f"direction: {process.direction}")
    for key in ("version", "author", "date", "theme", "based_on"):
        value = getattr(process, key)
        if value:
            out.append(f"{key}: {scalar(value)}")
    if process.disabled_rules:
        out.append(f"check: {{disable: {_flow_list(process.disabled_rules)}}}")
    if process.lanes:
        out.append("lanes:")
        for lane in process.lanes:
            label = f", label: {scalar(lane.label, flow=True)}" if lane.label != lane.id else ""
            out.append(f"  - {{id: {scalar(lane.id, flow=True)}{label}}}")
    out.append("steps:")
    for index, step in enumerate(process.steps):
        if index:
            out.append("")
        out.extend(_step(step, process.outgoing(step.id)))
    return "\n".join(out) + "\n"


def _step(step: Step, edges: list[Edge]) -> list[str]:
    lines = [f"  - id: {scalar(step.id)}"]
    if step.type != "step":
        lines.append(f"    type: {step.type}")
    if step.label_given:
        lines.append(f"    label: {scalar(step.label)}")
    if step.lane:
        lines.append(f"    lane: {scalar(step.lane)}")
    if step.process:
        lines.append(f"    process: {scalar(step.process)}")
    nexts = [edge for edge in edges if edge.kind == "next"]
    branches = [edge for edge in edges if edge.kind == "branch"]
    if nexts:
        if any(edge.label is not None for edge in nexts):
            lines.append("    next:")
            for edge in nexts:
                if edge.label is None:
                    lines.append(f"      - {scalar(edge.target)}")
                else:
                    lines.append(f"      - {{to: {scalar(edge.target, flow=True)}, label: {scalar(edge.label, flow=True)}}}")
        elif len(nexts) == 1:
            lines.append(f"    next: {scalar(nexts[0].target)}")
        else:
            lines.append(f"    next: {_flow_list([edge.target for edge in nexts])}")
    if branches:
        lines.append("    branches:")
        for edge in branches:
            target = scalar(edge.target, flow=edge.probability is not None)
            value = target if edge.probability is None else f"{{to: {target}, p: {edge.probability:g}}}"
            lines.append(f"      {scalar(edge.label or '')}: {value}")
    if step.essential:
        lines.append("    essential: true")
    if step.implements:
        lines.append(f"    implements: {_flow_list(step.implements)}")
    if step.ignore:
        lines.append(f"    ignore: {_flow_list(step.ignore)}")
    for key in ("owner", "duration", "kpis", "inputs", "outputs", "notes", "link", "tags"):
        meta = step.metadata.get(key)
        if meta in (None, "", [], ()):
            continue
        if key in _TEXT_LISTS:
            lines.append(f"    {key}: {_flow_list(meta if isinstance(meta, (list, tuple)) else [meta])}")
        else:
            lines.append(f"    {key}: {scalar(str(meta))}")
    raci = step.metadata.get("raci")
    if raci:  # {R: [...], A: [...], ...} in RACI order, as the loader reads it
        lines.append("    raci: {" + ", ".join(f"{letter}: {_flow_list(names)}" for letter, names in raci.items() if names) + "}")
    return lines


def _flow_list(items) -> str:
    return "[" + ", ".join(scalar(str(item), flow=True) for item in items) + "]"
