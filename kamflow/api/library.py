"""The API's process library: the bundled reference processes (processes/ in the source tree, the
package kamflow.library once installed) listed, loaded and shown, and a new process file derived
from one of them or from a file of the user's (kamflow.loader.derive)."""

from __future__ import annotations

from pathlib import Path

from kamflow.errors import LoadError, Problem, Span
from kamflow.files import write_atomically
from kamflow.loader import Workspace
from kamflow.model.process import Process
from kamflow.session import Session, Space


def library_path(process_id: str) -> Path:
    """The file of a bundled reference process.

    >>> library_path("kam").name
    'kam.yaml'
    """
    space = Workspace()
    found = space.locate(process_id, relative_to=space.library / "x.yaml")
    if found is None:
        raise LoadError([Problem(Span(process_id), f"no bundled process with id {process_id!r}")])
    return found


def library_ids(*, workspace: Space = None) -> list[str]:
    """The ids of the bundled reference processes, sorted.

    >>> "kam" in library_ids()
    True
    """
    return Session.of(workspace).workspace.library_ids()


def library_processes(*, workspace: Space = None) -> list[Process]:
    """Every bundled reference process, loaded, sorted by id.

    >>> [p.id for p in library_processes()] == library_ids()
    True
    """
    from kamflow.api import _shown  # the package imports this module first

    space = Session.of(workspace).workspace
    return [_shown(space.load(space.bundled_file(process_id))) for process_id in space.library_ids()]


def show_process(process_id: str, *, workspace: Space = None) -> str:
    """The YAML text of a bundled process, exactly as shipped.

    >>> "id: kam" in show_process("kam")
    True
    """
    from kamflow.files import read_text

    return read_text(Session.of(workspace).workspace.bundled_file(process_id), display=process_id)


def new_process(name: str, *, source: str, output_dir: Path | str = ".", workspace: Space = None) -> Path:
    """Write `output_dir/<name>.yaml`: `source` (an id or a file) with `id: <name>` and
    `based_on: <source>`, comments and order kept; never overwrites a file."""
    from kamflow.loader.derive import plan_copy

    target, text = plan_copy(name, source=source, folder=Path(output_dir), workspace=Session.of(workspace).workspace)
    return write_atomically({target: text.encode("utf-8")})[0]
