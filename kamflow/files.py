"""Writing outputs so that a failure never leaves a half-written or missing file behind."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from kamflow.errors import OutputError


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
