"""The scene: one typed, positioned description of a chart, computed once per render by
`kamflow.rendering.scene_of` (layout and routing) and read by every picture writer — SVG (and so
PDF and PNG), BPMN DI, draw.io, PowerPoint — none of which re-derives geometry or reads another
stage's text. It says *what* is where; a theme says what colours and fonts that takes.

Coordinate system:
- units are points (1/72 inch); writers use them 1:1 as their own pixels (SVG user units, BPMN DI
  and draw.io pixels) or convert them (PowerPoint EMU: 12,700 per point);
- the origin is the top-left corner of the whole picture (title block and legend included), x grows
  to the right and y grows DOWNWARD;
- a Box is its top-left corner plus width and height;
- `Scene.chart` is the box of the chart proper (lanes, steps, flows), below the title block;
- lanes are full-length bands: side by side, left to right, in a TB chart; stacked top to bottom
  in an LR chart; each in declared order, as wide (TB) or tall (LR) as its own content.

Flows are orthogonal polylines: every segment is horizontal or vertical; `points[0]` lies on the
source's outline, `points[-1]` is the arrow's tip on the target's outline, and the arrowhead lies
along the last segment. `rounded` in the render options only changes how corners are drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Point = tuple[float, float]

# What a flow is, for styling and for writers that keep the distinction (BPMN, PowerPoint):
FLOW_KINDS = (
    "next",  # a plain flow to the next step
    "branch",  # a decision's labelled way out
    "loop",  # a flow that goes back against the flow direction (closes a loop)
    "ghost",  # to or from a ghost step (missing, dangling, removed), dashed
    "removed",  # a flow removed in a diff, dashed, drawn only on the chart
)
SIDES = ("top", "right", "bottom", "left")


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def center(self) -> Point:
        return (self.x + self.width / 2, self.y + self.height / 2)

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.height / 2

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def contains(self, point: Point, *, margin: float = 0.0) -> bool:
        px, py = point
        return self.x - margin <= px <= self.right + margin and self.y - margin <= py <= self.bottom + margin

    def overlaps(self, other: Box, *, margin: float = 0.0) -> bool:
        return self.x - margin < other.right and other.x < self.right + margin and self.y - margin < other.bottom and other.y < self.bottom + margin

    def moved(self, dx: float, dy: float) -> Box:
        return Box(round(self.x + dx, 2), round(self.y + dy, 2), self.width, self.height)

    def centered_box(self, width: float, height: float) -> Box:
        """A box of the given size with the same centre."""
        cx, cy = self.center
        return Box(cx - width / 2, cy - height / 2, width, height)

    def boundary_toward(self, point: Point) -> Point:
        """Where the line from this box's centre to `point` leaves the box."""
        cx, cy = self.center
        dx, dy = point[0] - cx, point[1] - cy
        if dx == 0 and dy == 0:
            return (cx, cy)
        scale = min((self.width / 2) / abs(dx) if dx else float("inf"), (self.height / 2) / abs(dy) if dy else float("inf"), 1.0)
        return (cx + dx * scale, cy + dy * scale)


@dataclass(frozen=True)
class Text:
    """Lines of text centred on (x, y), each `size` points high times the line height."""

    lines: tuple[str, ...]
    x: float
    y: float
    size: float
    bold: bool = False
    italic: bool = False
    underline: bool = False
    line_height: float = 1.22  # as a multiple of size


@dataclass(frozen=True)
class Badge:
    """A short bracketed word that says what a colour means (`[dead end]`, `[new]`): shown as text."""

    kind: str  # a mark kind: dead-end, unreachable, no-exit-loop, one-way, added, changed, removed, critical
    text: str  # without brackets


@dataclass(frozen=True)
class SceneStep:
    id: str  # the step's id, or a ghost's id (e.g. "ghost-map_dmu")
    type: str  # the symbol: start, end, step, decision, subprocess, document, data, manual, wait, ...
    box: Box
    text: Text  # the wrapped label, positioned inside the symbol
    lane: str | None  # the band it sits in (None when the chart has no lanes)
    ghost: str | None = None  # None for a real step; else the ghost kind: missing, dangling, removed
    marks: tuple[Badge, ...] = ()  # drawn as an emphasised outline plus a badge line in the symbol
    badge_text: Text | None = None  # where the marks' badge line sits
    number: int | None = None  # step number in flow order (--number)
    number_at: Point | None = None  # centre of the number badge, clear of text and flow ends
    number_radius: float = 7.5
    link: str | None = None  # an http/https/mailto URL, or the chart of a subprocess ("<id>.svg")
    subprocess: str | None = None  # the resolved process id of a subprocess step
    tooltip: str = ""  # label plus notes


@dataclass(frozen=True)
class SceneLane:
    id: str  # the lane id; "_unassigned" for the band of steps in no declared lane
    label: str  # header text ("sales (undeclared)" for a lane used but not declared)
    index: int  # position in declared order
    band: Box  # the whole band, header included
    header: Box  # the header strip at the band's start (top in TB, left in LR)
    header_text: Text
    declared: bool = True


@dataclass(frozen=True)
class SceneFlow:
    id: str  # SVG group id: "flow-<source>-<target>", "ghost-flow-...", "extra-..."
    source: str
    target: str
    kind: str  # one of FLOW_KINDS
    points: tuple[Point, ...]  # orthogonal polyline, source outline -> arrow tip
    source_side: str  # which side of the source it leaves: top, right, bottom, left
    target_side: str  # which side of the target it enters
    arrow: tuple[Point, Point, Point]  # the arrowhead triangle: wing, tip, wing
    label: Text | None = None
    label_box: Box | None = None  # the plate behind the label
    badge: Badge | None = None  # shown under the label, e.g. [removed]
    mark: str | None = None  # added, changed, critical, removed, dead-end: emphasis
    edge_index: int | None = None  # index in process.edges (None for ghost and extra flows)
    ghost_kinds: tuple[str, ...] = ()  # for ghost flows: the kinds of ghost at their ends


@dataclass(frozen=True)
class LegendEntry:
    kind: str  # symbol, ghost, flow, mark, edge-mark, number, link
    key: str  # the step type or mark kind
    badge: str  # bracketed word shown before the text ("" for none)
    text: str
    x: float  # left of the entry's symbol
    y: float  # centre line of the entry


@dataclass(frozen=True)
class Legend:
    box: Box
    title: Text
    entries: tuple[LegendEntry, ...]
    symbol_width: float = 40.0
    symbol_height: float = 22.0


@dataclass(frozen=True)
class TitleBlock:
    title: Text  # anchored at its left: x is the left edge
    meta: Text | None  # version, author, date


@dataclass(frozen=True)
class Scene:
    process_id: str
    title: str
    description: str
    direction: str  # TB or LR
    width: float  # the whole picture
    height: float
    chart: Box  # lanes, steps and flows
    title_block: TitleBlock
    steps: tuple[SceneStep, ...] = ()
    lanes: tuple[SceneLane, ...] = ()
    flows: tuple[SceneFlow, ...] = ()
    legend: Legend | None = None
    font_family: str = "DejaVu Sans"
    font_size: float = 11.0
    rounded: bool = False  # draw flow corners rounded (same routes)
    metadata: dict[str, str] = field(default_factory=dict)

    def step(self, step_id: str) -> SceneStep | None:
        for item in self.steps:
            if item.id == step_id:
                return item
        return None

    def lane(self, lane_id: str) -> SceneLane | None:
        for item in self.lanes:
            if item.id == lane_id:
                return item
        return None

    def flows_of(self, step_id: str) -> list[SceneFlow]:
        return [flow for flow in self.flows if step_id in (flow.source, flow.target)]
