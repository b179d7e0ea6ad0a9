"""`kamflow render DIR`: parallel output identical to serial, the cache, failures that do not stop the others."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from kamflow.batch import MANIFEST
from tests.conftest import PROCESSES, SIMPLE


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def folder(tmp_path):
    """A small portfolio in a tree: kam and the two processes it calls, billing in a subfolder."""
    src = tmp_path / "src"
    (src / "finance").mkdir(parents=True)
    for name in ("kam", "account-planning", "strategic-account-review"):
        shutil.copy(PROCESSES / f"{name}.yaml", src / f"{name}.yaml")
    shutil.copy(PROCESSES / "billing.yaml", src / "finance" / "billing.yaml")
    return src


def _summary(result) -> str:
    return result.stderr.strip().splitlines()[-1]


def test_parallel_output_is_byte_identical_to_serial(run_cli, folder, tmp_path):
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    one = run_cli("render", folder, "-o", serial, "-f", "svg,pdf,png", "-j", 1)
    two = run_cli("render", folder, "-o", parallel, "-f", "svg,pdf,png", "-j", 2)
    assert one.exit_code == 0 and two.exit_code == 0, one.stderr + two.stderr
    assert _summary(two).startswith("rendered 4, skipped 0, failed 0 in ")
    assert one.stdout.replace(str(serial), "OUT") == two.stdout.replace(str(parallel), "OUT")
    files = _tree(serial)
    assert sorted(files) == sorted([MANIFEST] + [f"{n}.{e}" for n in ("kam", "account-planning", "strategic-account-review") for e in ("svg", "pdf", "png")] + [f"finance/billing.{e}" for e in ("svg", "pdf", "png")])
    assert files == _tree(parallel)


def test_cache_skips_unchanged_and_rerenders_after_an_edit(run_cli, folder, tmp_path):
    out = tmp_path / "out"
    assert _summary(run_cli("render", folder, "-o", out, "-f", "svg")).startswith("rendered 4, skipped 0, failed 0")
    before = _tree(out)
    again = run_cli("render", folder, "-o", out, "-f", "svg")
    assert again.exit_code == 0 and again.stdout == ""
    assert _summary(again).startswith("rendered 0, skipped 4, failed 0")
    assert _tree(out) == before

    billing = folder / "finance" / "billing.yaml"
    billing.write_text(billing.read_text(encoding="utf-8").replace("title: ", "title: X", 1), encoding="utf-8")
    edited = run_cli("render", folder, "-o", out, "-f", "svg")
    assert _summary(edited).startswith("rendered 1, skipped 3, failed 0")
    assert edited.stdout.split() == [str(out / "finance" / "billing.svg")]
    assert b"XBilling" in (out / "finance" / "billing.svg").read_bytes()

    # a referenced process changes: the process that calls it is stale too
    planning = folder / "account-planning.yaml"
    planning.write_text(planning.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    referenced = run_cli("render", folder, "-o", out, "-f", "svg")
    assert sorted(referenced.stdout.split()) == sorted([str(out / "account-planning.svg"), str(out / "kam.svg")])

    # an output that was changed or deleted is rendered again
    (out / "kam.svg").write_bytes(b"<svg/>")
    (out / "strategic-account-review.svg").unlink()
    repaired = run_cli("render", folder, "-o", out, "-f", "svg")
    assert sorted(repaired.stdout.split()) == sorted([str(out / "kam.svg"), str(out / "strategic-account-review.svg")])
    assert (out / "kam.svg").read_bytes() == before["kam.svg"]

    # other options, other charts; --force renders everything
    assert _summary(run_cli("render", folder, "-o", out, "-f", "svg", "--direction", "LR")).startswith("rendered 4,")
    assert _summary(run_cli("render", folder, "-o", out, "-f", "svg", "--direction", "LR")).startswith("rendered 0, skipped 4")
    assert _summary(run_cli("render", folder, "-o", out, "-f", "svg", "--direction", "LR", "--force")).startswith("rendered 4, skipped 0")


def test_manifest_records_key_and_output_hashes(run_cli, folder, tmp_path):
    import hashlib

    out = tmp_path / "out"
    run_cli("render", folder, "-o", out, "-f", "svg,pdf")
    manifest = json.loads((out / MANIFEST).read_text())
    assert sorted(manifest["entries"]) == ["account-planning", "finance/billing", "kam", "strategic-account-review"]
    entry = manifest["entries"]["finance/billing"]
    assert len(entry["key"]) == 64
    for name, digest in entry["outputs"].items():
        assert hashlib.sha256((out / "finance" / name).read_bytes()).hexdigest() == digest


def test_one_failure_does_not_stop_the_others(run_cli, folder, tmp_path):
    broken = folder / "finance" / "broken.yaml"
    broken.write_text("kamflow: 1\nid: broken\nsteps: [\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("render", folder, "-o", out, "-f", "svg", "-j", 2)
    assert result.exit_code == 2
    assert f"{broken}:4:1: error: invalid YAML" in result.stderr
    assert _summary(result).startswith("rendered 4, skipped 0, failed 1")
    assert (out / "kam.svg").is_file() and (out / "finance" / "billing.svg").is_file()
    assert "broken" not in json.loads((out / MANIFEST).read_text())["entries"]


def test_strict_holds_back_only_the_process_with_errors(run_cli, folder, tmp_path):
    (folder / "bad.yaml").write_text(SIMPLE.replace("next: ok}", "next: nowhere}"), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("render", folder, "-o", out, "-f", "svg", "--strict")
    assert result.exit_code == 1
    assert f"{folder / 'bad.yaml'}: not rendered: the check found errors (--strict)" in result.stderr
    assert not (out / "simple.svg").exists() and (out / "kam.svg").is_file()


@pytest.mark.parametrize("strict", [False, True])
def test_a_lone_file_not_rendered_has_no_summary_but_several_do(run_cli, tmp_path, strict):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SIMPLE.replace("next: ok}", "next: nowhere}") if strict else "kamflow: 1\nid: [", encoding="utf-8")
    flags = ["--strict"] if strict else []
    alone = run_cli("render", bad, "-o", tmp_path / "out", "-f", "svg", *flags)
    assert alone.exit_code == (1 if strict else 2) and alone.stderr.strip()
    assert "rendered " not in alone.stderr, alone.stderr
    (tmp_path / "good.yaml").write_text(SIMPLE.replace("id: simple", "id: good"), encoding="utf-8")
    both = run_cli("render", bad, tmp_path / "good.yaml", "-o", tmp_path / "out", "-f", "svg", *flags)
    assert _summary(both).startswith("rendered 1, skipped 0, failed 1")


def test_quiet_prints_only_problems(run_cli, folder, tmp_path):
    result = run_cli("render", folder, "-o", tmp_path / "out", "-f", "svg", "--quiet")
    assert result.exit_code == 0 and result.stdout == "" and result.stderr == ""


def test_no_progress_bar_when_not_a_terminal(run_cli, folder, tmp_path):
    result = run_cli("render", folder, "-o", tmp_path / "out", "-f", "svg")
    assert "rendering" not in result.stderr and "%" not in result.stderr


def test_same_output_twice_is_reported(run_cli, tmp_path):
    (tmp_path / "a.yaml").write_text(SIMPLE, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(SIMPLE, encoding="utf-8")
    result = run_cli("render", tmp_path / "a.yaml", tmp_path / "b.yaml", "-o", tmp_path / "out", "-f", "svg")
    assert result.exit_code == 2
    assert f"{tmp_path / 'b.yaml'}: error: its id 'simple' gives the same output files as {tmp_path / 'a.yaml'}" in result.stderr


@pytest.mark.parametrize("command", [["render", "-f", "svg", "-o", "OUT"], ["check"], ["report", "--format", "docx", "-o", "OUT/r.docx"]])
def test_a_file_named_twice_is_taken_once(run_cli, tmp_path, command):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.yaml").write_text(SIMPLE.replace("label: Do the work", "label: Do the work, link: 'javascript:x'"), encoding="utf-8")
    args = [str(tmp_path / "out") if a == "OUT" else a.replace("OUT", str(tmp_path / "out")) for a in command[1:]]
    result = run_cli(command[0], src, src / "a.yaml", src / "a.yaml", *args)
    assert result.exit_code in (0, 1), result.stderr
    assert "gives the same output files" not in result.stderr
    output = result.stdout + result.stderr
    if command[0] == "render":
        assert _summary(result).startswith("rendered 1, skipped 0, failed 0")
    if command[0] == "check":
        assert "1 file checked" in output
    if command[0] != "check":
        assert result.stderr.count("link of step") == 1, result.stderr


@pytest.mark.skipif(shutil.which("script") is None, reason="util-linux `script` gives the command a terminal")
def test_progress_bar_on_a_terminal_only(folder, tmp_path):
    import shlex
    import subprocess
    import sys

    command = shlex.join([sys.executable, "-m", "kamflow", "render", str(folder), "-o", str(tmp_path / "out"), "-f", "svg", "-j", "1"])
    shown = subprocess.run(["script", "-qec", command, "/dev/null"], capture_output=True, timeout=120)
    text = shown.stdout.decode("utf-8", "replace").replace("\r", "\n")
    assert shown.returncode == 0, text
    assert re.search(r"rendering\s+\[#+\]\s+4/4", text), text
    quiet = subprocess.run(["script", "-qec", command + " --quiet --force", "/dev/null"], capture_output=True, timeout=120)
    assert "rendering" not in quiet.stdout.decode("utf-8", "replace")


@pytest.mark.parametrize("damage", ["not json", '{"kamflow-cache": 1, "entries": []}', '{"kamflow-cache": 1, "entries": {"kam": {"key": 1, "outputs": ["kam.svg"]}}}', '{"kamflow-cache": 1, "entries": {"kam": "x"}}'])
def test_a_damaged_manifest_means_render_again(run_cli, folder, tmp_path, damage):
    out = tmp_path / "out"
    run_cli("render", folder, "-o", out, "-f", "svg")
    (out / MANIFEST).write_text(damage, encoding="utf-8")
    result = run_cli("render", folder, "-o", out, "-f", "svg")
    assert result.exit_code == 0, result.stderr
    assert "kam.svg" in result.stdout
    assert json.loads((out / MANIFEST).read_text())["entries"]["kam"]["outputs"]["kam.svg"]
