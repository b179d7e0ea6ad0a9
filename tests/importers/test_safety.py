"""Hostile and broken inputs to `kamflow import`: one positioned error line, exit code 2, no
traceback, nothing written; and labels always stay text."""
import base64
import io
import re
import urllib.parse
import zipfile
import zlib

import pytest

import kamflow
from kamflow import api

BPMN_HEAD = '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
TINY = BPMN_HEAD + '<process id="p"><startEvent id="s" name="Go"/><endEvent id="e" name="Done"/><sequenceFlow id="f" sourceRef="s" targetRef="e"/></process></definitions>'

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
""" + BPMN_HEAD + '<process id="p"><task id="t" name="&lol9;"/></process></definitions>'


def _xxe(secret):
    return f"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file://{secret}">]>
{BPMN_HEAD}<process id="p"><task id="t" name="&xxe;"/></process></definitions>"""


def _one_error(result, path, line=None):
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in result.stderr
    match = re.match(rf"^{re.escape(str(path))}:(\d+):(\d+): error: .+", lines[0])
    assert match, lines[0]
    if line is not None:
        assert int(match.group(1)) == line, lines[0]
    return lines[0]


def _compressed_page(xml_text: str) -> str:
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = deflate.compress(urllib.parse.quote(xml_text).encode()) + deflate.flush()
    return f'<mxfile><diagram id="d" name="P">{base64.b64encode(packed).decode()}</diagram></mxfile>'


@pytest.mark.parametrize("name, data, line", [
    ("laughs.bpmn", BILLION_LAUGHS.encode(), 2),
    ("external-dtd.bpmn", b'<?xml version="1.0"?>\n<!DOCTYPE d SYSTEM "http://example.invalid/x.dtd">\n' + TINY.encode(), 2),
    ("broken.bpmn", (BPMN_HEAD + "<process id='p'><task id='t'></process>").encode(), 1),
    ("bad-utf8.bpmn", b'<?xml version="1.0" encoding="UTF-8"?>\n' + TINY.replace('"Go"', '"G\xff\xfeo"').encode("latin-1"), 2),
    ("unknown-encoding.bpmn", b'<?xml version="1.0" encoding="x-no-such-codec"?>\n' + TINY.encode(), 1),
    ("deep.bpmn", (BPMN_HEAD + "<extensionElements>" * 300).encode(), 1),
    ("not-bpmn.bpmn", b"<html><body>hello</body></html>", 1),
    ("empty.bpmn", b"", 1),
    ("bomb.drawio", _compressed_page("<mxGraphModel><root>" + " " * 8_000_000 + "</root></mxGraphModel>").encode(), 1),
    ("not-base64.drawio", b'<mxfile><diagram id="d" name="P">!!!not base64!!!</diagram></mxfile>', 1),
    ("laughs.drawio", BILLION_LAUGHS.replace(BPMN_HEAD + '<process id="p"><task id="t" name="&lol9;"/></process></definitions>', '<mxfile><diagram name="&lol9;"/></mxfile>').encode(), 2),
    ("inner-entity.drawio", _compressed_page(BILLION_LAUGHS.split(BPMN_HEAD)[0] + "<mxGraphModel/>").encode(), 1),
    ("unsupported.mmd", b"flowchart TD\n  a --> b\n  a ~~> b ~~ c <<>> !\n", 3),
    ("sequence.mmd", b"sequenceDiagram\n  Alice->>Bob: Hi\n", 1),
    ("latin1.mmd", "flowchart TD\n  a[Caf\xe9] --> b\n".encode("latin-1"), 2),
    ("binary.csv", b"id,label\n1,a\x00b\n", 2),
    ("no-header.csv", b"1;2;3\n4;5;6\n", 1),
    ("not-a-zip.xlsx", b"PK\x03\x04 this is not a zip archive", 1),
])
def test_hostile_input_is_one_positioned_error_and_nothing_is_written(run_cli, tmp_path, name, data, line, monkeypatch):
    monkeypatch.setenv("KAMFLOW_MAX_FILE_SIZE", str(4 * 1024 * 1024))
    path = tmp_path / name
    path.write_bytes(data)
    out = tmp_path / "out"
    result = run_cli("import", path, "-o", out)
    message = _one_error(result, path, line)
    assert not out.exists()
    assert "lollol" not in message


def test_external_entity_never_reads_a_local_file(run_cli, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    path = tmp_path / "xxe.bpmn"
    path.write_text(_xxe(secret))
    result = run_cli("import", path, "-o", tmp_path / "out")
    message = _one_error(result, path, 2)
    assert "TOP-SECRET" not in result.stdout + result.stderr
    assert "document type declaration" in message
    assert not (tmp_path / "out").exists()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("KAMFLOW_MAX_FILE_SIZE", "1000")
    path = tmp_path / "huge.bpmn"
    path.write_text(TINY + " " * 2000)
    result = run_cli("import", path, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{path}: error: file is {path.stat().st_size} bytes, over the 1000-byte limit (set KAMFLOW_MAX_FILE_SIZE to raise it)"
    assert not (tmp_path / "out").exists()


def test_an_xlsx_zip_bomb_is_refused_before_it_is_opened(run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("KAMFLOW_MAX_FILE_SIZE", str(100_000))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<a>" + "0" * 5_000_000 + "</a>")
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(buffer.getvalue())
    result = run_cli("import", path, "-o", tmp_path / "out")
    message = _one_error(result, path, 1)
    assert "expands to" in message
    assert not (tmp_path / "out").exists()


def test_one_bad_file_among_good_ones_writes_nothing(run_cli, tmp_path):
    good = tmp_path / "good.bpmn"
    good.write_text(TINY)
    bad = tmp_path / "bad.bpmn"
    bad.write_text(BILLION_LAUGHS)
    result = run_cli("import", good, bad, "-o", tmp_path / "out")
    _one_error(result, bad, 2)
    assert not (tmp_path / "out").exists()


def test_existing_files_are_kept_unless_forced(run_cli, tmp_path):
    path = tmp_path / "tiny.bpmn"
    path.write_text(TINY)
    out = tmp_path / "out"
    out.mkdir()
    (out / "p.yaml").write_text("mine")
    result = run_cli("import", path, "-o", out)
    assert result.exit_code == 2 and "already exists" in result.stderr and "--force" in result.stderr
    assert (out / "p.yaml").read_text() == "mine"
    forced = run_cli("import", path, "-o", out, "--force")
    assert forced.exit_code == 0, forced.stderr
    assert forced.stdout == f"wrote {out / 'p.yaml'}\n"
    assert kamflow.load(out / "p.yaml").steps_by_id["go"].label == "Go"


def test_labels_stay_text_whatever_they_contain(tmp_path):
    """Markup, script, entity-like text and YAML-looking text come through as the same text, in
    the model and in the written YAML read back."""
    awkward = ['Yes', 'No', 'null', ':', '#', '{', '  lead', 'a: b', '- x', '<script>alert(1)</script>', '&amp;', '1.0', '~', '"q"', "it's", '[x]', 'é € 中', '@at', '%p', 'x #y']
    rows = ["id,label,next"] + [f'n{i},"{t.replace(chr(34), chr(34) * 2)}",n{i + 1}' for i, t in enumerate(awkward)] + [f"n{len(awkward)},End,"]
    path = tmp_path / "awkward.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    (process,) = kamflow.import_file(path)
    assert [s.label for s in process.steps][:-1] == [" ".join(t.split()) for t in awkward]
    text = api.imported_yaml(process, source="awkward.csv", fmt="csv")
    again = kamflow.loads(text, name="awkward.yaml")
    assert [s.label for s in again.steps] == [s.label for s in process.steps]
    svg = kamflow.render(again, formats=("svg",), output_dir=None)["svg"].decode()
    assert "<script>" not in svg and "&lt;script&gt;" in svg
