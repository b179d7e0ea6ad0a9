"""A small HTML reader for report tests: the tags with their attributes, and tables as rows of cell text."""
from __future__ import annotations

from html.parser import HTMLParser


class Page(HTMLParser):
    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.tables: list[dict] = []  # {"class": ..., "head": [...], "rows": [[cell text, ...]], "links": [[href...]]}
        self._stack: list[dict] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_head = False
        self.text: list[str] = []
        self.h1 = ""
        self._h1 = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attributes))
        if tag == "table":
            self._stack.append({"class": attributes.get("class", ""), "head": [], "rows": [], "row_ids": []})
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self._stack:
            self._row = []
            if not self._in_head:
                self._stack[-1]["row_ids"].append(attributes.get("id", ""))
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "h1":
            self._h1 = True
        elif tag in ("br", "li") and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._stack:
            if self._in_head:
                self._stack[-1]["head"].extend(self._row)
            else:
                self._stack[-1]["rows"].append(self._row)
            self._row = None
        elif tag == "thead":
            self._in_head = False
        elif tag == "table" and self._stack:
            self.tables.append(self._stack.pop())
        elif tag == "h1":
            self._h1 = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._h1:
            self.h1 += data
        self.text.append(data)

    def table(self, css_class: str) -> dict:
        found = [t for t in self.tables if t["class"] == css_class]
        assert len(found) == 1, f"expected one table.{css_class}, found {len(found)}"
        return found[0]

    def attrs(self, tag: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag]
