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
    code = "returned"  # click always exits; returning means the command did not run to its end
except SystemExit as stop:
    code = stop.code
print("EXIT:" + str(code))
print("HEAVY:" + ",".join(name for name in {heavy!r} if name in sys.modules))
"""


def _probe(args, heavy, **kwargs):
    """(exit code of the command, heavy modules it imported, what it printed before)."""
    done = subprocess.run([sys.executable, "-c", PROBE.format(args=args, heavy=heavy)], capture_output=True, text=True, timeout=60, **kwargs)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[-2].startswith("EXIT:") and lines[-1].startswith("HEAVY:"), done.stdout[-300:]
    return lines[-2].removeprefix("EXIT:"), lines[-1].removeprefix("HEAVY:"), "\n".join(lines[:-2]), done.stderr


@pytest.mark.parametrize("args, code, says", [
    (["--help"], "0", "Usage: kamflow"),
    (["--version"], "0", "kamflow, version"),
    (["render", "--help"], "0", "Usage: kamflow render"),
    (["check", "--format", "nonsense", "x.yaml"], "2", "Invalid value for '--format'"),
])
def test_help_and_usage_errors_import_nothing_heavy(args, code, says):
    exit_code, heavy, out, err = _probe(args, HEAVY)
    assert (exit_code, heavy) == (code, "")
    assert says in out + err


def test_the_package_still_offers_the_api_names():
    done = subprocess.run([sys.executable, "-c", "import kamflow, sys; assert 'kamflow.api' not in sys.modules; print(kamflow.load.__module__, 'render' in dir(kamflow))"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["kamflow.api", "True"]


def test_check_imports_no_renderer_template_engine_or_watcher():
    heavy = ("graphviz", "jinja2", "watchdog", "kamflow.exporters.bpmn", "kamflow.reports")
    exit_code, imported, out, _ = _probe(["check", "processes/kam.yaml"], heavy, cwd=Path(__file__).resolve().parents[2])
    assert (exit_code, imported) == ("0", "")  # the check ran to its end and found the KAM process clean
    assert out.splitlines()[-1] == "1 file checked: no problems"


def test_render_imports_no_template_engine_or_other_commands_code(tmp_path):
    """A one-file render loads neither the report stage, the exporters, the diff nor the worker pool."""
    heavy = ("jinja2", "watchdog", "kamflow.reports", "kamflow.exporters", "kamflow.analysis.diff", "multiprocessing")
    args = ["render", "processes/kam.yaml", "-f", "svg,pdf", "-o", str(tmp_path), "-q", "-j", "1"]
    exit_code, imported, _, err = _probe(args, heavy, cwd=Path(__file__).resolve().parents[2])
    assert (exit_code, imported) == ("0", ""), err
    assert sorted(p.name for p in tmp_path.iterdir()) == [".kamflow-cache.json", "kam.pdf", "kam.svg"]
