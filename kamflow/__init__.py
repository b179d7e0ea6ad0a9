"""kamflow: business processes as checked, report-grade flowcharts."""
from kamflow.api import check, collect_processes, library_path, load, render, render_charts
from kamflow.api import library_ids, library_processes, new_process, show_process
from kamflow.api import export, export_files, json_schema
from kamflow.api import diff, stats
from kamflow.api import loads, portfolio, report, write_report
from kamflow.errors import KamflowError, LoadError, RenderError, UsageError

__all__ = [
    "KamflowError",
    "LoadError",
    "RenderError",
    "UsageError",
    "check",
    "collect_processes",
    "diff",
    "export",
    "export_files",
    "json_schema",
    "library_ids",
    "library_path",
    "library_processes",
    "load",
    "loads",
    "new_process",
    "portfolio",
    "render",
    "render_charts",
    "report",
    "show_process",
    "stats",
    "write_report",
]
