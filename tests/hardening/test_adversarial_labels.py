"""Adversarial text in every field a user writes (title, description, labels, notes, KPIs, owners,
lane names, branch labels, links) through every output format. Each output is parsed: user text
must stay text (never an element, attribute, entity, DOT attribute, Mermaid directive, Markdown
link or HTML), links only http, https, mailto or a relative file in the output folder, and the HTML
report is opened in headless Chromium to prove no script ran."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

PWN = "document.body.setAttribute('data-pwned','{n}')"
PAYLOADS = [
    f'<script>{PWN.format(n=1)}</script>',
    f'<img src=x onerror="{PWN.format(n=2)}">',
    f'"><svg onload={PWN.format(n=3)}>',
    f"javascript:{PWN.format(n=4)}",
    ']]><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>&xxe;',
    '[click me](javascript:alert(1)) ![x](data:image/svg+xml;base64,PHN2Zz4=) <a href="javascript:alert(1)">a</a>',
    "<foreignObject><body onload=alert(1)></foreignObject><image href='/etc/passwd'/>",
    'x" image="/etc/passwd" shapefile="/etc/passwd" fontpath="/etc',
    '"]; evil [image="/etc/passwd" shape=none]; x [label="',
    "<<B>html-like label</B>>",
    'A\nclick A call alert(1)\n%%{init: {"securityLevel": "loose"}}%%',
    "| cell | ```code``` *bold* _em_ ~~s~~ {{ 7*7 }} {% raw %} <!-- comment -->",
    "&amp; &lt; &#60; &#x3C; %3Cscript%3E \\N \\G \\L",
    "עברית \u202e RTL العربية 中文 😀 \u200b zero-width",
]
BAD_LINKS = [
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    " JaVaScRiPt:alert(1)",
    "file:///etc/passwd",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "https://example.com/?q=\"><script>alert(1)</script>",
]
SAFE_HREF = re.compile(r"^(https?://[^\s<>\"]+|mailto:[^\s<>\"]+|#[\w.:-]*|[\w.%-]+\.(svg|pdf|png|html|md)(#[\w.:-]*)?)$")


def adversarial_process() -> str:
    """The process as JSON text, which is YAML too: no quoting mistakes of our own."""
    p = PAYLOADS
    steps = [{"id": "s", "type": "start", "label": p[0], "lane": "a", "next": "w0", "notes": p[1], "link": BAD_LINKS[0]}]
    for i, text in enumerate(p):
        steps.append({
            "id": f"w{i}", "label": text, "lane": "ab"[i % 2], "next": f"w{i + 1}" if i + 1 < len(p) else "d",
            "owner": p[(i + 1) % len(p)], "notes": p[(i + 2) % len(p)], "kpis": [p[(i + 3) % len(p)]],
            "inputs": [p[(i + 4) % len(p)]], "outputs": [p[(i + 5) % len(p)]], "tags": [p[(i + 6) % len(p)]],
            "link": BAD_LINKS[i % len(BAD_LINKS)] if i % 3 else "https://example.com/ok", "duration": "1h",
        })
    steps.append({"id": "d", "type": "decision", "label": p[2], "lane": "b", "branches": {p[3]: "e", p[8]: "w0", p[10]: "sub"}})
    steps.append({"id": "sub", "type": "subprocess", "label": p[4], "lane": "a", "process": "../../etc/passwd", "next": "e"})
    steps.append({"id": "e", "type": "end", "label": p[5], "lane": "b"})
    document = {
        "kamflow": 1, "id": "adversarial", "title": p[0], "description": p[5], "version": p[9], "author": p[1], "date": p[8],
        "lanes": [{"id": "a", "label": p[6]}, {"id": "b", "label": p[7]}], "steps": steps,
    }
    return json.dumps(document, ensure_ascii=False, indent=1)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    from kamflow.cli import cli

    folder = tmp_path_factory.mktemp("adversarial")
    source = folder / "adversarial.yaml"
    source.write_text(adversarial_process(), encoding="utf-8")
    out = folder / "out"
    runs = [
        ["render", source, "-f", "svg,pdf,png,dot", "-o", out],
        ["report", source, "-o", out / "report.html"],
        ["report", source, "-o", out / "report.md"],
        *[["export", source, "--to", fmt, "-o", out / f"export.{fmt}"] for fmt in ("bpmn", "drawio", "mermaid", "graphml", "json")],
    ]
    for args in runs:
        result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
    assert not (folder / "PWNED").exists()
    return out


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _no_markup_declarations(data: bytes) -> None:
    assert b"<!DOCTYPE" not in data and b"<!ENTITY" not in data and b"&xxe;" not in data


# -- SVG -------------------------------------------------------------------------------------

SVG_ELEMENTS = {"svg", "g", "title", "desc", "text", "tspan", "path", "polygon", "polyline", "rect", "circle", "ellipse", "line", "a", "defs", "marker", "style"}


def check_svg(data: bytes) -> ET.Element:
    _no_markup_declarations(data)
    root = ET.fromstring(data)
    for element in root.iter():
        tag = _local(element.tag)
        assert tag in SVG_ELEMENTS, tag  # no script, foreignObject, image, use, iframe ...
        for name, value in element.attrib.items():
            name = _local(name)
            assert not name.lower().startswith("on"), name
            assert "javascript:" not in value.lower() and "data:" not in value.lower(), (name, value)
            if name == "href":
                assert SAFE_HREF.match(value), value
                assert "://" in value or value.startswith("mailto:") or "/" not in value, value  # a file beside this one
        if tag == "style":
            assert "url(" not in (element.text or "") and "@import" not in (element.text or "")
    return root


def test_svg(outputs):
    root = check_svg((outputs / "adversarial.svg").read_bytes())
    titles = [el.text for el in root.iter() if _local(el.tag) == "title"]
    assert PAYLOADS[0] in titles  # the title is the same text, not markup
    texts = " ".join(el.text or "" for el in root.iter() if _local(el.tag) in ("text", "tspan"))
    assert "html-like label" in texts and "&xxe;" in texts


def test_dot_keeps_every_label_a_quoted_string(outputs):
    """Graphviz itself reads the DOT back: the labels are the same strings, no label made a node
    or set an attribute that reads files (image, shapefile, fontpath ...) or makes a link."""
    dot = (outputs / "adversarial.dot").read_text(encoding="utf-8")
    result = subprocess.run(["dot", "-Tjson0"], input=dot.encode(), capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    graph = json.loads(result.stdout)
    forbidden = {"image", "shapefile", "fontpath", "imagepath", "imagescale", "URL", "href", "tooltip", "target", "stylesheet", "labeljust"}
    for item in [graph, *graph.get("objects", []), *graph.get("edges", [])]:
        assert not forbidden & set(item), (item.get("name"), forbidden & set(item))
    structure = re.sub(r'"(?:[^"\\]|\\.)*"', '""', dot)  # the DOT with every quoted string emptied
    assert "<" not in structure  # no HTML-like label anywhere
    assert not re.search(r"\b(image|shapefile|fontpath|imagepath|URL|href)\s*=", structure)
    names = {obj.get("name") for obj in graph.get("objects", [])}
    assert "evil" not in names and "x" not in names  # the DOT-injection label made no node


def test_pdf(outputs):
    data = (outputs / "adversarial.pdf").read_bytes()
    assert data.startswith(b"%PDF")
    for forbidden in (b"/JavaScript", b"/JS ", b"/JS(", b"/Launch", b"/EmbeddedFile", b"/SubmitForm", b"/ImportData"):
        assert forbidden not in data, forbidden
    for uri in re.findall(rb"/URI\s*\(([^)]*)\)", data):
        assert SAFE_HREF.match(uri.decode("latin-1")), uri
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, timeout=60).stdout.decode("utf-8", "replace")
    assert "html-like label" in text


def test_png(outputs):
    assert (outputs / "adversarial.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


# -- HTML report, in a real browser ----------------------------------------------------------

class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def check_html(text: str, *, allowed_tags: set[str] | None = None) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(text)
    for tag, attrs in parser.found:
        assert tag not in {"script", "iframe", "object", "embed", "foreignobject", "image", "base", "form", "frame", "link"}, (tag, attrs)
        assert tag != "meta" or "refresh" not in str(attrs.get("http-equiv", "")).lower(), attrs
        if allowed_tags is not None:
            assert tag in allowed_tags, (tag, attrs)
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src", "xlink:href", "action", "formaction"):
                assert value is not None and SAFE_HREF.match(value), (tag, name, value)
                assert "://" in value or value.startswith("mailto:") or "/" not in value, value
            if value:
                assert not re.match(r"\s*(javascript|data|vbscript):", value, re.I), (tag, name, value)
    return parser.found


def test_html_report_markup(outputs):
    check_html((outputs / "report.html").read_text(encoding="utf-8"))


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _dom_after_scripts(page: Path) -> str:
    argv = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--virtual-time-budget=2000", "--dump-dom", page.as_uri()]
    result = subprocess.run(argv, capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.decode("utf-8", "replace")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is installed by tools/install-deps.sh")
def test_no_script_runs_in_chromium(outputs, tmp_path):
    control = tmp_path / "control.html"
    control.write_text(f"<html><body><p>x</p><script>{PWN.format(n=0)}</script></body></html>", encoding="utf-8")
    assert 'data-pwned="0"' in _dom_after_scripts(control)  # this browser does run scripts
    for page in (outputs / "report.html", outputs / "adversarial.svg", outputs / "report.svg"):
        dom = _dom_after_scripts(page)
        assert "html-like label" in dom  # the page loaded, with the text in it
        assert not re.search(r"data-pwned=\"\d\"", dom), page.name


# -- Markdown --------------------------------------------------------------------------------

def test_markdown_report(outputs):
    from markdown_it import MarkdownIt

    text = (outputs / "report.md").read_text(encoding="utf-8")
    for preset in ("commonmark", "default"):
        html = MarkdownIt(preset, {"html": True}).render(text)  # raw HTML passes through these presets, as on many wikis
        tags = check_html(html)
        links = [attrs.get("href") for tag, attrs in tags if tag == "a"]
        assert all(SAFE_HREF.match(link or "") for link in links), links
        images = [attrs.get("src") for tag, attrs in tags if tag == "img"]
        assert images == [] or all(src == "report.svg" for src in images), images
    check_svg((outputs / "report.svg").read_bytes())


# -- hand-off exports ------------------------------------------------------------------------

def _all_labels() -> set[str]:
    return set(PAYLOADS)


@pytest.mark.parametrize("fmt", ["bpmn", "drawio", "graphml"])
def test_xml_exports_keep_text_as_text(outputs, fmt):
    data = (outputs / f"export.{fmt}").read_bytes()
    _no_markup_declarations(data)
    root = ET.fromstring(data)
    values = set()
    for element in root.iter():
        tag = _local(element.tag).lower()
        assert tag not in {"script", "foreignobject", "image", "img"}, tag
        for name, value in element.attrib.items():
            assert not _local(name).lower().startswith("on"), name
            values.add(value)
            if fmt == "drawio" and _local(name) == "style":
                assert "html=1" not in value, value  # draw.io would read the value as HTML
                assert "image=" not in value and "link=" not in value, value
        if element.text:
            values.add(element.text)
    found = {label for label in _all_labels() if label in values or " ".join(label.split()) in values}
    assert len(found) >= len(PAYLOADS) - 2, sorted(_all_labels() - found)  # labels survive exactly


def test_mermaid_has_no_directive_click_or_markup(outputs):
    text = (outputs / "export.mermaid").read_text(encoding="utf-8")
    for line in text.splitlines():
        stripped = line.strip()
        assert not stripped.startswith(("click", "%%{", "classDef", "style", "linkStyle", "callback")), line
        if stripped.startswith("%%"):
            continue  # a comment holds the title, on one line
        for quoted in re.findall(r'"([^"]*)"', stripped):
            assert not re.search(r"<(?!br>)", quoted) and ">" not in quoted.replace("<br>", ""), quoted
    assert text.count('"') % 2 == 0


def test_json_round_trips_every_text_exactly(outputs):
    from kamflow import api

    exported = api.load(outputs / "export.json")
    original = api.loads(adversarial_process(), name="adversarial.yaml")
    assert exported.title == original.title == PAYLOADS[0]
    assert [(s.id, s.label, dict(s.metadata)) for s in exported.steps] == [(s.id, s.label, dict(s.metadata)) for s in original.steps]
    assert [(e.source, e.target, e.label) for e in exported.edges] == [(e.source, e.target, e.label) for e in original.edges]


@pytest.mark.parametrize("bad", [
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><image href="x.png"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><g onclick="x()"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><a xlink:href="data:text/html,x"/></svg>',
    b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"/>',
])
def test_the_svg_check_catches_what_it_looks_for(bad):
    with pytest.raises(AssertionError):
        check_svg(bad)


@pytest.mark.parametrize("bad", ['<script>x</script>', '<p onmouseover="x">', '<a href="javascript:x">', '<a href="//evil/x">', '<iframe src="a.html">'])
def test_the_html_check_catches_what_it_looks_for(bad):
    with pytest.raises(AssertionError):
        check_html(bad)


CONTROL = "".join(chr(c) for c in range(0x00, 0x20)) + "\x7f\x85\u2028\ufeff"


def test_control_characters_in_labels_reach_every_format():
    """Escapes in a double-quoted YAML string can put any character into a label, NUL included
    (it used to end Graphviz's string: a syntax error). Every format still comes out, and parses."""
    from kamflow import api
    from kamflow.exporters import EXPORTERS

    escaped = "".join(f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}" for c in CONTROL)
    process = api.loads(f'kamflow: 1\nid: ctl\ntitle: "T {escaped}"\nsteps:\n  - {{id: s, type: start, label: "a {escaped} b", next: d}}\n'
                        f'  - {{id: d, type: decision, label: "?{escaped}", branches: {{"y{escaped}": e, n: s}}}}\n  - {{id: e, type: end, label: E}}\n')
    assert process.steps[0].label == f"a {CONTROL} b"
    charts = api.render_charts(process, formats=("svg", "pdf", "dot"))
    check_svg(charts["svg"])
    assert charts["pdf"].startswith(b"%PDF") and b"\x00" not in charts["dot"]
    for name in EXPORTERS:
        text = api.export(process, to=name)
        if name in ("bpmn", "drawio", "graphml"):
            ET.fromstring(text.encode("utf-8"))
        if name == "json":
            assert json.loads(text)


def test_html_pages_forbid_scripts_by_content_security_policy(outputs, tmp_path):
    """Defence in depth: even an escaping mistake could not run a script in kamflow's own pages."""
    from kamflow.cli import cli

    site = tmp_path / "site"
    result = CliRunner().invoke(cli, ["report", str(outputs.parent / "adversarial.yaml"), str(Path(__file__).resolve().parents[2] / "processes" / "kam.yaml"), "-o", str(site)])
    assert result.exit_code == 0, result.stderr
    for page in [outputs / "report.html", *site.glob("*.html")]:
        metas = [attrs for tag, attrs in check_html(page.read_text(encoding="utf-8")) if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy"]
        assert len(metas) == 1, page.name
        policy = {part.split()[0]: part.split()[1:] for part in metas[0]["content"].split(";") if part.strip()}
        assert policy["default-src"] == ["'none'"] and "script-src" not in policy, policy
