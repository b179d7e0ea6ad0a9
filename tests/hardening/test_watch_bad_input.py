"""`kamflow watch` on bad input: one watcher over a folder holding one file per class of bad input
(tests/hardening/cases.py) prints one positioned line per file, writes nothing, keeps watching and
stops cleanly on Ctrl-C; a path that does not exist is one line and exit code 2 before it starts.
(Watching goes on after bad files by design: the user fixes them while it runs.)"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.hardening.cases import CASES
from tests.hardening.snapshot import error_lines

ROOT = Path(__file__).resolve().parents[2]


def test_watch_reports_every_bad_file_and_writes_nothing(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    for case in CASES:
        (src / f"{case.name}.yaml").write_bytes(case.data)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KAMFLOW_MAX_FILE_SIZE": "10000"}  # the size case; every other file is smaller
    assert all(len(case.data) < 10000 for case in CASES if case.name != "over-size-limit")
    errors = tmp_path / "stderr.txt"
    with open(errors, "wb") as stderr:
        watcher = subprocess.Popen([sys.executable, "-m", "kamflow", "watch", str(src), "-o", str(out)], stdout=subprocess.DEVNULL, stderr=stderr, env=env, cwd=tmp_path)
        try:
            deadline = time.monotonic() + 60
            while "watching" not in errors.read_text(errors="replace"):
                assert watcher.poll() is None and time.monotonic() < deadline, errors.read_text(errors="replace")
                time.sleep(0.1)
        finally:
            watcher.send_signal(signal.SIGINT)
            watcher.wait(timeout=30)
    text = errors.read_text(encoding="utf-8")
    assert "Traceback" not in text and watcher.returncode == 2, text  # files still failed when it stopped
    lines = text.splitlines()
    for case in CASES:
        shown = str(src / f"{case.name}.yaml")
        mine = [error_lines(line)[0] for line in lines if line.startswith(shown + ":")]
        assert 1 <= len(mine) <= 3 and all(m is not None for m in mine), (case.name, mine)
        if case.line is not None:
            assert mine[0]["line"] == str(case.line) and mine[0]["column"], (case.name, lines)
        assert case.words in mine[0]["message"].lower(), (case.name, mine[0].group(0))
    assert not out.exists() or not any(out.rglob("*")), sorted(out.rglob("*"))
    assert not (tmp_path / "PWNED").exists()


def test_watch_on_a_missing_path_is_one_line_and_exit_2(run_cli, tmp_path):
    result = run_cli("watch", tmp_path / "nothing", "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"{tmp_path / 'nothing'}: error: no such file or folder"]
    assert not (tmp_path / "out").exists()
