"""`kamflow check` and `kamflow render` on client variants, as a user types them."""
import json

from tests.checks import variants as V
from tests.rendering import svg as S
from tests.conftest import MERGE


def test_conforming_variant_exits_0(run_cli, write):
    result = run_cli("check", write(V.renamed_variant()))
    assert result.exit_code == 0, result.stdout
    assert result.stdout == "1 file checked: no problems\n"


def test_missing_step_line_and_exit_1(run_cli, write):
    path = write(V.drop(V.kam_text(), "map_dmu", rewire_to="interview_stakeholders"))
    result = run_cli("check", path)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}:5:1: error: essential step 'map_dmu' (Map DMU and buying behaviour) of reference 'kam' is missing: no step has id 'map_dmu' or lists it in `implements` [missing-essential-step]",
        "1 file checked: 1 problem (1 error, 0 warnings)",
    ]


def test_json_adds_reference_step_and_keeps_every_key(run_cli, write):
    path = write(V.drop(V.kam_text(), "map_dmu", rewire_to="interview_stakeholders"))
    findings = json.loads(run_cli("check", "--format", "json", path).stdout)
    assert findings == [{
        "path": str(path), "line": 5, "column": 1, "rule": "missing-essential-step", "severity": "error",
        "step": "map_dmu", "message": findings[0]["message"], "reference_step": "map_dmu",
    }]


def test_against_from_the_command_line(run_cli, write, tmp_path):
    path = write(V.drop(V.kam_text(based_on=None), "health_scan", rewire_to="escalation_needed"))
    assert run_cli("check", path).exit_code == 0
    result = run_cli("check", "--against", "kam", path)
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{path}:1:1: error: essential step 'health_scan' (Run relationship health scan) of reference 'kam'")
    missing = run_cli("check", "--against", str(tmp_path / "nope.yaml"), path)
    assert missing.exit_code == 1 and "[unresolved-reference]" in missing.stdout


def test_suppression_on_the_command_line_and_unknown_ids(run_cli, write):
    path = write(V.drop(V.kam_text(), "map_dmu", rewire_to="interview_stakeholders"))
    assert run_cli("check", "--disable", "missing-essential-step", path).exit_code == 0
    for option in ("--disable", "--enable"):
        result = run_cli("check", option, "missing-essential-stp", path)
        assert result.exit_code == 2
        assert result.stderr == f"error: {option}: unknown rule 'missing-essential-stp'; did you mean 'missing-essential-step'?\n"
        assert result.stdout == ""


def test_preset_all_and_enable(run_cli, write):
    text = MERGE
    path = write(text)
    assert run_cli("check", path).exit_code == 0
    for args in (["--preset", "all"], ["--enable", "fake-join"]):
        result = run_cli("check", "--strict", *args, path)
        assert result.exit_code == 1 and "[fake-join]" in result.stdout


def test_rules_table_and_page(run_cli):
    table = run_cli("rules")
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["rule", "severity", "preset", "summary"]
    rows = {line.split()[0]: line.split()[1:3] for line in lines[1:-1]}
    assert rows["missing-essential-step"] == ["error", "recommended"]
    assert rows["fake-join"] == ["warning", "all"]
    assert lines[-1].startswith(f"{len(rows)} rules")
    page = run_cli("rules", "order-violation")
    assert page.exit_code == 0 and page.stdout.startswith("# order-violation\n") and "## Wrong" in page.stdout
    unknown = run_cli("rules", "order-violatoin")
    assert unknown.exit_code == 2 and "did you mean 'order-violation'?" in unknown.stderr


def test_render_draws_ghosts_unless_no_ghosts(run_cli, write, tmp_path):
    path = write(V.drop(V.kam_text(), "map_dmu", rewire_to="interview_stakeholders"))
    result = run_cli("render", path, "-f", "svg", "-o", tmp_path / "with")
    assert result.exit_code == 0, result.stderr  # findings do not stop a draft from rendering
    assert "[missing-essential-step]" in result.stderr
    ghosts = [g for g in S.groups(S.parse((tmp_path / "with" / "acme-kam.svg").read_bytes()), "node") if g.get("id") == "ghost-map_dmu"]
    assert len(ghosts) == 1 and "Missing: Map DMU and" in " ".join(S.texts(ghosts[0]))
    assert run_cli("render", path, "-f", "svg", "-o", tmp_path / "without", "--no-ghosts").exit_code == 0
    plain = S.parse((tmp_path / "without" / "acme-kam.svg").read_bytes())
    assert not [g for g in S.groups(plain, "node") if (g.get("id") or "").startswith("ghost-")]
    strict = run_cli("render", path, "-f", "svg", "-o", tmp_path / "strict", "--strict")
    assert strict.exit_code == 1 and not (tmp_path / "strict" / "acme-kam.svg").exists()
