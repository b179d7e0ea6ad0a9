"""Devices, named pipes and files that lie about their size: one line, exit 2, nothing hangs or
runs out of memory (kamflow.files.read_text is the one reader of a user's text file)."""
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kamflow.errors import LoadError
from kamflow.files import read_bounded, read_text

COMMANDS = [["check"], ["render", "-o", "out"], ["export", "--to", "json", "-o", "out/x.json"], ["report", "-o", "out/r.html"], ["stats"]]


def _kamflow(args, cwd, timeout=60):
    return subprocess.run([sys.executable, "-m", "kamflow", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=timeout)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_device_is_refused_in_one_line(tmp_path, command):
    result = _kamflow([command[0], "/dev/zero", *command[1:]], tmp_path)
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if not line.startswith("rendered ")]  # render's summary line
    assert errors == ["/dev/zero: error: is not a regular file (a device, pipe or socket); give a file, or - to read standard input"]
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path):
    pipe = tmp_path / "process.yaml"
    os.mkfifo(pipe)
    result = _kamflow(["check", pipe], tmp_path, timeout=30)  # opening the pipe would block forever
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"{pipe}: error: is not a regular file (a device, pipe or socket); give a file, or - to read standard input"]


def test_reading_stops_one_byte_past_the_limit_whatever_the_size_claims():
    class Endless(io.RawIOBase):
        reads = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            Endless.reads += 1
            buffer[: len(buffer)] = b"a" * len(buffer)
            return len(buffer)

    assert read_bounded(io.BufferedReader(Endless()), 1000) is None
    assert Endless.reads < 10
    assert read_bounded(io.BytesIO(b"x" * 1000), 1000) == b"x" * 1000


def test_a_file_over_the_limit_is_one_positioned_error(tmp_path, monkeypatch):
    monkeypatch.setenv("KAMFLOW_MAX_FILE_SIZE", "100")
    big = tmp_path / "big.yaml"
    big.write_text("x" * 101)
    with pytest.raises(LoadError) as caught:
        read_text(big)
    assert [str(p) for p in caught.value.problems] == [f"{big}: error: file is 101 bytes, over the 100-byte limit (set KAMFLOW_MAX_FILE_SIZE to raise it)"]
