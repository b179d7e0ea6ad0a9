"""Importing what clients already have: BPMN 2.0, draw.io, Mermaid and workshop spreadsheets.

Each format has a reader (bytes -> ir.Source: processes, plus a Note for everything the mapping
could not keep); kamflow.loader.imports.ir.finish gives them kamflow ids, branches and order, and
`import_processes` builds model Processes from that, steps in flow order. Files are read with the
same size cap as process files; every failure is a LoadError at its position.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

from kamflow.errors import LoadError, Problem, Span, UsageError
from kamflow.files import read_bytes
from kamflow.loader import yamlsrc
from kamflow.loader.build import build_process as build_tree
from kamflow.loader.imports.ir import Note, ProcessDoc, Source, finish
from kamflow.model.graph import flow_order
from kamflow.model.process import Process
from kamflow.model.source import At, plain

FORMATS = ("bpmn", "drawio", "mermaid", "csv", "xlsx")
FORMAT_NAMES = {"bpmn": "BPMN 2.0", "drawio": "draw.io", "mermaid": "Mermaid", "csv": "CSV spreadsheet", "xlsx": "XLSX workbook"}
_SUFFIXES = {
    ".bpmn": "bpmn",
    ".bpmn2": "bpmn",
    ".drawio": "drawio",
    ".dio": "drawio",
    ".mmd": "mermaid",
    ".mermaid": "mermaid",
    ".md": "mermaid",
    ".markdown": "mermaid",
    ".csv": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}


def detect_format(path: Path | str, data: bytes) -> str | None:
    """The format from the file's suffix, else from its first bytes; None when neither tells."""
    suffix = Path(path).suffix.lower()
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    head = data[:4096]
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if b"<mxfile" in head or b"<mxGraphModel" in head:
        return "drawio"
    if b"BPMN/20100524/MODEL" in head:
        return "bpmn"
    text = head.decode("utf-8", "replace").lstrip("\ufeff")
    first = next((line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("%%")), "")
    if first.split(" ")[0] in ("flowchart", "graph", "swimlane-beta", "---"):
        return "mermaid"
    return None


def read_source(path: Path | str, *, fmt: str | None = None, sheet: str | None = None, display: str | None = None) -> Source:
    """One file read into the import IR (not yet finished)."""
    shown = display or str(path)
    data = yamlsrc.read_bytes(path, display=shown)
    fmt = fmt or detect_format(path, data)
    if fmt is None:
        raise LoadError(
            [Problem(Span(shown), f"cannot tell which format this is from its name or content; name it with --from ({', '.join(FORMATS)})")]
        )
    if fmt == "bpmn":
        from kamflow.loader.imports.bpmn import read_bpmn

        return read_bpmn(data, shown)
    if fmt == "drawio":
        from kamflow.loader.imports.drawio import read_drawio

        return read_drawio(data, shown)
    if fmt == "mermaid":
        from kamflow.loader.imports.mermaid import read_mermaid

        return read_mermaid(yamlsrc.decode(data, shown), shown, markdown=Path(path).suffix.lower() in (".md", ".markdown"))
    if fmt == "csv":
        from kamflow.loader.imports.sheet import read_csv

        return read_csv(data, shown)
    if fmt == "xlsx":
        from kamflow.loader.imports.sheet import read_xlsx

        return read_xlsx(data, shown, sheet=sheet)
    raise LoadError([Problem(Span(shown), f"unknown import format {fmt!r}; choose from {', '.join(FORMATS)}")])


def import_processes(
    path: Path | str, *, fmt: str | None = None, sheet: str | None = None, display: str | None = None, taken: set[str] | None = None
) -> tuple[list[Process], list[Note]]:
    """The processes in one file, each with steps in flow order, and the notes on what was lost.
    `taken`: process ids already given to other files of the same import (lower case)."""
    if fmt is not None and fmt not in FORMATS:
        raise UsageError(f"unknown import format {fmt!r}; choose from {', '.join(FORMATS)}")
    source = read_source(path, fmt=fmt, sheet=sheet, display=display)
    docs = finish(source, taken=taken)
    processes = [_ordered(doc, source.path) for doc in docs]
    notes = sorted(set(source.notes), key=lambda n: (n.span, n.message))
    return processes, notes


@dataclass(frozen=True)
class ImportPlan:
    outputs: tuple[tuple[Path, Process, str, str | None], ...]  # (target file, process, source file, format)
    notes: tuple[Note, ...]


def import_plan(paths: Iterable[Path | str], *, folder: Path, fmt: str | None = None, sheet: str | None = None, force: bool = False) -> ImportPlan:
    """Every process of every file and the process file each becomes (`folder/<id>.yaml`), all
    read before anything is written; an existing file is refused unless `force`."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file, not a folder")
    outputs = []
    all_notes: list[Note] = []
    taken: set[str] = set()
    for path in paths:
        processes, notes = import_processes(path, fmt=fmt, sheet=sheet, taken=taken)
        kind = fmt or detect_format(path, read_bytes(path)[:4096])
        all_notes.extend(notes)
        for process in processes:
            target = folder / f"{process.id}.yaml"
            if target.exists() and not force:
                raise UsageError(f"{target} already exists; kamflow import never overwrites a file without --force")
            outputs.append((target, process, Path(path).as_posix(), kind))
    return ImportPlan(tuple(outputs), tuple(all_notes))


def import_header(process: Process, *, source: str, fmt: str | None) -> list[str]:
    """The comment lines on top of an imported process's file: its title, and where it came from."""
    what = FORMAT_NAMES.get(fmt or "", "another tool")
    return [process.title, f"Imported by `kamflow import` from {source} ({what}); the source's own layout is not kept."]


def same_process(read_back: Process, imported: Process) -> bool:
    """Whether the process file written for an import reads back as the imported process
    (its steps' ids, types, labels and lanes, and its flows)."""

    def shape(process: Process):
        steps = [(s.id, s.type, s.label, s.lane) for s in process.steps]
        return steps, [(e.source, e.target, e.label) for e in process.edges]

    return shape(read_back) == shape(imported)


def _ordered(doc: ProcessDoc, shown: str) -> Process:
    first = build_process(doc, shown)
    rank = {step.id: i for i, step in enumerate(flow_order(first))}
    return build_process(replace(doc, steps=sorted(doc.steps, key=lambda s: rank[s.id])), shown)


def build_process(doc: ProcessDoc, shown: str) -> Process:
    """A finished import through the one process builder (kamflow.loader.build), as a source tree in
    the process file's shape with the imported file's positions: the same limits and checks as a
    process file, and the same Process the written YAML gives."""
    steps = []
    for item in doc.steps:
        entry: dict = {"id": item.id}
        if item.type != "step":
            entry["type"] = item.type
        if item.label is not None:
            entry["label"] = item.label
        if item.lane:
            entry["lane"] = item.lane
        if item.process:
            entry["process"] = item.process
        if item.next:
            entry["next"] = [At(target if label is None else {"to": target, "label": label}, span) for target, label, span in item.next]
        if item.branches:
            entry["branches"] = {At(label, span): target for label, target, span in item.branches}
        entry.update(item.metadata)
        steps.append(At(entry, item.span))
    tree: dict = {"kamflow": 1, "id": doc.id, "title": doc.title}
    if doc.description:
        tree["description"] = doc.description
    tree["direction"] = doc.direction
    if doc.lanes:
        tree["lanes"] = [At({"id": lane_id, "label": label}, span) for lane_id, label, span in doc.lanes]
    tree["steps"] = steps
    return build_tree(plain(tree, doc.span), shown)
