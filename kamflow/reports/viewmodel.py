"""Process + findings + chart text -> the plain values a report template reads.

Nothing here reads files or renders: the api passes in the SVG text, the check findings and the
links between portfolio pages. Every value is plain data (str, int, list, dict, None), so a user's
template sees exactly what docs/templates.md lists.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from kamflow.model.graph import flow_order  # noqa: F401  (re-exported by kamflow.reports)
from kamflow.model.links import safe_link
from kamflow.model.process import RACI_LETTERS, Process, Step

if TYPE_CHECKING:
    from kamflow.checks.findings import Finding

TYPE_NAMES = {
    "start": "Start",
    "end": "End",
    "step": "Step",
    "decision": "Decision",
    "subprocess": "Subprocess",
    "document": "Document",
    "data": "Data",
    "manual": "Manual step",
    "wait": "Wait",
    "parallel": "Parallel split / join",
}
_PROLOGUE = re.compile(r"\A\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?(<!--.*?-->\s*)*", re.S)


def inline_svg(svg: str) -> str:
    """SVG text ready to sit inside HTML: the XML declaration, DOCTYPE (an external DTD address)
    and leading comments are dropped; the drawing itself is unchanged."""
    return _PROLOGUE.sub("", svg, count=1).strip()


def retarget_chart_links(svg: str, hrefs: Mapping[str, str]) -> str:
    """Point the chart's link on each named step (a subprocess step links to the linked process's
    chart by default) at another address: its portfolio page, or its row in the report. Steps
    without a link on the chart are left alone."""
    for step_id, href in hrefs.items():
        value = html.escape(href, quote=True)
        pattern = re.compile(
            r'(<g id="step-' + re.escape(html.escape(step_id, quote=True)) + r'"[^>]*>\s*<title>[^<]*</title>\s*<a )'
            r'href="[^"]*"( xlink:href=)"[^"]*"'
        )
        svg = pattern.sub(_href_replacer(value), svg, count=1)
    return svg


def _href_replacer(value: str) -> Callable[[re.Match[str]], str]:
    return lambda m: f'{m.group(1)}href="{value}"{m.group(2)}"{value}"'


def _texts(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    return [str(value)]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def build_view(
    process: Process,
    findings: Iterable["Finding"] = (),
    *,
    svg: str | None = None,
    chart_file: str | None = None,
    links: Mapping[str, str] | None = None,
    reference_title: str | None = None,
    index_href: str | None = None,
    numbers: Mapping[str, int] | None = None,
    stats: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The template context of one process report (documented in docs/templates.md).

    `svg` is the chart's SVG text (inlined by HTML templates), `chart_file` the name of the chart
    written beside a Markdown report, `links` maps a subprocess step id to the page of the process
    it calls, `index_href` is the portfolio index page when the report is part of a portfolio,
    `numbers` the step numbers the chart shows (so table and chart agree; else `flow_order`),
    `stats` the path analytics of `kamflow stats` (api.stats) for the analytics section.
    """
    links = dict(links or {})
    if numbers is not None and all(step.id in numbers for step in process.steps):
        given = numbers
        ordered = sorted(process.steps, key=lambda step: given[step.id])  # the chart's own numbers
    else:
        ordered = flow_order(process)
    numbers = {step.id: n for n, step in enumerate(ordered, start=1)}
    lane_labels = {lane.id: lane.label for lane in process.lanes}

    def target(step_id: str) -> dict[str, Any]:
        step = process.steps_by_id.get(step_id)
        return {"id": step_id, "number": numbers.get(step_id), "target": step.label if step else step_id}

    steps = []
    for step in ordered:
        meta = step.metadata
        link = safe_link(meta.get("link")) or ""  # the chart's policy: only http, https and mailto (`render` warns)
        steps.append(
            {
                "number": numbers[step.id],
                "id": step.id,
                "label": step.label,
                "type": step.type,
                "type_name": TYPE_NAMES.get(step.type, step.type),
                "lane": lane_labels.get(step.lane or "", step.lane or ""),
                "lane_id": step.lane,
                "owner": _text(meta.get("owner")),
                "duration": _text(meta.get("duration")),
                "kpis": _texts(meta.get("kpis")),
                "inputs": _texts(meta.get("inputs")),
                "outputs": _texts(meta.get("outputs")),
                "notes": _text(meta.get("notes")),
                "tags": _texts(meta.get("tags")),
                "link": link,
                "link_is_web": bool(link),
                "essential": step.essential,
                "subprocess": ({"id": step.process, "href": links.get(step.id)} if step.type == "subprocess" and step.process else None),
                "next": [{**target(edge.target), "label": edge.label or "", "probability": edge.probability} for edge in process.outgoing(step.id)],
            }
        )

    decisions = [
        {
            "number": item["number"],
            "id": item["id"],
            "label": item["label"],
            "lane": item["lane"],
            "owner": item["owner"],
            "branches": item["next"],
        }
        for item in steps
        if item["type"] == "decision"
    ]

    lanes = [{"id": lane.id, "label": lane.label, "steps": [s["number"] for s in steps if s["lane_id"] == lane.id]} for lane in process.lanes]
    matrix = {
        "lanes": [lane["label"] for lane in lanes],
        "rows": [
            {
                "number": item["number"],
                "label": item["label"],
                "cells": [item["lane_id"] == lane["id"] for lane in lanes],
            }
            for item in steps
        ],
    }

    raci = raci_matrix(process, ordered, numbers)

    finding_rows = []
    for finding in findings:
        finding_rows.append(
            {
                "severity": finding.severity,
                "rule": finding.rule,
                "line": finding.line,
                "column": finding.column,
                "location": f"{finding.path}:{finding.line}:{finding.column}" if finding.line else finding.path,
                "step": finding.step,
                "step_number": numbers.get(finding.step or ""),
                "message": finding.message,
                "reference_step": finding.reference_step,
            }
        )
    errors = sum(1 for f in finding_rows if f["severity"] == "error")
    warnings = len(finding_rows) - errors
    conformance = None
    if process.based_on:
        conformance = {
            "reference": process.based_on,
            "reference_title": reference_title or process.based_on,
            "findings": [f for f in finding_rows if f["reference_step"] is not None],
        }

    return {
        "process": {
            "id": process.id,
            "title": process.title,
            "description": process.description,
            "version": process.version or "",
            "author": process.author or "",
            "date": process.date or "",
            "direction": process.direction,
            "based_on": process.based_on or "",
            "step_count": len(steps),
            "decision_count": len(decisions),
            "lane_count": len(lanes),
        },
        "chart": {
            "svg": inline_svg(svg) if svg is not None else "",
            "file": chart_file or "",
            "alt": f"Flowchart: {process.title}",
        },
        "steps": steps,
        "decisions": decisions,
        "lanes": lanes,
        "matrix": matrix,
        "raci": raci,
        "findings": finding_rows,
        "check": {
            "errors": errors,
            "warnings": warnings,
            "status": "errors" if errors else ("warnings" if warnings else "ok"),
        },
        "conformance": conformance,
        "portfolio": {"index": index_href} if index_href else None,
        "stats": _stats_view(stats, process, numbers) if stats else None,
    }


def raci_matrix(process: Process, ordered: Iterable[Step], numbers: Mapping[str, int]) -> dict[str, Any] | None:
    """Roles x steps from the steps' `raci`, or None when no step has one. Roles are the lanes
    named, in declared order, then other roles in the order they first appear; a cell holds the
    letters of that role for that step in RACI order ("R/A", "C", "")."""
    rows = [step for step in ordered if step.metadata.get("raci")]
    if not rows:
        return None
    lane_labels = {lane.id: lane.label for lane in process.lanes}
    named: list[str] = []
    for step in rows:
        for letter in RACI_LETTERS:
            for name in step.metadata["raci"].get(letter, []):
                if name not in named:
                    named.append(name)
    lane_order = {lane.id: index for index, lane in enumerate(process.lanes)}
    roles = sorted(named, key=lambda name: (0, lane_order[name], "") if name in lane_order else (1, named.index(name), name))
    return {
        "roles": [lane_labels.get(name, name) for name in roles],
        "rows": [
            {
                "number": numbers.get(step.id),
                "id": step.id,
                "label": step.label,
                "cells": ["/".join(letter for letter in RACI_LETTERS if role in step.metadata["raci"].get(letter, [])) for role in roles],
            }
            for step in rows
        ],
    }


def _stats_view(stats: Mapping[str, Any], process: Process, numbers: Mapping[str, int]) -> dict[str, Any]:
    """The analytics a reader of a report wants: how long the flow takes (critical path, each end,
    expected with branch probabilities), how often work changes hands, and what data is missing."""
    labels = {step.id: step.label for step in process.steps}

    def step_ref(step_id: str) -> dict[str, Any]:
        return {"id": step_id, "number": numbers.get(step_id), "label": labels.get(step_id, step_id)}

    critical = stats.get("critical_path")
    paths = [
        {
            "end": step_ref(path["end"]),
            "shortest": {key: path["shortest"][key] for key in ("duration", "handoffs")} | _counted(path["shortest"]),
            "longest": {key: path["longest"][key] for key in ("duration", "handoffs")} | _counted(path["longest"]),
        }
        for path in stats.get("paths", [])
        if path.get("shortest") and path.get("longest")
    ]
    expected = [
        {
            "start": step_ref(item["start"]),
            "available": item["available"],
            "duration": item.get("duration"),
            "at_least": bool(item.get("steps_without_duration")),  # steps without a duration count as 0
            "handoffs": item.get("handoffs"),
            "problems": list(item.get("problems", [])),
            "ends": [{"label": end["label"], "probability": end["probability"]} for end in item.get("ends", [])],
        }
        for item in stats.get("expected", [])
    ]
    counts = stats.get("counts", {})
    return {
        "units": dict(stats.get("units", {})),
        "loops": counts.get("loops", 0),
        "ends": counts.get("ends", 0),
        "critical_path": {
            "duration": critical["duration"],
            "handoffs": critical["handoffs"],
            "end": step_ref(critical["end"]),
            "steps": [step_ref(step_id) for step_id in critical["steps"]],
            "without_duration": len(critical.get("steps_without_duration", ())),  # counted as 0, as `kamflow stats` says
        }
        if critical
        else None,
        "paths": paths,
        "expected": expected,
        "missing_owner": [step_ref(step_id) for step_id in stats.get("missing", {}).get("owner", [])],
        "missing_duration": [step_ref(step_id) for step_id in stats.get("missing", {}).get("duration", [])],
    }


def _counted(path: Mapping[str, Any]) -> dict[str, int]:
    return {"steps": len(path["steps"]), "without_duration": len(path.get("steps_without_duration", ()))}


def build_index(pages: Iterable[tuple[dict[str, Any], str]], *, title: str = "Process portfolio") -> dict[str, Any]:
    """The context of a portfolio's index page from (process view, page href) pairs."""
    processes = []
    for view, href in pages:
        processes.append(
            {
                **view["process"],
                "href": href,
                "check": view["check"],
                "subprocesses": [{"label": s["label"], **s["subprocess"]} for s in view["steps"] if s["subprocess"]],
            }
        )
    processes.sort(key=lambda p: (p["title"].casefold(), p["id"]))
    return {
        "title": title,
        "processes": processes,
        "totals": {
            "processes": len(processes),
            "steps": sum(p["step_count"] for p in processes),
            "decisions": sum(p["decision_count"] for p in processes),
            "with_errors": sum(1 for p in processes if p["check"]["status"] == "errors"),
        },
    }
