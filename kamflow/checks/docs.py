"""The rule pages (docs/rules/<id>.md), shipped inside the package as `kamflow.rule_docs`."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SOURCE_DOCS = Path(__file__).resolve().parent.parent.parent / "docs" / "rules"


def rule_docs_dir() -> Path:
    """The folder of rule pages: the packaged copy, else the source tree's docs/rules."""
    try:
        return Path(str(resources.files("kamflow.rule_docs")))
    except ModuleNotFoundError:
        return SOURCE_DOCS


def rule_doc(rule_id: str) -> str | None:
    """The Markdown page of a rule, or None when it has none."""
    page = rule_docs_dir() / f"{rule_id}.md"
    return page.read_text(encoding="utf-8") if page.is_file() else None
