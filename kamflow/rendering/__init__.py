"""Rendering: process -> DOT -> one Graphviz layout (dot -Tjson) -> SVG written by kamflow ->
PDF and PNG converted from that SVG (rsvg-convert). `render_process` is the pipeline's entry;
`build_dot` and `render_bytes` stay available for tools that want Graphviz's own output."""

from kamflow.rendering.graphviz_run import RENDER_FORMATS, render_bytes


def __getattr__(name: str):
    """build_dot and render_process on first use: the Graphviz bindings they import cost start-up
    time that `kamflow check` need not pay."""
    if name == "build_dot":
        from kamflow.rendering.dot import build_dot

        return build_dot
    if name == "render_process":
        from kamflow.rendering.chart import render_process

        return render_process
    raise AttributeError(f"module 'kamflow.rendering' has no attribute {name!r}")


__all__ = ["RENDER_FORMATS", "build_dot", "render_bytes", "render_process"]
