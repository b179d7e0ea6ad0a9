"""Where reports go and how a portfolio's pages link: the report stage's own rules, so the API only
wires them. Pure functions on paths and processes; nothing is read or written here."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

from kamflow.errors import UsageError
from kamflow.model.process import Process


def portfolio_links(processes: Iterable[Process], *, fmt: str, locate: Callable[[str, str], Path | None]) -> dict[str, dict[str, str]]:
    """Process id -> {subprocess step id: page of the process it calls}, for the calls that
    resolve (`locate(reference, relative_to)`, as the check resolves them) to a process in the set.
    Pages are named by id, so two processes with one id, or a process called `index`, are refused."""
    processes = list(processes)
    by_id: dict[str, Process] = {}
    for process in processes:
        if process.id in by_id:
            raise UsageError(f"two processes have the id {process.id!r}: {by_id[process.id].path} and {process.path}; a portfolio names pages by id")
        by_id[process.id] = process
    if "index" in by_id:
        raise UsageError(f"{by_id['index'].path}: the id 'index' is the portfolio's index page; rename the process")
    page_of = {Path(p.path).resolve(): f"{p.id}.{fmt}" for p in processes}
    links: dict[str, dict[str, str]] = {}
    for process in processes:
        links[process.id] = {}
        for step in process.steps:
            if step.type == "subprocess" and step.process:
                found = locate(step.process, process.path)
                if found is not None and found.resolve() in page_of:
                    links[process.id][step.id] = page_of[found.resolve()]
    return links


def report_plan(paths: Iterable[Path | str], process_ids: list[str], *, output: Path | str | None, fmt: str) -> tuple[str, Path]:
    """What `kamflow report PATHS` writes, and where: ("docx", the Word file) for one process or
    several, else ("portfolio", the site's folder) for several processes or a folder, else
    ("report", the report's file)."""
    several = len(process_ids) > 1 or any(Path(p).is_dir() for p in paths)
    if fmt == "docx":
        return "docx", document_file(output, "report" if several else process_ids[0], ".docx")
    if several:
        return "portfolio", portfolio_folder(output, len(process_ids))
    return "report", report_file(output, process_ids[0], fmt)


def portfolio_folder(output: Path | str | None, count: int) -> Path:
    """A portfolio's folder: `output`, by default output/report; never an existing file."""
    folder = Path(output) if output is not None else Path("output") / "report"
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file; a portfolio ({count} processes) needs a folder for -o")
    return folder


def report_file(output: Path | str | None, process_id: str, fmt: str) -> Path:
    """One report's file: `output`, by default output/<id>.<fmt>; an existing folder gets <id>.<fmt> in it."""
    target = Path(output) if output is not None else Path("output") / f"{process_id}.{fmt}"
    return target / f"{process_id}.{fmt}" if target.is_dir() else target


def document_file(output: Path | str | None, stem: str, suffix: str) -> Path:
    """A Word report's or a deck's file: `output` when it ends in `suffix`, else `<stem><suffix>`
    in the folder `output` (default output/), which need not exist yet."""
    target = Path(output) if output is not None else Path("output")
    return target / f"{stem}{suffix}" if target.is_dir() or target.suffix.lower() != suffix else target
