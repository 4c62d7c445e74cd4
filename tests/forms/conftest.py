from __future__ import annotations

from typing import Any

import pytest

# A form with every widget, a condition, a section and a repeatable group.
ALL_TYPES_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "$defs": {
        "address": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "street": {"type": "string", "minLength": 1, "maxLength": 200},
                "postal_code": {"type": "string", "format": "postal-code-de"},
                "place": {"type": "string", "minLength": 1, "maxLength": 100},
            },
            "required": ["street", "postal_code", "place"],
        }
    },
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 50},
        "notes": {"type": "string", "maxLength": 2000},
        "email": {"type": "string", "format": "email", "maxLength": 254},
        "phone": {"type": "string", "format": "phone", "maxLength": 30},
        "iban": {"type": "string", "format": "iban"},
        "amount": {"type": "number", "minimum": 0, "maximum": 100000},
        "count": {"type": "integer", "minimum": 1, "maximum": 9},
        "born": {"type": "string", "format": "date"},
        "colour": {"type": "string", "enum": ["red", "green", "blue"]},
        "size": {
            "type": "string",
            "oneOf": [{"const": "s", "title": "Klein"}, {"const": "l", "title": "Groß"}],
        },
        "extras": {
            "type": "array",
            "uniqueItems": True,
            "items": {"enum": ["wifi", "parking", "ramp"]},
        },
        "has_pet": {"type": "boolean"},
        "pet_name": {"type": "string", "maxLength": 40},
        "home": {"$ref": "#/$defs/address"},
        "evidence": {
            "type": "array",
            "maxItems": 2,
            "items": {"type": "string", "format": "upload"},
        },
        "employer": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"company": {"type": "string", "maxLength": 100}},
        },
        "children": {
            "type": "array",
            "maxItems": 4,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "first_name": {"type": "string", "minLength": 1, "maxLength": 50},
                    "born": {"type": "string", "format": "date"},
                },
                "required": ["first_name"],
            },
        },
    },
    "required": ["name", "email", "count", "colour", "has_pet"],
    "allOf": [
        {
            "if": {"properties": {"has_pet": {"const": True}}, "required": ["has_pet"]},
            "then": {"required": ["pet_name"]},
        }
    ],
}

ALL_TYPES_LAYOUT: dict[str, Any] = {
    "steps": [
        {
            "id": "basics",
            "title": "Grunddaten",
            "elements": [
                {"static": "Bitte füllen Sie alles aus.\n\nDanke.", "title": "Hinweis"},
                {"field": "name", "widget": "text", "label": "Name", "prefill": "last_name"},
                {"field": "notes", "widget": "textarea", "label": "Bemerkungen"},
                {"field": "email", "widget": "email", "label": "E-Mail", "prefill": "email"},
                {"field": "phone", "widget": "phone", "label": "Telefon"},
                {"field": "iban", "widget": "iban", "label": "IBAN"},
                {"field": "amount", "widget": "number", "label": "Betrag"},
                {"field": "count", "widget": "number", "label": "Anzahl"},
                {"field": "born", "widget": "date", "label": "Geburtsdatum"},
            ],
        },
        {
            "id": "choices",
            "title": "Auswahl",
            "elements": [
                {"field": "colour", "widget": "radio", "label": "Farbe",
                 "choices": [{"value": "red", "label": "Rot"}]},
                {"field": "size", "widget": "select", "label": "Größe"},
                {"field": "extras", "widget": "checkboxes", "label": "Extras"},
                {"field": "has_pet", "widget": "yesno", "label": "Haustier?"},
                {"field": "pet_name", "widget": "text", "label": "Name des Tiers",
                 "show_if": {"field": "has_pet", "equals": True}},
            ],
        },
        {
            "id": "more",
            "title": "Weiteres",
            "elements": [
                {"field": "home", "widget": "address", "label": "Anschrift", "prefill": "address"},
                {"field": "evidence", "widget": "file", "label": "Nachweis",
                 "accept": ["application/pdf", "image/png"], "max_size": 1048576},
                {"group": "employer", "label": "Arbeitgeber", "elements": [
                    {"field": "company", "widget": "text", "label": "Firma"}]},
                {"group": "children", "label": "Kind", "repeat": True, "elements": [
                    {"field": "first_name", "widget": "text", "label": "Vorname"},
                    {"field": "born", "widget": "date", "label": "Geboren"}]},
            ],
        },
    ]
}  # fmt: skip

VALID_DATA: dict[str, Any] = {
    "name": "Erika Muster",
    "notes": "Zeile eins\nZeile zwei",
    "email": "erika@example.org",
    "phone": "+49 39203 565-0",
    "iban": "DE89370400440532013000",
    "amount": 12.5,
    "count": 3,
    "born": "1980-12-31",
    "colour": "green",
    "size": "l",
    "extras": ["wifi", "ramp"],
    "has_pet": True,
    "pet_name": "Bello",
    "home": {"street": "Breiteweg 147", "postal_code": "39179", "place": "Barleben"},
    "employer": {"company": "Muster GmbH"},
    "children": [{"first_name": "Ben", "born": "2015-05-01"}, {"first_name": "Lea"}],
}


@pytest.fixture
def all_types_form(barleben):
    """The all-types form published for Barleben at /antrag/alle-felder/."""
    from rathaus.forms import services

    version = services.create_definition(
        authority=barleben,
        slug="alle-felder",
        title="Alle Felder",
        schema=ALL_TYPES_SCHEMA,
        layout=ALL_TYPES_LAYOUT,
        receipt_email_field="email",
    )
    return services.publish(version)
