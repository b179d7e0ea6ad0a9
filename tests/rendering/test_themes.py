"""Themes: built-ins listed by `kamflow themes`, a custom theme file changes the chart's colours,
`theme:` in the process file, and a bad theme file is a positioned error with exit code 2."""
import kamflow
from kamflow.rendering.options import RenderOptions
from kamflow.rendering.themes import load_theme
from tests.conftest import PROCESSES, SIMPLE
from tests.rendering import svg as S

OKABE_ITO = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"}


def _fills(svg: bytes) -> dict[str, tuple[str, str]]:
    root = S.parse(svg)
    return {S.step_id(n): (S.symbol(n).get("fill"), S.symbol(n).get("stroke")) for n in S.groups(root, "node")}


def test_themes_command_lists_the_builtins(run_cli):
    result = run_cli("themes")
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.output.splitlines()]
    assert names == ["default", "colorblind", "print"]


def test_builtin_themes_differ_and_print_is_black_and_white(write):
    process = kamflow.load(write(SIMPLE))
    charts = {name: _fills(kamflow.render_charts(process, formats=("svg",), options=RenderOptions(theme=name))["svg"]) for name in ("default", "print", "colorblind")}
    assert charts["default"]["ok"] != charts["print"]["ok"] != charts["colorblind"]["ok"]
    for fill, stroke in charts["print"].values():
        assert fill in ("#ffffff", "#e6e6e6") and stroke == "#000000"
    for _, stroke in charts["colorblind"].values():
        assert stroke in OKABE_ITO | {"#333333", "#555555", "#8a7f00"}


def test_custom_theme_file_changes_the_colours(write, tmp_path):
    theme = tmp_path / "brand.yaml"
    theme.write_text('extends: print\nsteps:\n  decision: {fill: "#123456", stroke: "#abcdef"}\nlanes: {fills: ["#fafafa", "#eeeeee"]}\nfont: {family: Noto Sans, size: 12}\n')
    process = kamflow.load(write(SIMPLE))
    svg = kamflow.render_charts(process, formats=("svg",), options=RenderOptions(theme=str(theme)))["svg"]
    assert _fills(svg)["ok"] == ("#123456", "#abcdef")
    assert _fills(svg)["work"] == ("#ffffff", "#000000")  # the rest from `print`
    root = S.parse(svg)
    assert [S.rect(g.find(f"{S.SVG}rect[@class='band']")) and g.find(f"{S.SVG}rect[@class='band']").get("fill") for g in S.groups(root, "lane")] == ["#fafafa", "#eeeeee"]
    assert root.get("font-family").startswith("'Noto Sans'")


def test_theme_named_in_the_process_file(write, tmp_path):
    (tmp_path / "mine.yaml").write_text('steps:\n  start: {fill: "#0000ff"}\n')
    text = SIMPLE.replace("title: Simple\n", "title: Simple\ntheme: mine.yaml\n")
    process = kamflow.load(write(text))
    assert _fills(kamflow.render_charts(process, formats=("svg",))["svg"])["start"][0] == "#0000ff"
    # --theme wins over the file
    assert _fills(kamflow.render_charts(process, formats=("svg",), options=RenderOptions(theme="print"))["svg"])["start"][0] == "#ffffff"
    named = kamflow.load(write(SIMPLE.replace("title: Simple\n", "title: Simple\ntheme: colorblind\n"), name="named.yaml"))
    assert _fills(kamflow.render_charts(named, formats=("svg",))["svg"])["start"] == (load_theme("colorblind").steps["start"].fill, "#009e73")


def test_bad_theme_file_is_a_positioned_error_and_nothing_is_written(run_cli, tmp_path):
    theme = tmp_path / "bad.yaml"
    theme.write_text('steps:\n  decision: {fill: red}\n  diamond: {fill: "#ffffff"}\nfont: {size: 99}\n')
    out = tmp_path / "out"
    result = run_cli("render", PROCESSES / "kam.yaml", "--theme", theme, "-o", out)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert f"{theme}:2:20: error: steps.decision.fill: 'red' is not a colour" in lines[0]
    assert lines[1].startswith(f"{theme}:3:3: error: unknown key 'diamond' in steps")
    assert lines[2].startswith(f"{theme}:4:14: error: font.size: font size must be a number from 6 to 32")
    assert not out.exists()
    assert run_cli("themes", "--check", theme).exit_code == 2
    assert run_cli("render", PROCESSES / "kam.yaml", "--theme", "neon", "-o", out).stderr.startswith("neon: error: unknown theme 'neon'")


def test_theme_files_accept_plain_data_only(tmp_path, run_cli):
    theme = tmp_path / "tagged.yaml"
    theme.write_text("name: !!python/object/apply:os.system [echo]\nsteps: &s {step: {fill: '#ffffff'}}\nwarning: *s\n")
    result = run_cli("themes", "--check", theme)
    assert result.exit_code == 2
    assert f"{theme}:1:7: error: YAML tag" in result.stderr


def test_unknown_theme_in_a_process_file_is_reported_at_its_key(write, tmp_path, run_cli):
    path = write(SIMPLE.replace("title: Simple\n", "title: Simple\ntheme: neon\n"))
    result = run_cli("render", path, "-o", tmp_path / "out", "-j", "1")
    assert result.exit_code == 2
    assert f"{path}:4:1: error: unknown theme 'neon'" in result.stderr
    # only .yaml/.yml files are ever read as themes
    other = write(SIMPLE.replace("title: Simple\n", "title: Simple\ntheme: /etc/passwd\n"), name="other.yaml")
    result = run_cli("render", other, "-o", tmp_path / "out2", "-j", "1")
    assert result.exit_code == 2 and "unknown theme '/etc/passwd'" in result.stderr and "root:x:" not in result.stderr
