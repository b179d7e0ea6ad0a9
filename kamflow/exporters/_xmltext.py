"""Text for XML formats: XML 1.0 cannot carry most control characters, even escaped, so they
become U+FFFD. Escaping of `& < > "` and newlines is left to the XML serializer (ElementTree)."""

from __future__ import annotations

import re

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
