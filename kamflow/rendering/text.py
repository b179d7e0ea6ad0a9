"""Text handling shared by every chart writer: wrapping labels into lines and keeping user text
safe for XML. Pure functions, no Graphviz."""
from __future__ import annotations

import re
import textwrap

DEFAULT_WRAP = 24
MAX_LINE = 60  # no line of a chart is wider than this many characters
MIN_WRAP = 8
DECISION_WRAP = 16  # a diamond grows with the square of its text width: keep its lines short

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def wrap(text: str, width: int = DEFAULT_WRAP) -> list[str]:
    """Lines of at most `width` characters (never more than 60), broken at spaces. A word is cut
    only when it alone is longer than the width. Line breaks the user wrote are kept.

    >>> wrap("Agree key account selection criteria")
    ['Agree key account', 'selection criteria']
    >>> wrap("Kundenzufriedenheitsbefragungsauswertung", 24)
    ['Kundenzufriedenheitsbefr', 'agungsauswertung']
    """
    width = max(1, min(width, MAX_LINE))
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines.extend(textwrap.wrap(paragraph, width, break_long_words=True, break_on_hyphens=False) or [""])
    while len(lines) > 1 and not lines[-1]:
        lines.pop()
    return lines


def xml_text(text: str) -> str:
    """User text as XML character data: escaped, characters XML cannot hold replaced by U+FFFD."""
    text = _NOT_XML.sub("\ufffd", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_attr(text: str) -> str:
    """User or kamflow text as a double-quoted XML attribute value (without the quotes)."""
    return xml_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;").replace("\r", "&#13;")
