"""Chart themes: colours per step type, lane fills, edge colour, font. The built-in themes are YAML
files in `themes/` (package data); a custom theme is a small YAML file of the same shape that
overrides any part of a base theme (`extends:`, `default` unless given). Theme files are read safely
(plain data only: no tags, anchors, aliases or duplicate keys) and every mistake is reported at its
position, all at once, as a LoadError."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from kamflow.errors import LoadError, Problem, Span
from kamflow.files import read_text
from kamflow.model.overlay import MARK_KINDS
from kamflow.model.process import STEP_TYPES
from kamflow.model.source import Mapping, Node, Scalar, Sequence
from kamflow.model.yamltree import source_tree

BUILTIN_DIR = Path(__file__).resolve().parent / "themes"
MAX_THEME_BYTES = 256 * 1024
_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_FAMILY = re.compile(r"^[A-Za-z0-9 ._-]{1,64}$")


@dataclass(frozen=True)
class StepColours:
    fill: str
    stroke: str
    text: str | None = None


@dataclass(frozen=True)
class Theme:
    name: str
    description: str
    font_family: str
    font_size: float
    background: str
    text: str
    muted: str
    edge: str
    edge_label: str
    lane_fills: tuple[str, ...]
    lane_header_fills: tuple[str, ...]
    lane_header_text: str
    lane_border: str
    steps: dict[str, StepColours] = field(default_factory=dict)
    warning: StepColours = StepColours("#fff3ea", "#c2410c", "#9a3412")
    marks: dict[str, str] = field(default_factory=dict)
    edge_style: str = "orthogonal"  # or "rounded": flow corners drawn as quarter circles

    def lane_fill(self, index: int) -> str:
        return self.lane_fills[index % len(self.lane_fills)]

    def lane_header_fill(self, index: int) -> str:
        return self.lane_header_fills[index % len(self.lane_header_fills)]

    def step(self, step_type: str) -> StepColours:
        return self.steps.get(step_type) or self.steps["step"]


# The shape of a theme file: key -> kind ("colour", "colours", "family", "size", "text",
# "theme-name") or a nested schema.
_STEP_SCHEMA = {"fill": "colour", "stroke": "colour", "text": "colour"}
SCHEMA: dict = {
    "name": "text",
    "description": "text",
    "extends": "theme-name",
    "font": {"family": "family", "size": "size"},
    "page": {"background": "colour", "text": "colour", "muted": "colour"},
    "edges": {"color": "colour", "label": "colour", "style": "edge-style"},
    "lanes": {"fills": "colours", "header_fills": "colours", "header_text": "colour", "border": "colour"},
    "steps": {step_type: _STEP_SCHEMA for step_type in STEP_TYPES},
    "warning": _STEP_SCHEMA,
    "marks": {kind: "colour" for kind in MARK_KINDS},
}


def builtin_names() -> list[str]:
    """The built-in theme names, default first."""
    names = sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))
    return sorted(names, key=lambda n: (n != "default", n))


def describe_builtins() -> list[tuple[str, str]]:
    """(name, description) for each built-in theme."""
    return [(name, load_theme(name).description) for name in builtin_names()]


def is_theme_file(reference: str) -> bool:
    """A theme file is named by its .yaml/.yml suffix; anything else is a built-in's name (so no
    other file is ever read as a theme)."""
    return reference.lower().endswith((".yaml", ".yml"))


def load_theme(reference: str | None, *, relative_to: str | Path | None = None) -> Theme:
    """A built-in theme by name, or a theme file (a path ending in .yaml or .yml; relative paths
    are taken from `relative_to`'s folder when given)."""
    reference = reference or "default"
    if not is_theme_file(reference):
        if reference not in builtin_names():
            hint = difflib.get_close_matches(reference, builtin_names(), n=1)
            more = f"; did you mean {hint[0]!r}?" if hint else ""
            raise LoadError(
                [Problem(Span(reference), f"unknown theme {reference!r}: choose {', '.join(builtin_names())} or give a theme file (.yaml){more}")]
            )
        return _builtin(reference)
    path = Path(reference)
    if relative_to is not None and path.is_absolute():  # written in a process file: never an arbitrary file
        raise LoadError([Problem(Span(reference), "a theme file named in a process file must be a path relative to that file")])
    if relative_to is not None:
        path = Path(relative_to).parent / path
    shown = str(path)
    return _theme_from_text(_read(path, shown), shown)


@lru_cache(maxsize=None)
def _builtin(name: str) -> Theme:
    path = BUILTIN_DIR / f"{name}.yaml"
    return _theme_from_text(path.read_text(encoding="utf-8"), f"{name}.yaml", base=None)


def _read(path: Path, shown: str) -> str:
    return read_text(path, display=shown, limit=MAX_THEME_BYTES, what="theme file")


def _theme_from_text(text: str, shown: str, *, base: str | None = "default") -> Theme:
    root = source_tree(text, shown)  # the loader's reader: plain data only, every mistake at its place
    if root is None:
        raise LoadError([Problem(Span(shown, 1, 1), "empty theme file; a theme is a mapping such as `steps: {decision: {fill: '#ffeeaa'}}`")])
    problems: list[Problem] = []
    values = _walk(root, SCHEMA, shown, problems)
    if problems:
        raise LoadError(problems)
    extends = values.get("extends", base)
    if extends is not None and extends == values.get("name") and base is None:
        extends = None
    merged = _builtin_values(extends) if extends else {}
    merged = _merge(merged, values)
    return _to_theme(merged, shown)


@lru_cache(maxsize=None)
def _builtin_values(name: str) -> dict:
    path = BUILTIN_DIR / f"{name}.yaml"
    root = source_tree(path.read_text(encoding="utf-8"), f"{name}.yaml")
    problems: list[Problem] = []
    values = _walk(root, SCHEMA, f"{name}.yaml", problems) if root is not None else {}
    assert not problems, problems
    return values


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        out[key] = _merge(out.get(key, {}), value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _walk(node: Node, schema: dict | str, shown: str, problems: list[Problem], *, where: str = "theme") -> Any:
    if isinstance(schema, dict):
        if not isinstance(node, Mapping):
            problems.append(Problem(node.span, f"{where} must be a mapping with keys {', '.join(schema)}"))
            return None
        values: dict = {}
        for key, value in node.entries:
            name = key.text if isinstance(key, Scalar) else None
            if name is None or name not in schema:
                hint = difflib.get_close_matches(str(name), list(schema), n=1)
                more = f"; did you mean {hint[0]!r}?" if hint else f"; allowed: {', '.join(schema)}"
                problems.append(Problem(key.span, f"unknown key {name!r} in {where}{more}"))
                continue
            values[name] = _walk(value, schema[name], shown, problems, where=f"{where}.{name}" if where != "theme" else name)
        return {k: v for k, v in values.items() if v is not None}
    return _scalar(node, schema, shown, problems, where)


def _scalar(node: Node, kind: str, shown: str, problems: list[Problem], where: str) -> Any:
    if kind == "colours":
        if not isinstance(node, Sequence) or not node.items:
            problems.append(Problem(node.span, f"{where} must be a list of one or more colours like '#e8eef5'"))
            return None
        items = [_scalar(item, "colour", shown, problems, where) for item in node.items]
        return tuple(items) if all(items) else None
    if not isinstance(node, Scalar):
        problems.append(Problem(node.span, f"{where} must be a single value"))
        return None
    raw = node.text
    if kind == "colour":
        if not _COLOUR.match(raw):
            problems.append(Problem(node.span, f"{where}: {raw!r} is not a colour; write '#rrggbb' (quoted, since # starts a YAML comment)"))
            return None
        return raw.lower()
    if kind == "size":
        try:
            size = float(raw)
        except ValueError:
            size = 0.0
        if not 6 <= size <= 32:
            problems.append(Problem(node.span, f"{where}: font size must be a number from 6 to 32 (points), not {raw!r}"))
            return None
        return size
    if kind == "family":
        if not _FAMILY.match(raw):
            problems.append(Problem(node.span, f"{where}: {raw!r} is not a font family name (letters, digits, spaces, . _ -)"))
            return None
        return raw
    if kind == "edge-style":
        if raw not in ("orthogonal", "rounded"):
            problems.append(Problem(node.span, f"{where}: {raw!r} is not an edge style; choose orthogonal or rounded"))
            return None
        return raw
    if kind == "theme-name":
        if raw not in builtin_names():
            problems.append(Problem(node.span, f"{where}: {raw!r} is not a built-in theme; choose {', '.join(builtin_names())}"))
            return None
        return raw
    if len(raw) > 200:
        problems.append(Problem(node.span, f"{where} is longer than 200 characters"))
        return None
    return raw


def _to_theme(values: dict, shown: str) -> Theme:
    font = values.get("font", {})
    page = values.get("page", {})
    edges = values.get("edges", {})
    lanes = values.get("lanes", {})
    steps = values.get("steps", {})
    missing = [
        key
        for key, present in (("font.family", "family" in font), ("page.background", "background" in page), ("steps.step", "step" in steps))
        if not present
    ]
    if missing:
        raise LoadError([Problem(Span(shown, 1, 1), f"theme lacks {', '.join(missing)} and extends no theme")])
    text = page.get("text", "#000000")
    step_colours = {}
    for step_type in STEP_TYPES:
        given = {**steps.get("step", {}), **steps.get(step_type, {})}
        step_colours[step_type] = StepColours(given.get("fill", "#ffffff"), given.get("stroke", text), given.get("text"))
    warning = values.get("warning", {})
    return Theme(
        name=values.get("name", Path(shown).stem),
        description=values.get("description", ""),
        font_family=font["family"],
        font_size=float(font.get("size", 11)),
        background=page["background"],
        text=text,
        muted=page.get("muted", text),
        edge=edges.get("color", text),
        edge_label=edges.get("label", text),
        lane_fills=tuple(lanes.get("fills", ("#ffffff",))),
        lane_header_fills=tuple(lanes.get("header_fills", lanes.get("fills", ("#eeeeee",)))),
        lane_header_text=lanes.get("header_text", text),
        lane_border=lanes.get("border", text),
        steps=step_colours,
        warning=StepColours(warning.get("fill", "#ffffff"), warning.get("stroke", text), warning.get("text", warning.get("stroke", text))),
        marks={kind: values.get("marks", {}).get(kind, text) for kind in MARK_KINDS},
        edge_style=edges.get("style", "orthogonal"),
    )
