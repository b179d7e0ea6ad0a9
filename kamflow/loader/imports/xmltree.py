"""XML read safely into a small element tree that keeps each element's line and column.

defusedxml's expat SAX driver with everything dangerous forbidden: no DTD at all (so no entity
declarations: no billion laughs, no quadratic blow-up, no external entities reading local files or
fetching URLs), no external references. Namespaces are resolved, so elements are matched by
(namespace, local name) whatever prefix a tool chose. expat reads UTF-8, UTF-16 and ISO-8859-1
itself and other single-byte encodings (windows-1252) through Python's codecs. Every failure is a
LoadError with the position where the parser stopped.
"""

from __future__ import annotations

import io
import xml.sax
import xml.sax.handler
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException
from defusedxml.sax import make_parser

from kamflow.errors import LoadError, Problem, Span

MAX_DEPTH = 200  # real diagrams nest a few dozen levels at most
MAX_ELEMENTS = 500_000


@dataclass
class Element:
    ns: str
    tag: str  # local name
    attrs: dict[str, str]  # attributes without a namespace by local name; others as "{ns}name"
    line: int
    column: int
    children: list["Element"] = field(default_factory=list)
    text: str = ""

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def iter(self):
        """This element and every element below it, in document order (no recursion)."""
        stack = [self]
        while stack:
            element = stack.pop()
            yield element
            stack.extend(reversed(element.children))

    def find(self, tag: str, ns: str | None = None) -> "Element | None":
        for child in self.children:
            if child.tag == tag and (ns is None or child.ns == ns):
                return child
        return None

    def findall(self, tag: str, ns: str | None = None) -> list["Element"]:
        return [c for c in self.children if c.tag == tag and (ns is None or c.ns == ns)]

    def span(self, shown: str) -> Span:
        return Span(shown, self.line, self.column)


class _Handler(xml.sax.handler.ContentHandler):
    def __init__(self, shown: str):
        super().__init__()
        self.shown = shown
        self.root: Element | None = None
        self.stack: list[Element] = []
        self.texts: list[list[str]] = []
        self.count = 0
        self.locator = None

    def setDocumentLocator(self, locator):
        self.locator = locator

    def _where(self) -> tuple[int, int]:
        if self.locator is None:
            return 1, 1
        return self.locator.getLineNumber() or 1, (self.locator.getColumnNumber() or 0) + 1

    def startElementNS(self, name, qname, attrs):
        line, column = self._where()
        self.count += 1
        if len(self.stack) >= MAX_DEPTH:
            raise LoadError([Problem(Span(self.shown, line, column), f"XML nested more than {MAX_DEPTH} levels deep")])
        if self.count > MAX_ELEMENTS:
            raise LoadError([Problem(Span(self.shown, line, column), f"more than {MAX_ELEMENTS:,} XML elements")])
        values = {}
        for (ns, local), value in attrs.items():
            values[local if not ns else f"{{{ns}}}{local}"] = value
        element = Element(name[0] or "", name[1], values, line, column)
        if self.stack:
            self.stack[-1].children.append(element)
        else:
            self.root = element
        self.stack.append(element)
        self.texts.append([])

    def endElementNS(self, name, qname):
        element = self.stack.pop()
        element.text = "".join(self.texts.pop())

    def characters(self, content):
        if self.texts:
            self.texts[-1].append(content)


def parse_xml(data: bytes, shown: str) -> Element:
    """Bytes of an XML document -> its root Element, or a LoadError at the failing position."""
    handler = _Handler(shown)
    parser = make_parser()
    parser.forbid_dtd = True  # also covers entities and external references: no DTD, no entities
    parser.setFeature(xml.sax.handler.feature_namespaces, True)
    parser.setFeature(xml.sax.handler.feature_external_ges, False)
    parser.setContentHandler(handler)
    source = xml.sax.xmlreader.InputSource()
    source.setByteStream(io.BytesIO(data))
    try:
        parser.parse(source)
    except xml.sax.SAXParseException as error:
        message = str(error.getMessage())
        raise LoadError([Problem(Span(shown, error.getLineNumber() or 1, (error.getColumnNumber() or 0) + 1), f"invalid XML: {message}")]) from None
    except DefusedXmlException:
        line, column = _position(parser)
        raise LoadError(
            [
                Problem(
                    Span(shown, line, column),
                    "XML with a document type declaration (DTD) is not read: entities and external references could expand or fetch content",
                )
            ]
        ) from None
    except LookupError as error:  # an encoding Python does not know
        raise LoadError([Problem(Span(shown, 1, 1), f"invalid XML: {error}")]) from None
    except UnicodeError:
        raise LoadError([Problem(Span(shown, 1, 1), "invalid XML: the bytes do not match the declared encoding")]) from None
    except ValueError as error:  # expat: "multi-byte encodings are not supported" and the like
        raise LoadError([Problem(Span(shown, 1, 1), f"invalid XML: {error}")]) from None
    if handler.root is None:
        raise LoadError([Problem(Span(shown, 1, 1), "invalid XML: no root element")])
    return handler.root


def _position(parser) -> tuple[int, int]:
    try:
        return parser.getLineNumber() or 1, (parser.getColumnNumber() or 0) + 1
    except Exception:  # noqa: BLE001 - the parser may be closed; the start of the file is honest enough
        return 1, 1
