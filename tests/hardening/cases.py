"""One fixture per class of bad input (issue 8), shared by the bad-input and watch tests.

Each case is the file's bytes, the line the error must point at (None: the path alone, no position
needed) and words the message must contain. A file that is not UTF-8 or holds binary data is
written as bytes; the size case is a valid process above a lowered KAMFLOW_MAX_FILE_SIZE.
"""
from __future__ import annotations

from dataclasses import dataclass

GOOD = """\
kamflow: 1
id: good
title: Good
lanes:
  - {id: a, label: Team A}
steps:
  - {id: s, type: start, label: Start, lane: a, next: w}
  - {id: w, label: Work, lane: a, next: e}
  - {id: e, type: end, label: Done, lane: a}
"""

_HEAD = "kamflow: 1\nid: bad\ntitle: Bad\n"
_STEPS = "steps:\n  - {id: s, type: start, label: Start, next: e}\n  - {id: e, type: end, label: End}\n"


def _with_step(step: str) -> str:
    return _HEAD + "steps:\n  - {id: s, type: start, label: Start, next: x}\n" + step + "  - {id: e, type: end, label: End}\n"


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    line: int | None  # the line the error points at; None: no position (a path-level problem)
    words: str  # a fragment of the message (lower case)
    env: tuple = ()  # extra environment (name, value)


def _case(name: str, text: str | bytes, line: int | None, words: str, env: tuple = ()) -> Case:
    return Case(name, text if isinstance(text, bytes) else text.encode("utf-8"), line, words, env)


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)

CASES = [
    _case("syntax-error", _HEAD + "steps: [\n  - {id: s\n", 5, "invalid yaml"),
    _case("unclosed-quote", _HEAD + 'description: "never closed\n' + _STEPS, 8, "invalid yaml"),
    _case("empty-file", "", 1, "empty"),
    _case("only-comments", "# nothing here\n\n", 1, "empty"),
    _case("top-level-list", "- kamflow: 1\n- id: bad\n", 1, "mapping"),
    _case("top-level-scalar", "just some words\n", 1, "mapping"),
    _case("duplicate-top-key", _HEAD + "title: Again\n" + _STEPS, 4, "duplicate key"),
    _case("duplicate-nested-key", _HEAD + "steps:\n  - {id: s, type: start, label: A, label: B, next: e}\n  - {id: e, type: end, label: End}\n", 5, "duplicate key"),
    _case("unknown-top-key", _HEAD + "colour: red\n" + _STEPS, 4, "unknown key"),
    _case("unknown-step-key", _with_step("  - {id: x, label: X, nxt: e}\n"), 6, "unknown key"),
    _case("step-is-string", _with_step("  - just a string\n"), 6, "mapping"),
    _case("branches-is-list", _with_step("  - {id: x, type: decision, label: X?, branches: [e, s]}\n"), 6, "branches"),
    _case("label-is-mapping", _with_step("  - {id: x, label: {text: X}, next: e}\n"), 6, "label"),
    _case("steps-is-mapping", _HEAD + "steps: {s: start}\n", 4, "steps"),
    _case("unknown-step-type", _with_step("  - {id: x, type: gateway, label: X, next: e}\n"), 6, "gateway"),
    _case("id-with-space", _with_step("  - {id: my step, label: X, next: e}\n"), 6, "not a valid id"),
    _case("id-dotdot-path", _HEAD.replace("id: bad", "id: ../x") + _STEPS, 2, "not a valid id"),
    _case("id-absolute-path", _HEAD.replace("id: bad", "id: /etc/x") + _STEPS, 2, "not a valid id"),
    _case("id-slash", _with_step("  - {id: a/b, label: X, next: e}\n"), 6, "not a valid id"),
    _case("duplicate-step-id", _with_step("  - {id: s, label: X, next: e}\n"), 6, "duplicate"),
    _case("unsupported-version", _HEAD.replace("kamflow: 1", "kamflow: 99") + _STEPS, 1, "version"),
    _case("python-tag", _HEAD + 'description: !!python/object/apply:os.system ["touch PWNED"]\n' + _STEPS, 4, "tag"),
    _case("custom-tag", _HEAD + "description: !include /etc/passwd\n" + _STEPS, 4, "tag"),
    _case("alias-bomb", BOMB, 1, "alias"),
    _case("merge-key", _HEAD + "steps:\n  - &s {id: s, type: start, label: S, next: e}\n  - {<<: *s, id: e, type: end}\n", 5, "alias"),
    _case("several-documents", _HEAD + _STEPS + "---\nkamflow: 1\n", 7, "several yaml documents"),
    _case("control-character", _HEAD + 'description: "bell \x07 and delete \x7f"\n' + _STEPS, 4, "control character"),
    _case("binary-nul", b"kamflow: 1\nid: bad\x00\x01\x02\n", 2, "binary"),
    _case("png-bytes", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 3, "binary"),
    _case("latin-1", _HEAD.encode() + "description: caf\u00e9\n".encode("latin-1") + _STEPS.encode(), 4, "utf-8"),
    _case("utf-16", ("\ufeff" + _HEAD + _STEPS).encode("utf-16"), 1, "binary"),
    _case("over-size-limit", _HEAD + _STEPS + "# padding\n" * 1200, None, "limit", env=(("KAMFLOW_MAX_FILE_SIZE", "10000"),)),
    _case("deep-nesting", _HEAD + "steps: " + "[" * 1200 + "]" * 1200 + "\n", 4, "nesting"),
    _case("deep-nesting-mappings", _HEAD + "description: " + "{a: " * 1200 + "1" + "}" * 1200 + "\n" + _STEPS, 4, "nesting"),
]

BAD_THEMES = [
    _case("theme-syntax-error", "steps: {decision: {fill: '#ffeeaa'\n", 2, "invalid yaml"),
    _case("theme-empty", "", 1, "empty"),
    _case("theme-top-level-list", "- fill\n", 1, "mapping"),
    _case("theme-unknown-key", "steps: {gateway: {fill: '#ffffff'}}\n", 1, "unknown key"),
    _case("theme-wrong-type", "font: {size: large}\n", 1, "size"),
    _case("theme-duplicate-key", "font: {size: 12}\nfont: {size: 13}\n", 2, "duplicate"),
    _case("theme-python-tag", "description: !!python/object/apply:os.system [touch PWNED]\n", 1, "tag"),
    _case("theme-alias", "page: &p {text: '#000000'}\nedges: *p\n", 1, "alias"),
    _case("theme-control-character", "name: bell\x07\n", 1, "control character"),
    _case("theme-binary", b"font:\x00\x00", 1, "binary"),
    _case("theme-latin-1", "description: caf\u00e9\n".encode("latin-1"), 1, "utf-8"),
    _case("theme-image-attribute", "steps: {step: {image: /etc/passwd}}\n", 1, "unknown key"),
    _case("theme-font-injection", 'font: {family: "Arial\\"; fontpath=/etc"}\n', 1, "font"),
]

BAD_TEMPLATES = [
    _case("template-syntax-error", "<h1>{{ process.title </h1>\n{% for x in %}\n", 1, "template"),
    _case("template-undefined", "<h1>{{ no_such_variable }}</h1>\n", 1, "undefined"),
    _case("template-binary", b"<h1>\x00\x00</h1>", 1, "binary"),
    _case("template-latin-1", "<h1>caf\u00e9</h1>".encode("latin-1"), 1, "utf-8"),
    _case("template-python-internals", "<p>{{ ''.__class__.__mro__[1].__subclasses__() }}</p>\n", 1, "unsafe"),
    _case("template-runs-a-command", "<p>ok</p>\n{{ cycler.__init__.__globals__.os.system('touch PWNED') }}\n", 2, "unsafe"),
    _case("template-mutates-data", "{{ [1, 2].append(3) }}\n", 1, "unsafe"),
    _case("template-include-outside", "{% include '/etc/passwd' %}\n", None, "template"),
    _case("template-over-size-limit", "<p>x</p>\n" * 200, None, "limit", env=(("KAMFLOW_MAX_FILE_SIZE", "1000"),)),
]
