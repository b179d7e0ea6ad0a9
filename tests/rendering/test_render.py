"""Render tests read the SVG: nodes, symbols by type, edge labels, lanes, escaping, determinism."""
import subprocess

import pytest

import kamflow
from kamflow.rendering.options import RenderOptions
from tests.conftest import PROCESSES, SIMPLE
from tests.rendering import svg as S

NASTY = [
    'Say "hello"',
    "back\\slash and \\n and \\N",
    "{braces} [brackets]",
    "<b>not bold</b>",
    "<draft>",
    "Fish & chips; 100%",
    "Größe prüfen – naïve café",
    "label=evil, shape=none",
    "\\",
    "Yes",
]
ALLOWED_TAGS = {"svg", "g", "title", "desc", "text", "path", "polygon", "rect", "circle", "a"}


def _svg(process, **options):
    return S.parse(kamflow.render_charts(process, formats=("svg",), **options)["svg"])


def test_kam_chart_has_every_step_symbol_and_lane():
    process = kamflow.load(PROCESSES / "kam.yaml")
    root = _svg(process, options=RenderOptions(ghosts=False))
    nodes = S.groups(root, "node")
    assert sorted(S.title(n) for n in nodes) == sorted(s.id for s in process.steps)
    by_id = {S.title(n): n for n in nodes}
    for step in process.steps:
        node = by_id[step.id]
        assert node.get("id") == f"step-{step.id}"
        assert f"kamflow-{step.type}" in node.get("class")
        shown = " ".join(S.texts(node))
        assert " ".join(shown.split()) == " ".join(step.label.split())
        if step.type == "decision":  # a diamond: four corners, closed
            d = S.symbol(node).get("d")
            assert d.count("L") == 3 and d.endswith("Z")
    lanes = S.groups(root, "lane")
    assert [S.texts(c)[0] for c in lanes] == [lane.label.split()[0] for lane in process.lanes] or [
        " ".join(S.texts(c)) for c in lanes
    ] == [lane.label for lane in process.lanes]
    assert [c.get("id") for c in lanes] == [f"lane-{lane.id}" for lane in process.lanes]
    edges = S.groups(root, "edge")
    assert len(edges) == len({(e.source, e.target) for e in process.edges})
    edge_labels = sorted(" ".join(S.texts(g)) for g in S.groups(root, "flow-label"))
    assert {g.get("id") for g in S.groups(root, "flow-label")} <= {"label-" + e.get("id") for e in edges}
    assert edge_labels == sorted(" ".join(e.label.split()) for e in process.edges if e.label)
    assert S.title(root) == "Key Account Management Process"
    assert "Key Account Management Process" in " ".join(S.texts(S.groups(root, "title-block")[0]))


@pytest.mark.parametrize("label", NASTY)
def test_user_text_comes_out_as_the_same_text(write, label):
    quoted = label.replace("'", "''")
    path = write(
        f"""\
kamflow: 1
id: nasty
title: '{quoted}'
lanes: [{{id: a, label: '{quoted}'}}]
steps:
  - {{id: start, type: start, label: '{quoted}', lane: a, next: d}}
  - id: d
    type: decision
    label: '{quoted}'
    lane: a
    branches:
      '{quoted}': e1
      other: e2
  - {{id: e1, type: end, label: '{quoted}', lane: a}}
  - {{id: e2, type: end, label: x, lane: a}}
"""
    )
    process = kamflow.load(path)
    root = _svg(process)
    normal = " ".join(label.split())
    # wrapping may split at spaces; compare word sequences per element
    for element in S.groups(root, "node") + S.groups(root, "edge") + S.groups(root, "lane"):
        words = " ".join(" ".join(S.texts(element)).split())
        if S.texts(element) and words not in ("x", "other"):
            assert words == normal
    assert S.title(root) == label
    # nothing became markup: only kamflow's own elements, no foreignObject, image or script
    tags = {el.tag.split("}")[1] for el in root.iter()}
    assert tags <= ALLOWED_TAGS


def test_render_writes_files_and_is_byte_identical(tmp_path):
    process = kamflow.load(PROCESSES / "kam.yaml")
    options = RenderOptions(number=True, legend=True, page="A4", dpi=60, theme="colorblind")
    first = kamflow.render(process, formats=("svg", "pdf", "png", "dot"), output_dir=tmp_path / "a", options=options)
    second = kamflow.render(process, formats=("svg", "pdf", "png", "dot"), output_dir=tmp_path / "b", options=options)
    assert [p.name for p in first] == ["kam.svg", "kam.pdf", "kam.png", "kam.dot"]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert first[1].read_bytes().startswith(b"%PDF")
    assert first[2].read_bytes().startswith(b"\x89PNG")
    assert b"/CreationDate" in first[1].read_bytes() and b"1970" in first[1].read_bytes()  # SOURCE_DATE_EPOCH 0, not today
    assert str(tmp_path).encode() not in first[0].read_bytes() + first[1].read_bytes() + first[3].read_bytes()
    assert not list((tmp_path / "a").glob(".*"))  # no temporary files left


def _pdffonts(pdf) -> list[str]:
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return listing.splitlines()[2:]


def test_pdf_embeds_its_fonts_for_every_script(tmp_path, write):
    path = write(
        """\
kamflow: 1
id: scripts
title: Größe prüfen – 日本語のラベル
lanes: [{id: a, label: العربية}]
steps:
  - {id: s, type: start, label: Anfrage prüfen, lane: a, next: t}
  - {id: t, label: 顧客の意思決定, lane: a, next: u}
  - {id: u, label: مراجعة الحساب, lane: a, next: v}
  - {id: v, label: Done 🚀 ✅, lane: a, next: e}
  - {id: e, type: end, label: Ende, lane: a}
"""
    )
    pdf = kamflow.render(kamflow.load(path), formats=("pdf",), output_dir=tmp_path)[0]
    rows = _pdffonts(pdf)
    assert len(rows) >= 2
    for row in rows:
        assert row.split()[-5] == "yes", row  # the `emb` column
    names = " ".join(rows)
    assert "DejaVuSans" in names and "CJK" in names
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for word in ("prüfen", "顧客の意思決定", "Ende"):
        assert word in text


def test_direction_option_changes_layout(write):
    process = kamflow.load(write(SIMPLE))
    tb = kamflow.render_charts(process, formats=("dot",))["dot"].decode()
    lr = kamflow.render_charts(process, formats=("dot",), direction="LR")["dot"].decode()
    assert "rankdir=TB" in tb and "rankdir=LR" in lr


ALL_TYPES = """\
kamflow: 1
id: symbols
title: Every symbol
steps:
  - {id: s, type: start, label: Begin, next: a}
  - {id: a, type: step, label: Do the work, next: b}
  - {id: b, type: decision, label: Good?, branches: {"Yes": c, "No": a}}
  - {id: c, type: subprocess, label: Plan the account, process: account-planning, next: d}
  - {id: d, type: document, label: Write the report, next: f}
  - {id: f, type: data, label: Customer data, next: g}
  - {id: g, type: manual, label: Sign by hand, next: h}
  - {id: h, type: wait, label: Wait a week, next: e}
  - {id: e, type: end, label: Finish}
"""


def test_one_distinct_symbol_per_step_type(write):
    process = kamflow.load(write(ALL_TYPES))
    root = _svg(process)
    nodes = {S.step_id(n): n for n in S.groups(root, "node")}
    d = {step_id: S.symbol(node).get("d") for step_id, node in nodes.items()}

    def corners(path):
        return S.path_points(path)[:4]

    # terminator: a stadium, two half circles
    for step_id in ("s", "e"):
        assert d[step_id].count("A") == 2
    # delay: a "D", one half circle on the right
    assert d["h"].count("A") == 1
    x0, _, x1, _ = S.bbox(d["h"])
    assert S.path_points(d["h"])[0][0] == pytest.approx(x0)  # flat left side
    # process: an axis-aligned rectangle
    (ax, ay), (bx, by), (cx, cy), (dx, dy) = corners(d["a"])
    assert ay == by and bx == cx and cy == dy and dx == ax
    # decision: a diamond, the corners at the middles of the box's sides
    (tx, ty), (rx, ry), (bx, by), (lx, ly) = corners(d["b"])
    assert tx == pytest.approx(bx) and ry == pytest.approx(ly) and ty < ry < by and lx < tx < rx
    # predefined process: a rectangle plus two inner vertical bars
    bars = list(nodes["c"].iter(f"{S.SVG}path"))[1].get("d")
    (p, q), (r, s2), (t, u), (v, w) = S.path_points(bars)
    assert p == r and t == v and p < t  # two vertical lines
    cx0, _, cx1, _ = S.bbox(d["c"])
    assert cx0 < p < t < cx1
    # document: straight top and sides, a wavy (curved) bottom
    assert d["d"].count("C") == 2 and d["d"].count("A") == 0
    # data: a parallelogram leaning right (top edge shifted right of the bottom edge)
    (t1x, t1y), (t2x, _), (b2x, b2y), (b1x, _) = corners(d["f"])
    assert t1y < b2y and t1x > b1x and t2x > b2x and (t2x - t1x) == pytest.approx(b2x - b1x)
    # manual operation: a trapezium, wide side up
    (t1x, _), (t2x, _), (b2x, _), (b1x, _) = corners(d["g"])
    assert (t2x - t1x) > (b2x - b1x) and b1x > t1x
    # every type draws a different outline
    outlines = {step_id: S.path_points(path) for step_id, path in d.items()}
    normalised = set()
    for step_id, points in outlines.items():
        x0, y0, x1, y1 = S.bbox(d[step_id])
        normalised.add((d[step_id].count("A"), d[step_id].count("C"), tuple((round((x - x0) / (x1 - x0), 2), round((y - y0) / (y1 - y0), 2)) for x, y in points[:4])))
    # start and end share the terminator; a subprocess is the process rectangle plus its bars (above)
    assert len(normalised) == 7
