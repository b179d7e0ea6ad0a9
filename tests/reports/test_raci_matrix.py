"""The RACI matrix: roles x steps in the view model, the HTML and the Markdown report, only when
a step has a RACI."""
import kamflow
from kamflow.reports.viewmodel import build_view
from tests.conftest import PROCESSES, SIMPLE
from tests.reports.html import Page

RACI = """\
kamflow: 1
id: order
lanes:
  - {id: sales, label: Sales}
  - {id: finance, label: Finance}
steps:
  - {id: start, type: start, label: Order received, lane: sales, next: invoice}
  - id: invoice
    label: Send the invoice
    lane: finance
    raci: {R: [finance, Billing clerk], A: Finance Director, C: [sales], I: [finance]}
    next: done
  - {id: done, type: end, label: Order booked, lane: sales, raci: {R: sales, A: sales}}
"""


def test_roles_are_lanes_in_declared_order_then_other_roles_and_cells_hold_the_letters(write):
    view = build_view(kamflow.load(write(RACI)))
    assert view["raci"]["roles"] == ["Sales", "Finance", "Billing clerk", "Finance Director"]
    assert [(row["number"], row["label"], row["cells"]) for row in view["raci"]["rows"]] == [
        (2, "Send the invoice", ["C", "R/I", "R", "A"]),
        (3, "Order booked", ["R/A", "", "", ""]),
    ]


def test_no_raci_no_matrix(write):
    assert build_view(kamflow.load(write(SIMPLE)))["raci"] is None
    page = Page(kamflow.report(kamflow.load(write(SIMPLE)))["simple.html"].decode("utf-8"))
    assert "RACI (role × step)" not in page.text and [t for t in page.tables if "raci" in t["class"]] == []


def test_html_and_markdown_reports_show_the_matrix(write):
    process = kamflow.load(write(RACI))
    html = kamflow.report(process)["order.html"].decode("utf-8")
    table = Page(html).table("matrix raci")
    assert table["head"] == ["#", "Step", "Sales", "Finance", "Billing clerk", "Finance Director"]
    assert table["rows"] == [["2", "Send the invoice", "C", "R/I", "R", "A"], ["3", "Order booked", "R/A", "", "", ""]]
    markdown = kamflow.report(process, fmt="md")["order.md"].decode("utf-8")
    assert "## RACI (role × step)\n\n| # | Step | Sales | Finance | Billing clerk | Finance Director |" in markdown
    assert "| 3 | Order booked | R/A |  |  |  |" in markdown


def test_bundled_kam_and_month_end_close_carry_a_complete_raci():
    for name in ("kam", "month-end-close"):
        process = kamflow.load(PROCESSES / f"{name}.yaml")
        assert [f for f in kamflow.check(process) if f.rule == "raci-incomplete"] == []
        view = build_view(process)
        assert len(view["raci"]["rows"]) >= 8
        for row in view["raci"]["rows"]:
            assert sum("A" in cell.split("/") for cell in row["cells"]) == 1, row
            assert any("R" in cell.split("/") for cell in row["cells"]), row
