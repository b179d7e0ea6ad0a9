"""Reading rendered SVG in tests: nodes, edges, lanes, their texts and their geometry."""
import re
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(svg: bytes) -> ET.Element:
    return ET.fromstring(svg)


def groups(root: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if cls in (g.get("class") or "").split()]


def texts(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter(f"{SVG}text")]


def title(element: ET.Element) -> str:
    found = element.find("svg:title", NS)
    return found.text if found is not None else ""


def step_id(node: ET.Element) -> str:
    return node.get("id").removeprefix("step-")


def symbol(node: ET.Element) -> ET.Element:
    """The outline path of a step's symbol (the first path of the node)."""
    return next(node.iter(f"{SVG}path"))


def path_points(d: str) -> list[tuple[float, float]]:
    """Every coordinate pair in path data (end points, control points and arc end points)."""
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", re.sub(r"A[\d.]+,[\d.]+ \d \d \d ", "A", d))]
    return list(zip(numbers[::2], numbers[1::2]))


def bbox(d: str) -> tuple[float, float, float, float]:
    points = path_points(d)
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def rect(element: ET.Element) -> tuple[float, float, float, float]:
    x, y = float(element.get("x")), float(element.get("y"))
    return x, y, x + float(element.get("width")), y + float(element.get("height"))
