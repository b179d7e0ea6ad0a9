"""One home per concern: the link policy, the number formatter, the YAML reader of process and
theme files, the node-link format name and the external-program runner each exist once."""
import ast
import io
import re
import sys
from pathlib import Path

import pytest

import kamflow
from kamflow.errors import LoadError, RenderError
from kamflow.model.links import safe_link
from kamflow.model.numbers import number
from kamflow.rendering import tools

PACKAGE = Path(kamflow.__file__).resolve().parent
LINKS = [" https://x.com/a", "mailto:a", "https://example.com/a b", "javascript:alert(1)", "HTTP://EXAMPLE.COM", "data:text/html,hi", "https://x.com/\"q", ""]


def _process_with_links(tmp_path):
    steps = "\n".join(f"  - {{id: s{i}, label: Step {i}, link: {link!r}, next: {'s' + str(i + 1) if i + 1 < len(LINKS) else 'done'}}}" for i, link in enumerate(LINKS))
    text = f"kamflow: 1\nid: links\nsteps:\n  - {{id: go, type: start, label: Go, next: s0}}\n{steps}\n  - {{id: done, type: end, label: Done}}\n"
    path = tmp_path / "links.yaml"
    path.write_text(text, encoding="utf-8")
    return kamflow.load(path)


def test_chart_and_report_link_exactly_the_same_steps(tmp_path):
    process = _process_with_links(tmp_path)
    expected = {f"s{i}": safe_link(link) for i, link in enumerate(LINKS) if safe_link(link)}
    assert expected == {"s0": "https://x.com/a", "s1": "mailto:a", "s4": "HTTP://EXAMPLE.COM"}
    svg = kamflow.render_charts(process, formats=("svg",))["svg"].decode()
    charted = {m.group(1): m.group(2) for m in re.finditer(r'<g id="step-(s\d+)"[^>]*>\s*<title>[^<]*</title>\s*<a href="([^"]+)"', svg)}
    assert charted == expected
    page = kamflow.report(process)["links.html"].decode()
    for i, link in enumerate(LINKS):
        if f"s{i}" in expected:
            assert f'href="{expected[f"s{i}"]}"' in page, link
        elif link.strip():
            assert link.strip() not in page and link.strip().replace('"', "&#34;") not in page, link
    from pptx import Presentation

    deck = Presentation(io.BytesIO(kamflow.api.export_deck([process])))
    shapes = [shape for slide in deck.slides for shape in slide.shapes if shape.name.startswith("step-s")]
    linked = {shape.name[len("step-") :]: shape.click_action.hyperlink.address for shape in shapes if shape.click_action.hyperlink.address}
    assert linked == expected, "the deck's steps link like the chart's"


def test_one_number_formatter():
    assert [number(v) for v in (1.0, 2.25, -0.001, 12.3456, 0.1 + 0.2)] == ["1", "2.25", "0", "12.35", "0.3"]
    copies = []
    for path in PACKAGE.rglob("*.py"):
        if 'f"{value:.2f}".rstrip("0")' in path.read_text(encoding="utf-8"):
            copies.append(path.name)
    assert copies == ["numbers.py"]


def test_yaml_is_composed_in_one_module_only():
    users = sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if "yaml.compose(" in p.read_text(encoding="utf-8"))
    assert users == ["model/yamltree.py"]  # loader/derive.py and themes use it too


def test_a_theme_file_is_read_by_the_process_files_reader(tmp_path):
    theme = tmp_path / "t.yaml"
    theme.write_text("page:\n\tbackground: '#ffffff'\n", encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        kamflow.api.check_theme(str(theme))
    assert [str(p) for p in caught.value.problems] == [f"{theme}:2:1: error: invalid YAML: a tab character here: YAML indents with spaces only; replace the tab with spaces"]


def test_the_node_link_format_is_defined_once():
    names = [p for p in PACKAGE.rglob("*.py") if re.search(r'^FORMAT = "kamflow-node-link"', p.read_text(encoding="utf-8"), re.M)]
    assert [p.name for p in names] == ["nodelink.py"]


def test_only_the_runner_starts_programs():
    starters = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("Popen", "run", "call", "check_output") and isinstance(node.value, ast.Name) and node.value.id == "subprocess":
                starters.append(str(path.relative_to(PACKAGE)))
    assert sorted(set(starters)) == ["rendering/tools.py"]


TOOL = tools.Tool("Thing `{exe}`", "Thing", "install it")


@pytest.mark.parametrize("script, words", [
    ("import sys; sys.stderr.write('bad input\\n'); sys.exit(3)", "Thing failed while testing: bad input"),
    ("import os, signal; os.kill(os.getpid(), signal.SIGKILL)", "crashed (signal 9) while testing"),
    ("import time; time.sleep(30)", "Thing took longer than 0.5 s and was stopped"),
])
def test_the_runner_maps_each_failure_to_one_sentence(script, words):
    with pytest.raises(RenderError) as caught:
        tools.run(TOOL, tools.Job([sys.executable, "-c", script], b"", "testing"), timeout=0.5)
    assert words in str(caught.value)


def test_the_runner_names_a_missing_program(monkeypatch):
    with pytest.raises(RenderError, match=r"Thing `no-such-program-kamflow` was not found; install it"):
        tools.run(TOOL, tools.Job(["no-such-program-kamflow"], b"", "testing"), timeout=5)
    with pytest.raises(RenderError, match=r"\AThing `no-such-program-kamflow` was not found; install it\Z"):
        TOOL.find("no-such-program-kamflow")  # looked up before anything runs, in the same words
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))
    assert Path(TOOL.find(Path(sys.executable).name)).samefile(sys.executable)
    assert tools.run(TOOL, tools.Job([sys.executable, "-c", "import sys; sys.stdout.write(sys.stdin.read().upper())"], b"abc", "testing"), timeout=30) == b"ABC"
