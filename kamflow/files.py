"""Files in and out, below every stage: a user's text file is read one bounded, safe way (regular
files only, never trusting their stated size), and outputs are written so that a failure never
leaves a half-written or missing file behind."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO

from kamflow.errors import LoadError, OutputError, Problem, Span


def _first_file(folder: Path) -> Path:
    """The part of a folder path that exists as a file (what stops mkdir)."""
    for parent in [*reversed(folder.parents), folder]:
        if parent.exists() and not parent.is_dir():
            return parent
    return folder


def write_atomically(files: dict[Path, bytes]) -> list[Path]:
    """Write every file or none: each goes to a temporary file beside its target first, and only
    when all are written are they renamed into place (a rename is atomic on one file system)."""
    staged: list[tuple[str, Path]] = []
    target = None
    try:
        for target, data in files.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            staged.append((temporary, target))
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temporary, 0o644)
        for temporary, target in staged:
            os.replace(temporary, target)
    except BaseException as error:
        for temporary, _ in staged:
            if os.path.exists(temporary):
                os.unlink(temporary)
        if isinstance(error, (FileExistsError, NotADirectoryError)) and target is not None and not target.parent.is_dir():
            raise OutputError(str(target), f"{_first_file(target.parent)} is a file, not a folder") from None
        if isinstance(error, OSError):  # disk full, permissions, a file in the way: one clear line
            raise OutputError(str(target), error.strerror or str(error)) from None
        raise
    return [target for _, target in staged]


# -- reading: the one bounded, safe way kamflow reads a user's text file -------------------------

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_BYTES_ENV = "KAMFLOW_MAX_FILE_SIZE"
_CHUNK = 1 << 16
_NOT_REGULAR = "is not a regular file (a device, pipe or socket); give a file, or - to read standard input"


def max_bytes() -> int:
    """The size limit for input files: KAMFLOW_MAX_FILE_SIZE (bytes) or 5 MiB."""
    raw = os.environ.get(MAX_BYTES_ENV, "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else DEFAULT_MAX_BYTES


def read_bounded(stream: BinaryIO, limit: int) -> bytes | None:
    """At most `limit` bytes from a stream, or None when it holds more (one byte more is read, to
    tell); the stream's own idea of its size is never trusted."""
    parts: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = stream.read(min(_CHUNK, limit + 1 - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return None if total > limit else b"".join(parts)


def read_text(path: Path | str, *, display: str | None = None, limit: int | None = None, what: str = "file") -> str:
    """A UTF-8 text file read with a size cap (see read_bytes); every failure is a LoadError."""
    shown = display or str(path)
    limit = limit or max_bytes()
    return decode(read_bytes(path, display=shown, limit=limit, what=what), shown, limit=limit, what=what)


def read_bytes(path: Path | str, *, display: str | None = None, limit: int | None = None, what: str = "file") -> bytes:
    """A file's bytes with a size cap; every failure is a LoadError with the path.

    Only regular files are read: a device (/dev/zero), a named pipe or a socket is refused before
    it is opened (opening a pipe would wait for a writer), and the file is read in chunks up to the
    limit, so a file that grows, or lies about its size, cannot exhaust memory."""
    shown = display or str(path)
    file = Path(path)
    limit = limit or max_bytes()
    try:
        info = file.stat()
        if stat.S_ISDIR(info.st_mode):
            raise LoadError([Problem(Span(shown), f"is a folder, not a {what}")])
        if not stat.S_ISREG(info.st_mode):
            raise LoadError([Problem(Span(shown), _NOT_REGULAR)])
        if info.st_size > limit:  # refused before it is read; a size that lies is caught by the bounded read
            raise LoadError([Problem(Span(shown), f"{what} is {info.st_size} bytes, over the {limit}-byte limit{_raise_hint(limit)}")])
        descriptor = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(descriptor, "rb") as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):  # swapped for a pipe since the stat
                raise LoadError([Problem(Span(shown), _NOT_REGULAR)])
            data = read_bounded(stream, limit)
    except FileNotFoundError:
        raise LoadError([Problem(Span(shown), "no such file" if what == "file" else f"no such {what}")]) from None
    except PermissionError:
        raise LoadError([Problem(Span(shown), "permission denied")]) from None
    except OSError as error:
        raise LoadError([Problem(Span(shown), f"cannot read: {error.strerror or error}")]) from None
    if data is None:
        raise LoadError([Problem(Span(shown), f"{what} is over the {limit}-byte limit{_raise_hint(limit)}")])
    return data


def read_stream(stream: BinaryIO, shown: str, *, limit: int | None = None) -> str:
    """Text from a binary stream (standard input) with the same guards as a file."""
    limit = limit or max_bytes()
    data = read_bounded(stream, limit)
    if data is None:
        raise LoadError([Problem(Span(shown), f"input is over the {limit}-byte limit{_raise_hint(limit)}")])
    return decode(data, shown, limit=limit)


def decode(data: bytes, shown: str, *, limit: int | None = None, what: str = "file") -> str:
    """Bytes to text: UTF-8 only, no NUL bytes (binary), within the size cap."""
    limit = limit or max_bytes()
    if len(data) > limit:
        raise LoadError([Problem(Span(shown), f"input is {len(data)} bytes, over the {limit}-byte limit{_raise_hint(limit)}")])
    if b"\x00" in data:
        line, column = position_of(data, data.index(b"\x00"))
        raise LoadError([Problem(Span(shown, line, column), f"binary data (NUL byte): not a {'text file' if what == 'file' else what}")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = position_of(data, error.start)
        raise LoadError([Problem(Span(shown, line, column), "not valid UTF-8 text")]) from None
    return text[1:] if text.startswith("\ufeff") else text


def position_of(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column of a byte offset."""
    before = data[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    return line, column


def _raise_hint(limit: int) -> str:
    return f" (set {MAX_BYTES_ENV} to raise it)" if limit == max_bytes() else ""


# The earliest time a zip entry can carry (MS-DOS dates start in 1980): every entry of an Office
# file kamflow writes gets it, so the same input gives the same bytes.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def stable_zip(data: bytes) -> bytes:
    """A zip package (PPTX, DOCX) rewritten so its bytes depend on its contents only: every entry
    with the same fixed time and permissions, deflated, in a stable order (`[Content_Types].xml`
    first, as Office writes it, then by name). Entry contents are unchanged."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]
    entries.sort(key=lambda entry: (entry[0] != "[Content_Types].xml", entry[0]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            target.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return out.getvalue()
