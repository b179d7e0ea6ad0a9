"""Process files as text and as YAML source trees: the bounded reader lives in kamflow.files and the
YAML reader in kamflow.model.yamltree (theme files use both too); the loader's names for them."""

from __future__ import annotations

from kamflow.files import DEFAULT_MAX_BYTES, MAX_BYTES_ENV, decode, max_bytes, position_of, read_bytes, read_stream, read_text
from kamflow.model.yamltree import compose, source_tree, span_at, to_source, unacceptable_character

_position_of = position_of  # the importers' name for it

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MAX_BYTES_ENV",
    "compose",
    "decode",
    "max_bytes",
    "position_of",
    "read_bytes",
    "read_stream",
    "read_text",
    "source_tree",
    "span_at",
    "to_source",
    "unacceptable_character",
]
