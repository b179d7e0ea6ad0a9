"""Outputs go to OUTPUT/<validated id>.<ext> (a folder argument's tree mirrored inside OUTPUT) and
nowhere else: not beside the sources, not through a symlink, not named after a file name or a label."""
from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from tests.hardening.cases import GOOD
from tests.hardening.snapshot import snapshot

ID = r"[A-Za-z][A-Za-z0-9_-]{0,63}"


def _run(*args):
    from kamflow.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_every_output_is_inside_the_output_folder_and_named_by_id(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    src, outside = tmp_path / "src", tmp_path / "outside"
    (src / "deep" / "er").mkdir(parents=True)
    outside.mkdir()
    (outside / "elsewhere.yaml").write_text(GOOD.replace("id: good", "id: elsewhere"), encoding="utf-8")
    (src / "a file name with spaces.yaml").write_text(GOOD.replace("id: good", "id: one"), encoding="utf-8")
    (src / "deep" / "er" / "two.yml").write_text(GOOD.replace("id: good", "id: two").replace("title: Good", "title: ../../escape"), encoding="utf-8")
    (src / "link").symlink_to(outside, target_is_directory=True)
    before_src, before_outside = snapshot(src), snapshot(outside)
    for args in (["render", src, "-f", "svg,pdf,png,dot", "-o", tmp_path / "out" / "charts"],
                 ["report", src, "-o", tmp_path / "out" / "site"],
                 ["export", src, "--to", "bpmn", "-o", tmp_path / "out" / "bpmn"]):
        result = _run(*args)
        assert result.exit_code == 0, result.stderr
    assert snapshot(src) == before_src and snapshot(outside) == before_outside
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file() and "out" in p.relative_to(tmp_path).parts[:1])
    for path in written:
        assert re.fullmatch(rf"out/charts/(deep/er/)?{ID}\.(svg|pdf|png|dot)|out/charts/\.kamflow-cache\.json|out/site/{ID}\.html|out/bpmn/{ID}\.bpmn", path), path
    assert "out/charts/one.svg" in written and "out/charts/deep/er/two.svg" in written
    assert not any("elsewhere" in path for path in written)  # the symlinked folder was not followed
    assert not list(tmp_path.rglob("*escape*"))
