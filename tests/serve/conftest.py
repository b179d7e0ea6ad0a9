"""One `kamflow serve` (a real process on 127.0.0.1, a free port) and one Chromium per session;
each test writes its own process file into the served folder."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

TWO_STEPS = """\
kamflow: 1
id: {id}
title: {title}
steps:
  - {{id: begin, type: start, label: Begin, next: work}}
  - {{id: work, label: {label}, next: done}}
  - {{id: done, type: end, label: Done}}
"""


class Server:
    def __init__(self, folder: Path, process: subprocess.Popen, url: str):
        self.folder, self.process, self.url = folder, process, url
        address = urlsplit(url)
        self.base, self.token = f"{address.scheme}://{address.netloc}", parse_qs(address.query)["token"][0]

    def page(self, relative: str, **query: str) -> str:
        extra = "".join(f"&{k}={v}" for k, v in query.items())
        return f"{self.base}/p/{relative}?token={self.token}{extra}"

    def write(self, name: str, text: str) -> Path:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path


def start_server(folder: Path, *args: str) -> Server:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "kamflow", "serve", str(folder), "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        line = process.stdout.readline()
        found = re.search(r"http://\S+", line)
        assert found, f"kamflow serve printed no address: {line!r}"
        return Server(folder, process, found.group(0))
    except BaseException:
        process.kill()  # a test that cannot use the server must not leave it running
        process.wait(timeout=10)
        raise


def stop_server(server: Server, timeout: float = 10.0) -> tuple[int, str]:
    server.process.send_signal(signal.SIGINT)
    try:
        code = server.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        server.process.kill()
        raise
    return code, server.process.stderr.read()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("served")
    (folder / "hello.yaml").write_text(TWO_STEPS.format(id="hello", title="Hello", label="Say hello"), encoding="utf-8")
    running = start_server(folder)
    yield running
    if running.process.poll() is None:
        stop_server(running)


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (tools/install-deps.sh installs it)")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page; `page.problems` collects dialogs, page errors and console errors."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    tab.problems = []
    tab.on("dialog", lambda dialog: (tab.problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    tab.on("pageerror", lambda error: tab.problems.append(f"page error: {error}"))
    tab.on("console", lambda message: message.type == "error" and tab.problems.append(f"console: {message.text}"))
    tab.set_default_timeout(15000)
    yield tab
    context.close()


def wait_until(condition, timeout: float = 5.0, step: float = 0.02):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return condition()
