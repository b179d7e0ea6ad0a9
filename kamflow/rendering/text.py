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


# Advance widths (in em) of DejaVu Sans, the default chart font, for printable ASCII; other
# characters are estimated (wide East Asian characters take a full em).
_ASCII_WIDTHS = (
    0.318,
    0.401,
    0.46,
    0.838,
    0.636,
    0.95,
    0.78,
    0.275,
    0.39,
    0.39,
    0.5,
    0.838,
    0.318,
    0.361,
    0.318,
    0.337,
    0.636,
    0.636,
    0.636,
    0.636,
    0.636,
    0.636,
    0.636,
    0.636,
    0.636,
    0.636,
    0.337,
    0.337,
    0.838,
    0.838,
    0.838,
    0.531,
    1.0,
    0.684,
    0.686,
    0.698,
    0.77,
    0.632,
    0.575,
    0.775,
    0.752,
    0.295,
    0.295,
    0.656,
    0.557,
    0.863,
    0.748,
    0.787,
    0.603,
    0.787,
    0.695,
    0.635,
    0.611,
    0.732,
    0.684,
    0.989,
    0.685,
    0.611,
    0.685,
    0.39,
    0.337,
    0.39,
    0.838,
    0.5,
    0.5,
    0.613,
    0.635,
    0.55,
    0.635,
    0.615,
    0.352,
    0.635,
    0.634,
    0.278,
    0.278,
    0.579,
    0.278,
    0.974,
    0.634,
    0.612,
    0.635,
    0.635,
    0.411,
    0.521,
    0.392,
    0.634,
    0.592,
    0.818,
    0.592,
    0.592,
    0.525,
    0.636,
    0.337,
    0.636,
    0.838,
)


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """The width of one line of text in DejaVu Sans at `size` points (bold runs about 16% wider).

    >>> round(text_width("Legend", 10), 1)
    36.9
    """
    import unicodedata

    total = 0.0
    for char in text:
        code = ord(char)
        if 32 <= code < 127:
            total += _ASCII_WIDTHS[code - 32]
        elif unicodedata.east_asian_width(char) in ("W", "F"):
            total += 1.0
        else:
            total += 0.65
    return total * size * (1.16 if bold else 1.0)
