"""kamflow: business processes as checked, report-grade flowcharts."""
from kamflow.api import check, collect_processes, library_path, load, render, render_charts
from kamflow.errors import KamflowError, LoadError, RenderError, UsageError

__all__ = [
    "KamflowError",
    "LoadError",
    "RenderError",
    "UsageError",
    "check",
    "collect_processes",
    "library_path",
    "load",
    "render",
    "render_charts",
]
