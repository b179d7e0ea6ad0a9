"""Where `kamflow report` writes (kamflow.reports.site.report_plan): the report stage's own rule, which
the API only carries out."""
from pathlib import Path

import pytest

from kamflow.errors import UsageError
from kamflow.reports.site import report_plan


def test_one_process_file_gives_one_report_under_output(tmp_path):
    file = tmp_path / "kam.yaml"
    assert report_plan([file], ["kam"], output=None, fmt="md") == ("report", Path("output") / "kam.md")
    assert report_plan([file], ["kam"], output=tmp_path, fmt="html") == ("report", tmp_path / "kam.html")
    assert report_plan([file], ["kam"], output=tmp_path / "deck-notes.html", fmt="html") == ("report", tmp_path / "deck-notes.html")


def test_a_folder_is_a_portfolio_even_with_one_process(tmp_path):
    assert report_plan([tmp_path], ["kam"], output=None, fmt="html") == ("portfolio", Path("output") / "report")
    assert report_plan(["a.yaml", "b.yaml"], ["a", "b"], output=tmp_path / "site", fmt="md") == ("portfolio", tmp_path / "site")


def test_a_portfolio_refuses_a_file_for_its_folder(tmp_path):
    taken = tmp_path / "site"
    taken.write_text("x")
    with pytest.raises(UsageError, match="is a file; a portfolio .2 processes. needs a folder"):
        report_plan(["a.yaml", "b.yaml"], ["a", "b"], output=taken, fmt="html")


def test_word_is_one_document_for_one_process_or_several(tmp_path):
    assert report_plan(["kam.yaml"], ["kam"], output=None, fmt="docx") == ("docx", Path("output") / "kam.docx")
    assert report_plan([tmp_path], ["a", "b"], output=None, fmt="docx") == ("docx", Path("output") / "report.docx")
    assert report_plan([tmp_path], ["a", "b"], output=tmp_path / "Client.DOCX", fmt="docx") == ("docx", tmp_path / "Client.DOCX")
