"""HTML and Markdown reports, read back and checked piece by piece."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

import kamflow
from kamflow.model import graph as graphs
from kamflow.reports import flow_order, md_text
from tests.conftest import PROCESSES, SIMPLE
from tests.reports.html import Page

STEP_COLUMNS = ["#", "Step", "Type", "Lane / owner", "Duration", "KPIs", "Inputs", "Outputs", "Notes"]


@pytest.fixture(scope="module")
def kam():
    return kamflow.load(PROCESSES / "kam.yaml")


@pytest.fixture(scope="module")
def kam_page(kam):
    return Page(kamflow.report(kam)["kam.html"].decode("utf-8"))


def test_html_is_self_contained(kam_page):
    assert kam_page.attrs("script") == [] and kam_page.attrs("link") == [] and kam_page.attrs("img") == []
    assert kam_page.attrs("iframe") == [] and kam_page.attrs("object") == []
    for tag, attributes in kam_page.tags:
        for name, value in attributes.items():
            if name in ("src", "href", "xlink:href", "action", "data"):
                assert not re.match(r"\s*(https?:|//)", value), f"<{tag} {name}={value}> would fetch from the network"
    svgs = kam_page.attrs("svg")
    assert len(svgs) == 1
    styles = "".join(t for t in kam_page.text if "@media print" in t)
    assert "break-before: page" in styles, "big tables start on a new printed page"


def test_html_has_title_description_and_chart(kam, kam_page):
    assert kam_page.h1 == kam.title
    assert kam.description.split()[0] in " ".join(kam_page.text)
    # every step of the chart is a node of the inlined SVG
    node_titles = [a for t, a in kam_page.tags if t == "g" and "node" in a.get("class", "").split()]
    assert len(node_titles) == len(kam.steps)


def test_step_table_in_flow_order(kam, kam_page):
    table = kam_page.table("steps")
    assert table["head"] == STEP_COLUMNS
    rows = table["rows"]
    assert [int(r[0]) for r in rows] == list(range(1, len(kam.steps) + 1))
    ids = [row_id.removeprefix("step-") for row_id in table["row_ids"]]
    assert sorted(ids) == sorted(s.id for s in kam.steps)
    assert kam.steps_by_id[ids[0]].type == "start"
    number = {step_id: n for n, step_id in enumerate(ids, start=1)}
    loops = graphs.back_edges(kam.graph, graphs.start_ids(kam))
    for source, target in kam.graph.edges:
        if (source, target) not in loops:
            assert number[source] < number[target], f"{source} -> {target} goes backwards in the table"
    criteria = rows[ids.index("define_criteria")]
    assert criteria[1:] == [
        "Agree key account selection criteria", "Step", "Senior Sponsor", "1w", "Criteria signed off by KAM board",
        "Company strategy Sales history by customer", "Weighted selection criteria",
        "Attractiveness factors (size, growth, margin, fit) and weights, looking about three years ahead.",
    ]
    collect = rows[ids.index("collect_account_data")]
    assert collect[2:4] == ["Data", "Account Team Sales Operations"]


def test_responsibility_matrix_marks_each_steps_lane(kam, kam_page):
    table = kam_page.table("matrix")
    assert table["head"] == ["#", "Step"] + [lane.label for lane in kam.lanes]
    ordered = flow_order(kam)
    for row, step in zip(table["rows"], ordered, strict=True):
        marks = [i for i, cell in enumerate(row[2:]) if cell == "●"]
        assert row[1] == step.label
        assert marks == [[lane.id for lane in kam.lanes].index(step.lane)]


def test_decisions_with_branches(kam, kam_page):
    rows = kam_page.table("decisions")["rows"]
    decisions = [s for s in kam.steps if s.type == "decision"]
    assert len(rows) == sum(len(kam.outgoing(d.id)) for d in decisions)
    select = next(r for r in rows if "Select as key account?" in r)
    assert select[3:] == ["Yes", select[4], "30 %"] and select[4].endswith("Record why account was selected")
    no_row = rows[rows.index(select) + 1]
    assert no_row[0] == "No" and no_row[2] == "70 %"


def test_findings_are_listed(write):
    broken = write(SIMPLE.replace("next: ok}", "next: nowhere}"))
    page = Page(kamflow.report(kamflow.load(broken))["simple.html"].decode())
    rows = page.table("findings")["rows"]
    assert any(row[0] == "error" and row[1] == "unknown-target" for row in rows)
    assert "status-errors" in {a.get("class", "").split()[-1] for a in page.attrs("span")}


def test_user_text_stays_text(write):
    hostile = SIMPLE.replace("label: Do the work", "label: '<script>alert(1)</script> & <b>bold</b>'")
    hostile = hostile.replace("title: Simple", "title: '<img src=x onerror=alert(1)>'")
    process = kamflow.load(write(hostile))
    html = kamflow.report(process)["simple.html"].decode()
    page = Page(html)
    assert page.attrs("script") == [] and page.attrs("img") == [] and page.attrs("b") == []
    assert page.h1 == "<img src=x onerror=alert(1)>"
    assert any("<script>alert(1)</script> & <b>bold</b>" in " ".join(row) for row in page.table("steps")["rows"])
    md = kamflow.report(process, fmt="md")["simple.md"].decode()
    assert "<script>" not in md and "<img" not in md and "&lt;script&gt;" in md


def test_markdown_report(kam, tmp_path, run_cli):
    out = tmp_path / "doc" / "kam-report.md"
    result = run_cli("report", PROCESSES / "kam.yaml", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split() == [str(out), str(out.with_suffix(".svg"))]
    text = out.read_text(encoding="utf-8")
    assert text.startswith(f"# {kam.title}\n")
    assert "![Flowchart: Key Account Management Process](kam-report.svg)" in text
    root = ET.fromstring(out.with_suffix(".svg").read_bytes())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    lines = text.splitlines()
    header = lines.index("| # | Step | Type | Lane / owner | Duration | KPIs | Inputs | Outputs | Notes |")
    rows = []
    for line in lines[header + 2:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    assert len(rows) == len(kam.steps)
    for row in rows:  # escaped pipes never add a column
        assert len(re.split(r"(?<!\\)\|", row)) == len(STEP_COLUMNS) + 2
    assert rows[0].startswith("| 1 | Annual KAM portfolio review | Start |")
    assert "## Responsibilities (lane × step)" in text and "## Decisions" in text and "## Check findings" in text


def test_markdown_escaping():
    assert md_text("a | b *c* [x](y) <i>") == r"a \| b \*c\* \[x\](y) &lt;i&gt;"
    assert md_text("two\nlines") == "two lines"


def test_jupyter_shows_a_process_as_svg(kam):
    svg = kam._repr_svg_()
    root = ET.fromstring(svg.encode())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert svg == kamflow.render_charts(kam, formats=("svg",))["svg"].decode()


def test_render_charts_touches_no_disk(kam, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    charts = kamflow.render_charts(kam, formats=("svg", "png"))
    assert charts["png"].startswith(b"\x89PNG") and b"<svg" in charts["svg"]
    assert list(tmp_path.iterdir()) == []


def test_conformance_with_the_reference(tmp_path):
    root = PROCESSES.parent
    as_is = kamflow.load(root / "examples" / "kam-as-is.yaml")
    missing = [f for f in kamflow.check(as_is) if f.rule == "missing-essential-step"]
    assert missing, "the as-is example misses essential steps of kam"
    html = kamflow.report(as_is)[f"{as_is.id}.html"].decode()
    page = Page(html)
    assert "Conformance with the reference Key Account Management Process" in " ".join(page.text)
    items = [item for item in page.attrs("li") if item.get("class") == "severity-error"]
    assert len(items) == len(missing)
    for finding in missing:
        assert f"reference step {finding.reference_step}" in " ".join(" ".join(page.text).split())
    md = kamflow.report(as_is, fmt="md")[f"{as_is.id}.md"].decode()
    assert "### Conformance with the reference Key Account Management Process" in md
    assert md.count("(reference step `") == len(missing)


def test_table_numbers_are_the_charts_numbers(write, tmp_path, run_cli):
    # an unreachable step and a loop: the cases where orders could disagree
    text = SIMPLE.replace("  - {id: finish,", "  - {id: orphan, label: Orphan, lane: a, next: finish}\n  - {id: finish,")
    out = tmp_path / "r.html"
    assert run_cli("report", write(text), "--number", "-o", out).exit_code == 0
    html = out.read_text(encoding="utf-8")
    table = Page(html).table("steps")
    from_table = {row_id.removeprefix("step-"): int(row[0]) for row_id, row in zip(table["row_ids"], table["rows"])}
    svg = ET.fromstring(html[html.index("<svg"):html.index("</svg>") + 6])
    ns = "{http://www.w3.org/2000/svg}"
    from_chart = {}
    for group in svg.iter(f"{ns}g"):
        if "node" in (group.get("class") or "").split():
            texts = [t.text or "" for t in group.iter(f"{ns}text")]
            numbered = [int(t) for t in texts if t.strip().isdigit()]
            from_chart[group.get("id").removeprefix("step-")] = numbered[0] if numbered else None
    assert from_chart == from_table


def test_markdown_chart_link_survives_any_file_name(run_cli, write, tmp_path):
    out = tmp_path / "my (draft) report.md"
    assert run_cli("report", write(SIMPLE), "-o", out).exit_code == 0
    assert "](my%20%28draft%29%20report.svg)" in out.read_text(encoding="utf-8")
    assert (tmp_path / "my (draft) report.svg").is_file()
