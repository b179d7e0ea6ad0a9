import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ROOT / "processes"


def pytest_collection_modifyitems(config, items):
    if shutil.which("dot") is None:
        raise pytest.UsageError("Graphviz `dot` is not installed; run `make test`, which installs it")


@pytest.fixture
def run_cli():
    """Run the kamflow CLI in-process; returns the click Result (stdout and stderr apart)."""
    from kamflow.cli import cli

    def run(*args, input=None):
        return CliRunner().invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)

    return run


@pytest.fixture
def write(tmp_path):
    """Write a process file into tmp_path and return its path."""

    def write_file(text: str, name: str = "process.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write_file


SIMPLE = """\
kamflow: 1
id: simple
title: Simple
lanes:
  - {id: a, label: Team A}
  - {id: b, label: Team B}
steps:
  - {id: start, type: start, label: Start, lane: a, next: work}
  - {id: work, label: Do the work, lane: a, next: ok}
  - {id: ok, type: decision, label: Done?, lane: b, branches: {Yes: finish, No: work}}
  - {id: finish, type: end, label: Finished, lane: b}
"""


# Alternative paths that meet at an ordinary step (what `fake-join` looks for).
MERGE = """\
kamflow: 1
id: merge
steps:
  - {id: start, type: start, label: Start, next: size}
  - {id: size, type: decision, label: Large?, branches: {"Yes": full, "No": quick}}
  - {id: full, label: Full check, next: ship}
  - {id: quick, label: Quick check, next: ship}
  - {id: ship, label: Ship, next: done}
  - {id: done, type: end, label: Done}
"""
