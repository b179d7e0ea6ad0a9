"""What exporters read of a chart's scene (rendering/layout.py makes it from the scene): node
boxes, orthogonal flow paths and lane bands, as plain values, with the scene's Box.

Coordinate system (every exporter that needs geometry reads this, none computes its own):
- units are Graphviz points (1/72 inch); exporters use them 1:1 as their own pixels;
- the origin is the top-left corner of the drawing, x grows to the right and y grows DOWNWARD
  (as in SVG, BPMN DI and draw.io; Graphviz's own y axis is flipped when the layout is read);
- a Box is (x, y) of its top-left corner plus width and height;
- lanes are bands: in an LR layout each lane is a horizontal band across the whole width, stacked
  top to bottom in lane order; in a TB layout each lane is a vertical band over the whole height,
  side by side left to right. Steps without a (known) lane sit in a last, unlabelled band (lane None).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from kamflow.model.scene import Box, Point

__all__ = ["Box", "EdgePath", "LaneBand", "Layout", "Point"]


@dataclass(frozen=True)
class EdgePath:
    """One drawn flow: its index in process.edges, the polyline from source to target (first point
    on the source's box, last point at the arrow tip on the target's box) and where its label sits."""

    index: int
    source: str
    target: str
    points: tuple[Point, ...]
    label_at: Point | None = None


@dataclass(frozen=True)
class LaneBand:
    lane: str | None  # None: the band of steps without a known lane
    box: Box


@dataclass(frozen=True)
class Layout:
    direction: str  # "TB" or "LR": the flow's main axis
    width: float
    height: float
    nodes: dict[str, Box] = field(default_factory=dict)
    edges: tuple[EdgePath, ...] = ()
    lanes: tuple[LaneBand, ...] = ()

    def edge_for(self, index: int) -> EdgePath | None:
        for edge in self.edges:
            if edge.index == index:
                return edge
        return None

    def band_of(self, lane: str | None) -> LaneBand | None:
        for band in self.lanes:
            if band.lane == lane:
                return band
        return None

    def moved(self, dx: float, dy: float) -> "Layout":
        """The same layout shifted; width and height grow by the shift (room for headers)."""
        return Layout(
            direction=self.direction,
            width=self.width + dx,
            height=self.height + dy,
            nodes={key: box.moved(dx, dy) for key, box in self.nodes.items()},
            edges=tuple(
                replace(
                    edge,
                    points=tuple((x + dx, y + dy) for x, y in edge.points),
                    label_at=(edge.label_at[0] + dx, edge.label_at[1] + dy) if edge.label_at else None,
                )
                for edge in self.edges
            ),
            lanes=tuple(replace(band, box=band.box.moved(dx, dy)) for band in self.lanes),
        )
