"""stdin -> stdout for pipelines, and `kamflow watch` re-rendering after an edit (real processes, bounded)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

from tests.conftest import PROCESSES, ROOT, SIMPLE

KAMFLOW = [sys.executable, "-m", "kamflow"]


def test_stdin_to_stdout_in_a_real_pipe(tmp_path):
    done = subprocess.run(KAMFLOW + ["render", "-", "-f", "svg", "-o", "-"], input=(PROCESSES / "billing.yaml").read_bytes(),
                          capture_output=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    root = ET.fromstring(done.stdout)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert list(tmp_path.iterdir()) == [], "nothing is written to disk"
    file_run = subprocess.run(KAMFLOW + ["render", PROCESSES / "billing.yaml", "-f", "svg", "-o", tmp_path / "o"], capture_output=True, timeout=60)
    assert file_run.returncode == 0
    assert (tmp_path / "o" / "billing.svg").read_bytes() == done.stdout, "the same chart as from the file"


def test_stdin_findings_go_to_stderr_and_errors_are_positioned(run_cli):
    result = run_cli("render", "-", "-f", "svg", "-o", "-", input=SIMPLE.replace("next: ok}", "next: nowhere}"))
    assert result.exit_code == 0
    assert "<stdin>:" in result.stderr and "[unknown-target]" in result.stderr
    assert result.stdout.lstrip().startswith("<?xml") or result.stdout.lstrip().startswith("<svg")
    bad = run_cli("render", "-", "-f", "svg", "-o", "-", input="kamflow: 1\nid: x\nsteps: [\n")
    assert bad.exit_code == 2 and bad.stderr.startswith("<stdin>:4:1: error: invalid YAML") and bad.stdout == ""


def test_stdout_needs_one_format_and_stdin(run_cli, write, tmp_path):
    assert "choose one format" in run_cli("render", "-", "-f", "svg,pdf", "-o", "-", input=SIMPLE).stderr
    mixed = run_cli("render", "-", write(SIMPLE), "-o", tmp_path)
    assert mixed.exit_code == 2 and "cannot be combined" in mixed.stderr


def _wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_watch_rerenders_after_an_edit_and_stops_cleanly(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    process = src / "simple.yaml"
    process.write_text(SIMPLE, encoding="utf-8")
    out = tmp_path / "out"
    chart = out / "simple.svg"
    log, errors = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open(log, "wb") as stdout, open(errors, "wb") as stderr:
        watcher = subprocess.Popen(KAMFLOW + ["watch", src, "-o", out, "--debounce", "0.2", "--number"], stdout=stdout, stderr=stderr, env=env)
        try:
            assert _wait_for(lambda: "watching" in errors.read_text(), 30), "the first render did not happen"
            first = chart.read_bytes()
            process.write_text(SIMPLE.replace("label: Do the work", "label: Do the edited work"), encoding="utf-8")
            assert _wait_for(lambda: b"edited" in chart.read_bytes(), 30), "the edit was not re-rendered"
            assert chart.read_bytes() != first
            process.write_text(SIMPLE.replace("next: ok}", "next: nowhere}"), encoding="utf-8")
            assert _wait_for(lambda: "[unknown-target]" in errors.read_text(), 30), "findings are printed on re-check"
            process.write_text("kamflow: 1\nid: simple\nsteps: [\n", encoding="utf-8")
            assert _wait_for(lambda: f"{process}:4:1: error: invalid YAML" in errors.read_text(), 30), "a load error is shown"
            process.write_text(SIMPLE.replace("label: Do the work", "label: Back to work"), encoding="utf-8")
            assert _wait_for(lambda: b"Back to work" in chart.read_bytes(), 30), "watching goes on after a bad save"
        finally:
            watcher.send_signal(signal.SIGINT)
            try:
                watcher.wait(timeout=20)
            except subprocess.TimeoutExpired:
                watcher.kill()
                raise
    text = errors.read_text()
    assert watcher.returncode == 0, text
    assert text.rstrip().endswith("stopped watching") and "Traceback" not in text
    assert log.read_text().split().count(str(chart)) >= 4
