"""Set-up for the exporter tests: the processes every exporter runs on, and the real npm tools.

The npm packages (tests/exporters/node/package.json, pinned by its package-lock.json) are installed
with `npm ci` into .cache/node/<hash of the two files>/ (git-ignored) the first time and reused
after that. On a fresh machine they come from the npm registry; when Node.js, npm or the registry
is missing, the tests that need them FAIL with npm's own message: they never skip silently.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

import kamflow

ROOT = Path(__file__).resolve().parents[2]
NODE_SOURCE = Path(__file__).resolve().parent / "node"
DATA = Path(__file__).resolve().parent / "data"
CACHE = ROOT / ".cache" / "node"
NPM_TIMEOUT = 600

BUNDLED = sorted((ROOT / "processes").glob("*.yaml"))
EXTRA = sorted(DATA.glob("*.yaml"))
ALL_PROCESSES = BUNDLED + EXTRA


def process_ids(paths):
    return [path.stem for path in paths]


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """The folder whose node_modules holds bpmn-moddle, bpmnlint, mermaid and jsdom."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.fail("Node.js and npm are needed for the exporter tests (bpmn-moddle, bpmnlint, mermaid); "
                    "run `make test`, which installs them, or `apt-get install nodejs npm`", pytrace=False)
    manifest = [NODE_SOURCE / "package.json", NODE_SOURCE / "package-lock.json"]
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in manifest)).hexdigest()[:16]
    folder = CACHE / digest
    stamp = folder / ".installed"
    if not stamp.exists():
        scratch = CACHE / f".{digest}.partial"
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True)
        for path in manifest:
            shutil.copy(path, scratch / path.name)
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=scratch,
                              capture_output=True, text=True, timeout=NPM_TIMEOUT)
        if done.returncode != 0:
            pytest.fail(f"`npm ci` for the exporter tests failed (is the npm registry reachable?):\n{done.stderr[-3000:]}", pytrace=False)
        (scratch / ".installed").write_text("ok\n")
        shutil.rmtree(folder, ignore_errors=True)
        scratch.rename(folder)
    shutil.copy(NODE_SOURCE / "check.mjs", folder / "check.mjs")  # ES modules resolve beside the script
    return folder


def run_node_checks(folder: Path, jobs: list[dict], scratch: Path) -> dict[str, dict]:
    """Run check.mjs once over many files; results by file path."""
    job_file = scratch / "jobs.json"
    job_file.write_text(json.dumps(jobs), encoding="utf-8")
    done = subprocess.run(["node", str(folder / "check.mjs"), str(job_file)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return {result["path"]: result for result in json.loads(done.stdout)}


@pytest.fixture(scope="session")
def exported(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """Every process exported to every format once: (process file stem, format) -> file."""
    folder = tmp_path_factory.mktemp("exported")
    files = {}
    for path in ALL_PROCESSES:
        process = kamflow.load(path)
        for fmt in ("bpmn", "drawio", "mermaid", "graphml", "json"):
            target = folder / f"{path.stem}.{fmt}"
            target.write_text(kamflow.export(process, to=fmt), encoding="utf-8")
            files[(path.stem, fmt)] = target
    return files


@pytest.fixture(scope="session")
def node_results(node_modules, exported, tmp_path_factory) -> dict[tuple[str, str], dict]:
    """bpmn-moddle + bpmnlint on every BPMN file and mermaid on every Mermaid file, in one Node run."""
    jobs = [{"kind": fmt, "path": str(path)} for (stem, fmt), path in exported.items() if fmt in ("bpmn", "mermaid")]
    results = run_node_checks(node_modules, jobs, tmp_path_factory.mktemp("node"))
    return {key: results[str(path)] for key, path in exported.items() if str(path) in results}
