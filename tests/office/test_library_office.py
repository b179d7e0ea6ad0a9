"""Every bundled process, as one deck and as one Word report, opens in LibreOffice: as many PDF
pages as slides, and each process's title on its pages."""
import shutil

import docx
from pptx import Presentation

import kamflow
from tests.conftest import PROCESSES
from tests.office.libreoffice import page_text, pages, to_pdf


def test_the_whole_library_as_a_deck_and_a_word_report(tmp_path, run_cli):
    result = run_cli("export", PROCESSES, "--to", "pptx", "-o", tmp_path / "deck.pptx")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("split into") >= 1
    deck = tmp_path / "deck.pptx"
    slides = len(Presentation(deck).slides)
    pdf = to_pdf(deck, tmp_path)
    assert pages(pdf) == slides
    text = " ".join(" ".join(page_text(pdf, n).split()) for n in range(1, slides + 1))
    titles = [kamflow.load(path).title for path in sorted(PROCESSES.glob("*.yaml"))]
    assert all(title in text for title in titles)

    result = run_cli("report", PROCESSES, "--format", "docx", "-o", tmp_path / "library.docx")
    assert result.exit_code == 0, result.output
    document = docx.Document(tmp_path / "library.docx")
    assert sorted(p.text for p in document.paragraphs if p.style.name == "Heading 1") == sorted(titles)
    word = tmp_path / "word"
    word.mkdir()
    shutil.copy(tmp_path / "library.docx", word / "library.docx")
    pdf = to_pdf(word / "library.docx", word)
    assert pages(pdf) > len(titles)
