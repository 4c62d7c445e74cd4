"""Safe XML parsing (defusedxml, no DTDs) that remembers the line of each element."""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from rathaus.forms.xdatenfelder.constants import (
    MAX_BYTES,
)
from rathaus.forms.xdatenfelder.document import (
    XDatenfelderError,
)


class _LineTreeBuilder(TreeBuilder):
    """A tree builder that remembers the line each element starts on."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Element, int] = {}
        self.parser: DefusedXMLParser | None = None

    def start(self, tag: Any, attrs: dict[Any, Any], /) -> Element:
        element = super().start(tag, attrs)
        if self.parser is not None:
            self.lines[element] = self.parser.parser.CurrentLineNumber
        return element


def _parse(xml: bytes) -> tuple[Element, dict[Element, int]]:
    if not isinstance(xml, bytes | bytearray):
        raise XDatenfelderError("expected the file content as bytes")
    if not xml.strip():
        raise XDatenfelderError("the file is empty")
    if len(xml) > MAX_BYTES:
        raise XDatenfelderError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    builder = _LineTreeBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.parser = parser
    try:
        parser.feed(bytes(xml))
        root = parser.close()
    except DefusedXmlException as exc:
        raise XDatenfelderError(
            f"the file declares a DTD or entities, which are not allowed: {exc}"
        ) from exc
    except ParseError as exc:
        raise XDatenfelderError(f"the file is not well-formed XML: {exc}") from exc
    except (ValueError, LookupError) as exc:
        raise XDatenfelderError(f"the file cannot be read as XML: {exc}") from exc
    return root, builder.lines
