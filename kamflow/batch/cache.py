"""The batch cache: `.kamflow-cache.json` in the output folder records, per chart, its cache key and
the SHA-256 of each output file; a chart is current when its key is unchanged and every output is
there with its recorded hash. The key hashes the process file, every file it depends on
(Session.dependencies: references followed transitively, theme files), the options, formats and
--strict, kamflow's code, and the `dot` executable."""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from kamflow.batch.jobs import Outcome
from kamflow.files import write_atomically
from kamflow.model.process import Process
from kamflow.rendering.graphviz_run import dot_executable
from kamflow.rendering.options import RenderOptions
from kamflow.session import Session

MANIFEST = ".kamflow-cache.json"
MANIFEST_VERSION = 1
PACKAGE_DIR = Path(__file__).resolve().parent.parent


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_hash(path: Path) -> str | None:
    try:
        return sha256(path.read_bytes())
    except OSError:
        return None


CODE_SUFFIXES = (".py", ".j2", ".yaml", ".css")


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """A hash of kamflow's own code and templates: charts made by other code (another version, a
    local change) are stale. Not the version number: reading the installed metadata would import
    importlib.metadata (a fiftieth of a second of every render), and code that is the same draws
    the same charts. os.walk, not Path.rglob, which takes twice as long here."""
    files = []
    for folder, subfolders, names in os.walk(PACKAGE_DIR):
        subfolders[:] = [name for name in subfolders if name != "__pycache__"]
        files += [Path(folder, name) for name in names if name.endswith(CODE_SUFFIXES)]
    digest = hashlib.sha256()
    for file in sorted(files):
        digest.update(file.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def salt(formats: tuple[str, ...], options: RenderOptions, strict: bool) -> dict[str, Any]:
    dot = Path(dot_executable()).resolve()
    stat = dot.stat()
    return {
        "kamflow": _code_fingerprint(),
        "formats": list(formats),
        "options": options.key(),
        "strict": strict,
        "dot": [str(dot), stat.st_size, stat.st_mtime_ns],
    }


def cache_key(process: Process, source: str, session: Session, salt: dict[str, Any]) -> str:
    """The key of one chart: everything its outputs depend on (a reference that does not resolve
    counts as missing, so adding the file later invalidates)."""
    material = {
        **salt,
        "source": file_hash(Path(source)),
        "dependencies": [
            [d.named_in, d.reference, str(d.path) if d.path else "missing", file_hash(d.path) if d.path else None]
            for d in session.dependencies(process, theme=salt["options"].get("theme"))
        ],
    }
    return sha256(json.dumps(material, sort_keys=True, default=str).encode())


def current(recorded: object, key: str, folder: Path, names: list[str]) -> bool:
    """The manifest entry matches the key and every output is there with its recorded hash. A
    hand-edited or damaged entry is simply not current."""
    if not isinstance(recorded, dict) or recorded.get("key") != key:
        return False
    outputs = recorded.get("outputs")
    if not isinstance(outputs, dict) or sorted(outputs) != sorted(names) or not isinstance(recorded.get("findings", []), list):
        return False
    return all(isinstance(digest, str) and file_hash(folder / name) == digest for name, digest in outputs.items())


def read_manifest(folder: Path) -> dict:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"kamflow-cache": MANIFEST_VERSION, "entries": {}}
    if not isinstance(data, dict) or data.get("kamflow-cache") != MANIFEST_VERSION or not isinstance(data.get("entries"), dict):
        return {"kamflow-cache": MANIFEST_VERSION, "entries": {}}
    return data


def write_manifest(folder: Path, manifest: dict, outcomes: list[Outcome]) -> None:
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
