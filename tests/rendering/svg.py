"""Reading rendered SVG in tests: nodes, edges, clusters and their texts."""
import xml.etree.ElementTree as ET

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(svg: bytes) -> ET.Element:
    return ET.fromstring(svg)


def groups(root: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in root.iter("{http://www.w3.org/2000/svg}g") if cls in (g.get("class") or "").split()]


def texts(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter("{http://www.w3.org/2000/svg}text")]


def title(element: ET.Element) -> str:
    found = element.find("svg:title", NS)
    return found.text if found is not None else ""
