"""The namespaces and messages of XDatenfelder 2.0 and 3.0.0, the code lists checked, and the
limits and defaults of the conversion."""

from __future__ import annotations

import re
from typing import Any, Final

JSON = dict[str, Any]

NS_V2: Final = "urn:xoev-de:fim:standard:xdatenfelder_2"
NS_V3: Final = "urn:xoev-de:fim:standard:xdatenfelder_3.0.0"
STANDARD_V2: Final = "xdatenfelder-2"
STANDARD_V3: Final = "xdatenfelder-3"
_STANDARDS: Final = {NS_V2: STANDARD_V2, NS_V3: STANDARD_V3}

SCHEMA_MESSAGE: Final = "xdatenfelder.stammdatenschema.0102"
GROUP_MESSAGE: Final = "xdatenfelder.datenfeldgruppe.0103"

JSON_SCHEMA_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"

MAX_BYTES: Final = 20 * 1024 * 1024
MAX_DEPTH: Final = 40
TEXTAREA_ABOVE: Final = 1000  # a text field with a larger maxLength is a textarea
RADIO_UP_TO: Final = 5  # up to this many choices are radio buttons, more a select box
SLUG_WORDS_MAX: Final = 40
ADD_LABEL: Final = "Weiteren Eintrag hinzufügen"

# XProzess status code list, used by XDF 3 `freigabestatus`.
_FREIGABESTATUS: Final = frozenset({"1", "2", "3", "4", "5", "6", "7", "8"})
_DATENTYPEN: Final = frozenset(
    {"text", "text_latin", "date", "time", "datetime", "bool", "num", "num_int", "num_currency"}
    | {"file", "obj"}
)
_FELDARTEN: Final = frozenset({"input", "select", "label", "hidden", "locked"})
_CONSTRAINT_KEYS: Final = frozenset({"minLength", "maxLength", "minValue", "maxValue", "pattern"})
_EMPTY_SCRIPT: Final = re.compile(r"^function\s+\w*\s*\(\s*\)\s*\{\s*\}$")
_CARDINALITY: Final = re.compile(r"^([0-9]+)\s*:\s*([0-9]+|\*)$")
_WHOLE_NUMBER: Final = re.compile(r"^[0-9]+$")
_ISO_DATE: Final = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_BOOLEANS: Final = {"true": True, "1": True, "ja": True, "false": False, "0": False, "nein": False}
_TRANSLITERATION: Final = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ẞ": "Ss"}
)

# Fields of the FIM Baukasten (the same ids in every schema) whose answer the browser can fill
# in (HTML autocomplete tokens); only where the meaning is beyond doubt.
AUTOCOMPLETE: Final = {
    "F60000227": "family-name",  # Familienname
    "F60000228": "given-name",  # Vornamen
    "F60000240": "tel",  # Telefon
    "F60000242": "email",  # E-Mail
    "F60000246": "postal-code",  # Postleitzahl
    "F60000247": "address-level2",  # Ort
    "F60000319": "organization",  # Eingetragener Name / Organisationsname
    "F60000321": "url",  # Web Adresse
}

DEFAULT_FILE_TYPES = ("application/pdf", "image/jpeg", "image/png")
DEFAULT_FILE_SIZE = 10 * 1024 * 1024
