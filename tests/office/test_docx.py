"""Word reports: read back with python-docx (styles, headings, tables, the SVG chart with its PNG
fallback, the table of contents), the client's reference document applied, the same bytes twice,
and LibreOffice opens them."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.shared import Pt, RGBColor

import kamflow
from tests.conftest import PROCESSES
from tests.office.libreoffice import page_text, pages, to_pdf


@pytest.fixture(scope="module")
def kam_docx():
    return kamflow.report_docx([kamflow.load(PROCESSES / "kam.yaml")])


def _paragraphs(document, style):
    return [p.text for p in document.paragraphs if p.style.name == style]


def test_the_report_uses_word_styles_so_a_table_of_contents_works(kam_docx):
    document = docx.Document(io.BytesIO(kam_docx))
    assert _paragraphs(document, "Title") == ["Key Account Management Process"]
    assert _paragraphs(document, "Heading 1") == [
        "Flowchart", "Steps in flow order", "Responsibilities (lane × step)", "RACI (role × step)",
        "Decisions", "Path analytics", "Check findings",
    ]
    captions = ["".join(p._p.xpath(".//w:t/text()")) for p in document.paragraphs if p.style.name == "Caption"]
    count = len(captions)
    assert count > 1, "KAM does not fit an A4 text block at 9 pt: its chart is cut into figures"
    assert captions == [f"Figure {n}. Flowchart: Key Account Management Process, part {n} of {count}" for n in range(1, count + 1)]
    assert any(p.text.startswith(f"The chart is cut into {count} figures") for p in document.paragraphs)
    xml = zipfile.ZipFile(io.BytesIO(kam_docx)).read("word/document.xml").decode("utf-8")
    assert 'TOC \\o "1-2" \\h \\z \\u' in xml and 'w:instr="SEQ Figure \\* ARABIC"' in xml
    assert [p.text for p in document.paragraphs if p.style.name == "TOC 1"][:3] == ["Flowchart", "Steps in flow order", "Responsibilities (lane × step)"]


def test_tables_hold_the_steps_the_matrices_and_the_decisions(kam_docx):
    process = kamflow.load(PROCESSES / "kam.yaml")
    document = docx.Document(io.BytesIO(kam_docx))
    tables = document.tables
    steps = tables[0]
    assert [c.text for c in steps.rows[0].cells] == ["#", "Step", "Type", "Lane / owner", "Duration", "KPIs", "Inputs", "Outputs", "Notes"]
    assert len(steps.rows) == len(process.steps) + 1
    assert all(t.style.name == "Table Grid" for t in tables)
    header = steps.rows[0]._tr.xpath("./w:trPr/w:tblHeader")
    assert header, "the header row repeats on every page"
    lanes = tables[1]
    assert [c.text for c in lanes.rows[0].cells] == ["#", "Step", "Senior Sponsor", "Key Account Manager", "Account Team", "Customer DMU"]
    raci = tables[2]
    assert [c.text for c in raci.rows[0].cells][:2] == ["#", "Step"]
    assert len(raci.rows) == 1 + sum(1 for s in process.steps if "raci" in s.metadata)
    decisions = tables[3]
    assert [c.text for c in decisions.rows[0].cells] == ["#", "Decision", "Lane / owner", "Branch", "Goes to", "Share"]
    assert "80 %" in [c.text for row in decisions.rows for c in row.cells]


def test_the_chart_is_svg_with_a_png_fallback(kam_docx):
    package = zipfile.ZipFile(io.BytesIO(kam_docx))
    names = package.namelist()
    svgs = [n for n in names if n.startswith("word/media/") and n.endswith(".svg")]
    pngs = [n for n in names if n.startswith("word/media/") and n.endswith(".png")]
    assert len(svgs) == len(pngs) > 1
    assert package.read(svgs[0]).startswith(b"<?xml") and package.read(pngs[0])[1:4] == b"PNG"
    assert b"from figure 1: A" in package.read("word/media/kamflow-chart-2.svg")
    assert 'Extension="svg"' in package.read("[Content_Types].xml").decode() or "image/svg+xml" in package.read("[Content_Types].xml").decode()
    xml = package.read("word/document.xml").decode("utf-8")
    assert xml.count("{96DAC541-7B7A-43D3-8B79-37D633B846F1}") == len(svgs) and "asvg:svgBlip" in xml
    rels = package.read("word/_rels/document.xml.rels").decode()
    assert svgs[0].removeprefix("word/") in rels


def test_same_input_same_bytes_with_fixed_dates(kam_docx):
    again = kamflow.report_docx([kamflow.load(PROCESSES / "kam.yaml")])
    assert again == kam_docx
    package = zipfile.ZipFile(io.BytesIO(kam_docx))
    assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert package.namelist()[0] == "[Content_Types].xml"
    core = docx.Document(io.BytesIO(kam_docx)).core_properties
    assert core.created.year == 2000 and core.modified.year == 2000 and core.title == "Key Account Management Process"


@pytest.fixture
def client_template(tmp_path):
    """A client's template: its own Heading 1 (red, 20 pt, Liberation Serif), a header, letter
    paper with wide margins, and sample body text that must not reach the report."""
    template = docx.Document()
    heading = template.styles["Heading 1"]
    heading.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    heading.font.size = Pt(20)
    heading.font.name = "Liberation Serif"
    section = template.sections[0]
    section.page_width, section.page_height = Pt(612), Pt(792)
    section.left_margin = Pt(100)
    section.header.paragraphs[0].text = "ACME Corp · Confidential"
    template.add_paragraph("Delete me: template sample text")
    path = tmp_path / "client.docx"
    template.save(path)
    return path


def test_a_reference_doc_gives_its_styles_page_and_header(client_template, tmp_path, run_cli):
    target = tmp_path / "out" / "billing.docx"
    result = run_cli("report", PROCESSES / "billing.yaml", "--format", "docx", "--reference-doc", client_template, "-o", target)
    assert result.exit_code == 0, result.output
    document = docx.Document(target)
    heading = document.styles["Heading 1"]
    assert heading.font.color.rgb == RGBColor(0xC0, 0x00, 0x00) and heading.font.size == Pt(20) and heading.font.name == "Liberation Serif"
    section = document.sections[0]
    assert round(section.page_width.pt) == 612 and round(section.left_margin.pt) == 100
    assert section.header.paragraphs[0].text == "ACME Corp · Confidential"
    assert not any("Delete me" in p.text for p in document.paragraphs)
    assert _paragraphs(document, "Heading 1")[0] == "Flowchart"


def test_a_template_without_kamflows_styles_gets_them(tmp_path):
    template = docx.Document()
    styles = template.styles.element
    for style in list(styles):
        if style.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}styleId") in ("Caption", "TableGrid", "Heading2", "Title"):
            styles.remove(style)
    path = tmp_path / "bare.docx"
    template.save(path)
    data = kamflow.report_docx([kamflow.load(PROCESSES / "billing.yaml")], reference_doc=path)
    document = docx.Document(io.BytesIO(data))
    assert _paragraphs(document, "Title") == ["Billing (Order to Invoice to Cash)"]
    assert _paragraphs(document, "Caption")


@pytest.mark.parametrize("content,message", [
    (b"not a zip at all", "not a Word document (.docx)"),
    (None, "not a Word document (.docx): it has no word/document.xml"),
])
def test_a_bad_reference_doc_is_one_line_and_exit_2(tmp_path, run_cli, content, message):
    path = tmp_path / "bad.docx"
    if content is None:
        with zipfile.ZipFile(path, "w") as package:
            package.writestr("hello.txt", "hi")
    else:
        path.write_bytes(content)
    target = tmp_path / "out.docx"
    result = run_cli("report", PROCESSES / "billing.yaml", "--format", "docx", "--reference-doc", path, "-o", target)
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not target.exists()


def test_a_folder_gives_one_document_with_a_chapter_per_process(tmp_path, run_cli):
    folder = tmp_path / "procs"
    folder.mkdir()
    for name in ("billing", "accounts-payable"):
        (folder / f"{name}.yaml").write_text((PROCESSES / f"{name}.yaml").read_text())
    result = run_cli("report", folder, "--format", "docx", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    target = tmp_path / "out" / "report.docx"
    assert result.output.strip() == str(target)
    document = docx.Document(target)
    assert _paragraphs(document, "Title") == ["Process portfolio"]
    titles = [kamflow.load(folder / f"{n}.yaml").title for n in ("accounts-payable", "billing")]
    assert sorted(_paragraphs(document, "Heading 1")) == sorted(titles)
    assert _paragraphs(document, "Heading 2").count("Steps in flow order") == 2


def test_libreoffice_opens_the_report(kam_docx, tmp_path):
    path = tmp_path / "kam.docx"
    path.write_bytes(kam_docx)
    pdf = to_pdf(path, tmp_path)
    count = pages(pdf)
    assert 5 <= count <= 40
    first = page_text(pdf, 1)
    assert "Key Account Management Process" in first and "Contents" in first
    assert any("Steps in flow order" in page_text(pdf, n) for n in range(2, count + 1))


@pytest.mark.parametrize("make,message", [
    (lambda tmp: tmp / "missing.docx", "cannot read the reference document: no such Word document (.docx)"),
    (lambda tmp: tmp, "cannot read the reference document: is a folder, not a Word document (.docx)"),
    (lambda tmp: Path("/dev/null"), "is not a regular file (a device, pipe or socket); give a Word document (.docx)"),
])
def test_an_unreadable_reference_doc_is_one_line_naming_it(tmp_path, run_cli, make, message):
    path = make(tmp_path)
    result = run_cli("report", PROCESSES / "billing.yaml", "--format", "docx", "--reference-doc", path, "-o", tmp_path / "out.docx")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"error: {path}: {message}" if "regular" not in message else
                                                  f"error: {path}: cannot read the reference document: {message}"]
    assert not (tmp_path / "out.docx").exists()
