"""Property-based tests (hypothesis). Random well-formed processes (random graphs, lanes, decisions,
labels drawn from all of Unicode) go through load -> check -> render (SVG, PDF) -> every export
and back, raising nothing but kamflow's own errors; random mutations of the bundled processes
(deleted, duplicated and re-indented lines, random bytes, truncation) only ever give a process or
a LoadError whose every problem has a line and column.

`make test` runs a modest number of examples (profile `default`); `make fuzz` runs the long
profile `fuzz` (HYPOTHESIS_PROFILE=fuzz, examples saved in .hypothesis/ for replay).
"""
from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamflow import api
from kamflow.errors import KamflowError, LoadError
from kamflow.exporters import EXPORTERS
from tests.conftest import PROCESSES
from tests.hardening.test_adversarial_labels import check_svg

settings.register_profile("default", max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(__import__("os").environ.get("HYPOTHESIS_PROFILE", "default"))

# Any Unicode text but lone surrogates (no UTF-8 file can hold one).
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30)
IDS = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,12}", fullmatch=True)
MIDDLE_TYPES = ("step", "step", "decision", "document", "data", "manual", "wait", "subprocess")


def _printable(ch: str) -> bool:
    """What YAML 1.1 allows raw in a file (PyYAML's reader)."""
    code = ord(ch)
    return 0x20 <= code <= 0x7E or code == 0x85 or 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000


def yaml_text(value) -> str:
    """A value as YAML flow text; strings double-quoted, every character YAML cannot hold raw
    (controls, tabs, newlines) written as an escape, so the text loads back exactly."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{yaml_text(k)}: {yaml_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(yaml_text(v) for v in value) + "]"
    if isinstance(value, int):
        return str(value)
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif _printable(ch):
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


@st.composite
def processes(draw) -> str:
    """A random process as YAML flow text: steps with unique ids, flows to existing
    steps (forward, backward, to themselves), decisions with labelled branches, optional lanes."""
    count = draw(st.integers(min_value=2, max_value=9))
    ids = draw(st.lists(IDS, min_size=count, max_size=count, unique_by=str.lower))
    lanes = draw(st.lists(IDS, max_size=3, unique=True))
    steps = []
    for index, step_id in enumerate(ids):
        kind = "start" if index == 0 else "end" if index == count - 1 else draw(st.sampled_from(MIDDLE_TYPES))
        step = {"id": step_id, "type": kind, "label": draw(TEXT)}
        if lanes:
            step["lane"] = draw(st.sampled_from(lanes))
        if draw(st.booleans()):
            step["notes"] = draw(TEXT)
        if draw(st.booleans()):
            step["kpis"] = draw(st.lists(TEXT, max_size=2))
        if draw(st.booleans()):
            step["owner"] = draw(TEXT)
        if kind == "subprocess":
            step["process"] = draw(st.sampled_from(["kam", "billing", "nowhere"]))
        targets = st.sampled_from(ids[1:])
        if kind == "decision":
            labels = draw(st.lists(TEXT, min_size=2, max_size=3, unique_by=lambda t: " ".join(t.split()).lower()))
            step["branches"] = {label: draw(targets) for label in labels}
        elif kind != "end":
            step["next"] = draw(st.lists(targets, min_size=1, max_size=2, unique=True)) if draw(st.booleans()) else draw(targets)
        steps.append(step)
    document = {
        "kamflow": 1,
        "id": draw(IDS),
        "title": draw(TEXT),
        "direction": draw(st.sampled_from(["TB", "LR"])),
        "steps": steps,
    }
    if draw(st.booleans()):
        document["description"] = draw(TEXT)
    if lanes:
        document["lanes"] = [{"id": lane, "label": draw(TEXT)} for lane in lanes]
    if draw(st.booleans()):
        return yaml_text(document)
    return json.dumps(document, ensure_ascii=False)  # JSON is YAML too, when it holds no control characters


def _drawn_title(text: str) -> str:
    import yaml

    return yaml.load(text, Loader=yaml.SafeLoader)["title"]


def _positioned(error: LoadError) -> bool:
    return bool(error.problems) and all(p.span.line > 0 and p.span.column > 0 for p in error.problems)


@given(processes())
@settings(max_examples=settings().max_examples)
def test_random_processes_go_through_every_stage(text):
    try:
        process = api.loads(text, name="random.yaml")
    except LoadError as error:  # a generated label can still be refused (blank, a control character in JSON): positioned
        assert _positioned(error), error.lines()
        return
    assert process.title == _drawn_title(text)
    findings = api.check(process)
    assert all(str(f).startswith("random.yaml") for f in findings)
    # A process that loads is drawn and exported: not even a kamflow error is expected here.
    charts = api.render_charts(process, formats=("svg", "pdf"))
    check_svg(charts["svg"])
    assert charts["pdf"].startswith(b"%PDF")
    for name in EXPORTERS:
        exported = api.export(process, to=name)
        if name in ("bpmn", "drawio", "graphml"):
            ET.fromstring(exported.encode("utf-8"))


@given(text=processes())
@settings(max_examples=settings().max_examples * 2)
def test_json_export_loads_back_with_the_same_text(tmp_path_factory, text):
    try:
        process = api.loads(text, name="random.yaml")
    except LoadError:
        return
    folder = tmp_path_factory.mktemp("json")
    (folder / "p.json").write_text(api.export(process, to="json"), encoding="utf-8")
    back = api.load(folder / "p.json", workspace=api.Workspace())
    assert back.title == process.title
    assert [(s.id, s.type, s.label) for s in back.steps] == [(s.id, s.type, s.label) for s in process.steps]
    assert [(e.source, e.target, e.label) for e in back.edges] == [(e.source, e.target, e.label) for e in process.edges]


SOURCES = sorted(p for p in PROCESSES.glob("*.yaml"))


@st.composite
def mutants(draw) -> bytes:
    """A bundled process with one to three random edits."""
    data = draw(st.sampled_from(SOURCES)).read_bytes()
    for _ in range(draw(st.integers(1, 3))):
        lines = data.split(b"\n")
        at = draw(st.integers(0, max(0, len(lines) - 1)))
        edit = draw(st.sampled_from(["delete", "duplicate", "indent", "dedent", "bytes", "truncate", "swap", "char"]))
        if edit == "delete":
            del lines[at]
        elif edit == "duplicate":
            lines.insert(at, lines[at])
        elif edit == "indent":
            lines[at] = b" " * draw(st.integers(1, 5)) + lines[at]
        elif edit == "dedent":
            lines[at] = lines[at].lstrip(b" ")
        elif edit == "swap" and at + 1 < len(lines):
            lines[at], lines[at + 1] = lines[at + 1], lines[at]
        elif edit == "truncate":
            lines = lines[: at + 1]
            lines[-1] = lines[-1][: draw(st.integers(0, len(lines[-1])))]
        elif edit == "char":
            line = lines[at]
            column = draw(st.integers(0, len(line)))
            lines[at] = line[:column] + draw(st.sampled_from([b":", b"-", b"{", b"}", b"[", b"]", b"'", b'"', b"&a ", b"*a", b"!!", b"#", b"\t", b"%"])) + line[column:]
        else:
            column = draw(st.integers(0, len(lines[at])))
            lines[at] = lines[at][:column] + draw(st.binary(min_size=1, max_size=6)) + lines[at][column:]
        data = b"\n".join(lines)
    return data


@given(mutants())
@settings(max_examples=settings().max_examples * 10)
def test_mutated_files_give_a_process_or_positioned_errors(data):
    try:
        process = api.load_stream(io.BytesIO(data), name="mutant.yaml")
    except LoadError as error:
        assert _positioned(error), error.lines()
        return
    api.check(process)  # a mutant that still loads is checked without an exception


JSON_SOURCES = [api.export(api.load(path), to="json").encode("utf-8") for path in SOURCES[:3]]


@st.composite
def json_mutants(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(JSON_SOURCES)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(["delete", "insert", "replace"]))
        if edit == "delete":
            del data[at: at + draw(st.integers(1, 40))]
        elif edit == "insert":
            data[at:at] = draw(st.sampled_from([b"[", b"{", b"]", b"}", b",", b'"', b":", b"null", b"1e999", b"NaN", b"\\u0000", b"\x00", b"\xff", b'{"id": "../x"}', b"[" * 3000]))
        else:
            data[at: at + 1] = draw(st.binary(min_size=1, max_size=3))
    return bytes(data)


@given(json_mutants())
@settings(max_examples=settings().max_examples * 5)
def test_mutated_json_exports_give_a_process_or_positioned_errors(data):
    from kamflow.loader.jsonsrc import load_process_json_text
    from kamflow.loader.yamlsrc import decode

    try:
        process = load_process_json_text(decode(data, "mutant.json"), "mutant.json")
    except LoadError as error:
        assert _positioned(error), error.lines()
        return
    api.check(process)
