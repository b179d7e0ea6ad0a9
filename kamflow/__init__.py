"""kamflow: business processes as checked, report-grade flowcharts.

The names below come from kamflow.api, imported on first use (PEP 562), so that `import kamflow.cli`
and `kamflow --help` do not pay for networkx, YAML and Graphviz bindings."""

from kamflow.errors import KamflowError, LoadError, RenderError, UsageError

_FROM_API = {
    "check",
    "collect_processes",
    "library_path",
    "load",
    "render",
    "render_charts",
    "library_ids",
    "library_processes",
    "new_process",
    "show_process",
    "export",
    "export_files",
    "json_schema",
    "diff",
    "stats",
    "loads",
    "portfolio",
    "report",
    "write_report",
    "import_file",
    "report_docx",
    "export_deck",
}


def __getattr__(name: str):
    if name in _FROM_API:
        from kamflow import api

        return getattr(api, name)
    raise AttributeError(f"module 'kamflow' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _FROM_API)


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
    "import_file",
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
    "report_docx",
    "export_deck",
    "show_process",
    "stats",
    "write_report",
]
