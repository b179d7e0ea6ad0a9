"""How a kamflow id is written as a Mermaid node id and read back: the exporter and the importer
share this one codec, so `kamflow export --to mermaid` then `kamflow import` gives the same ids.

Mermaid ids are letters, digits and `_`; a `-` would start an arrow, so it is written `_h`. A `_`
that the reader could take for the start of such a pair (before `h`, `_` or `-`) is doubled, so
every id reads back as itself; `select_key` stays `select_key`."""

from __future__ import annotations

_DOUBLED_BEFORE = ("h", "_", "-")


def encode(kamflow_id: str) -> str:
    out = []
    for index, char in enumerate(kamflow_id):
        following = kamflow_id[index + 1 : index + 2]
        if char == "-":
            out.append("_h")
        elif char == "_" and following in _DOUBLED_BEFORE:
            out.append("__")
        else:
            out.append(char)
    return "".join(out)


def decode(mermaid_id: str) -> str:
    out = []
    index = 0
    while index < len(mermaid_id):
        pair = mermaid_id[index : index + 2]
        if pair == "_h":
            out.append("-")
            index += 2
        elif pair == "__":
            out.append("_")
            index += 2
        else:
            out.append(mermaid_id[index])
            index += 1
    return "".join(out)
