"""Which texts of a FIM element are for whom (ADR 0034).

Citizens see the label (`bezeichnungEingabe`, else `name`) and the input help
(`hilfetextEingabe`; the schema's `hilfetext`) and nothing else. `beschreibung`, `definition`,
`bezug` (legal references) and `fachlicherErsteller` are written by and for the editors of the
schema: they become one editor note per element, which staff see next to the form version
(`layout["editor_notes"]`). `hilfetextAusgabe` is meant for printed output and is not used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from rathaus.forms.xdatenfelder.document import _Child, _Document, _Field, _Group
from rathaus.forms.xdatenfelder.helpers import _one_line, _shorten

# element -> the German name shown to staff
EDITOR_ELEMENTS: Final = (
    ("beschreibung", "Beschreibung"),
    ("definition", "Definition"),
    ("bezug", "Bezug"),
    ("fachlicherErsteller", "Fachlich verantwortlich"),
)
NOTE_LIMIT: Final = 600  # characters of one text in an editor note


def editor_note(texts: dict[str, list[str]]) -> str:
    """'Beschreibung: …; Bezug: § 5 AufenthG' from the editor elements' texts (may be '')."""
    parts = []
    for element, title in EDITOR_ELEMENTS:
        values = [_one_line(text) for text in texts.get(element, [])]
        joined = "; ".join(value for value in values if value)
        if joined:
            parts.append(f"{title}: {_shorten(joined, NOTE_LIMIT)}")
    return " · ".join(parts)


def editor_notes(document: _Document) -> list[str]:
    """One line per element that has an editor note, in the order of the schema."""
    notes = []
    if document.editor_note:
        notes.append(f"Schema {document.id} „{document.title}“ – {document.editor_note}")
    seen: set[tuple[str, str]] = set()
    for element in _elements(document.children):
        key = (element.id, element.version)
        if element.editor_note and key not in seen:
            seen.add(key)
            kind = "Gruppe" if isinstance(element, _Group) else "Feld"
            notes.append(f"{kind} {element.id} „{element.label}“ – {element.editor_note}")
    return notes


def _elements(children: list[_Child]) -> Iterator[_Field | _Group]:
    for child in children:
        yield child.element
        if isinstance(child.element, _Group):
            yield from _elements(child.element.children)
