"""LibreOffice as a client's office suite: convert a .pptx or .docx to PDF headless, then read
the PDF's pages back as text (pdftotext) or pictures (pdftoppm)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def soffice() -> str:
    found = shutil.which("soffice")
    if found is None:
        pytest.fail("LibreOffice (`soffice`) is not installed; `make test` installs libreoffice-impress and libreoffice-writer")
    return found


def to_pdf(document: Path, folder: Path) -> Path:
    """`soffice --headless --convert-to pdf`, with a profile of its own (two LibreOffice runs
    sharing one profile block each other)."""
    profile = folder / "lo-profile"
    result = subprocess.run(
        [soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(document)],
        capture_output=True, text=True, timeout=300,
    )
    pdf = folder / (document.stem + ".pdf")
    assert result.returncode == 0 and pdf.is_file(), f"LibreOffice could not open {document.name}: {result.stdout} {result.stderr}"
    return pdf


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def page_text(pdf: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def page_png(pdf: Path, page: int, folder: Path, *, dpi: int = 60) -> Path:
    stem = folder / f"page-{page}"
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(stem)], check=True)
    return stem.with_suffix(".png")
