"""Wrapping limits, links, titles and descriptions, numbering, legend, title block, page and dpi."""
import json
import struct
import subprocess

import pytest

import kamflow
from kamflow.rendering.dot import build_dot
from kamflow.rendering.options import RenderOptions
from kamflow.rendering.svg import flow_numbers
from kamflow.rendering.text import wrap
from tests.conftest import PROCESSES, SIMPLE
from tests.rendering import svg as S

LONG = "Agree the account strategy with the customer's executive sponsor and the internal board before the fiscal year starts"


@pytest.mark.parametrize("width", [8, 16, 24, 40, 60, 80])
def test_wrap_breaks_at_spaces_within_the_width(width):
    lines = wrap(LONG + " Rechnungsprüfungsverfahrensbeschreibungsdokument", width)
    limit = min(width, 60)
    assert all(len(line) <= limit for line in lines)
    words = (LONG + " Rechnungsprüfungsverfahrensbeschreibungsdokument").split()
    # a word is cut only when it is longer than the width
    for word in words:
        if len(word) <= limit:
            assert any(word in line.split() for line in lines), word
    assert "".join(lines).replace(" ", "") == "".join(words)


def test_chart_text_lines_respect_the_wrap_option(write):
    text = SIMPLE.replace("label: Do the work", f"label: {LONG}").replace("label: Done?", "label: Is the account plan approved by the board and the customer?")
    process = kamflow.load(write(text))
    for width, decision_limit in ((24, 16), (40, 16), (12, 12)):
        root = S.parse(kamflow.render_charts(process, formats=("svg",), options=RenderOptions(wrap=width))["svg"])
        nodes = {S.step_id(n): n for n in S.groups(root, "node")}
        assert max(len(t) for t in S.texts(nodes["work"])) <= width
        assert max(len(t) for t in S.texts(nodes["work"])) > width - 8
        assert max(len(t) for t in S.texts(nodes["ok"])) <= decision_limit
        assert all(len(t) <= 60 for t in S.texts(root))


def test_decision_labels_fit_inside_their_diamond():
    """Graphviz measures each text line (pango, the real font); every line's box must lie inside
    the diamond it is drawn in."""
    process = kamflow.load(PROCESSES / "kam.yaml")
    source = build_dot(process, options=RenderOptions())
    layout = json.loads(subprocess.run(["dot", "-Tjson"], input=source.encode(), capture_output=True, check=True).stdout)
    decisions = {s.id for s in process.steps if s.type == "decision"}
    checked = 0
    for obj in layout["objects"]:
        if obj.get("name") not in decisions:
            continue
        cx, cy = (float(v) for v in obj["pos"].split(","))
        half_w, half_h = float(obj["width"]) * 36, float(obj["height"]) * 36
        size = next(op["size"] for op in obj["_ldraw_"] if op["op"] == "F")
        for op in obj["_ldraw_"]:
            if op["op"] != "T":
                continue
            x, y = op["pt"]
            for corner_x in (x - op["width"] / 2, x + op["width"] / 2):
                for corner_y in (y - size * 0.25, y + size * 0.85):
                    assert abs(corner_x - cx) / half_w + abs(corner_y - cy) / half_h <= 1.0, (obj["name"], op["text"])
            checked += 1
    assert checked >= 10


def test_links_titles_and_descriptions(write, tmp_path):
    text = SIMPLE.replace("  - {id: work, label: Do the work, lane: a, next: ok}", """\
  - {id: work, label: Do the work, lane: a, next: plan, link: "https://example.com/guide?a=1&b=2", notes: Use the checklist.}
  - {id: plan, type: subprocess, process: account-planning, label: Plan, lane: a, next: mail}
  - {id: mail, label: Tell them, lane: a, next: bad, link: "mailto:kam@example.com"}
  - {id: bad, label: Local file, lane: a, next: ok, link: "file:///etc/passwd"}""")
    process = kamflow.load(write(text))
    svg = kamflow.render_charts(process, formats=("svg",))["svg"]
    root = S.parse(svg)
    assert S.title(root) == "Simple" and root.find(f"{S.SVG}desc").text == "Simple"
    assert root.get("aria-labelledby") == "chart-title chart-desc"
    nodes = {S.step_id(n): n for n in S.groups(root, "node")}

    def href(step_id):
        a = nodes[step_id].find(f"{S.SVG}a")
        return None if a is None else (a.get("href"), a.get("{http://www.w3.org/1999/xlink}href"))

    assert href("work") == ("https://example.com/guide?a=1&b=2",) * 2
    assert href("plan") == ("account-planning.svg",) * 2
    assert href("mail") == ("mailto:kam@example.com",) * 2
    assert href("bad") is None and href("start") is None
    tip = nodes["work"].find(f".//{S.SVG}g[@class='symbol']/{S.SVG}title").text
    assert tip == "Do the work\nUse the checklist."
    assert S.title(nodes["work"]) == "work"
    warnings = kamflow.api.link_warnings(process)
    assert len(warnings) == 1 and "link of step 'bad' is not an http, https or mailto URL" in warnings[0]
    assert warnings[0].startswith(f"{process.path}:")
    pdf = kamflow.render(process, formats=("pdf",), output_dir=tmp_path / "out")[0].read_bytes()
    assert b"/URI (account-planning.pdf)" in pdf and b"/URI (https://example.com/guide?a=1&b=2)" in pdf
    assert b"etc/passwd" not in pdf


def test_link_warning_is_printed_by_the_cli(run_cli, tmp_path):
    text = SIMPLE.replace("label: Do the work, lane: a", 'label: Do the work, lane: a, link: "javascript:alert(1)"')
    result = run_cli("render", "-", "-f", "svg", "-o", "-", input=text)
    assert result.exit_code == 0
    assert "warning: link of step 'work' is not an http, https or mailto URL" in result.stderr
    assert b"javascript" not in result.stdout_bytes


def test_numbers_follow_the_flow_and_stay_stable(write):
    process = kamflow.load(PROCESSES / "kam.yaml")
    numbers = flow_numbers(process)
    assert sorted(numbers.values()) == list(range(1, len(process.steps) + 1))
    assert numbers["start"] == 1
    from kamflow.model.graph import back_edges, start_ids

    loops = back_edges(process.graph, start_ids(process))
    for source, target in process.graph.edges:
        if (source, target) not in loops:
            assert numbers[source] < numbers[target]
    # a step added at the end of the flow leaves every other number alone
    text = (PROCESSES / "kam.yaml").read_text()
    edited = kamflow.load(write(text.replace("next: define_criteria", "next: kickoff", 1) + """
  - id: kickoff
    label: Kick-off meeting
    lane: sponsor
    next: define_criteria
""", name="kam.yaml"))
    again = flow_numbers(edited)
    assert again["kickoff"] == 2
    assert all(again[s] == n + 1 for s, n in numbers.items() if n >= 2)
    root = S.parse(kamflow.render_charts(process, formats=("svg",), options=RenderOptions(number=True))["svg"])
    shown = {S.step_id(n): g for n in S.groups(root, "node") for g in S.groups(n, "number")}
    assert {s: int(S.texts(g)[0]) for s, g in shown.items()} == numbers


def test_legend_and_title_block(write):
    process = kamflow.load(PROCESSES / "kam.yaml")
    root = S.parse(kamflow.render_charts(process, formats=("svg",), options=RenderOptions(legend=True))["svg"])
    legend = " ".join(S.texts(S.groups(root, "legend")[0]))
    used = {s.type for s in process.steps}
    from kamflow.rendering.shapes import SYMBOL_NAMES

    for step_type, name in SYMBOL_NAMES.items():
        assert (name in legend) == (step_type in used), name
    assert S.groups(kamflow_chart := S.parse(kamflow.render_charts(process, formats=("svg",))["svg"]), "legend") == []
    block = " ".join(S.texts(S.groups(kamflow_chart, "title-block")[0]))
    assert "Key Account Management Process" in block and "Version 1.0" in block and "Author kamflow" in block
    dated = kamflow.load(write(SIMPLE.replace("title: Simple\n", "title: Simple\ndate: \"2026-03-01\"\n")))
    assert "Date 2026-03-01" in " ".join(S.texts(S.groups(S.parse(kamflow.render_charts(dated, formats=("svg",))["svg"]), "title-block")[0]))


def _png_size(data: bytes) -> tuple[int, int]:
    return struct.unpack(">II", data[16:24])


def test_page_size_and_dpi(tmp_path):
    # a chart readable on one page (a bigger one is cut over pages: tests/office/test_page_split.py)
    small = tmp_path / "small.yaml"
    small.write_text("kamflow: 1\nid: small\nsteps:\n  - {id: a, type: start, label: Begin, next: b}\n"
                     "  - {id: b, label: Work, next: c}\n  - {id: c, label: Check, next: d}\n  - {id: d, type: end, label: Done}\n", encoding="utf-8")
    process = kamflow.load(small)
    for page, size in (("A4", (595, 842)), ("A3", (842, 1191)), ("letter", (612, 792))):
        for direction in ("TB", "LR"):
            pdf = kamflow.render(process, formats=("pdf",), output_dir=tmp_path / page / direction, options=RenderOptions(page=page, direction=direction))[0]
            info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
            line = next(line for line in info.splitlines() if line.startswith("Page size"))
            w, h = (round(float(v)) for v in line.split()[2:5:2])
            assert (w, h) == (size if direction == "TB" else size[::-1]), (page, direction, line)  # LR is wide: landscape
    charts = {dpi: kamflow.render_charts(process, formats=("png",), options=RenderOptions(dpi=dpi))["png"] for dpi in (50, 100)}
    (w50, h50), (w100, h100) = _png_size(charts[50]), _png_size(charts[100])
    assert abs(w100 - 2 * w50) <= 2 and abs(h100 - 2 * h50) <= 2
    default = RenderOptions()
    assert default.dpi == 150


def test_decision_numbers_sit_inside_the_diamond_clear_of_its_text():
    import re

    from kamflow.rendering.options import RenderOptions
    from kamflow.rendering.text import text_width

    process = kamflow.load(PROCESSES / "kam.yaml")
    root = S.parse(kamflow.render_charts(process, formats=("svg",), options=RenderOptions(number=True))["svg"])
    decisions = [g for g in S.groups(root, "node") if "kamflow-decision" in g.get("class")]
    assert len(decisions) == 6
    for node in decisions:
        points = [tuple(map(float, p.split(","))) for p in re.findall(r"-?[\d.]+,-?[\d.]+", next(el for el in node.iter() if el.tag.endswith("path")).get("d"))]
        xs, ys = [x for x, _ in points], [y for _, y in points]
        cx, cy, half_w, half_h = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2, (max(xs) - min(xs)) / 2, (max(ys) - min(ys)) / 2
        circle = next(el for el in node.iter() if el.tag.endswith("circle"))
        bx, by, r = float(circle.get("cx")), float(circle.get("cy")), float(circle.get("r"))
        assert abs(bx - cx) / half_w + abs(by - cy) / half_h <= 1.0, node.get("id")  # on the diamond
        widest = max(text_width(t.text, float(t.get("font-size"))) for t in node.iter() if t.tag.endswith("text") and t.get("font-size") == "11")
        assert bx + r <= cx - widest / 2 + 1.0, node.get("id")  # left of the label
        assert bx - r >= cx - half_w + 12, node.get("id")  # well inside the left tip, where side branches leave
