"""HTML and Markdown reports and portfolios as `{file name: bytes}`: each process's subject (its
findings, reference and chart inputs, assembled by the session) drawn and filled into the report
templates. Nothing here loads, checks or writes a file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, Iterable, Mapping

from kamflow.errors import UsageError
from kamflow.reports.jinja import render_template
from kamflow.reports.subject import Subject
from kamflow.reports.viewmodel import build_index, build_view, retarget_chart_links


def check_report_format(fmt: str, template: Path | str | None) -> None:
    """A usage error for a format reports do not have; a template is read with the guards of
    process files (size, binary, UTF-8) before Jinja reads it."""
    if fmt not in ("html", "md"):
        raise UsageError(f"unknown report format {fmt!r}; choose html, md or docx")
    if template is not None:
        from kamflow.files import read_text

        read_text(template)


def report_files(
    subject: Subject,
    *,
    fmt: str = "html",
    template: Path | str | None = None,
    name: str | None = None,
    links: Mapping[str, str] | None = None,
    index_href: str | None = None,
) -> dict[str, bytes]:
    """`<name>.html` (one self-contained page, chart inlined), or `<name>.md` with its chart
    `<name>.svg` beside it; `links` lead subprocess steps to the pages of their processes."""
    from kamflow.analysis import process_stats
    from kamflow.rendering.chart import render_chart
    from kamflow.rendering.svg import flow_numbers

    check_report_format(fmt, template)
    process, options = subject.process, subject.options
    if fmt == "md":  # a Markdown chart links only to pages written beside it: those of `links` (none when alone)
        options = replace(options, subprocess_links=tuple((step_id, Path(page).stem) for step_id, page in (links or {}).items()))
    svg = render_chart(process, ("svg",), overlay=subject.overlay, options=options)["svg"]
    stem = name or process.id
    common: dict[str, Any] = {
        "links": links,
        "reference_title": subject.reference_title,
        "index_href": index_href,
        "numbers": flow_numbers(process),
        "stats": process_stats(process),
    }
    if fmt == "md":
        view = build_view(process, subject.findings, chart_file=f"{stem}.svg", **common)
        chart = retarget_chart_links(svg.decode("utf-8"), links).encode("utf-8") if links else svg
        return {f"{stem}.md": render_template(view, kind="report", fmt="md", template=template).encode("utf-8"), f"{stem}.svg": chart}
    # in the page, a subprocess node leads to the called process's page, else to its table row
    hrefs = {s.id: (links or {}).get(s.id, f"#step-{s.id}") for s in process.steps if s.type == "subprocess"}
    view = build_view(process, subject.findings, svg=retarget_chart_links(svg.decode("utf-8"), hrefs), **common)
    return {f"{stem}.html": render_template(view, kind="report", fmt="html", template=template).encode("utf-8")}


def portfolio_files(
    subjects: Iterable[Subject],
    *,
    links: Mapping[str, Mapping[str, str]],
    fmt: str = "html",
    template: Path | str | None = None,
    title: str = "Process portfolio",
) -> dict[str, bytes]:
    """`index.<fmt>` listing every process, and one report per process named by its id, its
    subprocess steps linked by `links` (process id -> {step id: page}, from site.portfolio_links)."""
    files: dict[str, bytes] = {}
    pages = []
    for subject in sorted(subjects, key=lambda s: s.process.id):
        process = subject.process
        files.update(report_files(subject, fmt=fmt, template=template, links=links[process.id], index_href=f"index.{fmt}"))
        pages.append((build_view(process, subject.findings, links=links[process.id]), f"{process.id}.{fmt}"))
    files[f"index.{fmt}"] = render_template(build_index(pages, title=title), kind="index", fmt=fmt).encode("utf-8")
    return dict(sorted(files.items()))
