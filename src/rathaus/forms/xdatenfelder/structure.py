"""The elements each version of the standard allows in a schema, group, field and rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from xml.etree.ElementTree import Element

_Parts = dict[str, list[Element]]


@dataclass(frozen=True)
class _Spec:
    single: frozenset[str]
    multiple: frozenset[str] = frozenset()


def _spec(single: set[str], multiple: set[str] | None = None) -> _Spec:
    return _Spec(frozenset(single), frozenset(multiple or set()))


_V2_BASE: Final = {
    "identifikation",
    "name",
    "bezeichnungEingabe",
    "bezeichnungAusgabe",
    "beschreibung",
    "definition",
    "bezug",
    "status",
    "gueltigAb",
    "gueltigBis",
    "fachlicherErsteller",
    "versionshinweis",
    "freigabedatum",
    "veroeffentlichungsdatum",
}
_V2_ELEMENT: Final = _V2_BASE | {"schemaelementart", "hilfetextEingabe", "hilfetextAusgabe"}
_V2: Final = {
    "schema": _spec(
        _V2_BASE
        | {
            "hilfetext",
            "ableitungsmodifikationenStruktur",
            "ableitungsmodifikationenRepraesentation",
        },
        {"regel", "struktur"},
    ),
    "group": _spec(_V2_ELEMENT, {"regel", "struktur"}),
    "field": _spec(
        _V2_ELEMENT | {"feldart", "datentyp", "praezisierung", "inhalt", "codelisteReferenz"},
        {"regel"},
    ),
    "rule": _spec(_V2_BASE | {"script"}),
    "struktur": _spec({"anzahl", "bezug", "enthaelt"}),
    "codelisteReferenz": _spec({"identifikation", "genericodeIdentification"}),
    "genericodeIdentification": _spec(
        {"canonicalIdentification", "version", "canonicalVersionUri"}
    ),
}
_V3_BASE: Final = {
    "identifikation",
    "name",
    "beschreibung",
    "definition",
    "freigabestatus",
    "statusGesetztAm",
    "statusGesetztDurch",
    "gueltigAb",
    "gueltigBis",
    "versionshinweis",
    "veroeffentlichungsdatum",
    "letzteAenderung",
    "fachlicherErsteller",
}
_V3_BASE_MULTIPLE: Final = {"bezug", "relation", "stichwort"}
_V3_ELEMENT: Final = _V3_BASE | {
    "bezeichnungEingabe",
    "bezeichnungAusgabe",
    "schemaelementart",
    "hilfetextEingabe",
    "hilfetextAusgabe",
}
_V3: Final = {
    "schema": _spec(
        _V3_BASE
        | {"bezeichnung", "hilfetext", "dokumentsteckbrief"}
        | {"ableitungsmodifikationenStruktur", "ableitungsmodifikationenRepraesentation"},
        _V3_BASE_MULTIPLE | {"regel", "struktur"},
    ),
    "group": _spec(_V3_ELEMENT | {"art"}, _V3_BASE_MULTIPLE | {"regel", "struktur"}),
    "field": _spec(
        _V3_ELEMENT
        | {"feldart", "datentyp", "praezisierung", "inhalt", "vorbefuellung", "werte"}
        | {"codelisteReferenz", "codeKey", "nameKey", "helpKey", "maxSize"},
        _V3_BASE_MULTIPLE | {"mediaType", "regel"},
    ),
    "rule": _spec(
        {"identifikation", "name", "beschreibung", "freitextRegel", "fachlicherErsteller"}
        | {"letzteAenderung", "typ", "skript"},
        {"bezug", "stichwort", "param", "ziel", "fehler"},
    ),
    "struktur": _spec({"anzahl", "enthaelt"}, {"bezug"}),
    "codelisteReferenz": _spec({"canonicalIdentification", "version", "canonicalVersionUri"}),
    "werte": _spec(set(), {"wert"}),
    "wert": _spec({"code", "name", "hilfe"}),
}
_IDENTIFICATION: Final = _spec({"id", "version"})
