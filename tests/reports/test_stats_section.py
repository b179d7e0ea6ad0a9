"""Reports carry the path analytics of `kamflow stats`: critical path, each end, expected duration."""
import kamflow
from tests.conftest import PROCESSES, SIMPLE
from tests.reports.html import Page


def test_html_report_has_the_stats_of_the_process():
    kam = kamflow.load(PROCESSES / "kam.yaml")
    numbers = kamflow.stats(kam)
    page = Page(kamflow.report(kam)["kam.html"].decode("utf-8"))
    text = " ".join(" ".join(page.text).split())
    critical = numbers["critical_path"]
    assert f"Critical path (longest, to Key account relationship exited): {critical['duration']} over {len(critical['steps'])} steps, {critical['handoffs']} hand-offs" in text
    paths = next(t for t in page.tables if t["class"] == "paths")
    assert paths["head"] == ["To end", "Shortest", "Hand-offs", "Longest", "Hand-offs"]
    by_end = {row[0].split(". ", 1)[1]: row for row in paths["rows"]}
    for path in numbers["paths"]:
        row = by_end[path["label"]]
        assert row[1].startswith(path["shortest"]["duration"]) and row[2] == str(path["shortest"]["handoffs"])
        assert row[3].startswith(path["longest"]["duration"]) and row[4] == str(path["longest"]["handoffs"])
    assert f"Expected from Annual KAM portfolio review, with the branch shares: {numbers['expected'][0]['duration']}" in text


def test_markdown_report_states_the_analytics_and_what_is_missing(write):
    process = kamflow.load(write(SIMPLE))  # no durations, no owners, no branch probabilities
    text = kamflow.report(process, fmt="md")["simple.md"].decode("utf-8")
    section = text.split("## Path analytics", 1)[1].split("## Check findings", 1)[0]
    # the same caveat as `kamflow stats`: a step without a duration counts as 0 (issue #13)
    assert "**Critical path** (longest, to Finished): 0h over 4 steps (1 without duration, counted as 0), 1 hand-off between lanes: Start → Do the work → Done? → Finished.\n\n| To end |" in section
    assert "| Finished | 0h (4 steps, 1 without duration) | 1 | 0h (4 steps, 1 without duration) | 1 |" in section
    assert "**Expected duration** from Start: not available" in section and "probability" in section
    assert "Steps without an owner: Do the work, Done?." in section
    assert "Steps without a duration: Do the work." in section


def test_word_report_carries_the_same_duration_caveats(write):
    import io

    from docx import Document

    process = kamflow.load(write(SIMPLE))
    document = Document(io.BytesIO(kamflow.api.report_docx([process])))
    paragraphs = [p.text for p in document.paragraphs]
    assert "Critical path (longest, to Finished): 0h over 4 steps (1 without duration, counted as 0), 1 hand-off between lanes: Start → Do the work → Done? → Finished." in paragraphs
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    assert ["Finished", "0h (4 steps, 1 without duration)", "1", "0h (4 steps, 1 without duration)", "1"] in rows
