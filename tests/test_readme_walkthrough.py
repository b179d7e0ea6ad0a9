"""The README's five-minute walkthrough works as written: the file it shows, the findings it
quotes, the fix, the render and the Python examples; the parallel example checks clean."""
import re
import textwrap
from pathlib import Path

import kamflow

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
WALK = README.split("## Your first process in five minutes", 1)[1].split("\n## ", 1)[0]


def _blocks(text, language):
    return [textwrap.dedent(block) for block in re.findall(rf"```{language}\n(.*?)```", textwrap.dedent(text), flags=re.S)]


def test_the_walkthrough_runs_as_written(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    steps = WALK.split("\n1. **Write a file.**", 1)[1]
    source = _blocks(steps, r"\s*yaml")[0]
    Path("onboarding.yaml").write_text(source, encoding="utf-8")
    checked = run_cli("check", "onboarding.yaml")
    expected = [line.strip() for line in _blocks(steps, r"\s*text")[0].strip().splitlines()]
    assert checked.exit_code == 1 and checked.stdout.strip().splitlines() == expected
    Path("onboarding.yaml").write_text(source.replace("next: set_up", "next: setup"), encoding="utf-8")
    fixed = run_cli("check", "onboarding.yaml")
    assert fixed.exit_code == 0 and fixed.stdout.strip() == "1 file checked: no problems"
    rendered = run_cli("render", "onboarding.yaml", "-f", "svg,pdf", "-o", "output")
    assert rendered.exit_code == 0, rendered.stderr
    assert Path("output/onboarding.svg").read_bytes().startswith(b"<?xml") and Path("output/onboarding.pdf").read_bytes().startswith(b"%PDF")
    command = re.search(r"kamflow render onboarding.yaml -f pdf --page A4 --wrap 16 -o output/a4", WALK).group(0).split()[1:]
    assert run_cli(*command).exit_code == 0 and Path("output/a4/onboarding.pdf").is_file()


def test_the_parallel_example_checks_clean_as_written(run_cli, tmp_path):
    snippet = WALK.split("### Parallel work", 1)[1]
    path = tmp_path / "go-live.yaml"
    path.write_text(_blocks(snippet, "yaml")[0], encoding="utf-8")
    process = kamflow.load(path)
    assert [f for f in kamflow.check(process, preset="all")] == []
    assert [s.type for s in process.steps].count("parallel") == 2
    checked = run_cli("check", path)
    assert checked.exit_code == 0 and checked.stdout.strip() == "1 file checked: no problems"


def test_the_python_example_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    code = README.split("## Python\n", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    code = code.replace('output_dir="output"', f'output_dir="{tmp_path}"')
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert namespace["kam"].id == "kam" and namespace["plan"].id == "account-planning"
    assert namespace["svg"].startswith(b"<?xml") and sorted(p.name for p in namespace["paths"]) == ["kam.pdf", "kam.svg"]
