"""Rendering many process files at once: find them in folder trees, skip every process whose
outputs are current (a content-addressed cache), render the rest in parallel worker processes,
and report each outcome as it arrives. Sits beside kamflow.api and uses only its functions.
Split by job: plan (this module: which files, which are current), `cache` (keys and the manifest),
`pool` (worker processes), `jobs` (one render and its outcome).

The cache manifest is `.kamflow-cache.json` in the output folder. For every chart it records the
cache key and the SHA-256 of each output file. The key is a SHA-256 over: the process file's bytes;
the bytes of every process it references through `subprocess` steps and `based_on`, followed
transitively (a reference that does not resolve counts as "missing", so adding the file later
invalidates); a theme file named by the process or the options; `RenderOptions.key()`; the formats;
--strict; a fingerprint of kamflow's own code and templates (another version or a local change
differs); and the `dot` executable's path, size and modification time. A process is skipped when
its key is unchanged and every output is present with the recorded hash; `force=True` renders
everything.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

import kamflow.api as api
from kamflow.batch.cache import MANIFEST, MANIFEST_VERSION, cache_key, current, read_manifest, salt, write_manifest
from kamflow.batch.jobs import Job, Outcome, render_one
from kamflow.errors import KamflowError, LoadError
from kamflow.loader import find_process_files, not_taken
from kamflow.rendering.graphviz_run import dot_executable
from kamflow.rendering.options import RenderOptions
from kamflow.session import Session

__all__ = ["MANIFEST", "MANIFEST_VERSION", "BatchResult", "Job", "Outcome", "default_jobs", "render_many", "render_one"]


@dataclass
class BatchResult:
    outcomes: list[Outcome]
    seconds: float

    def count(self, *statuses: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status in statuses)

    @property
    def failed(self) -> int:
        return self.count("failed", "blocked")

    def summary(self) -> str:
        return f"rendered {self.count('rendered')}, skipped {self.count('skipped')}, failed {self.failed} in {self.seconds:.2f} s"


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def render_many(
    paths: Iterable[Path | str],
    *,
    output_dir: Path | str = "output",
    formats: Iterable[str] = ("svg", "pdf"),
    options: RenderOptions | None = None,
    jobs: int = 1,
    force: bool = False,
    strict: bool = False,
    on_outcome: Callable[[Outcome], None] | None = None,
    on_planned: Callable[[int], None] | None = None,
) -> BatchResult:
    """Render every process file under `paths` into `output_dir`, mirroring each folder argument's
    tree (`DIR/sub/x.yaml` -> `output_dir/sub/<id>.<fmt>`; a file argument goes straight into
    `output_dir`). A file that fails does not stop the others. `on_planned` gets the number of
    files, `on_outcome` each outcome as it is known (skips first, then renders as they finish).
    Outcomes come back in file order.
    """
    started = time.perf_counter()
    wanted = api.chart_formats(formats)
    options = options or RenderOptions()
    dot_executable()  # Graphviz missing is one error for the whole run, not one per file
    out_root = Path(output_dir)
    sources = _discover(paths)
    if on_planned is not None:
        on_planned(len(sources))
    manifest = read_manifest(out_root)
    entries: dict = manifest["entries"]
    session = Session()
    salt_ = salt(wanted, options, strict)
    outcomes: dict[int, Outcome] = {}
    todo: list[tuple[int, Job, Outcome]] = []
    claimed: dict[str, str] = {}

    def done(index: int, outcome: Outcome) -> None:
        outcomes[index] = outcome
        if on_outcome is not None:
            on_outcome(outcome)

    for index, (source, folder, problem) in enumerate(sources):
        if problem is not None:
            done(index, Outcome(source, "failed", errors=problem.lines()))
            continue
        try:
            process = session.load(source)
        except LoadError as error:
            done(index, Outcome(source, "failed", errors=error.lines()))
            continue
        target_dir = out_root / folder
        entry = (folder / process.id).as_posix()
        if entry in claimed:
            done(
                index,
                Outcome(
                    source,
                    "failed",
                    errors=[f"{source}: error: its id {process.id!r} gives the same output files as {claimed[entry]}; give one of them another id"],
                ),
            )
            continue
        claimed[entry] = source
        key = cache_key(process, source, session, salt_)
        names = [f"{process.id}.{fmt}" for fmt in wanted]
        recorded: dict[str, Any] = entries.get(entry) or {}
        if not force and current(recorded, key, target_dir, names):
            done(
                index,
                Outcome(
                    source,
                    "skipped",
                    findings=[str(line) for line in recorded.get("findings", [])],
                    outputs=dict(recorded["outputs"]),
                    entry=entry,
                    key=key,
                ),
            )
            continue
        job = Job(source=source, output_dir=str(target_dir), formats=wanted, options=options, strict=strict)
        todo.append((index, job, Outcome(source, "pending", entry=entry, key=key)))

    workers = min(max(1, jobs), len(todo))
    if workers <= 1:
        for index, job, pending in todo:
            done(index, _finish(pending, render_one(job, space=session)))  # the files loaded for the keys are not read twice
    else:
        from kamflow.batch.pool import run_in_workers  # multiprocessing and concurrent.futures: only for a pool

        run_in_workers(todo, workers, lambda index, pending, result: done(index, _finish(pending, result)))

    ordered = [outcomes[i] for i in sorted(outcomes)]
    write_manifest(out_root, manifest, ordered)
    return BatchResult(ordered, time.perf_counter() - started)


def _finish(pending: Outcome, result: Outcome) -> Outcome:
    result.entry, result.key = pending.entry, pending.key
    return result


def _discover(paths: Iterable[Path | str]) -> list[tuple[str, Path, KamflowError | None]]:
    """(file, output subfolder, problem) for every process file, in argument then sorted order."""
    found: list[tuple[str, Path, KamflowError | None]] = []
    taken: set[Path] = set()
    for path in paths:
        root = Path(path)
        try:
            files = find_process_files(root)
        except LoadError as error:
            found.append((str(path), Path("."), error))
            continue
        for file in not_taken(files, taken):
            folder = file.parent.relative_to(root) if root.is_dir() else Path(".")
            found.append((str(file), folder, None))
    return found
