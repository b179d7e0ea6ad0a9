"""`make gallery`: every bundled process (processes/*.yaml) drawn top-to-bottom and left-to-right
in each built-in theme, as SVG and PNG, into docs/gallery/, with an index page (README.md).
Run from the repository root: `.venv/bin/python docs/gallery/build.py`."""
from __future__ import annotations

import sys
from pathlib import Path

import kamflow
from kamflow.rendering.options import RenderOptions
from kamflow.rendering.themes import builtin_names

ROOT = Path(__file__).resolve().parents[2]
GALLERY = ROOT / "docs" / "gallery"
DPI = 56  # modest: the SVG beside each PNG is the full-quality picture


def main() -> int:
    processes = sorted((kamflow.load(path) for path in (ROOT / "processes").glob("*.yaml")), key=lambda p: (p.id != "kam", p.id))
    rows = ["# Gallery", "", "Every bundled process, drawn by `make gallery` in both directions and all three built-in",
            "themes (with `--legend`). Each PNG links to its SVG.", ""]
    written = 0
    for process in processes:
        rows += [f"## {process.title} (`{process.id}`)", "", "| | " + " | ".join(builtin_names()) + " |", "|---|" + "---|" * len(builtin_names())]
        for direction in ("TB", "LR"):
            cells = []
            for theme in builtin_names():
                stem = f"{process.id}-{direction.lower()}-{theme}"
                options = RenderOptions(direction=direction, theme=theme, legend=True, dpi=DPI)
                charts = kamflow.render_charts(process, formats=("svg", "png"), options=options)
                for fmt, data in charts.items():
                    target = GALLERY / f"{stem}.{fmt}"
                    if not target.exists() or target.read_bytes() != data:
                        target.write_bytes(data)
                    written += 1
                cells.append(f"[![{process.id} {direction} {theme}]({stem}.png)]({stem}.svg)")
            rows.append(f"| {direction} | " + " | ".join(cells) + " |")
        rows.append("")
    (GALLERY / "README.md").write_text("\n".join(rows), encoding="utf-8")
    print(f"gallery: {written} files in {GALLERY.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
