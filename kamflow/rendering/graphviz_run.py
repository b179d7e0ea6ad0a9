"""Graphviz: DOT goes in on stdin, the layout (`-Tjson`) comes out; run by rendering/tools.py."""

from __future__ import annotations

from pathlib import Path

from kamflow.rendering import tools

RENDER_FORMATS = ("svg", "pdf", "png", "dot")
DEFAULT_TIMEOUT = 60.0
INSTALL_HINT = (
    "install Graphviz: `apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS) "
    "or `choco install graphviz` (Windows), then make sure `dot` is on PATH"
)


GRAPHVIZ = tools.Tool("Graphviz `{exe}`", "Graphviz", INSTALL_HINT, " (raise --timeout for very large processes)")


def dot_executable() -> str:
    return GRAPHVIZ.find("dot")


def render_bytes(
    source: str, formats: tuple[str, ...], *, timeout: float = DEFAULT_TIMEOUT, engine: str = "dot", extra: tuple[str, ...] | list[str] = ()
) -> dict[str, bytes]:
    """Lay out `source` once: 'json' is Graphviz's layout (positions for kamflow's own SVG writer
    and the exporters), 'dot' the source itself. `engine` names another Graphviz layout program
    (kamflow uses `neato -n2` to route flows around steps placed already); `extra` are further
    command-line arguments."""
    unknown = [fmt for fmt in formats if fmt not in ("json", "dot")]
    if unknown:
        raise ValueError(f"render_bytes gives 'json' (the layout) or 'dot', not {', '.join(unknown)}; charts come from render_process")
    results: dict[str, bytes] = {}
    if "dot" in formats:
        results["dot"] = source.encode("utf-8")
    if "json" in formats:
        exe = dot_executable()
        argv = [exe if engine == "dot" else str(Path(exe).with_name(engine)), *extra, "-Tjson"]
        results["json"] = tools.run(GRAPHVIZ, tools.Job(argv, source.encode("utf-8"), "laying out the chart"), timeout=timeout)
    return {fmt: results[fmt] for fmt in formats}
