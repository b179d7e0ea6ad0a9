"""The one link policy: which step links reach any output (chart, PDF, report, export).

A step's `link` is followed only when it is an http, https or mailto URL with no spaces, quotes or
angle brackets in it (surrounding spaces are dropped); anything else (javascript:, data:, file:,
a relative path) appears nowhere and gets one warning."""

from __future__ import annotations

import re

from kamflow.model.process import Process

_SAFE_URL = re.compile(r"\A(?:https?://|mailto:)[^\s\"'<>]+\Z", re.I)


def safe_link(value: object) -> str | None:
    """A step's `link` when it is an http, https or mailto URL; None otherwise.

    >>> safe_link(" https://example.com/a "), safe_link("mailto:a"), safe_link("javascript:alert(1)")
    ('https://example.com/a', 'mailto:a', None)
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text if _SAFE_URL.match(text) else None


def unsafe_links(process: Process) -> list[str]:
    """Warnings for step links that no output shows (not http, https or mailto)."""
    found = []
    for step in process.steps:
        link = step.metadata.get("link")
        if link is not None and safe_link(link) is None:
            found.append(
                f"{step.span_of('link')}: warning: link of step '{step.id}' is not an http, https or mailto URL; it is not linked on the chart"
            )
    return found
