"""A new process file derived from a reference, made by editing the reference's text.

`kamflow new` must hand the consultant the reference exactly as it was written — its comments,
key order, blank lines and quoting — with only two things changed: the top-level `id` and
`based_on`. Dumping a parsed tree would lose all of that, so this module finds the two values'
positions in the YAML node tree and splices the new text in place.
"""
from __future__ import annotations

import json

import yaml

from kamflow.errors import LoadError, Problem, Span

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the loader's own parser


def derive_text(text: str, *, shown: str, new_id: str, based_on: str) -> str:
    """`text` with its top-level `id` set to `new_id` and `based_on` set to `based_on` (added on
    the line after `id` when absent). Everything else is kept byte for byte."""
    root = yaml.compose(text, Loader=_Loader)
    starts = _line_starts(text)

    def offset(mark) -> int:
        return starts[mark.line] + mark.column

    if not isinstance(root, yaml.MappingNode):
        raise LoadError([Problem(Span(shown, 1, 1), "the top level is not a mapping")])
    entries = {key.value: (key, value) for key, value in root.value if isinstance(key, yaml.ScalarNode)}
    if "id" not in entries:
        raise LoadError([Problem(Span(shown, 1, 1), "has no top-level 'id'")])
    edits: list[tuple[int, int, str]] = []
    id_key, id_value = entries["id"]
    edits.append((offset(id_value.start_mark), offset(id_value.end_mark), _scalar(new_id)))
    if "based_on" in entries:
        _, value = entries["based_on"]
        edits.append((offset(value.start_mark), offset(value.end_mark), _scalar(based_on)))
    elif root.flow_style:
        end = offset(id_value.end_mark)
        edits.append((end, end, f", based_on: {_scalar(based_on)}"))
    else:
        newline = "\r\n" if "\r\n" in text else "\n"
        line_end = text.find("\n", offset(id_value.end_mark))
        at = len(text) if line_end < 0 else line_end + 1
        prefix = "" if line_end >= 0 or text.endswith("\n") else newline
        indent = " " * id_key.start_mark.column
        edits.append((at, at, f"{prefix}{indent}based_on: {_scalar(based_on)}{newline}"))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _line_starts(text: str) -> list[int]:
    """Offset of each line's first character; YAML marks give line and column, and YAML breaks
    lines at LF, CRLF, a lone CR, NEL, LS and PS."""
    starts = [0]
    for index, char in enumerate(text):
        if char in "\n\x85\u2028\u2029" or (char == "\r" and text[index + 1:index + 2] != "\n"):
            starts.append(index + 1)
    return starts


def _scalar(value: str) -> str:
    """A plain scalar when YAML reads it back as the same string, else a double-quoted one."""
    try:
        plain_ok = yaml.safe_load(value) == value and "\n" not in value
    except yaml.YAMLError:
        plain_ok = False
    return value if plain_ok else json.dumps(value, ensure_ascii=False)
