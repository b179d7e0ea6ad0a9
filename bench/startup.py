"""Start-up: wall time of `kamflow --help` and `kamflow check processes/kam.yaml`, beside the floor
(`python -c pass`) and the import of each heavy dependency on its own, plus the slowest imports of
a `check` run (python -X importtime), so the cost of every import is visible.

    .venv/bin/python bench/startup.py [--repeat 10]
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import KAMFLOW, ROOT, timed, write_result  # noqa: E402

PY = sys.executable
CHECK = ["check", str(ROOT / "processes" / "kam.yaml")]


def slowest_imports(argv: list[str], count: int = 10) -> list[dict]:
    """Top-level packages by cumulative import time in one run of `argv` (a python -c program)."""
    done = subprocess.run([PY, "-X", "importtime", *argv], capture_output=True, text=True, cwd=ROOT)
    totals: dict[str, int] = {}
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\s*)(\S+)", line)
        if match and len(match.group(2)) <= 2:  # direct imports of the program and their first level
            name = match.group(3).strip()
            totals[name] = max(totals.get(name, 0), int(match.group(1)))
    top = sorted(totals.items(), key=lambda item: -item[1])[:count]
    return [{"module": name, "ms": round(us / 1000, 1)} for name, us in top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    options = parser.parse_args()
    n = options.repeat
    figures = {
        "python_floor": timed([PY, "-c", "pass"], repeat=n),
        "kamflow_help": timed([*KAMFLOW, "--help"], repeat=n),
        "kamflow_check_kam": timed([*KAMFLOW, *CHECK], repeat=n),
        "imports": {
            name: timed([PY, "-c", f"import {name}"], repeat=n)
            for name in ("click", "yaml", "networkx", "graphviz", "jinja2", "kamflow.cli", "kamflow.api")
        },
        "check_import_profile": slowest_imports(["-c", "import sys; from kamflow.cli import cli; cli(sys.argv[1:], prog_name='kamflow', standalone_mode=False)", *CHECK]),
        "repeat": n,
    }
    write_result("startup", figures)
    print(f"python -c pass            {figures['python_floor']['median_s']:.3f} s")
    print(f"kamflow --help            {figures['kamflow_help']['median_s']:.3f} s")
    print(f"kamflow check kam.yaml    {figures['kamflow_check_kam']['median_s']:.3f} s")
    for name, result in figures["imports"].items():
        print(f"  python -c 'import {name}'  {result['median_s']:.3f} s")
    print("slowest imports of a check run:", ", ".join(f"{i['module']} {i['ms']} ms" for i in figures["check_import_profile"]))


if __name__ == "__main__":
    main()
