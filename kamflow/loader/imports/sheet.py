"""Workshop spreadsheets (CSV, XLSX) -> the import IR: one row per step.

The first non-empty row names the columns (any case; spaces, `_` and `-` ignored; common synonyms):

| column    | also accepted                                        | holds                                  |
|-----------|------------------------------------------------------|----------------------------------------|
| id        | step id, key, ref, no, nr, number, #                 | the step's id (else one from its label)|
| label     | step, name, activity, task, title, step name         | the text on the chart                  |
| type      | kind, shape, symbol                                  | start, end, step, decision, subprocess, document, data, manual, |
|           |                                                      | wait, parallel (and begin, finish, gateway, question, fork ...) |
| lane      | role, swimlane, actor, department, team, who         | the lane (role); lanes in order of first use |
| next      | next step(s), then, goes to, successor(s), to        | `a; b` or `Yes: a; No: b` (ids or labels) |
| condition | branch, branch label(s), answer, outcome, when       | branch labels for `next`, in order: `Yes; No` |
| owner     | responsible, accountable                             | metadata                               |
| duration  | time, effort, lead time                              | `30min`, `2h`, `3d`, `1w`              |
| kpis      | kpi, measure(s), metric(s)                           | `;`-separated                          |
| inputs, outputs, notes (note, comment, remarks), link (url), tags, process (subprocess) |      |  |

A decision is a row of type decision, or (without a type) a row whose `next` has two or more
labelled targets. Targets name a step by its id, else by its label. Other columns are kept in
`notes` as "Column: value", with a note. Positions are FILE:ROW:COLUMN (the column's number);
XLSX notes also name the cell (`Steps!B7`). CSV is UTF-8 (with or without BOM), or windows-1252 as
Excel writes it (with a note); XLSX archives are bounded in expanded size before opening.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

from kamflow.errors import LoadError, Problem, Span
from kamflow.loader import yamlsrc
from kamflow.loader.imports.ir import Flow, Lane, Node, Source, SourceProcess, collapse, slug

MAX_ROWS = 100_000
_COLUMNS = {
    "id": ("id", "stepid", "key", "ref", "no", "nr", "number", "#", "stepno", "stepnumber"),
    "label": ("label", "step", "name", "activity", "task", "title", "stepname", "description", "activityname"),
    "type": ("type", "kind", "shape", "symbol", "steptype"),
    "lane": ("lane", "role", "swimlane", "actor", "department", "team", "who", "performer"),
    "next": ("next", "nextstep", "nextsteps", "then", "goesto", "successor", "successors", "to", "followedby"),
    "condition": ("condition", "conditions", "branch", "branches", "branchlabel", "branchlabels", "answer", "outcome", "when"),
    "owner": ("owner", "responsible", "accountable"),
    "duration": ("duration", "time", "effort", "leadtime"),
    "kpis": ("kpis", "kpi", "measure", "measures", "metric", "metrics"),
    "inputs": ("inputs", "input"),
    "outputs": ("outputs", "output"),
    "notes": ("notes", "note", "comment", "comments", "remarks", "remark"),
    "link": ("link", "url", "href"),
    "tags": ("tags", "tag"),
    "process": ("process", "subprocess", "linkedprocess", "calls"),
}
_SYNONYM = {word: name for name, words in _COLUMNS.items() for word in words}
_TYPES = {
    "start": "start",
    "begin": "start",
    "trigger": "start",
    "startevent": "start",
    "end": "end",
    "finish": "end",
    "stop": "end",
    "done": "end",
    "endevent": "end",
    "terminator": "end",
    "step": "step",
    "task": "step",
    "activity": "step",
    "process": "step",
    "action": "step",
    "decision": "decision",
    "gateway": "decision",
    "question": "decision",
    "choice": "decision",
    "xor": "decision",
    "check": "decision",
    "subprocess": "subprocess",
    "sub": "subprocess",
    "predefinedprocess": "subprocess",
    "callactivity": "subprocess",
    "document": "document",
    "doc": "document",
    "report": "document",
    "data": "data",
    "database": "data",
    "io": "data",
    "inputoutput": "data",
    "manual": "manual",
    "manualstep": "manual",
    "manualtask": "manual",
    "manualoperation": "manual",
    "wait": "wait",
    "delay": "wait",
    "timer": "wait",
    "parallel": "parallel",
    "fork": "parallel",
    "join": "parallel",
    "split": "parallel",
    "and": "parallel",
    "sync": "parallel",
}
_LISTS = ("kpis", "inputs", "outputs", "tags")


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-()./]+", "", text.strip().lower())


def read_csv(data: bytes, shown: str) -> Source:
    source = Source(shown, "csv")
    if b"\x00" in data:
        line, column = yamlsrc._position_of(data, data.index(b"\x00"))
        raise LoadError([Problem(Span(shown, line, column), "binary data (NUL byte): not a CSV text file")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as error:
            line, column = yamlsrc._position_of(data, error.start)
            raise LoadError([Problem(Span(shown, line, column), "neither UTF-8 nor windows-1252 text")]) from None
        source.note(Span(shown, 1, 1), "not UTF-8: read as windows-1252, as Excel writes CSV")
    sample = text[:8192]
    delimiter = "\t" if shown.lower().endswith(".tsv") else _delimiter(sample)
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    try:
        for row in reader:
            rows.append((line, row))
            line = reader.line_num + 1
            if len(rows) > MAX_ROWS:
                raise LoadError([Problem(Span(shown, line, 1), f"more than {MAX_ROWS:,} rows")])
    except csv.Error as error:
        raise LoadError([Problem(Span(shown, reader.line_num or 1, 1), f"invalid CSV: {error}")]) from None
    _Table(source, Path(shown).stem, rows, cell_name=None).read()
    return source


def _delimiter(sample: str) -> str:
    first = next((line for line in sample.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_xlsx(data: bytes, shown: str, *, sheet: str | None = None) -> Source:
    source = Source(shown, "xlsx")
    limit = yamlsrc.max_bytes() * 20
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise LoadError([Problem(Span(shown, 1, 1), "not an XLSX workbook (not a valid zip archive)")]) from None
    expanded = sum(m.file_size for m in members)
    if len(members) > 10_000 or expanded > limit:
        raise LoadError(
            [Problem(Span(shown, 1, 1), f"the workbook expands to {expanded:,} bytes in {len(members):,} parts, over the {limit:,}-byte limit")]
        )
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        raise LoadError([Problem(Span(shown, 1, 1), "not an XLSX workbook (no xl/workbook.xml)")])
    for member in members:
        if member.filename.endswith((".xml", ".rels")):
            head = archive.read(member.filename)[:2048]
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise LoadError([Problem(Span(shown, 1, 1), f"the workbook part {member.filename} has a document type declaration (DTD): not read")])
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for broken workbooks
        raise LoadError([Problem(Span(shown, 1, 1), f"cannot read the workbook: {error.__class__.__name__}: {error}")]) from None
    try:
        titles = book.sheetnames
        if sheet is not None:
            if sheet not in titles:
                raise LoadError([Problem(Span(shown, 1, 1), f"no sheet {sheet!r} in this workbook; it has: {', '.join(titles)}")])
            chosen = sheet
        else:
            chosen = titles[0]
            if len(titles) > 1:
                source.note(
                    Span(shown, 1, 1),
                    f"the workbook has {len(titles)} sheets; read {chosen!r} (choose another with --sheet: {', '.join(titles[1:])})",
                )
        worksheet = book[chosen]
        rows = []
        for number, row in enumerate(worksheet.iter_rows(values_only=True), 1):
            if number > MAX_ROWS:
                raise LoadError([Problem(Span(shown, number, 1), f"{chosen}!A{number}: more than {MAX_ROWS:,} rows")])
            rows.append((number, ["" if value is None else _cell_text(value) for value in row]))
    finally:
        book.close()
    _Table(source, chosen, rows, cell_name=chosen).read()
    return source


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class _Table:
    def __init__(self, source: Source, title: str, rows: list[tuple[int, list[str]]], *, cell_name: str | None):
        self.source, self.title, self.rows, self.cell_name = source, title, rows, cell_name

    def span(self, line: int, column: int) -> Span:
        return Span(self.source.path, line, column + 1)

    def where(self, line: int, column: int) -> str:
        return f"{self.cell_name}!{_column_letter(column)}{line}: " if self.cell_name else ""

    def read(self) -> None:
        shown = self.source.path
        rows = [(line, row) for line, row in self.rows if any(cell.strip() for cell in row)]
        if not rows:
            raise LoadError([Problem(Span(shown, 1, 1), "empty sheet: no header row and no steps")])
        header_line, header = rows[0]
        columns: dict[str, int] = {}
        extra: dict[int, str] = {}
        for index, name in enumerate(header):
            if not name.strip():
                continue
            known = _SYNONYM.get(_norm(name))
            if known == "label" and "label" in columns and _norm(name) == "description":
                known = "notes"
            if known and known not in columns:
                columns[known] = index
            else:
                extra[index] = collapse(name) or f"Column {index + 1}"
        if "label" not in columns and "id" not in columns:
            raise LoadError(
                [
                    Problem(
                        self.span(header_line, 0),
                        self.where(header_line, 0)
                        + "the first row must name the columns, with at least a `label` (or `step`, `activity`) or an `id` column; found: "
                        + ", ".join(repr(h) for h in header if h.strip()),
                    )
                ]
            )
        for index, name in extra.items():
            self.source.note(
                self.span(header_line, index),
                self.where(header_line, index) + f"column {name!r} is not a kamflow field: its values are kept in the steps' notes",
            )
        process = SourceProcess(key=self.title, title=self.title, span=self.span(header_line, 0), id_hint=slug(self.title, fallback="process"))
        self.source.processes.append(process)
        lookup: dict[str, str] = {}
        pending: list[tuple[Node, int, str, str, bool]] = []
        lanes: dict[str, str] = {}

        def cell(row: list[str], name: str) -> str:
            index = columns.get(name)
            return row[index].strip() if index is not None and index < len(row) else ""

        for line, row in rows[1:]:
            given_id, label = cell(row, "id"), collapse(cell(row, "label"))
            if not given_id and not label:
                continue
            key = f"row-{line}"
            node = Node(key=key, type="step", label=label or None, span=self.span(line, 0), id_hint=given_id or None)
            type_text = cell(row, "type")
            typed = bool(type_text)
            if type_text:
                kind = _TYPES.get(_norm(type_text))
                if kind is None:
                    self.source.note(
                        self.span(line, columns["type"]), self.where(line, columns["type"]) + f"unknown step type {type_text!r}: imported as a step"
                    )
                    kind = "step"
                node.type = kind
            lane = collapse(cell(row, "lane"))
            if lane:
                if lane not in lanes:
                    lanes[lane] = f"lane-{len(lanes) + 1}"
                    process.lanes.append(Lane(lanes[lane], lane, self.span(line, columns["lane"])))
                node.lane = lanes[lane]
            for name in ("owner", "duration", "link"):
                if cell(row, name):
                    node.metadata[name] = collapse(cell(row, name))
            for name in _LISTS:
                if cell(row, name):
                    node.metadata[name] = [collapse(item) for item in re.split(r"[;\n]", cell(row, name)) if collapse(item)]
            notes = [cell(row, "notes")] if cell(row, "notes") else []
            for index, name in extra.items():
                if index < len(row) and row[index].strip():
                    notes.append(f"{name}: {row[index].strip()}")
            if notes:
                node.metadata["notes"] = "\n".join(notes)
            if cell(row, "process"):
                if node.type == "step" and not typed:
                    node.type = "subprocess"
                node.process = cell(row, "process")
            process.nodes.append(node)
            for text in {given_id, given_id.lower(), (label or "").lower()} - {""}:
                lookup.setdefault(text, key)
            if cell(row, "next"):
                pending.append((node, line, cell(row, "next"), cell(row, "condition"), typed))
        for node, line, next_text, condition_text, typed in pending:
            column = columns["next"]
            items = [item.strip() for item in re.split(r"[;\n]|,(?![^()]*\))", next_text) if item.strip()]
            conditions = [collapse(c) for c in re.split(r"[;\n]", condition_text)] if condition_text else []
            labelled = 0
            for position, item in enumerate(items):
                label = None
                target_text = item
                match = re.match(r"^(.+?)\s*(?::|->|=>|→)\s*(.+)$", item)
                if match and self.find(lookup, match.group(2)) is not None:
                    label, target_text = collapse(match.group(1)), match.group(2)
                elif position < len(conditions) and conditions[position]:
                    label = conditions[position]
                target = self.find(lookup, target_text)
                if target is None:
                    self.source.note(
                        self.span(line, column),
                        self.where(line, column) + f"next {target_text!r} names no step (by id or label); that flow is not imported",
                    )
                    continue
                if label:
                    labelled += 1
                process.flows.append(Flow(node.key, target, label, self.span(line, column)))
            if not typed and labelled >= 2:
                node.type = "decision"

    @staticmethod
    def find(lookup: dict[str, str], text: str) -> str | None:
        text = text.strip()
        return lookup.get(text) or lookup.get(text.lower()) or lookup.get((collapse(text) or "").lower())
