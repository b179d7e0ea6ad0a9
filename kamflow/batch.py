"""Rendering many process files at once: find them in folder trees, skip every process whose
outputs are current (a content-addressed cache), render the rest in parallel worker processes,
and report each outcome as it arrives. Sits beside kamflow.api and uses only its functions.

The cache manifest is `.kamflow-cache.json` in the output folder. For every chart it records the
cache key and the SHA-256 of each output file. The key is a SHA-256 over: the process file's bytes;
the bytes of every process it references through `subprocess` steps and `based_on`, followed
transitively (a reference that does not resolve counts as "missing", so adding the file later
invalidates); a theme file named by the process or the options; `RenderOptions.key()`; the formats;
--strict; the kamflow version and a fingerprint of kamflow's own code and templates; and the `dot`
executable's path, size and modification time. A process is skipped when its key is unchanged and
every output is present with the recorded hash; `force=True` renders everything.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Callable, Iterable

import kamflow.api as api
from kamflow.errors import KamflowError, LoadError
from kamflow.files import write_atomically
from kamflow.loader import Workspace, find_process_files
from kamflow.model.process import Process
from kamflow.rendering.graphviz_run import dot_executable
from kamflow.rendering.options import RenderOptions

MANIFEST = ".kamflow-cache.json"
MANIFEST_VERSION = 1
PACKAGE_DIR = Path(__file__).resolve().parent


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
        return (
            f"rendered {self.count('rendered')}, skipped {self.count('skipped')}, "
            f"failed {self.failed} in {self.seconds:.2f} s"
        )


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
    manifest = _read_manifest(out_root)
    entries: dict = manifest["entries"]
    space = Workspace()
    salt = _salt(wanted, options, strict)
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
            process = space.load(source)
        except LoadError as error:
            done(index, Outcome(source, "failed", errors=error.lines()))
            continue
        target_dir = out_root / folder
        entry = (folder / process.id).as_posix()
        if entry in claimed:
            done(index, Outcome(source, "failed", errors=[f"{source}: error: its id {process.id!r} gives the same output files as {claimed[entry]}; give one of them another id"]))
            continue
        claimed[entry] = source
        key = _cache_key(process, source, space, salt)
        names = [f"{process.id}.{fmt}" for fmt in wanted]
        recorded = entries.get(entry)
        if not force and _current(recorded, key, target_dir, names):
            done(index, Outcome(source, "skipped", findings=[str(line) for line in recorded.get("findings", [])], outputs=dict(recorded["outputs"]), entry=entry, key=key))
            continue
        job = Job(source=source, output_dir=str(target_dir), formats=wanted, options=options, strict=strict)
        todo.append((index, job, Outcome(source, "pending", entry=entry, key=key)))

    workers = min(max(1, jobs), len(todo))
    if workers <= 1:
        for index, job, pending in todo:
            done(index, _finish(pending, render_one(job, space=space)))  # the files loaded for the keys are not read twice
    else:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=_worker_context(), initializer=_worker_started)
        try:
            futures = {pool.submit(_render_in_worker, job): (index, pending) for index, job, pending in todo}
            for future in as_completed(futures):
                index, pending = futures[future]
                try:
                    result = future.result()
                except Exception as error:  # a worker died: that file failed, the rest go on
                    result = Outcome(pending.source, "failed", errors=[f"{pending.source}: error: worker failed: {error}"])
                done(index, _finish(pending, result))
        except BaseException:  # Ctrl-C or a kill: stop the workers now, not after their renders
            _stop_workers(pool)
            raise
        finally:
            pool.shutdown(wait=True)

    ordered = [outcomes[i] for i in sorted(outcomes)]
    _write_manifest(out_root, manifest, ordered)
    return BatchResult(ordered, time.perf_counter() - started)


def _worker_context():
    """How worker processes start. Forking is the cheapest (kamflow is already imported) but is
    only safe while this process runs a single thread; otherwise (kamflow watch has its observer
    thread) a fork server with kamflow preloaded, or spawn where there is no fork."""
    import multiprocessing
    import threading

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["kamflow.batch"])
        return context
    return multiprocessing.get_context("spawn")


def _worker_started() -> None:
    """Workers leave Ctrl-C to the main process, which stops them with SIGTERM; in a worker SIGTERM
    unwinds like an exception, so its Graphviz is killed and its temporary files are removed."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_terminated)


def _worker_terminated(signum, frame) -> None:
    raise SystemExit(128 + signum)


def _render_in_worker(job: Job) -> Outcome:
    try:
        return render_one(job)
    except SystemExit as stop:  # stopped by the main process: Graphviz and temporary files are cleaned up by now
        os._exit(stop.code if isinstance(stop.code, int) else 1)  # leave at once; the pool would start the next job


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end every worker (SIGTERM, then SIGKILL after 10 s)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)  # shutdown() forgets it
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
            process.join()
    # Let the pool's manager thread see the workers gone and close its wake-up pipe before anything
    # else (shutdown, interpreter exit) writes to it: Python 3.11 can race there and print a traceback.
    if manager is not None:
        manager.join(timeout=10)


def render_one(job: Job, *, space: Workspace | None = None) -> Outcome:
    """Load, check and render one file (runs in a worker process or in this one)."""
    try:
        # A workspace of this run (it reloads a file whose size or modification time changed), else
        # a fresh one per file in a worker process.
        space = space or Workspace()
        process = space.load(job.source)
        findings = api.check(process, workspace=space)
        lines = [str(finding) for finding in findings] + api.render_warnings(process, job.options)
        if job.strict and any(finding.severity == "error" for finding in findings):
            return Outcome(job.source, "blocked", findings=lines, errors=[f"{job.source}: not rendered: the check found errors (--strict)"])
        written = api.render(process, formats=job.formats, output_dir=job.output_dir, options=job.options, findings=findings)
        outputs = {path.name: _sha256(path.read_bytes()) for path in written}
        return Outcome(job.source, "rendered", written=[str(p) for p in written], findings=lines, outputs=outputs)
    except KamflowError as error:
        return Outcome(job.source, "failed", errors=[_with_path(line, job.source) for line in error.lines()])
    except Exception as error:  # a kamflow bug: name it, and let the other files go on
        return Outcome(job.source, "failed", errors=[f"{job.source}: error: internal error (please report): {type(error).__name__}: {error}"])


def _finish(pending: Outcome, result: Outcome) -> Outcome:
    result.entry, result.key = pending.entry, pending.key
    return result


def _with_path(line: str, source: str) -> str:
    """A line without a place gets the file's; one that names its own (a theme file) keeps it."""
    return f"{source}: {line}" if line.startswith("error: ") else line


def _discover(paths: Iterable[Path | str]) -> list[tuple[str, Path, KamflowError | None]]:
    """(file, output subfolder, problem) for every process file, in argument then sorted order."""
    found: list[tuple[str, Path, KamflowError | None]] = []
    for path in paths:
        root = Path(path)
        try:
            files = find_process_files(root)
        except LoadError as error:
            found.append((str(path), Path("."), error))
            continue
        for file in files:
            folder = file.parent.relative_to(root) if root.is_dir() else Path(".")
            found.append((str(file), folder, None))
    return found


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_hash(path: Path) -> str | None:
    try:
        return _sha256(path.read_bytes())
    except OSError:
        return None


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """kamflow's version and a hash of its own code and templates: charts made by other code are stale."""
    try:
        version = metadata.version("kamflow")
    except metadata.PackageNotFoundError:
        version = "unknown"
    digest = hashlib.sha256(version.encode())
    for file in sorted(PACKAGE_DIR.rglob("*")):
        if file.suffix in (".py", ".j2", ".yaml", ".css") and "__pycache__" not in file.parts and file.is_file():
            digest.update(file.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def _salt(formats: tuple[str, ...], options: RenderOptions, strict: bool) -> dict:
    dot = Path(dot_executable()).resolve()
    stat = dot.stat()
    return {
        "kamflow": _code_fingerprint(),
        "formats": list(formats),
        "options": options.key(),
        "strict": strict,
        "dot": [str(dot), stat.st_size, stat.st_mtime_ns],
    }


def _references(process: Process) -> list[str]:
    refs = [step.process for step in process.steps if step.type == "subprocess" and step.process]
    if process.based_on:
        refs.append(process.based_on)
    return refs


def _cache_key(process: Process, source: str, space: Workspace, salt: dict) -> str:
    referenced: list[list] = []
    seen: set[Path] = {Path(source).resolve()}
    queue = [process]
    while queue:
        current = queue.pop(0)
        for ref in _references(current):
            found = space.locate(ref, relative_to=current.path)
            if found is None:
                referenced.append([current.path, ref, "missing"])
                continue
            resolved = found.resolve()
            referenced.append([current.path, ref, str(resolved), _file_hash(resolved)])
            if resolved in seen:
                continue
            seen.add(resolved)
            try:
                queue.append(space.load(found))
            except LoadError:
                pass  # its bytes are in the key; the check reports why it does not load
    themes = []
    for name in (process.theme, salt["options"].get("theme")):
        if isinstance(name, str) and name:
            for base in (Path(source).parent, Path.cwd()):
                candidate = base / name
                if candidate.is_file():
                    themes.append([name, _file_hash(candidate)])
                    break
    material = {
        **salt,
        "source": _file_hash(Path(source)),
        "references": referenced,
        "themes": themes,
    }
    return _sha256(json.dumps(material, sort_keys=True, default=str).encode())


def _current(recorded: object, key: str, folder: Path, names: list[str]) -> bool:
    """The manifest entry matches the key and every output is there with its recorded hash. A
    hand-edited or damaged entry is simply not current."""
    if not isinstance(recorded, dict) or recorded.get("key") != key:
        return False
    outputs = recorded.get("outputs")
    if not isinstance(outputs, dict) or sorted(outputs) != sorted(names) or not isinstance(recorded.get("findings", []), list):
        return False
    return all(isinstance(digest, str) and _file_hash(folder / name) == digest for name, digest in outputs.items())


def _read_manifest(folder: Path) -> dict:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"kamflow-cache": MANIFEST_VERSION, "entries": {}}
    if not isinstance(data, dict) or data.get("kamflow-cache") != MANIFEST_VERSION or not isinstance(data.get("entries"), dict):
        return {"kamflow-cache": MANIFEST_VERSION, "entries": {}}
    return data


def _write_manifest(folder: Path, manifest: dict, outcomes: list[Outcome]) -> None:
    entries = dict(manifest["entries"])
    for outcome in outcomes:
        if outcome.entry is None:
            continue
        if outcome.status == "rendered":
            entries[outcome.entry] = {
                "source": outcome.source,
                "key": outcome.key,
                "outputs": dict(sorted(outcome.outputs.items())),
                "findings": outcome.findings,
            }
        elif outcome.status in ("failed", "blocked"):
            entries.pop(outcome.entry, None)
    if entries == manifest["entries"]:
        return  # nothing rendered or dropped: a run that only failed leaves the folder untouched
    if not entries and not folder.exists():
        return
    data = {"kamflow-cache": MANIFEST_VERSION, "entries": dict(sorted(entries.items()))}
    write_atomically({folder / MANIFEST: (json.dumps(data, indent=1, sort_keys=True) + "\n").encode("utf-8")})
