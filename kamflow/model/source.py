"""Source trees: what every reader hands the one process builder (kamflow.loader.build).

A source tree is plain values with positions and nothing else: a Mapping of (key, value) entries, a
Sequence of items, or a Scalar holding the text as written and its kind. Every node carries the
Span it came from, so the builder can report `FILE:LINE:COL: error: ...` for any source: a YAML
process file, a JSON export, or an imported BPMN, draw.io, Mermaid or CSV file.

A reader (or importer) either builds the tree node by node, or writes plain Python values and
wraps the ones it knows the position of in `At(value, span)`:

    >>> from kamflow.errors import Span
    >>> row = Span("steps.csv", 3, 1)
    >>> tree = plain({"kamflow": 1, "id": "billing", "steps": [At({"id": "send", "next": "pay"}, row)]}, Span("steps.csv", 1, 1))
    >>> tree.entries[2][1].items[0].span
    Span(path='steps.csv', line=3, column=1)
    >>> tree.entries[0][1].kind, tree.entries[0][1].text
    ('int', '1')

Kinds: "str" (text, also quoted numbers), "int", "float", "bool" (text "true"/"false" or as
written), "null" (no value). The builder reads a scalar of any kind as its text where text is
expected (so YAML's `Yes`, `1.0`, `N/A` stay exactly as written), and needs "int"/"float" for a
probability, "bool" for a flag. This module imports nothing but kamflow.errors.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Union

from kamflow.errors import Span

SCALAR_KINDS = ("str", "int", "float", "bool", "null")


class Scalar(NamedTuple):
    kind: str  # one of SCALAR_KINDS
    text: str
    span: Span


class Mapping(NamedTuple):
    """Entries in source order; duplicate keys are the reader's to reject (each format says so
    in its own words), the builder takes the entries as given."""

    entries: list[tuple["Node", "Node"]]  # a key that is not a Scalar is refused by the builder
    span: Span


class Sequence(NamedTuple):
    items: list["Node"]
    span: Span


Node = Union[Scalar, Mapping, Sequence]


class At(NamedTuple):
    """A plain value with the position it came from, for `plain`."""

    value: Any
    span: Span


def scalar(value: Any, span: Span) -> Scalar:
    """A plain Python scalar (str, int, float, bool or None) as a Scalar."""
    if value is None:
        return Scalar("null", "", span)
    if isinstance(value, bool):
        return Scalar("bool", "true" if value else "false", span)
    if isinstance(value, int):
        return Scalar("int", str(value), span)
    if isinstance(value, float):
        return Scalar("float", repr(value), span)
    if isinstance(value, str):
        return Scalar("str", value, span)
    raise TypeError(f"not a plain scalar: {type(value).__name__}")


def plain(value: Any, span: Span) -> Node:
    """Plain Python values (dicts, lists, scalars, nodes, or any of them wrapped in At) as a tree;
    a value without its own position takes the one of the value around it."""
    if isinstance(value, At):
        return plain(value.value, value.span)
    if isinstance(value, (Scalar, Mapping, Sequence)):
        return value
    if isinstance(value, dict):
        entries: list[tuple[Node, Node]] = []
        for key, item in value.items():
            key_node = plain(key, span)
            if not isinstance(key_node, Scalar):
                raise TypeError("mapping keys must be scalars")
            entries.append((key_node, plain(item, key_node.span if isinstance(key, At) and not isinstance(item, At) else span)))
        return Mapping(entries, span)
    if isinstance(value, (list, tuple)):
        return Sequence([plain(item, span) for item in value], span)
    return scalar(value, span)


def describe(node: Node) -> str:
    """What a node is, for messages: 'a mapping', 'a list', 'empty' or "the value 'x'"."""
    if isinstance(node, Mapping):
        return "a mapping"
    if isinstance(node, Sequence):
        return "a list"
    if node.kind == "null":
        return "empty"
    return f"the value {node.text!r}"
