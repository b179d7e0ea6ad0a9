"""Finding process files and resolving process references (subprocess, based_on) to files."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Iterable

from kamflow.errors import LoadError, Problem, Span, UsageError
from kamflow.loader.build import load_process
from kamflow.loader.jsonsrc import exports_in, load_process_json, looks_like_export
from kamflow.loader.schema import ID_PATTERN
from kamflow.model.process import Process

PROCESS_SUFFIXES = (".yaml", ".yml")
NO_PROCESS_FILES = "no process files (*.yaml, *.yml, *.json) found"
_ID = re.compile(ID_PATTERN)


def not_taken(files: Iterable[Path], taken: set[Path]) -> list[Path]:
    """The files not in `taken` yet (by real path), now added to it: a file named twice, or named
    inside a folder also given, counts once."""
    fresh = []
    for file in files:
        real = file.resolve()
        if real not in taken:
            taken.add(real)
            fresh.append(file)
    return fresh


def bundled_library_dir() -> Path:
    """The folder of the reference processes shipped inside the package (`kamflow.library`)."""
    return Path(str(resources.files("kamflow.library")))


def find_process_files(path: Path | str) -> list[Path]:
    """A file as itself; a folder as every process file (.yaml, .yml) in its tree, in sorted order
    (a folder with none is an error; a JSON export is named, not found: it usually lies beside the
    YAML it came from); a name that is no file but the id of a bundled process (`kam`), as that
    library file."""
    root = Path(path)
    if root.is_dir():
        found = sorted(p for p in root.rglob("*") if p.suffix.lower() in PROCESS_SUFFIXES and p.is_file())
        if not found:  # in CI, "0 files checked: no problems" would hide a wrong path
            exports = exports_in(root)
            hint = f"; JSON exports are taken when named, not from a folder: give the file, e.g. {exports[0]}" if exports else ""
            raise LoadError([Problem(Span(str(path)), NO_PROCESS_FILES + hint)])
        return found
    if not root.exists():
        bundled = _process_file_in(bundled_library_dir(), str(path)) if _ID.match(str(path)) else None
        if bundled is not None:
            return [bundled]
        raise LoadError([Problem(Span(str(path)), "no such file or folder")])
    return [root]


class Workspace:
    """Loads each process file once and resolves references between processes.

    An id resolves to `<id>.yaml` (or `.yml`) beside the referring file, then to the bundled
    library; a reference ending in .yaml/.yml is a path relative to the referring file.
    """

    def __init__(self, *, library: Path | None = None):
        self._library = library
        self._loaded: dict[tuple, Process | LoadError] = {}

    @property
    def library(self) -> Path:
        """The folder of the library processes: the one given, else the bundled one, found on first
        use (importlib.resources costs a few ms, and most references resolve beside their file)."""
        if self._library is None:
            self._library = bundled_library_dir()
        return self._library

    @staticmethod
    def _cache_key(path: Path | str, display: str | None) -> tuple:
        """A file is read again when it changed (size or modification time): a long-lived
        workspace (Jupyter, watch mode) must never serve a stale process."""
        resolved = Path(path).resolve()
        try:
            stat = resolved.stat()
            version = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            version = None
        return (resolved, version, display)

    def resolve(self, path: Path | str) -> Path:
        """A path as itself; a name that is no file but the id of a library process (`kam`), as
        that library file (what every command accepts)."""
        file = Path(path)
        if not file.exists() and _ID.match(str(path)):
            bundled = _process_file_in(self.library, str(path))
            if bundled is not None:
                return bundled
        return file

    def load(self, path: Path | str, *, display: str | None = None) -> Process:
        """One process file (or library id), loaded once while it does not change."""
        path = self.resolve(path)
        key = self._cache_key(path, display)
        cached = self._loaded.get(key)
        if cached is None:
            try:
                loader = load_process_json if looks_like_export(path) else load_process
                cached = loader(path, display=display)
            except LoadError as error:
                cached = error
            self._loaded[key] = cached
        if isinstance(cached, LoadError):
            raise cached
        return cached

    def load_named(self, reference: Path | str) -> Process:
        """A process named on the command line: a file path, or an id resolved like a `based_on`
        reference from the current folder (`<id>.yaml` there, then the bundled library)."""
        text = str(reference)
        if Path(text).exists() or "/" in text or "\\" in text or Path(text).suffix:
            return self.load(text)
        found = self.locate(text, relative_to=None)
        if found is None:
            ids = ", ".join(self.library_ids())
            raise LoadError([Problem(Span(text), f"no such file, and no process with that id here or in the bundled library ({ids})")])
        return self.load(found)

    def load_all(self, paths: Iterable[Path | str]) -> list[Process]:
        """Every process file under the given files and folders; all their problems in one LoadError."""
        processes: list[Process] = []
        problems: list[Problem] = []
        taken: set[Path] = set()
        for path in paths:
            try:
                for file in not_taken(find_process_files(self.resolve(path)), taken):  # a bare id: this workspace's library
                    try:
                        processes.append(self.load(file))
                    except LoadError as error:
                        problems.extend(error.problems)
            except LoadError as error:
                problems.extend(error.problems)
        if problems:
            raise LoadError(problems)
        return processes

    def locate(self, reference: str, *, relative_to: Path | str | None) -> Path | None:
        """The file a reference names, or None. A reference written in a file (`relative_to` given)
        is an id or a relative path: an absolute path there is never followed, so a process file
        from someone else cannot point kamflow at an arbitrary file on the machine."""
        base = Path(relative_to).parent if relative_to else Path.cwd()
        if relative_to and Path(reference).is_absolute():
            return None
        if reference.lower().endswith(PROCESS_SUFFIXES):
            candidate = base / reference
            return candidate if candidate.is_file() else None
        if not _ID.match(reference):
            return None
        beside = _process_file_in(base, reference)
        return beside if beside is not None else _process_file_in(self.library, reference)

    def lookup(self, reference: str, *, relative_to: Path | str | None) -> Process | None:
        """The process a reference names; None when no file matches.

        A file that exists but does not load raises its LoadError, so the user sees why.
        """
        found = self.locate(reference, relative_to=relative_to)
        return self.load(found) if found is not None else None

    def bundled_file(self, process_id: str) -> Path:
        """The file of a library process; UsageError naming the library's ids when there is none."""
        ids = self.library_ids()
        found = _process_file_in(self.library, process_id) if process_id in ids else None
        if found is not None:
            return found
        raise UsageError(f"no bundled process {process_id!r}; the library has: {', '.join(ids)}")

    def library_ids(self) -> list[str]:
        return sorted(p.stem for p in self.library.iterdir() if p.suffix in PROCESS_SUFFIXES)


def _process_file_in(folder: Path, process_id: str) -> Path | None:
    """`<id>.yaml` (or `.yml`) in a folder, when it is a file."""
    for suffix in PROCESS_SUFFIXES:
        candidate = folder / f"{process_id}{suffix}"
        if candidate.is_file():
            return candidate
    return None
