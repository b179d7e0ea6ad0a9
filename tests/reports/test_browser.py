"""The HTML report in a real browser: headless Debian Chromium takes a screenshot; the chart must
be visible and the page must raise no console errors."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import kamflow
from tests.conftest import PROCESSES

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make installs it)")
WIDTH, HEIGHT = 1280, 1600


def screenshot(page: Path, shot: Path, profile: Path) -> str:
    """Open `page` in a fresh headless Chromium, save a screenshot, return its log (stderr)."""
    argv = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
        f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
        f"--window-size={WIDTH},{HEIGHT}", f"--screenshot={shot}", page.as_uri(),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0 and shot.is_file(), done.stderr
    return done.stderr


def console_errors(log: str) -> list[str]:
    """Chromium logs each console message of the page as a CONSOLE line on stderr."""
    return [line for line in log.splitlines() if "CONSOLE" in line or "Uncaught" in line]


def test_console_errors_are_detected(tmp_path):
    """The detector itself: a page that logs an error and throws is caught."""
    page = tmp_path / "bad.html"
    page.write_text("<!DOCTYPE html><p>x</p><script>console.error('kamflow-probe'); null.x;</script>", encoding="utf-8")
    log = screenshot(page, tmp_path / "bad.png", tmp_path / "profile")
    found = console_errors(log)
    assert any("kamflow-probe" in line for line in found) and any("Uncaught" in line for line in found)


def test_report_shows_its_chart_without_console_errors(tmp_path):
    from PIL import Image, ImageChops

    html = kamflow.report(kamflow.load(PROCESSES / "kam.yaml"))["kam.html"].decode("utf-8")
    page = tmp_path / "kam.html"
    page.write_text(html, encoding="utf-8")
    # the same page with the chart hidden but still taking its place: the pixels that differ are the chart
    hidden = tmp_path / "hidden.html"
    hidden.write_text(html.replace("</style>", "figure.chart svg { visibility: hidden; }\n</style>", 1), encoding="utf-8")
    log = screenshot(page, tmp_path / "kam.png", tmp_path / "profile-1")
    screenshot(hidden, tmp_path / "hidden.png", tmp_path / "profile-2")
    assert console_errors(log) == []
    assert not re.search(r"net::ERR|Failed to load resource", log), "the page asked for something outside itself"

    shot = Image.open(tmp_path / "kam.png").convert("RGB")
    blank = Image.open(tmp_path / "hidden.png").convert("RGB")
    assert shot.size == (WIDTH, HEIGHT)
    box = ImageChops.difference(shot, blank).getbbox()
    assert box is not None, "the chart draws nothing"
    left, top, right, bottom = box
    assert right - left > WIDTH * 0.5 and bottom - top > 600, f"the chart area {box} is too small"
    chart = shot.crop(box)
    colours = chart.getcolors(maxcolors=1 << 20)
    non_white = sum(count for count, rgb in colours if sum(rgb) < 740)
    assert non_white > 0.05 * chart.width * chart.height, "the chart area is nearly blank"
    # the chart's symbols are filled (start green, decisions yellow ...), not only black lines
    assert len({rgb for count, rgb in colours if count > 200}) >= 4
