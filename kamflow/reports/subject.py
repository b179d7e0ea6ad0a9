"""What a document (a report, a Word chapter, a deck's slides) shows of one process: the process,
its findings, the title of the process it is based on, and what its chart is drawn with. The
session assembles it; the report stage only reads it."""

from __future__ import annotations

from dataclasses import dataclass

from kamflow.checks import Finding
from kamflow.model.overlay import Overlay
from kamflow.model.process import Process
from kamflow.rendering.options import RenderOptions


@dataclass(frozen=True)
class Subject:
    process: Process
    findings: tuple[Finding, ...]
    reference_title: str | None
    overlay: Overlay  # ghosts, marks and highlights on the chart
    options: RenderOptions  # subprocess links resolved
