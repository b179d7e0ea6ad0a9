"""Mermaid flowcharts (`.mmd`, and ```mermaid blocks in Markdown) -> the import IR.

`flowchart`/`graph` with any direction, and `swimlane-beta`. Read: every classic node shape and the
`@{ shape: ..., label: ... }` syntax; edges of every kind (`-->`, `---`, `-.->`, `==>`, `--x`,
`--o`, `<-->`, longer ones), with labels in both syntaxes (`-->|text|` and `-- text -->`), edge ids
(`e1@-->`); chains (`a --> b --> c`) and `&` (`a & b --> c`); subgraphs (lanes; nested ones
flattened as "Outer / Inner"; an edge to or from a subgraph goes to its first steps or from its last
ones, with a note); front matter, `%%` comments and directives are skipped; a node's label comes
from its last definition. Styling (classDef, class, style, linkStyle, `:::class`) is skipped;
`click` is skipped with a note. Anything else is a positioned error.

Shapes -> types: rhombus {..} and diamond shapes -> decision; stadium ([..]) and circles -> start
when nothing flows in, end when nothing flows out; double circle -> end; subroutine [[..]] ->
subprocess; cylinder [(..)] and parallelograms -> data; trapezoids -> manual; flag >..] and doc
shapes -> document; delay -> wait; fork/join -> parallel; anything else -> step.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from kamflow.errors import LoadError, Problem, Span
from kamflow.loader.imports.ir import Flow, Lane, Node, Source, SourceProcess, collapse, slug
from kamflow.model import mermaid_ids

MAX_STATEMENTS = 100_000
_ID = re.compile(r"[\w$][\w$.]*(?:-(?![-.])[\w$.]+)*")
# opening -> closing delimiter, longest first
_SHAPES = [
    ("(((", ")))", "double-circle"),
    ("([", "])", "stadium"),
    ("[[", "]]", "subroutine"),
    ("[(", ")]", "cylinder"),
    ("((", "))", "circle"),
    ("{{", "}}", "hexagon"),
    ("[/", "/]", "lean-r"),
    ("[/", "\\]", "trap-b"),
    ("[\\", "\\]", "lean-l"),
    ("[\\", "/]", "trap-t"),
    ("[", "]", "rect"),
    ("(", ")", "rounded"),
    ("{", "}", "diamond"),
    (">", "]", "flag"),
]
_TYPES = {
    "double-circle": "end",
    "dbl-circ": "end",
    "fr-circ": "end",
    "framed-circle": "end",
    "stop": "end",
    "stadium": "terminator",
    "terminal": "terminator",
    "pill": "terminator",
    "circle": "terminator",
    "circ": "terminator",
    "sm-circ": "terminator",
    "small-circle": "terminator",
    "start": "start",
    "f-circ": "parallel",
    "subroutine": "subprocess",
    "subproc": "subprocess",
    "subprocess": "subprocess",
    "fr-rect": "subprocess",
    "framed-rectangle": "subprocess",
    "cylinder": "data",
    "cyl": "data",
    "db": "data",
    "database": "data",
    "das": "data",
    "h-cyl": "data",
    "lin-cyl": "data",
    "disk": "data",
    "lean-r": "data",
    "lean-l": "data",
    "in-out": "data",
    "out-in": "data",
    "lean-right": "data",
    "lean-left": "data",
    "trap-b": "manual",
    "trap-t": "manual",
    "priority": "manual",
    "manual": "manual",
    "manual-input": "manual",
    "sl-rect": "manual",
    "manual-file": "manual",
    "flip-tri": "manual",
    "diamond": "decision",
    "diam": "decision",
    "decision": "decision",
    "question": "decision",
    "flag": "document",
    "doc": "document",
    "document": "document",
    "docs": "document",
    "documents": "document",
    "st-doc": "document",
    "lin-doc": "document",
    "tag-doc": "document",
    "stacked-document": "document",
    "paper-tape": "document",
    "delay": "wait",
    "half-rounded-rectangle": "wait",
    "hourglass": "wait",
    "collate": "wait",
    "fork": "parallel",
    "join": "parallel",
    "rect": "step",
    "proc": "step",
    "process": "step",
    "rectangle": "step",
    "rounded": "step",
    "event": "step",
    "hexagon": "step",
    "hex": "step",
    "prepare": "step",
    "odd": "step",
    "notch-rect": "step",
    "card": "step",
    "tag-rect": "step",
    "div-rect": "step",
    "div-proc": "step",
    "lin-rect": "step",
    "lin-proc": "step",
    "st-rect": "step",
    "processes": "step",
    "win-pane": "step",
    "internal-storage": "data",
    "bolt": "step",
    "com-link": "step",
    "brace": "note",
    "brace-l": "note",
    "brace-r": "note",
    "braces": "note",
    "comment": "note",
    "text": "note",
    "cross-circ": "step",
    "summary": "step",
    "tri": "step",
    "extract": "step",
    "notch-pent": "step",
    "loop-limit": "step",
    "bow-rect": "data",
    "stored-data": "data",
    "curv-trap": "step",
    "display": "step",
    "lined-document": "document",
}
_LINK = re.compile(r"(?:(?P<eid>[\w]+)@)?(?P<head><)?(?P<body>-{2,}|={2,}|-\.+-|~{3,})(?P<tail>[>xo])?")
_TEXT_LINK_OPEN = re.compile(r"(?P<head><)?(?P<open>--|==|-\.)(?=\s)")
_TEXT_LINK_CLOSE = re.compile(r"(?P<close>-{2,}>|={2,}>|\.-+>|-{3,}|={3,}|\.-+|-{2,}[xo]|={2,}[xo])")
_SKIP = ("classDef", "class ", "style ", "linkStyle", "accTitle", "accDescr", "title ")
_CODE = re.compile(r"#(\d+|[A-Za-z]+);")


def label_text(text: str) -> str | None:
    """Mermaid label source -> plain text: quotes, markdown backticks, <br>, entity codes."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    if len(text) >= 2 and text[0] == text[-1] == "`":
        text = text[1:-1]
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.I)
    text = re.sub(r"</?(b|i|em|strong|u|s|small|sub|sup|span)(\s[^>]*)?>", "", text, flags=re.I)
    text = _CODE.sub(
        lambda m: chr(int(m.group(1))) if m.group(1).isdigit() and int(m.group(1)) < 0x110000 else html.unescape(f"&{m.group(1)};"), text
    )
    text = html.unescape(text) if "&" in text else text
    return collapse(text)


class _Error(Exception):
    def __init__(self, column: int, message: str):
        super().__init__(message)
        self.column, self.message = column, message


@dataclass
class _Diagram:
    title: str | None = None
    direction: str = "TB"
    order: list[str] = field(default_factory=list)  # node ids in first-mention order
    labels: dict[str, str | None] = field(default_factory=dict)
    shapes: dict[str, str] = field(default_factory=dict)
    spans: dict[str, Span] = field(default_factory=dict)
    lane_of: dict[str, str] = field(default_factory=dict)
    lanes: list[tuple[str, str, Span]] = field(default_factory=list)  # key, label, span
    lane_children: dict[str, list[str]] = field(default_factory=dict)
    edges: list[tuple[str, str, str | None, Span, str]] = field(default_factory=list)  # source, target, label, span, arrow
    edge_ids: set[str] = field(default_factory=set)
    comment: str | None = None  # a `%%` line before the header


def read_mermaid(text: str, shown: str, *, markdown: bool = False) -> Source:
    source = Source(shown, "mermaid")
    blocks = list(_blocks(text)) if markdown else [(text, 0)]
    if markdown and not blocks:
        raise LoadError([Problem(Span(shown, 1, 1), "no ```mermaid block in this Markdown file")])
    stem = Path(shown).stem
    for index, (block, offset) in enumerate(blocks, 1):
        diagram = _Parser(source, block, offset).parse()
        if diagram is None:
            continue
        key = stem if len(blocks) == 1 else f"{stem}-{index}"
        source.processes.append(_process(source, diagram, key, Span(shown, offset + 1, 1)))
    if not source.processes:
        raise LoadError([Problem(Span(shown, 1, 1), "no Mermaid flowchart in this file (it needs a `flowchart`, `graph` or `swimlane-beta` header)")])
    return source


def _blocks(text: str):
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        match = re.match(r"^\s*(```|~~~)\s*mermaid\b", lines[index])
        if match:
            fence = match.group(1)
            start = index + 1
            end = start
            while end < len(lines) and not lines[end].strip().startswith(fence):
                end += 1
            yield "\n".join(lines[start:end]), start
            index = end + 1
        else:
            index += 1


class _Parser:
    def __init__(self, source: Source, text: str, offset: int):
        self.source, self.text, self.offset = source, text, offset
        self.diagram = _Diagram()
        self.stack: list[str] = []  # open subgraphs
        self.count = 0

    def span(self, line: int, column: int = 1) -> Span:
        return Span(self.source.path, self.offset + line, column)

    def fail(self, line: int, column: int, message: str) -> NoReturn:
        raise LoadError([Problem(self.span(line, column), message)])

    def parse(self) -> _Diagram | None:
        lines = self.text.split("\n")
        number = 0
        # front matter
        first = next((i for i, line in enumerate(lines) if line.strip()), None)
        if first is not None and lines[first].strip() == "---":
            end = next((i for i in range(first + 1, len(lines)) if lines[i].strip() == "---"), None)
            if end is None:
                self.fail(first + 1, 1, "front matter (---) that is never closed")
            for line in lines[first + 1 : end]:
                m = re.match(r"^\s*title\s*:\s*(.+)$", line)
                if m:
                    self.diagram.title = collapse(m.group(1).strip().strip("'\""))
            number = end + 1
        header_seen = False
        while number < len(lines):
            raw = lines[number]
            number += 1
            stripped = raw.strip()
            if not stripped or stripped.startswith("%%"):
                if not header_seen and stripped.startswith("%%") and not stripped.startswith("%%{") and self.diagram.comment is None:
                    self.diagram.comment = collapse(stripped[2:])
                continue
            if not header_seen:
                m = re.match(r"^(flowchart|graph|swimlane-beta)\b\s*(\w+)?\s*;?\s*(.*)$", stripped)
                if not m:
                    word = stripped.split()[0]
                    self.fail(
                        number,
                        raw.index(stripped[0]) + 1,
                        f"not a Mermaid flowchart: {word!r} diagrams cannot be imported (expected `flowchart`, `graph` or `swimlane-beta`)",
                    )
                direction = (m.group(2) or "TB").upper()
                if direction not in ("TB", "TD", "BT", "LR", "RL"):
                    self.fail(number, 1, f"unknown flowchart direction {m.group(2)!r}")
                self.diagram.direction = "LR" if direction in ("LR", "RL") else "TB"
                header_seen = True
                rest = m.group(3)
                if rest:
                    self.line(rest, number, raw.index(rest) + 1 if rest in raw else 1)
                continue
            # a node's @{ ... } may span lines: join until the braces close
            while "@{" in raw and raw.count("{") > raw.count("}") and number < len(lines):
                raw += " " + lines[number].strip()
                number += 1
            self.line(raw, number, 1)
        if not header_seen:
            return None
        if self.stack:
            self.fail(len(lines), 1, f"subgraph {self.stack[-1]!r} is never closed with `end`")
        return self.diagram

    def line(self, raw: str, number: int, base: int) -> None:
        for statement, column in _statements(raw):
            self.count += 1
            if self.count > MAX_STATEMENTS:
                self.fail(number, column, f"more than {MAX_STATEMENTS:,} statements")
            try:
                self.statement(statement, number, base + column - 1)
            except _Error as error:
                self.fail(number, base + column - 1 + error.column, error.message)

    def statement(self, text: str, number: int, column: int) -> None:
        stripped = text.strip()
        lead = len(text) - len(text.lstrip())
        where = self.span(number, column + lead)
        if stripped.startswith("%%"):
            return
        if stripped == "end":
            if not self.stack:
                raise _Error(lead, "`end` without an open subgraph")
            self.stack.pop()
            return
        if re.match(r"^subgraph\b", stripped):
            self.subgraph(stripped[len("subgraph") :].strip(), where)
            return
        if re.match(r"^direction\s+\w+$", stripped):
            return
        if stripped.startswith(_SKIP) or stripped in ("class", "style"):
            return
        if stripped.startswith("click "):
            self.source.note(where, "a `click` binding (a link or callback on a node) is not imported")
            return
        m = re.match(r"^([\w]+)@\{(.*)\}$", stripped)
        if m and m.group(1) in self.diagram.edge_ids:
            return  # edge metadata (animation, curve): drawing only
        self.chain(text, number, column)

    def subgraph(self, rest: str, where: Span) -> None:
        m = re.match(r'^([^\s\["]+)\s*\[(.*)\]$', rest)
        if m:
            key, label = m.group(1), label_text(m.group(2))
        elif rest.startswith('"'):
            label = label_text(rest)
            key = f"subgraph-{where.line}"
        else:
            key = rest.split()[0] if rest else f"subgraph-{where.line}"
            label = collapse(rest) if rest else None
        parent = self.stack[-1] if self.stack else None
        full = label or key
        if parent is not None:
            parent_label = next(text for k, text, _ in self.diagram.lanes if k == parent)
            full = f"{parent_label} / {full}"
            self.diagram.lane_children.setdefault(parent, []).append(key)
        if any(k == key for k, _, _ in self.diagram.lanes):
            raise _Error(0, f"subgraph {key!r} is defined twice")
        self.diagram.lanes.append((key, full, where))
        self.stack.append(key)

    def chain(self, text: str, number: int, column: int) -> None:
        position = 0
        groups: list[list[str]] = []
        links: list[tuple[str | None, str, int]] = []
        while True:
            position = _skip_space(text, position)
            group, position = self.node_group(text, position, number, column)
            groups.append(group)
            position = _skip_space(text, position)
            if position >= len(text) or text[position] == ";":
                break
            link = self.link(text, position)
            if link is None:
                raise _Error(
                    position,
                    f"cannot read {text[position : position + 20].strip()!r} here: expected an arrow such as `-->`, `&` or the end of the statement",
                )
            label, arrow, position = link
            links.append((label, arrow, position))
        for (label, arrow, _), sources, targets in zip(links, groups, groups[1:]):
            for s in sources:
                for t in targets:
                    self.diagram.edges.append((s, t, label, self.span(number, column), arrow))

    def node_group(self, text: str, position: int, number: int, column: int) -> tuple[list[str], int]:
        ids = []
        while True:
            position = _skip_space(text, position)
            node, position = self.node(text, position, number, column)
            ids.append(node)
            after = _skip_space(text, position)
            if after < len(text) and text[after] == "&":
                position = after + 1
                continue
            return ids, position

    def node(self, text: str, position: int, number: int, column: int) -> tuple[str, int]:
        m = _ID.match(text, position)
        if not m:
            raise _Error(position, f"expected a node id, found {text[position : position + 20].strip()!r}")
        node_id = m.group(0)
        position = m.end()
        shape, label = None, None
        if text.startswith("@{", position):
            end = _closing_brace(text, position + 1)
            if end < 0:
                raise _Error(position, "a node's `@{` is never closed with `}`")
            props = _properties(text[position + 2 : end])
            shape = props.get("shape")
            if shape is not None and shape not in _TYPES:
                self.source.note(self.span(number, column + position), f"unknown Mermaid shape {shape!r} for node {node_id!r}: imported as a step")
                shape = "rect"
            label = label_text(props["label"]) if "label" in props else None
            position = end + 1
        else:
            for opening, closing, name in _SHAPES:
                if text.startswith(opening, position):
                    end = _find_closing(text, position + len(opening), closing)
                    if end < 0:
                        continue
                    shape, label = name, label_text(text[position + len(opening) : end])
                    position = end + len(closing)
                    break
            else:
                if position < len(text) and text[position] in "[({":
                    raise _Error(position, f"the shape of node {node_id!r} is never closed")
        if text.startswith(":::", position):
            m2 = re.compile(r":::[\w-]+").match(text, position)
            position = m2.end() if m2 else position + 3
        self.define(node_id, shape, label, self.span(number, column + m.start()), explicit=shape is not None)
        return node_id, position

    def define(self, node_id: str, shape: str | None, label: str | None, span: Span, *, explicit: bool) -> None:
        d = self.diagram
        if node_id not in d.labels:
            d.order.append(node_id)
            d.labels[node_id] = None
            d.spans[node_id] = span
        if explicit:
            d.shapes[node_id] = shape or d.shapes.get(node_id, "rect")
            if label is not None:
                d.labels[node_id] = label
        if self.stack and node_id not in d.lane_of:
            d.lane_of[node_id] = self.stack[-1]

    def link(self, text: str, position: int) -> tuple[str | None, str, int] | None:
        m = _TEXT_LINK_OPEN.match(text, position)
        if m:
            close = _TEXT_LINK_CLOSE.search(text, m.end())
            if close:
                label = label_text(text[m.end() : close.start()])
                arrow = close.group("close")
                return label, arrow, close.end()
        m = _LINK.match(text, position)
        if not m:
            return None
        if m.group("eid"):
            self.diagram.edge_ids.add(m.group("eid"))
        position = m.end()
        arrow = (m.group("head") or "") + m.group("body") + (m.group("tail") or "")
        label = None
        after = _skip_space(text, position)
        if after < len(text) and text[after] == "|":
            end = text.find("|", after + 1)
            if end < 0:
                raise _Error(after, "an edge label `|...` that is never closed with `|`")
            label = label_text(text[after + 1 : end])
            position = end + 1
        return label, arrow, position


def _process(source: Source, d: _Diagram, key: str, span: Span) -> SourceProcess:
    lane_keys = {k for k, _, _ in d.lanes}
    # kamflow's own export (`kamflow export --to mermaid`): node ids `s_<id>` and subgraph ids
    # `lane_<id>` (with `-` written `_h`), the title in the first comment, wait steps rounded
    ours = bool(d.order) and all(n.startswith("s_") for n in d.order if n not in lane_keys) and all(k.startswith("lane_") for k in lane_keys)
    back = (lambda text, prefix: mermaid_ids.decode(text[len(prefix) :])) if ours else (lambda text, prefix: text)
    title = d.title or (d.comment if ours else None) or key
    process = SourceProcess(key=key, title=title, span=span, direction=d.direction, id_hint=slug(key, fallback="process"))
    # edges to or from a subgraph: from its last steps, to its first steps
    members: dict[str, list[str]] = {}
    parent_of = {kid: parent for parent, kids in d.lane_children.items() for kid in kids}
    for node_id in d.order:
        if node_id in lane_keys:
            continue
        lane = d.lane_of.get(node_id)
        while lane is not None:
            members.setdefault(lane, []).append(node_id)
            lane = parent_of.get(lane)
    edges = []
    inner_pairs = {(s, t) for s, t, _, _, _ in d.edges if s not in lane_keys and t not in lane_keys}
    for s, t, label, where, arrow in d.edges:
        sources, targets = [s], [t]
        if s in lane_keys:
            group = set(members.get(s, []))
            leaving = {a for a, b in inner_pairs if a in group and b in group}
            sources = [n for n in members.get(s, []) if n not in leaving]
            source.note(where, f"an edge from subgraph {s!r} leaves from its last steps ({', '.join(sources) or 'none'})")
        if t in lane_keys:
            group = set(members.get(t, []))
            entered = {b for a, b in inner_pairs if a in group and b in group}
            targets = [n for n in members.get(t, []) if n not in entered]
            source.note(where, f"an edge to subgraph {t!r} goes to its first steps ({', '.join(targets) or 'none'})")
        if "<" in arrow or (arrow[:1] in "xo" and arrow[-1:] in "xo>" and len(arrow) > 3):
            source.note(where, f"a two-way edge {arrow!r} between {s!r} and {t!r} is read one way, from {s!r} to {t!r}")
        elif arrow[-1:] not in (">",):
            kind = {"x": "a cross", "o": "a circle"}.get(arrow[-1:], "no arrowhead")
            source.note(where, f"the edge {arrow!r} from {s!r} to {t!r} has {kind}: read as a flow from {s!r} to {t!r}")
        for a in sources:
            for b in targets:
                edges.append(Flow(a, b, label, where))
    incoming = {f.target for f in edges}
    outgoing = {f.source for f in edges}
    used_lanes = set()
    for node_id in d.order:
        if node_id in lane_keys:
            continue
        shape = d.shapes.get(node_id, "rect")
        kind = "wait" if ours and shape == "rounded" else _TYPES.get(shape, "step")
        if kind == "note":
            source.note(d.spans[node_id], f"node {node_id!r} is a comment shape ({shape}): imported as a step")
            kind = "step"
        if kind == "terminator":
            if node_id not in incoming:
                kind = "start"
            elif node_id not in outgoing:
                kind = "end"
            else:
                kind = "step"
                source.note(d.spans[node_id], f"node {node_id!r} has a start/end shape but flows in and out: imported as a step")
        lane = d.lane_of.get(node_id)
        if lane:
            used_lanes.add(lane)
        label = d.labels.get(node_id)
        process.nodes.append(
            Node(key=node_id, type=kind, label=label if label is not None else node_id, span=d.spans[node_id], lane=lane, id_hint=back(node_id, "s_"))
        )
    for key_, label, where in d.lanes:
        if key_ in used_lanes or not d.lane_children.get(key_):
            process.lanes.append(Lane(key_, label, where, id_hint=back(key_, "lane_") if ours else None))
    process.flows = edges
    return process


def _statements(raw: str):
    """Split a line at `;` outside quotes and brackets: (statement, 1-based column)."""
    depth, quote, start = 0, False, 0
    for index, char in enumerate(raw):
        if char == '"':
            quote = not quote
        elif quote:
            continue
        elif char in "[({":
            depth += 1
        elif char in "])}":
            depth = max(0, depth - 1)
        elif char == ";" and depth == 0:
            if raw[start:index].strip():
                yield raw[start:index], start + 1
            start = index + 1
    if raw[start:].strip():
        yield raw[start:], start + 1


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t":
        position += 1
    return position


def _find_closing(text: str, position: int, closing: str) -> int:
    """The closing delimiter of a node's text; quoted text may hold anything."""
    index = _skip_space(text, position)
    if index < len(text) and text[index] == '"':
        end_quote = text.find('"', index + 1)
        if end_quote >= 0:
            after = _skip_space(text, end_quote + 1)
            return after if text.startswith(closing, after) else -1
    return text.find(closing, position)


def _closing_brace(text: str, position: int) -> int:
    depth, quote = 0, False
    for index in range(position, len(text)):
        char = text[index]
        if char == '"':
            quote = not quote
        elif quote:
            continue
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
    return -1


def _properties(body: str) -> dict[str, str]:
    """`shape: rect, label: "Hello, world"` -> {"shape": "rect", "label": '"Hello, world"'}."""
    props: dict[str, str] = {}
    for m in re.finditer(r'(\w+)\s*:\s*("(?:[^"\\]|\\.)*"|[^,\n}]*)', body):
        props[m.group(1)] = m.group(2).strip()
    if "shape" in props:
        props["shape"] = props["shape"].strip("\"'")
    return props
