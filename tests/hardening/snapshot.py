"""A folder tree's exact state (names, bytes, modification times), to prove a failed command
touched nothing: no file created, modified or removed, no temporary file left behind."""
from __future__ import annotations

import re
from pathlib import Path

ERROR_LINE = re.compile(r"^(?P<path>.+?)(?::(?P<line>\d+)(?::(?P<column>\d+))?)?: error: (?P<message>.+)$")


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        path.relative_to(root).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def seed_outputs(folder: Path) -> None:
    """Outputs of an earlier run that a failing command must leave byte-identical."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("good.svg", "good.pdf", "bad.svg", "bad.pdf", "r.html", "x.json", "fresh.yaml.keep"):
        (folder / name).write_bytes(f"previous {name}\n".encode())


def error_lines(text: str) -> list[re.Match]:
    return [ERROR_LINE.match(line) for line in text.splitlines() if line.strip()]
