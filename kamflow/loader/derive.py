"""A new process file derived from a reference, made by editing the reference's text.

`kamflow new` must hand the consultant the reference exactly as it was written — its comments,
key order, blank lines and quoting — with only two things changed: the top-level `id` and
`based_on`. Dumping a parsed tree would lose all of that, so this module finds the two values'
positions in the YAML node tree and splices the new text in place.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from kamflow.errors import LoadError, Problem, Span, UsageError
from kamflow.model.yamltree import compose

if TYPE_CHECKING:
    from kamflow.loader.workspace import Workspace


def derive_text(text: str, *, shown: str, new_id: str, based_on: str) -> str:
    """`text` with its top-level `id` set to `new_id` and `based_on` set to `based_on` (added on
    the line after `id` when absent). Everything else is kept byte for byte."""
    root = compose(text, shown)  # the loader's own reader
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
        if char in "\n\x85\u2028\u2029" or (char == "\r" and text[index + 1 : index + 2] != "\n"):
            starts.append(index + 1)
    return starts


def _scalar(value: str) -> str:
    """A plain scalar when YAML reads it back as the same string, else a double-quoted one."""
    try:
        plain_ok = yaml.safe_load(value) == value and "\n" not in value
    except yaml.YAMLError:
        plain_ok = False
    return value if plain_ok else json.dumps(value, ensure_ascii=False)


def plan_copy(name: str, *, source: str, folder: Path, workspace: "Workspace") -> tuple[Path, str]:
    """What `kamflow new NAME --from SOURCE -o FOLDER` writes: (target file, text), after every
    check `new` makes. A copy of `source` (a bundled id or a process file) with `id: <name>` and
    `based_on: <source>`, its comments and order kept; it never overwrites a file, and the copy's
    `based_on` must resolve to the process it was made from."""
    import os
    import re

    from kamflow.files import read_text
    from kamflow.loader.build import load_process_text
    from kamflow.loader.schema import ID_PATTERN
    from kamflow.loader.workspace import PROCESS_SUFFIXES

    if not re.match(ID_PATTERN, name):
        raise UsageError(f"process name {name!r} is not a valid id: start with a letter, then letters, digits, '_' or '-', at most 64 characters")
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file, not a folder")
    for suffix in PROCESS_SUFFIXES:
        if (folder / f"{name}{suffix}").exists():
            raise UsageError(f"{folder / (name + suffix)} already exists; kamflow new never overwrites a file (choose another name or folder)")
    target = folder / f"{name}.yaml"
    if Path(source).is_dir():
        raise LoadError([Problem(Span(source), "is a folder, not a process file")])
    if source.lower().endswith(PROCESS_SUFFIXES):
        source_file = Path(source)
        if not source_file.is_file():
            raise LoadError([Problem(Span(source), "no such file")])
        reference = Path(os.path.relpath(source_file.resolve(), folder.resolve())).as_posix()
    elif re.match(ID_PATTERN, source):
        source_file = workspace.bundled_file(source)
        reference = source
        if source == name:
            raise UsageError(f"a process cannot be based on itself: choose a NAME other than {source!r}")
        for suffix in PROCESS_SUFFIXES:
            shadow = folder / f"{source}{suffix}"
            if shadow.is_file() and shadow.resolve() != source_file.resolve():
                raise UsageError(
                    f"based_on: {source} would resolve to {shadow} (ids resolve beside the file "
                    f"first), not to the bundled process; write the copy to another folder with -o"
                )
    else:
        raise UsageError(f"--from {source}: give a bundled process id ({', '.join(workspace.library_ids())}) or a .yaml file")
    workspace.load(source_file)  # the reference itself must load
    text = derive_text(read_text(source_file), shown=str(source_file), new_id=name, based_on=reference)
    made = load_process_text(text, str(target))
    if made.id != name or made.based_on != reference:
        raise RuntimeError(f"kamflow bug: the copy of {source} lost its id or based_on")
    return target, text
