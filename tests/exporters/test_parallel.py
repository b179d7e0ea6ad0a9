"""The `parallel` step type: drawn with the ISO 5807 parallel-mode symbol and kept by every
export that has a parallel element (BPMN parallel gateway, draw.io gateway, Mermaid fork)."""
import re
import xml.etree.ElementTree as ET

import kamflow

PROCESS = """\
kamflow: 1
id: offer
steps:
  - {id: start, type: start, label: Request received, next: fork}
  - {id: fork, type: parallel, label: Review in parallel, next: [legal, pricing]}
  - {id: legal, label: Legal review, next: join}
  - {id: pricing, label: Pricing review, next: join}
  - {id: join, type: parallel, label: Both reviews done, next: finish}
  - {id: finish, type: end, label: Offer sent}
"""
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def _process():
    return kamflow.loads(PROCESS, name="offer.yaml")


def test_parallel_steps_check_clean():
    assert kamflow.check(_process(), preset="all") == []


def test_svg_draws_two_parallel_horizontal_lines_with_the_label_between():
    svg = kamflow.render(_process(), formats=("svg",), output_dir=None)["svg"].decode()
    group = re.search(r'<g id="step-fork" class="node kamflow-parallel">(.*?)</g>\s*</g>', svg, re.S).group(1)
    path = re.search(r'<path d="([^"]+)"', group).group(1)
    (x1, y1, x2, y2), (x3, y3, x4, y4) = [tuple(map(float, re.findall(r"-?[\d.]+", part))) for part in path.split("M")[1:]]
    assert y1 == y2 and y3 == y4 and y3 > y1  # two horizontal lines, one above the other
    assert (x1, x2) == (x3, x4) and x2 > x1
    text_y = float(re.search(r'<text[^>]* y="([\d.]+)"', group).group(1))
    assert y1 < text_y < y3


def test_bpmn_export_writes_parallel_gateways_and_no_extra_gateways():
    root = ET.fromstring(kamflow.export(_process(), to="bpmn"))
    process = root.find(f"{BPMN}process")
    gateways = process.findall(f"{BPMN}parallelGateway")
    assert sorted(g.get("name") for g in gateways) == ["Both reviews done", "Review in parallel"]
    assert process.findall(f"{BPMN}exclusiveGateway") == []  # no join gateway in front of the join
    fork = next(g for g in gateways if g.get("name") == "Review in parallel")
    assert len(fork.findall(f"{BPMN}outgoing")) == 2
    join = next(g for g in gateways if g.get("name") == "Both reviews done")
    assert len(join.findall(f"{BPMN}incoming")) == 2


def test_drawio_and_mermaid_exports_keep_parallel_steps():
    drawio = ET.fromstring(kamflow.export(_process(), to="drawio"))
    styles = {cell.get("id"): cell.get("style") for cell in drawio.iter("mxCell")}
    assert "gwType=parallel" in styles["step-fork"] and "gwType=parallel" in styles["step-join"]
    mermaid = kamflow.export(_process(), to="mermaid")
    assert 's_fork@{ shape: fork, label: "Review in parallel" }' in mermaid
