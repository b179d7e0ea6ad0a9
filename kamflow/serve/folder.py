"""The served folder: the only files `kamflow serve` reads or writes for a request.

A request names a process file by its path relative to the folder, with `/` between parts. Absolute
paths, `..`, backslashes, hidden parts, other suffixes and anything whose real path (symlinks
followed) leaves the folder are refused before the disk is touched for it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path, PurePosixPath

from kamflow.errors import LoadError, Problem, Span
from kamflow.files import decode, max_bytes, read_bytes, write_atomically
from kamflow.loader.workspace import PROCESS_SUFFIXES


class Refused(Exception):
    """A path or a save the server will not serve; the message is for the user."""

    def __init__(self, message: str, status: int = 403):
        super().__init__(message)
        self.status = status


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ServedFolder:
    def __init__(self, root: Path | str):
        self.root = Path(root).resolve()

    def resolve(self, relative: str) -> Path:
        """The file a request names, or Refused. The file need not exist (the caller says so)."""
        if not relative or "\\" in relative or "\x00" in relative:
            raise Refused(f"{relative!r} is not a path inside the served folder")
        pure = PurePosixPath(relative)
        if pure.is_absolute() or relative.startswith("/"):
            raise Refused(f"{relative}: absolute paths are refused; name a file inside the served folder")
        if any(part in ("..", ".") or part.startswith(".") for part in pure.parts):
            raise Refused(f"{relative}: '..' and hidden parts are refused; name a file inside the served folder")
        if pure.suffix.lower() not in PROCESS_SUFFIXES:
            raise Refused(f"{relative}: only process files ({', '.join(PROCESS_SUFFIXES)}) are served")
        candidate = self.root.joinpath(*pure.parts)
        real = Path(os.path.realpath(candidate))
        if not real.is_relative_to(self.root):
            raise Refused(f"{relative}: leads out of the served folder (a symlink?); refused")
        return candidate

    def relative(self, path: Path | str) -> str | None:
        """A file's path as requests name it, or None when it is not a servable file of the folder."""
        absolute = Path(os.path.abspath(path))
        try:
            relative = absolute.relative_to(self.root).as_posix()
        except ValueError:
            return None
        try:
            self.resolve(relative)
        except Refused:
            return None
        return relative

    def process_files(self) -> list[str]:
        """Every servable process file in the folder's tree, sorted (hidden folders left out)."""
        found = []
        for folder, dirs, files in os.walk(self.root):  # does not follow symlinked folders
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in files:
                if name.lower().endswith(PROCESS_SUFFIXES):
                    relative = self.relative(Path(folder) / name)
                    if relative is not None and Path(folder, name).is_file():
                        found.append(relative)
        return sorted(found)

    def fingerprint(self) -> tuple:
        """Changes whenever a process or theme file of the folder is created, changed or removed:
        the key of every cached view (a change to a referenced file changes what its users show)."""
        stamps = []
        for relative in self.process_files():
            try:
                stat = (self.root / relative).stat()
            except OSError:
                continue
            stamps.append((relative, stat.st_mtime_ns, stat.st_size))
        return tuple(stamps)

    def read(self, relative: str) -> tuple[str, str]:
        """(text, sha256 of the bytes) of a process file, read with the loader's guards."""
        path = self.resolve(relative)
        if not path.is_file():
            raise Refused(f"{relative}: no such file", status=404)
        data = read_bytes(path, display=relative)  # bounded: a huge or growing file is refused, not read whole
        return decode(data, relative), sha256(data)

    def save(self, relative: str, text: str, loaded_hash: str) -> str:
        """Write the editor's text if the file is still what the editor loaded; the new hash.
        A file changed on disk since then is never overwritten (Refused with status 409)."""
        path = self.resolve(relative)
        if not path.is_file():
            raise Refused(f"{relative}: no such file (was it moved or deleted?); not saved", status=409)
        data = text.encode("utf-8")
        limit = max_bytes()
        if len(data) > limit:
            raise Refused(f"{relative}: {len(data)} bytes is over the {limit}-byte limit; not saved", status=413)
        if "\x00" in text:
            raise LoadError([Problem(Span(relative), "binary data (NUL byte): not saved")])
        try:
            current = sha256(read_bytes(path, display=relative))
        except LoadError as error:  # grown past the limit, or unreadable, since the editor loaded it
            raise Refused(f"{relative}: {error.problems[0].message}; not saved", status=409) from None
        if current != loaded_hash:
            raise Refused(
                f"{relative} changed on disk since the editor loaded it; not saved. Reload it from disk (copy your changes first) and save again.",
                status=409,
            )
        write_atomically({path: data})
        return sha256(data)
