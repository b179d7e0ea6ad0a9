"""Errors and source positions shared by every stage (imports nothing from kamflow)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class Span(NamedTuple):
    """A place in a source file; line and column are 1-based, 0 means unknown.

    A NamedTuple rather than a dataclass: a large process has hundreds of thousands of them, and
    tuples are several times cheaper to create."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.column}"
        return self.path


@dataclass(frozen=True)
class Problem:
    """One user-facing error at a position."""

    span: Span
    message: str

    def __str__(self) -> str:
        return f"{self.span}: error: {self.message}"


class KamflowError(Exception):
    """Base of every error kamflow reports to a user (exit code 2, no traceback)."""

    def lines(self) -> list[str]:
        return [f"error: {self}"]


class LoadError(KamflowError):
    """A process (or theme, template) file could not be read; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.span, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


class UsageError(KamflowError):
    """A wrong option value or argument, phrased for the user."""


class RenderError(KamflowError):
    """Graphviz is missing, failed or took too long. `at(path)` names the process file it was
    drawing, so the line reads `PATH: error: ...` like every other error."""

    path: str | None = None

    def at(self, path: str | None) -> "RenderError":
        if self.path is None and path:
            self.path = str(path)
        return self

    def lines(self) -> list[str]:
        return [f"{self.path}: error: {self}"] if self.path else super().lines()


class OutputError(KamflowError):
    """An output file could not be written (disk full, permission denied, a file where a folder
    must be): `PATH: error: cannot write: reason`. Nothing was changed."""

    def __init__(self, path: str, reason: str):
        self.path, self.reason = path, reason
        super().__init__(f"{path}: error: cannot write: {reason}")

    def lines(self) -> list[str]:
        return [str(self)]
