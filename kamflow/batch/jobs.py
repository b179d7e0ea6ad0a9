"""One render job and its outcome: plain values, so a job crosses into a worker process."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import kamflow.api as api
from kamflow.errors import KamflowError
from kamflow.rendering.options import RenderOptions
from kamflow.session import Session


@dataclass(frozen=True)
class Job:
    """One process file to render (plain values, so it crosses into a worker process)."""

    source: str
    output_dir: str
    formats: tuple[str, ...]
    options: RenderOptions
    strict: bool


@dataclass
class Outcome:
    """What happened to one process file. status: rendered, skipped, failed or blocked (--strict
    and the check found errors: nothing drawn)."""

    source: str
    status: str
    written: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)  # file name -> sha256
    entry: str | None = None  # the manifest entry (output stem relative to the output folder)
    key: str | None = None


def render_one(job: Job, *, space: Session | None = None) -> Outcome:
    """Load, check and render one file (runs in a worker process or in this one)."""
    try:
        # A workspace of this run (it reloads a file whose size or modification time changed), else
        # a fresh one per file in a worker process.
        space = space or Session()
        process = space.load(job.source)
        findings = api.check(process, workspace=space)
        lines = [str(finding) for finding in findings] + api.render_warnings(process, job.options)
        if job.strict and any(finding.severity == "error" for finding in findings):
            return Outcome(job.source, "blocked", findings=lines, errors=[f"{job.source}: not rendered: the check found errors (--strict)"])
        notes: list[str] = []  # what was split over several pages
        written = api.render(
            process, formats=job.formats, output_dir=job.output_dir, options=job.options, findings=findings, notes=notes, workspace=space
        )
        lines += notes
        assert isinstance(written, list)  # an output folder was given
        outputs = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in written}
        return Outcome(job.source, "rendered", written=[str(p) for p in written], findings=lines, outputs=outputs)
    except KamflowError as error:
        return Outcome(job.source, "failed", errors=[_with_path(line, job.source) for line in error.lines()])
    except Exception as error:  # a kamflow bug: name it, and let the other files go on
        return Outcome(job.source, "failed", errors=[f"{job.source}: error: internal error (please report): {type(error).__name__}: {error}"])


def _with_path(line: str, source: str) -> str:
    """A line without a place gets the file's; one that names its own (a theme file) keeps it."""
    return f"{source}: {line}" if line.startswith("error: ") else line
