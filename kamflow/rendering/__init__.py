"""Rendering: model -> DOT -> Graphviz -> SVG / PDF / PNG bytes."""
from kamflow.rendering.dot import build_dot
from kamflow.rendering.graphviz_run import RENDER_FORMATS, render_bytes

__all__ = ["RENDER_FORMATS", "build_dot", "render_bytes"]
