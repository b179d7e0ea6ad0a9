"""Everything that changes how a chart looks, as one value: it is passed from the CLI through the
API to the renderer, and its fields are part of the render cache key."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable

# Paper sizes in points (portrait); kamflow turns the page when the chart is wider than tall.
HIGHLIGHTS = ("critical-path",)
EDGE_STYLES = ("orthogonal", "rounded")
PAGE_SIZES = {"A4": (595.28, 841.89), "A3": (841.89, 1190.55), "letter": (612.0, 792.0)}
DIRECTIONS = ("TB", "LR")


def chart_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    """Chart formats as a user gives them ("svg,pdf" or a list): checked, lower-case, without repeats."""
    from kamflow.errors import UsageError
    from kamflow.rendering.graphviz_run import RENDER_FORMATS

    if isinstance(formats, str):
        formats = formats.split(",")
    wanted = tuple(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    unknown = [f for f in wanted if f not in RENDER_FORMATS]
    if unknown or not wanted:
        raise UsageError(f"unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(RENDER_FORMATS)}")
    return wanted


def check_direction(direction: str | None) -> None:
    """A chart or export direction is TB, LR or None (the process's own); anything else is a usage error."""
    if direction is not None and direction not in DIRECTIONS:
        from kamflow.errors import UsageError

        raise UsageError(f"direction must be TB or LR, not {direction!r}")


@dataclass(frozen=True)
class RenderOptions:
    direction: str | None = None  # TB or LR; None keeps the process's own
    theme: str | None = None  # a built-in theme name or a theme file; None: the process's `theme:`, else default
    number: bool = False  # step numbers in flow order on the chart
    legend: bool = False  # a legend of the symbols the chart uses
    page: str | None = None  # PDF page: A4, A3 or letter (landscape when the chart is wider than tall)
    dpi: int = 150  # PNG resolution
    wrap: int = 24  # label wrap width in characters (8..60)
    ghosts: bool = True  # draw missing steps (reference, flows to missing ids) as ghosts and mark dead ends
    edges: str | None = None  # "orthogonal" or "rounded" corners (same routes); None: the theme's, else orthogonal
    highlight: str | None = None  # "critical-path": the longest start-to-end path by duration, emphasised
    # (step id, process id) of every subprocess step whose process the api resolved: the step links
    # to <process id>.svg / .pdf. None: not resolved (then a subprocess naming a plain id links to
    # <id>.<ext>, one naming a file path gets no link); a subprocess missing from the tuple gets no link.
    subprocess_links: tuple[tuple[str, str], ...] | None = None
    timeout: float = 60.0  # seconds each Graphviz or rsvg-convert run may take before it is killed (not part of the cache key)

    def __post_init__(self):
        from kamflow.errors import UsageError

        check_direction(self.direction)
        if self.highlight is not None and self.highlight not in HIGHLIGHTS:
            raise UsageError(f"highlight must be one of {', '.join(HIGHLIGHTS)}, not {self.highlight!r}")
        if self.edges is not None and self.edges not in EDGE_STYLES:
            raise UsageError(f"edges must be one of {', '.join(EDGE_STYLES)}, not {self.edges!r}")
        if self.page is not None and self.page not in PAGE_SIZES:
            raise UsageError(f"page must be one of {', '.join(PAGE_SIZES)}, not {self.page!r}")
        if not 8 <= self.wrap <= 60:
            raise UsageError(f"wrap width must be from 8 to 60 characters, not {self.wrap}")
        if not 30 <= self.dpi <= 1200:
            raise UsageError(f"dpi must be from 30 to 1200, not {self.dpi}")
        if not 0 < self.timeout <= 86400:
            raise UsageError(f"timeout must be more than 0 and at most 86400 seconds, not {self.timeout}")

    def key(self) -> dict:
        """A plain, JSON-serialisable view used for cache keys."""
        key = asdict(self)
        del key["timeout"]  # how long Graphviz may take does not change the chart
        return key
