"""Where commands get their processes: files and folders, bundled ids, or `-` for standard input."""

from __future__ import annotations

import sys

from kamflow.cli._lazy import api
from kamflow.errors import UsageError


def processes_from(paths: tuple[str, ...]) -> list:
    """The processes the arguments name; `-` alone reads one process from standard input (with the
    same size, binary and UTF-8 guards as a file) for pipelines."""
    if "-" in paths:
        if paths != ("-",):
            raise UsageError("`-` (a process on stdin) cannot be combined with other paths")
        return [api.load_stream(sys.stdin.buffer)]
    return api.collect_processes(paths)
