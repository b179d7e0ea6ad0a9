"""Start-up stays cheap: `kamflow --help`, `--version` and option errors import neither kamflow.api
nor networkx, YAML or the Graphviz bindings (bench/startup.py measures the time; this test keeps
the imports from creeping back)."""
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("kamflow.api", "networkx", "yaml", "graphviz", "jinja2", "watchdog")
PROBE = """
import sys
from pathlib import Path
from kamflow.cli import cli
try:
    cli({args!r}, prog_name="kamflow")
except SystemExit:
    pass
print("HEAVY:" + ",".join(name for name in {heavy!r} if name in sys.modules))
"""


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["render", "--help"], ["check", "--format", "nonsense", "x.yaml"]])
def test_help_and_usage_errors_import_nothing_heavy(args):
    done = subprocess.run([sys.executable, "-c", PROBE.format(args=args, heavy=HEAVY)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "HEAVY:", done.stdout[-300:]


def test_the_package_still_offers_the_api_names():
    done = subprocess.run([sys.executable, "-c", "import kamflow, sys; assert 'kamflow.api' not in sys.modules; print(kamflow.load.__module__, 'render' in dir(kamflow))"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["kamflow.api", "True"]


def test_check_imports_no_renderer_template_engine_or_watcher():
    probe = PROBE.format(args=["check", "processes/kam.yaml"], heavy=("graphviz", "jinja2", "watchdog", "kamflow.exporters.bpmn", "kamflow.reports"))
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "HEAVY:", done.stdout[-300:]
