"""Everything that changes how a chart looks, as one value: it is passed from the CLI through the
API to the renderer, and its fields are part of the render cache key."""
from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class RenderOptions:
    direction: str | None = None  # TB or LR; None keeps the process's own
    ghosts: bool = True  # draw missing steps (reference, flows to missing ids) as ghosts and mark dead ends

    def key(self) -> dict:
        """A plain, JSON-serialisable view used for cache keys."""
        return asdict(self)
