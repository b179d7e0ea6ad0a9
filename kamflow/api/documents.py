"""The API's documents: reports (HTML, Markdown, Word), linked portfolios and PowerPoint decks, as
bytes or written where the command line writes them. What a document shows comes from the
Session (`Session.subject`); how it is laid out and where it goes, from kamflow.reports."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from kamflow.checks import Finding
from kamflow.errors import UsageError
from kamflow.files import write_atomically
from kamflow.model.process import Process
from kamflow.rendering.options import RenderOptions
from kamflow.session import Session, Space


def report(
    process: Process,
    *,
    fmt: str = "html",
    template: Path | str | None = None,
    options: RenderOptions | None = None,
    findings: list[Finding] | None = None,
    name: str | None = None,
    links: dict[str, str] | None = None,
    index_href: str | None = None,
    workspace: Space = None,
) -> dict[str, bytes]:
    """A report as `{file name: bytes}`, nothing written: `<name>.html` (chart inlined),
    `<name>.md` with `<name>.svg`, or `<name>.docx`; `template` is a user's Jinja2 file.
    >>> sorted(report(load("kam"), fmt="md"))
    ['kam.md', 'kam.svg']
    >>> b"<svg" in report(load("kam"))["kam.html"]
    True
    """
    from kamflow.reports.documents import check_report_format, report_files

    session = Session.of(workspace)
    if fmt == "docx":
        return {f"{name or process.id}.docx": report_docx([process], options=options, workspace=session)}
    check_report_format(fmt, template)  # before the check and the chart
    subject = session.subject(process, options, findings=findings)
    return report_files(subject, fmt=fmt, template=template, name=name, links=links, index_href=index_href)


def portfolio(
    processes: list[Process],
    *,
    fmt: str = "html",
    template: Path | str | None = None,
    options: RenderOptions | None = None,
    title: str = "Process portfolio",
    workspace: Space = None,
) -> dict[str, bytes]:
    """A linked site as `{file name: bytes}`: `index.<fmt>` and a page per process, each
    subprocess step linked to the page of the process it calls when that is in the set.
    >>> site = portfolio([load("kam"), load("account-planning")])
    >>> sorted(site), b'href="account-planning.html"' in site["kam.html"]
    (['account-planning.html', 'index.html', 'kam.html'], True)
    """
    from kamflow.reports.documents import portfolio_files
    from kamflow.reports.site import portfolio_links

    session = Session.of(workspace)
    links = portfolio_links(processes, fmt=fmt, locate=lambda ref, at: session.workspace.locate(ref, relative_to=at))
    subjects = [session.subject(process, options) for process in processes]
    return portfolio_files(subjects, links=links, fmt=fmt, template=template, title=title)


def write_report(
    paths: Iterable[Path | str],
    *,
    output: Path | str | None = None,
    fmt: str = "html",
    template: Path | str | None = None,
    options: RenderOptions | None = None,
    workspace: Space = None,
    reference_doc: Path | str | None = None,
    warnings: list[str] | None = None,
) -> list[Path]:
    """`report`, `portfolio` or `report_docx` of the process files under `paths`, written atomically
    where the command line writes them (kamflow.reports.site.report_plan); `warnings` gets what
    `render` would warn of each chart (render_warnings)."""
    from kamflow.reports.site import report_plan

    paths, session = list(paths), Session.of(workspace)
    processes = session.workspace.load_all(paths)
    if warnings is not None:
        warnings.extend(_warnings_of(processes, options))
    kind, target = report_plan(paths, [p.id for p in processes], output=output, fmt=fmt)
    if kind == "docx":
        return write_atomically({target: report_docx(processes, options=options, reference_doc=reference_doc, workspace=session)})
    if kind == "portfolio":
        site = portfolio(processes, fmt=fmt, template=template, options=options, workspace=session)
        return write_atomically({target / name: data for name, data in site.items()})
    files = report(processes[0], fmt=fmt, template=template, options=options, name=target.stem, workspace=session)
    return write_atomically({target.parent / name: data for name, data in files.items()})


def report_docx(
    processes: list[Process],
    *,
    options: RenderOptions | None = None,
    reference_doc: Path | str | None = None,
    title: str = "Process portfolio",
    workspace: Space = None,
) -> bytes:
    """One Word document for one process or several (then a chapter each), in the styles, page and
    headers of `reference_doc` when given.
    >>> report_docx([load("billing")])[:2]
    b'PK'
    """
    from kamflow.reports.word import read_reference_doc, word_report

    session = Session.of(workspace)
    template = read_reference_doc(reference_doc) if reference_doc is not None else None
    subjects = [session.subject(process, options) for process in processes]
    return word_report(subjects, reference_doc=template, title=title, page=options.page if options else None)


def export_deck(
    processes: list[Process],
    *,
    options: RenderOptions | None = None,
    title: str | None = None,
    notes: list[str] | None = None,
    workspace: Space = None,
) -> bytes:
    """A PowerPoint deck of native, editable shapes: a title slide, an index for several
    processes, each chart (over several slides when its text would be below 9 pt).
    >>> export_deck([load("billing")])[:2]
    b'PK'
    """
    from kamflow.reports.deck import pptx_deck

    session = Session.of(workspace)
    return pptx_deck([session.subject(process, options) for process in processes], title=title, notes=notes)


def write_deck(
    processes: list[Process],
    *,
    output: Path | str | None = None,
    options: RenderOptions | None = None,
    notes: list[str] | None = None,
    workspace: Space = None,
    warnings: list[str] | None = None,
) -> list[Path]:
    """export_deck written atomically to `output`: a .pptx file, or a folder that gets `<id>.pptx`
    (`deck.pptx` for several processes); default the folder `output`. `warnings` gets what
    `render` would warn of each chart (render_warnings)."""
    from kamflow.reports.site import document_file

    if not processes:
        raise UsageError("no process files found")
    if warnings is not None:
        warnings.extend(_warnings_of(processes, options))
    target = document_file(output, processes[0].id if len(processes) == 1 else "deck", ".pptx")
    return write_atomically({target: export_deck(processes, options=options, notes=notes, workspace=workspace)})


def _warnings_of(processes: list[Process], options: RenderOptions | None) -> list[str]:
    from kamflow.api import render_warnings  # the package's, which imports this module

    return [line for process in processes for line in render_warnings(process, options)]
