"""Faults: Graphviz or rsvg-convert missing, failing, crashing or hanging; the disk filling up or an
exception in the middle of writing; Ctrl-C and a kill. Each answers with one clear line and exit 2
(130 for Ctrl-C), leaves the previous outputs byte-identical and no temporary file behind. Fake
tools are small shell scripts put first on PATH."""
from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kamflow import files as kamflow_files
from kamflow.errors import KamflowError
from tests.hardening.cases import GOOD
from tests.hardening.snapshot import error_lines, seed_outputs, snapshot

ROOT = Path(__file__).resolve().parents[2]
REAL_DOT = shutil.which("dot")
REAL_RSVG = shutil.which("rsvg-convert")

FAKES = {
    "fail": "#!/bin/sh\ncat >/dev/null\necho 'Error: <stdin>: syntax error in line 1 near x' >&2\nexit 1\n",
    "crash": "#!/bin/sh\ncat >/dev/null\nkill -SEGV $$\n",
    "hang": "#!/bin/sh\necho $$ >> \"$KAMFLOW_FAKE_PIDS\"\n/bin/sleep 60 &\necho $! >> \"$KAMFLOW_FAKE_PIDS\"\nwait\n",
    "not-executable": None,  # a file named like the tool without the execute bit
}


def _fake_bin(tmp_path: Path, tool: str, behaviour: str) -> Path:
    """A folder with the real Graphviz and rsvg-convert, except `tool`, which is a fake (or absent)."""
    folder = tmp_path / "fakebin"
    folder.mkdir(exist_ok=True)
    for name, real in (("dot", REAL_DOT), ("neato", shutil.which("neato")), ("rsvg-convert", REAL_RSVG)):
        target = folder / name
        if name == tool or (tool == "dot" and name == "neato"):
            if behaviour == "missing":
                continue
            if behaviour == "not-executable":
                target.write_text("not a program\n")
                target.chmod(0o644)
                continue
            target.write_text(FAKES[behaviour])
            target.chmod(0o755)
        elif real:
            target.symlink_to(real)
    return folder


@pytest.fixture
def scene(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    seed_outputs(tmp_path / "out")
    monkeypatch.setenv("KAMFLOW_FAKE_PIDS", str(tmp_path / "pids.txt"))
    return tmp_path


def _cli(args):
    from kamflow.cli import cli

    started = time.monotonic()
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result, time.monotonic() - started


def _pids_alive(path: Path) -> list[int]:
    if not path.exists():
        return []
    alive = []
    for pid in (int(p) for p in path.read_text().split()):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            continue
        if state != "Z":  # a zombie is dead; reaping orphans is init's job, and a container's may not
            alive.append(pid)
    return alive


# command -> (argv, the tools it runs)
GRAPHVIZ_COMMANDS = {
    "render": (["render", "good.yaml", "-f", "svg,pdf,png", "-o", "out", "--timeout", "1"], ("dot", "rsvg-convert")),
    "render-stdout": (["render", "good.yaml", "-f", "svg", "-o", "out", "--force", "--timeout", "1"], ("dot",)),
    "report": (["report", "good.yaml", "-o", "out/r.html", "--timeout", "1"], ("dot",)),
    "export-bpmn": (["export", "good.yaml", "--to", "bpmn", "-o", "out/x.json", "--timeout", "1"], ("dot",)),
    "export-drawio": (["export", "good.yaml", "--to", "drawio", "-o", "out/x.json", "--timeout", "1"], ("dot",)),
    "diff-chart": (["diff", "good.yaml", "good.yaml", "-o", "out", "-f", "svg,pdf", "--timeout", "1"], ("dot", "rsvg-convert")),
}
WORDS = {"missing": "not found", "fail": "failed", "crash": "crashed", "hang": "longer than 1 s", "not-executable": "not found"}  # PATH lookup skips files without the execute bit
CASES = [
    (command, tool, behaviour)
    for command, (argv, tools) in GRAPHVIZ_COMMANDS.items()
    for tool in tools
    for behaviour in ("missing", "fail", "crash", "hang", "not-executable")
    if not (behaviour == "hang" and "--timeout" not in argv)
]


@pytest.mark.parametrize("command,tool,behaviour", CASES, ids=["-".join(c) for c in CASES])
def test_a_broken_tool_is_one_clear_line_and_nothing_changes(scene, monkeypatch, command, tool, behaviour):
    monkeypatch.setenv("PATH", str(_fake_bin(scene, tool, behaviour)))
    before = snapshot(scene)
    result, seconds = _cli(GRAPHVIZ_COMMANDS[command][0])
    output = result.stdout + result.stderr
    assert "Traceback" not in output and result.exit_code == 2, output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    match = error_lines(lines[0])[0]
    if match is None and behaviour in ("missing", "not-executable") and command.startswith("render"):
        match = re.match(r"^error: (?P<message>.+)$", lines[0])  # no file is at fault: the run stops before any
    assert match is not None, lines[0]
    assert WORDS[behaviour] in match["message"], lines[0]
    assert ("Graphviz" in match["message"]) == (tool == "dot"), lines[0]
    after = snapshot(scene)
    after.pop("pids.txt", None)
    assert after == before  # previous outputs byte-identical, no temporary file, no cache manifest
    if behaviour == "hang":
        assert seconds < 15  # killed after --timeout 1, not after the fake's 60 s
        time.sleep(0.2)
        assert _pids_alive(scene / "pids.txt") == []  # the tool and the child it started are gone


def test_a_real_chart_still_renders_with_the_real_tools(scene):
    """The control: the same commands work when the tools are the real ones."""
    result, _ = _cli(["render", "good.yaml", "-f", "svg,pdf", "-o", "out"])
    assert result.exit_code == 0, result.stderr
    assert (scene / "out" / "good.svg").read_bytes().startswith(b"<?xml")
    assert (scene / "out" / "good.pdf").read_bytes().startswith(b"%PDF")


def test_the_timeout_option_is_checked(scene):
    result, _ = _cli(["render", "good.yaml", "-o", "out", "--timeout", "0"])
    assert result.exit_code == 2 and "timeout" in result.stderr.lower()


# -- the disk fills up, or an exception happens, in the middle of writing ---------------------------

def _fail_on_nth_write(monkeypatch, n: int, error: BaseException) -> None:
    real_fdopen = os.fdopen
    calls = [0]

    def fdopen(handle, mode="r", *args, **kwargs):
        stream = real_fdopen(handle, mode, *args, **kwargs)
        calls[0] += 1
        if calls[0] == n:
            real_write = stream.write

            def write(data):
                real_write(data[: len(data) // 2])  # half the bytes reach the temporary file
                raise error

            stream.write = write
        return stream

    monkeypatch.setattr(kamflow_files.os, "fdopen", fdopen)


@pytest.mark.parametrize("nth", [1, 2])
@pytest.mark.parametrize("error,exit_code", [(OSError(errno.ENOSPC, "No space left on device"), 2), (KeyboardInterrupt(), 130)], ids=["disk-full", "ctrl-c"])
def test_a_failure_while_writing_keeps_the_previous_outputs(scene, monkeypatch, nth, error, exit_code):
    before = snapshot(scene)
    _fail_on_nth_write(monkeypatch, nth, error)
    result, _ = _cli(["render", "good.yaml", "-f", "svg,pdf", "-o", "out"])
    assert "Traceback" not in result.stdout + result.stderr
    if exit_code == 130:
        assert result.exit_code == 130 and "interrupted" in result.stderr
    else:
        assert result.exit_code == 2
        assert "No space left on device" in result.stderr and error_lines(result.stderr)[0] is not None
    assert snapshot(scene) == before


def test_disk_full_in_export_and_report(scene, monkeypatch):
    before = snapshot(scene)
    for args in (["export", "good.yaml", "--to", "bpmn", "-o", "out/x.json"], ["report", "good.yaml", "-o", "out/r.html"],
                 ["new", "fresh", "--from", "good.yaml", "-o", "out"], ["diff", "good.yaml", "good.yaml", "-o", "out", "-f", "svg"]):
        _fail_on_nth_write(monkeypatch, 1, OSError(errno.ENOSPC, "No space left on device"))
        result, _ = _cli(args)
        assert result.exit_code == 2, (args, result.stdout + result.stderr)
        assert "Traceback" not in result.stderr and "No space left on device" in result.stderr
        assert snapshot(scene) == before


def test_write_atomically_all_or_nothing(tmp_path, monkeypatch):
    old = {tmp_path / "a.svg": b"old a", tmp_path / "b.pdf": b"old b"}
    for path, data in old.items():
        path.write_bytes(data)
    _fail_on_nth_write(monkeypatch, 2, OSError(errno.ENOSPC, "No space left on device"))
    with pytest.raises(KamflowError, match="b.pdf: error: cannot write: No space left on device"):
        kamflow_files.write_atomically({path: b"new" * 1000 for path in old})
    assert {p: p.read_bytes() for p in old} == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.svg", "b.pdf"]


# -- real signals, in a real process -------------------------------------------------------------

@pytest.mark.parametrize("sig,exit_codes", [(signal.SIGINT, {130}), (signal.SIGTERM, {143})], ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_layout_stops_cleanly(scene, sig, exit_codes):
    fakebin = _fake_bin(scene, "dot", "hang")
    env = dict(os.environ, PATH=f"{fakebin}:{Path(sys.executable).parent}", KAMFLOW_FAKE_PIDS=str(scene / "pids.txt"))
    before = snapshot(scene)
    process = subprocess.Popen([sys.executable, "-m", "kamflow", "render", "good.yaml", "-f", "svg,pdf", "-o", "out"],
                               cwd=scene, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while not (scene / "pids.txt").exists() or len((scene / "pids.txt").read_text().split()) < 2:
        assert time.monotonic() < deadline and process.poll() is None, process.communicate()
        time.sleep(0.05)
    process.send_signal(sig)
    out, err = process.communicate(timeout=20)
    assert process.returncode in exit_codes, err
    assert b"Traceback" not in err
    time.sleep(0.2)
    assert _pids_alive(scene / "pids.txt") == []
    after = snapshot(scene)
    after.pop("pids.txt", None)
    assert after == before


@pytest.mark.parametrize("sig,exit_code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_a_parallel_render_at_once(scene, sig, exit_code):
    """With -j 2 the workers render in other processes: the main process stops them at once (not
    after their renders), their Graphviz runs are killed and no temporary file or folder is left."""
    src, scratch = scene / "src", scene / "scratch"
    src.mkdir()
    scratch.mkdir()
    for n in range(4):
        (src / f"p{n}.yaml").write_text(GOOD.replace("id: good", f"id: p{n}"), encoding="utf-8")
    fakebin = _fake_bin(scene, "dot", "hang")
    env = dict(os.environ, PATH=f"{fakebin}:{Path(sys.executable).parent}", KAMFLOW_FAKE_PIDS=str(scene / "pids.txt"), TMPDIR=str(scratch))
    before = snapshot(scene)
    process = subprocess.Popen([sys.executable, "-m", "kamflow", "render", "src", "-f", "svg,pdf", "-o", "out", "-j", "2"],
                               cwd=scene, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not (scene / "pids.txt").exists() or len((scene / "pids.txt").read_text().split()) < 4:  # both workers in Graphviz
        assert time.monotonic() < deadline and process.poll() is None, process.communicate()
        time.sleep(0.05)
    stopped = time.monotonic()
    process.send_signal(sig)
    out, err = process.communicate(timeout=30)
    assert time.monotonic() - stopped < 8  # not the fake layout's 60 s
    assert process.returncode == exit_code, err
    assert b"Traceback" not in err
    time.sleep(0.3)
    assert _pids_alive(scene / "pids.txt") == []
    assert list(scratch.iterdir()) == []  # Graphviz's scratch folders removed too
    after = snapshot(scene)
    after.pop("pids.txt", None)
    assert after == before


@pytest.mark.parametrize("args", [
    ["render", "good.yaml", "-f", "svg", "-o", "in-the-way/charts"],
    ["export", "good.yaml", "--to", "json", "-o", "in-the-way/x.json"],
    ["report", "good.yaml", "-o", "in-the-way/r.html"],
    ["diff", "good.yaml", "good.yaml", "-o", "in-the-way", "-f", "svg"],
], ids=["render", "export", "report", "diff"])
def test_an_output_folder_that_is_a_file(scene, args):
    (scene / "in-the-way").write_text("a file, not a folder\n")
    before = snapshot(scene)
    result, _ = _cli(args)
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    first = result.stderr.splitlines()[0]
    assert error_lines(first)[0] is not None and first.endswith("in-the-way is a file, not a folder"), first
    assert snapshot(scene) == before


@pytest.mark.parametrize("behaviour", ["fail", "hang"])
def test_a_converter_started_before_a_failing_layout_is_stopped(scene, monkeypatch, behaviour):
    """rsvg-convert starts while the chart is laid out (its start-up runs beside the layout); when
    the layout fails, it is killed and reaped: no converter is left behind, running or a zombie."""
    from kamflow import api
    from kamflow.errors import RenderError
    from kamflow.rendering.options import RenderOptions

    monkeypatch.setenv("PATH", str(_fake_bin(scene, "dot", behaviour)))
    process = api.load(scene / "good.yaml")
    with pytest.raises(RenderError):
        api.render_charts(process, formats=("svg", "pdf", "png"), options=RenderOptions(timeout=1))
    children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()
    assert [Path(f"/proc/{pid}/comm").read_text().strip() for pid in children if Path(f"/proc/{pid}/comm").exists()] == []
