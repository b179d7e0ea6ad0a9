"""YAML text -> a checked source tree (kamflow.model.source) that keeps raw scalar text and positions.

PyYAML's loaders turn `Yes`/`No`/`On` into booleans and silently keep the last of two duplicate
keys, so kamflow never constructs Python objects from YAML: it composes nodes (libyaml's C composer
when available) and walks them once, rejecting duplicate keys, aliases and tags on the way. Process
files (the loader) and theme files (rendering) are both read here.
"""

from __future__ import annotations

from typing import Any

import yaml

from kamflow.errors import LoadError, Problem, Span
from kamflow.model import source

_CORE_TAG = "tag:yaml.org,2002:"
# timestamp: an unquoted date such as `date: 2024-05-01` resolves to it; kamflow keeps its text.
_PLAIN_TAGS = {_CORE_TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def span_at(path: str, mark: yaml.Mark) -> Span:
    """The one place where YAML's 0-based marks become 1-based positions."""
    return Span(path, mark.line + 1, mark.column + 1)


def compose(text: str, shown: str) -> yaml.Node | None:
    """Text to a checked YAML node tree, or a LoadError. Returns None for an empty document."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = (error.problem or error.context or "invalid YAML").strip()
        span = span_at(shown, mark) if mark else Span(shown)
        if "expected a single document" in message or "but found another document" in message:
            message = "several YAML documents in one file; a process file holds one"
        elif "tab character" in message or (mark is not None and _char_at(text, mark.line, mark.column) == "\t"):
            message = "a tab character here: YAML indents with spaces only; replace the tab with spaces"
        elif "expected ',' or '}'" in message or "expected ',' or ']'" in message:
            message += "; inside {...} or [...], a ': ' or a ',' in a text ends it: put the text in quotes, e.g. label: \"Note: call back\""
        raise LoadError([Problem(span, f"invalid YAML: {message}")]) from None
    except yaml.reader.ReaderError as error:  # a control character YAML does not allow in a file
        raise LoadError([unacceptable_character(text, shown, error)]) from None
    except yaml.YAMLError as error:
        raise LoadError([Problem(Span(shown), f"invalid YAML: {error}")]) from None
    if root is not None:
        problems = _check_tree(root, shown)
        if problems:
            raise LoadError(problems)
    return root


def source_tree(text: str, shown: str) -> source.Node | None:
    """Text to a checked source tree (kamflow.model.source) for the process builder, or a
    LoadError; None for an empty document."""
    root = compose(text, shown)
    return to_source(root, shown) if root is not None else None


_KINDS = {_CORE_TAG + "int": "int", _CORE_TAG + "float": "float", _CORE_TAG + "bool": "bool"}
_NULL_TAG = _CORE_TAG + "null"


def to_source(root: yaml.Node, shown: str) -> source.Node:
    """A checked YAML node tree as a source tree: every scalar keeps the text as written (a quoted
    or unquoted `Yes` is text; a date is text), every node its 1-based position. Walks without
    recursion, so nesting depth is bounded only by what YAML itself composed."""
    MappingNode, SequenceNode = yaml.MappingNode, yaml.SequenceNode
    kinds = _KINDS
    # A large process has a million scalars: the tuples are made with tuple.__new__, which gives
    # the same NamedTuples as calling the classes, without their Python-level __new__.
    new, Scalar, Mapping, Sequence, Span_ = tuple.__new__, source.Scalar, source.Mapping, source.Sequence, Span

    def leaf(node: yaml.ScalarNode) -> source.Scalar:
        mark = node.start_mark
        tag = node.tag
        # quoted or a block scalar: always text
        kind = "str" if node.style else "null" if tag == _NULL_TAG else kinds.get(tag, "str")
        return new(Scalar, (kind, node.value, new(Span_, (shown, mark.line + 1, mark.column + 1))))

    def branch(node: yaml.Node) -> tuple[source.Node, list[Any]]:
        mark = node.start_mark
        span = new(Span_, (shown, mark.line + 1, mark.column + 1))
        children: list[Any] = []
        return (Mapping(children, span) if type(node) is MappingNode else Sequence(children, span)), children

    containers = (MappingNode, SequenceNode)
    if isinstance(root, yaml.ScalarNode):
        return leaf(root)
    top, children = branch(root)
    stack: list[tuple[yaml.Node, list]] = [(root, children)]
    while stack:
        node, into = stack.pop()
        if type(node) is MappingNode:
            for key, value in node.value:
                key_node = branch(key)[0] if type(key) in containers else leaf(key)  # a non-text key: refused by the builder
                if type(value) in containers:
                    made, grand = branch(value)
                    stack.append((value, grand))
                else:
                    made = leaf(value)
                into.append((key_node, made))
        else:
            for item in node.value:
                if type(item) in containers:
                    made, grand = branch(item)
                    stack.append((item, grand))
                else:
                    made = leaf(item)
                into.append(made)
    return top


def _char_at(text: str, line: int, column: int) -> str:
    """The character at a 0-based line and column, or ''."""
    start = 0
    for _ in range(line):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    return text[start + column : start + column + 1]


def unacceptable_character(text: str, shown: str, error: yaml.reader.ReaderError) -> Problem:
    """A YAML reader error at its line and column, on one line."""
    position = max(0, min(int(error.position), len(text)))
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    code = error.character if isinstance(error.character, int) else ord(error.character) if error.character else 0
    return Problem(
        Span(shown, line, column),
        f"invalid YAML: control character U+{code:04X} is not allowed; write it as an escape (\\u{code:04x}) inside double quotes, or remove it",
    )


def _check_tree(root: yaml.Node, shown: str) -> list[Problem]:
    """One walk: aliases (a node seen twice), tags and duplicate keys. The walk visits each node
    once, so an alias bomb is rejected at its first repeated node instead of being expanded."""
    problems: list[Problem] = []
    seen: set[int] = set()
    seen_add, plain = seen.add, _PLAIN_TAGS
    MappingNode, SequenceNode, ScalarNode = yaml.MappingNode, yaml.SequenceNode, yaml.ScalarNode
    stack = [root]
    pop, extend = stack.pop, stack.extend
    while stack:
        node = pop()
        if id(node) in seen:
            problems.append(
                Problem(
                    span_at(shown, node.start_mark),
                    "this value is anchored (&) and reused by an alias (*); anchors and aliases are not supported, write the value out",
                )
            )
            return problems
        seen_add(id(node))
        if node.tag not in plain:
            problems.append(Problem(span_at(shown, node.start_mark), f"YAML tag {_short_tag(node.tag)} is not allowed; only plain data is accepted"))
            continue
        kind = type(node)
        if kind is ScalarNode:
            continue
        if kind is MappingNode:
            keys: dict[str, yaml.Node] = {}  # children are walked in document order
            for key, _value in node.value:
                if type(key) is ScalarNode and key.tag in plain:
                    if key.value in keys:
                        first = keys[key.value].start_mark.line + 1
                        problems.append(Problem(span_at(shown, key.start_mark), f"duplicate key {key.value!r} (first at line {first})"))
                    else:
                        keys[key.value] = key
                    if key.value == "<<":
                        problems.append(Problem(span_at(shown, key.start_mark), "YAML merge keys (<<) are not supported"))
            children = [item for pair in node.value for item in pair]
            children.reverse()
            extend(children)
        elif kind is SequenceNode:
            extend(node.value[::-1])
    return problems


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE_TAG) :] if tag.startswith(_CORE_TAG) else tag
