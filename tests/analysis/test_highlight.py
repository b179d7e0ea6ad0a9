"""`kamflow render --highlight critical-path` draws the critical path emphasised."""
import kamflow
from kamflow import api
from tests.analysis.test_stats import TRIAGE
from tests.rendering import svg as S

CRITICAL = ["start", "intake", "triage", "analyse", "check", "handover", "escalated"]


def test_overlay_marks_the_critical_path(write):
    overlay = api.critical_path_overlay(kamflow.load(write(TRIAGE)))
    assert list(overlay.step_marks) == CRITICAL
    assert {m.kind for m in overlay.step_marks.values()} == {"critical"}
    assert list(overlay.edge_marks) == list(zip(CRITICAL, CRITICAL[1:]))


def test_render_highlight_critical_path(write, tmp_path, run_cli):
    out = tmp_path / "out"
    result = run_cli("render", write(TRIAGE), "--highlight", "critical-path", "-f", "svg", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(out / "triage.svg")
    root = S.parse((out / "triage.svg").read_bytes())
    marked = {g.get("id").removeprefix("step-") for g in S.groups(root, "node") if "[critical path]" in S.texts(g)}
    assert marked == set(CRITICAL)
    strokes = {}
    for edge in S.groups(root, "edge"):
        ends = tuple("".join(S.title(edge).split()).replace("->", "→").split("→"))
        path = next(el for el in edge.iter() if el.tag.endswith("path"))
        strokes[ends] = (path.get("stroke"), path.get("stroke-width"))
    on_path = {strokes[pair] for pair in zip(CRITICAL, CRITICAL[1:])}
    off_path = {strokes[("triage", "quick_fix")], strokes[("quick_fix", "done")]}
    assert len(on_path) == 1 and not on_path & off_path


def test_no_critical_path_is_said(write, tmp_path, run_cli):
    path = write("kamflow: 1\nid: x\nsteps:\n  - {id: s, type: start, next: w}\n  - {id: w, duration: 1h}\n  - {id: e, type: end}\n")
    result = run_cli("render", path, "--highlight", "critical-path", "-f", "svg", "-o", tmp_path / "out")
    assert f"{path}: warning: no critical path to highlight: no end can be reached from a start" in result.stderr
    assert (tmp_path / "out" / "x.svg").is_file()


def test_highlight_works_on_streams_and_is_cached(write, tmp_path, run_cli):
    text = write(TRIAGE).read_text()
    result = run_cli("render", "-", "--highlight", "critical-path", "-f", "svg", "-o", "-", input=text)
    assert result.exit_code == 0, result.stderr
    root = S.parse(result.stdout_bytes)
    assert {g.get("id").removeprefix("step-") for g in S.groups(root, "node") if "[critical path]" in S.texts(g)} == set(CRITICAL)
    assert "critical path" in " ".join(S.texts(root)).lower().split("legend", 1)[-1]
    out = tmp_path / "out"
    source = write(TRIAGE, "triage.yaml")
    first = run_cli("render", source, "--highlight", "critical-path", "-f", "svg", "-o", out)
    again = run_cli("render", source, "--highlight", "critical-path", "-f", "svg", "-o", out)
    plain = run_cli("render", source, "-f", "svg", "-o", out)
    assert "rendered 1, skipped 0" in first.stderr
    assert "rendered 0, skipped 1" in again.stderr
    assert "rendered 1, skipped 0" in plain.stderr  # the option is part of the cache key
    assert "[critical path]" not in (out / "triage.svg").read_text()
