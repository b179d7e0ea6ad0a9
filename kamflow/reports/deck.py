"""A PowerPoint deck of processes, assembled from their subjects: a title slide, an index slide
when there are several, then each chart, cut over several slides joined by off-page connectors
when its text would be below 9 pt on one; speaker notes from the report's view of the steps. The
exporter (exporters.pptx) writes the slides as native, editable shapes."""

from __future__ import annotations

from typing import Sequence

from kamflow.errors import RenderError
from kamflow.reports.subject import Subject
from kamflow.reports.viewmodel import build_view


def pptx_deck(subjects: Sequence[Subject], *, title: str | None = None, notes: list[str] | None = None) -> bytes:
    """The .pptx bytes; a subprocess step links to the slide of its process when that is in the
    deck; what was split is appended to `notes`. The same input gives the same bytes."""
    from kamflow.exporters.pptx import MARGIN, SLIDE_HEIGHT, SLIDE_WIDTH, TITLE_HEIGHT, ChartSlide, Deck, drawn_region, write_pptx
    from kamflow.model.split import numbered, smallest_text
    from kamflow.rendering.chart import chart_plan, resolve_theme
    from kamflow.rendering.svg import flow_numbers

    room = (SLIDE_WIDTH - 2 * MARGIN, SLIDE_HEIGHT - TITLE_HEIGHT - 2 * MARGIN)

    def text_at(scenes) -> float:
        sizes = []
        for scene in scenes:
            region = drawn_region(scene)
            sizes.append(smallest_text(scene) * min(room[0] / max(region.width, 1.0), room[1] / max(region.height, 1.0), 1.5))
        return min(sizes)

    ids = {subject.process.id for subject in subjects}
    several = len(subjects) > 1
    slides, themes = [], {}
    number = 2 if several else 1  # the title slide, then the index slide
    for subject in subjects:
        process = subject.process
        try:
            plan = chart_plan(process, overlay=subject.overlay, options=subject.options, unit="slide", text_at=text_at)
        except RenderError as error:
            raise error.at(process.path) from None
        view = build_view(process, subject.findings, numbers=flow_numbers(process))
        theme = resolve_theme(process, subject.options)
        scenes = numbered(plan, number)
        count = len(scenes)
        by_step = {step["id"]: step for step in view["steps"]}
        for index, scene in enumerate(scenes, start=1):
            key = process.id if index == 1 else f"{process.id}#{index}"
            links: dict[str, str] = {}
            for step in scene.steps:
                if step.subprocess and step.subprocess in ids:
                    links[step.id] = step.subprocess
                elif step.id.startswith("offpage-to-") or step.id.startswith("offpage-from-"):
                    cut = next(c for c in plan.cuts if c.letter == step.id.rsplit("-", 1)[1])
                    part = cut.target_part if step.id.startswith("offpage-to-") else cut.source_parts[0]
                    links[step.id] = process.id if part == 1 else f"{process.id}#{part}"
            own = plan.parts[index - 1].steps if plan.split else tuple(by_step)
            subtitle = f"{process.id} · part {index} of {count}" if count > 1 else process.id
            slides.append(ChartSlide(key, scene, process.title, subtitle, speaker_notes([by_step[s] for s in by_step if s in own]), links))
            themes[key] = theme
        number += count
        if plan.split and notes is not None:
            notes.append(plan.summary(f"{process.path}: slides"))
    if several:
        cover = Deck(title or "Process portfolio", f"{len(subjects)} processes", tuple(slides), index=True, author="kamflow")
    else:
        process = subjects[0].process
        meta = " · ".join(filter(None, [process.description[:300], process.version and f"version {process.version}", process.author, process.date]))
        cover = Deck(title or process.title, meta, tuple(slides), author=process.author or "kamflow")
    return write_pptx(cover, themes=themes)


def speaker_notes(steps: list[dict]) -> str:
    """What a presenter says about each step on a slide: number and label, then owner, duration,
    KPIs, inputs and outputs (from the report's view of the steps)."""
    lines = []
    for step in steps:
        lines.append(f"{step['number']}. {step['label']}")
        facts = [
            ("Lane", step["lane"]),
            ("Owner", step["owner"]),
            ("Duration", step["duration"]),
            ("KPIs", "; ".join(step["kpis"])),
            ("Inputs", "; ".join(step["inputs"])),
            ("Outputs", "; ".join(step["outputs"])),
            ("Notes", step["notes"]),
        ]
        lines.extend(f"   {name}: {value}" for name, value in facts if value)
    return "\n".join(lines)
