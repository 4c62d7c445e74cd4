"""German messages for schema validation errors, by the path of the question concerned."""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping

from django.utils import formats
from django.utils.translation import gettext as _
from jsonschema.exceptions import ValidationError as SchemaValidationError

from rathaus.forms.engine.layout import Element
from rathaus.forms.engine.paths import join, path_of, template_of


def _known(path: str, templates: Mapping[str, Element], groups: Mapping[str, Element]) -> str:
    """The nearest question or group path at or above ``path``."""
    parts = path.split(".") if path else []
    while parts:
        candidate = ".".join(parts)
        if template_of(candidate) in templates or template_of(candidate) in groups:
            return candidate
        parts.pop()
    return ""


def error_messages(
    error: SchemaValidationError,
    templates: Mapping[str, Element],
    groups: Mapping[str, Element],
) -> Iterator[tuple[str, str]]:
    base = path_of(error.absolute_path)
    keyword = str(error.validator)
    if keyword in {"required", "dependentRequired"}:
        names = error.validator_value if keyword == "required" else []
        if keyword == "dependentRequired" and isinstance(error.validator_value, Mapping):
            names = [n for values in error.validator_value.values() for n in values]
        instance = error.instance if isinstance(error.instance, dict) else {}
        for name in names if isinstance(names, list) else []:
            if name in instance:
                continue
            path = join(base, str(name))
            known = _known(path, templates, groups)
            element = templates.get(template_of(known)) or groups.get(template_of(known))
            yield known, required_message(element)
        return
    if keyword in {"additionalProperties", "unevaluatedProperties"}:
        instance = error.instance if isinstance(error.instance, dict) else {}
        schema = error.schema if isinstance(error.schema, dict) else {}
        allowed = set(schema.get("properties", {}))
        for key in sorted(str(key) for key in instance if key not in allowed):
            path = join(base, key)
            yield path, _("Unknown field: %(names)s.") % {"names": path}
        return
    known = _known(base, templates, groups)
    element = templates.get(template_of(known)) or groups.get(template_of(known))
    yield known, _message(error, keyword, element)


def required_message(element: Element | None) -> str:
    if element is None:
        return _("Please answer this question.")
    if element.kind == "group":
        return _("Please fill in this part.")
    if element.widget == "file":
        return _("Please upload a file.")
    if element.widget in {"radio", "select", "yesno"}:
        return _("Please choose an answer.")
    if element.widget == "checkboxes":
        return _("Please choose at least one answer.")
    return _("Please fill in this field.")


def _message(error: SchemaValidationError, keyword: str, element: Element | None) -> str:
    limit = error.validator_value
    widget = element.widget if element is not None else ""
    if keyword == "type":
        if limit == "integer":
            return _("Please enter a whole number.")
        if limit == "number":
            return _("Please enter a number.")
        return _("This answer does not have the expected form.")
    if keyword == "maxLength":
        return _("Please shorten your answer to at most %(limit)s characters.") % {"limit": limit}
    if keyword == "minLength":
        return _("Please enter at least %(limit)s characters.") % {"limit": limit}
    if keyword == "format":
        return {
            "email": _("Please enter an e-mail address such as name@example.com."),
            "date": _("Please enter a valid date, for example 31.12.1980."),
            "iban": _("Please check the IBAN: its check digits do not match."),
            "phone": _("Please enter a phone number (digits, spaces and + / - ( ) only)."),
            "postal-code-de": _("A German postal code has five digits."),
            "clock-time": _("Please enter a time such as 14:30."),
            "amount": _("Please enter an amount with at most two decimal places, such as 12,50."),
            "upload": _("This file could not be found. Please upload it again."),
        }.get(str(limit), _("This answer does not have the expected form."))
    if keyword in {"formatMinimum", "formatMaximum"}:
        day = formats.date_format(datetime.date.fromisoformat(str(limit)), "SHORT_DATE_FORMAT")
        if keyword == "formatMinimum":
            return _("Please enter a date on or after %(date)s.") % {"date": day}
        return _("Please enter a date on or before %(date)s.") % {"date": day}
    if keyword in {"minimum", "exclusiveMinimum"}:
        return _("Please enter a number of at least %(limit)s.") % {"limit": limit}
    if keyword in {"maximum", "exclusiveMaximum"}:
        return _("Please enter a number of at most %(limit)s.") % {"limit": limit}
    if keyword in {"enum", "const", "oneOf", "anyOf"}:
        return _("Please choose one of the answers offered.")
    if keyword == "minItems":
        if widget == "file":
            return _("Please upload at least %(limit)s files.") % {"limit": limit}
        return _("Please give at least %(limit)s entries.") % {"limit": limit}
    if keyword == "maxItems":
        if widget == "file":
            return _("Please upload at most %(limit)s files.") % {"limit": limit}
        return _("Please give at most %(limit)s entries.") % {"limit": limit}
    if keyword == "uniqueItems":
        return _("Please choose each answer only once.")
    if keyword == "pattern":
        if element is not None and element.help:
            # The help text says what is expected (FIM: hilfetextEingabe, ADR 0034).
            return _("This answer does not have the expected form. Please note: %(help)s") % {
                "help": element.help
            }
        return _("This answer does not have the expected form.")
    return _("This answer is not valid.")
