"""`pip install .` gives a working kamflow with the bundled library inside the package."""
import configparser
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_setup_cfg_lists_every_package():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    listed = set(config["options"]["packages"].split())
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "kamflow").rglob("__init__.py")}
    assert found | {"kamflow.library", "kamflow.rule_docs"} == listed


@pytest.mark.slow
def test_non_editable_install_has_library_and_command(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(ROOT)]
    subprocess.run(pip, check=True, cwd=tmp_path)
    env = {**os.environ, "PYTHONPATH": ""}
    kamflow_bin = venv / "bin" / "kamflow"
    checked = subprocess.run([str(kamflow_bin), "check", str(ROOT / "processes")], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert checked.returncode == 0, checked.stderr
    code = "import kamflow, kamflow.loader as l; print(l.bundled_library_dir()); print(sorted(p.name for p in l.bundled_library_dir().glob('*.yaml')))"
    shown = subprocess.run([str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env, check=True).stdout
    assert "site-packages/kamflow/library" in shown and "'kam.yaml'" in shown
    installed_library = Path(shown.splitlines()[0])
    bundled = sorted(p.name for p in (ROOT / "processes").glob("*.yaml"))
    assert len(bundled) == 10 and str(bundled) == shown.splitlines()[1], "every library process is in the package"

    def run(*args):
        return subprocess.run([str(kamflow_bin), *map(str, args)], capture_output=True, text=True, cwd=tmp_path, env=env)

    listed = run("list")
    assert listed.returncode == 0 and [line.split()[0] for line in listed.stdout.splitlines()[1:]] == sorted(n[:-5] for n in bundled)
    assert run("check", installed_library).returncode == 0
    rendered = run("render", installed_library, "-f", "svg", "-o", tmp_path / "charts")
    assert rendered.returncode == 0, rendered.stderr
    assert sorted(p.stem for p in (tmp_path / "charts").glob("*.svg")) == sorted(n[:-5] for n in bundled)
    assert run("show", "kam").stdout == (ROOT / "processes" / "kam.yaml").read_text(encoding="utf-8")
    assert run("new", "acme", "--from", "kam", "-o", tmp_path / "client").returncode == 0
    assert run("check", tmp_path / "client" / "acme.yaml").returncode == 0
    module = subprocess.run([str(venv / "bin" / "python"), "-m", "kamflow", "--help"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert module.returncode == 0 and "Usage:" in module.stdout
