"""Convert a FIM XDatenfelder 2.0 or 3.0.0 schema (XML) into a form definition (docs/forms.md).

`convert(xml)` reads one XDatenfelder message and returns a `ConvertedForm` with a JSON Schema
(draft 2020-12) for the data and a layout (steps, elements, widgets, notes). It is pure: no
database, no network, no files. Anything that is not a usable schema raises `XDatenfelderError`
with an English message that names the problem, the element and, where known, the line.

Accepted input
--------------
- Namespaces `urn:xoev-de:fim:standard:xdatenfelder_2` (standard "xdatenfelder-2") and
  `urn:xoev-de:fim:standard:xdatenfelder_3.0.0` ("xdatenfelder-3"); any other root namespace is
  rejected.
- Messages `xdatenfelder.stammdatenschema.0102` (a Stammdatenschema) and
  `xdatenfelder.datenfeldgruppe.0103` (a single Datenfeldgruppe, which then plays the part of the
  schema: its contents become the form).
- Parsing uses defusedxml with DTDs forbidden, so entity expansion ("billion laughs") and
  external entities are refused before they can do harm.
- The structure is checked against the elements each version defines: an unknown element, a
  repeated element that may occur once, a missing or empty `<id>`, a malformed cardinality or
  code element and an unknown XDF 3 `freigabestatus` code are errors. XDF 3 only: an *empty*
  repeated element next to a filled one is ignored with a warning (as the reference parser
  flxbe/xdatenfelder-xml does).

Mapping
-------
- Structure: every Datenfeldgruppe directly under the schema becomes a step holding one `group`
  element for it; consecutive top-level Datenfelder share a step titled like the schema. A group
  is an object property (`"repeat": false`), or, when its cardinality allows more than one
  (`0:*`, `1:3`, ...), an array of objects (`"repeat": true`) with `minItems`/`maxItems`.
  A nested group's help text is shown as a `static` element at the top of the group.
- Cardinality `min:max`: `min >= 1` puts the property into its object's `required` list.
- Repeatable fields (max > 1): a file field is an array of uploads anyway, so the cardinality
  becomes its `minItems`/`maxItems`; a select field with inline values becomes `checkboxes`;
  every other field is wrapped in a repeatable group of the same name whose items hold the one
  field as property `value` (widgets ask for single values only).
- Property names: the FIM id plus a slug of the name, lower case `[a-z0-9_]`, e.g.
  `f60000227_familienname`; unique within their object (`_2`, `_3`, ... on a clash). Every field
  and group property carries `x-fim-id` and `x-fim-version` (a wrapped repeatable field carries
  them on its `value`); the schema root carries the schema's id and version. Every object has
  `"additionalProperties": false`. Fields shown as static text (`label`, `obj`) have no property.
- Texts (`texts`, ADR 0034): labels are `bezeichnungEingabe` (schema: XDF 2
  `bezeichnungEingabe`, XDF 3 `bezeichnung`), else `name`. Citizens see only the input help: a
  field's or group's `hilfetextEingabe` (a group's as the step description or a static text at
  the top of a nested group) and the schema's `hilfetext` (the form's description).
  `beschreibung`, `definition`, `bezug` and `fachlicherErsteller` are written for editors: they
  become one line per element in `layout["editor_notes"]`, shown to staff only.
  `hilfetextAusgabe` (for printed output) is not used.
- Data types (`datentyp`, with `feldart`):
  `text` -> text (textarea above 1000 characters), `text_latin` -> text (DIN 91379 not checked),
  `date` -> date, `bool` -> yesno, `num` -> number, `num_int` -> number (integer, numeric
  keyboard), `num_currency` -> number with `"format": "amount"` (at most two decimal places),
  `time` -> text with `"format": "clock-time"` (14:30), `datetime` -> text (warning), `file` ->
  file, `obj` -> static text (warning).
  `feldart` `select` with inline values (XDF 3 `werte`) -> `enum` of the codes plus `choices`
  with their names (`radio` up to 5 values, else `select`). A code list that is only referenced
  by URN (`codelisteReferenz`, the usual case in XDF 2) is not in the file: its codes come from
  the `code_lists` lookup (stored genericode lists, ADR 0032) and become the `enum` and
  `choices` in the same way; both the property and the element carry `x-code-list` (URN and
  version). A list the lookup does not have leaves a text field, is named in a warning and in
  `missing_code_lists`. `feldart` `label` -> a `static`
  element (`inhalt` as text, the label as title) and no property; so does `locked` (XDF 3: a
  value shown but not to be changed, warning). `hidden` (XDF 3) is neither shown nor stored
  (warning naming its value).
- `praezisierung` (XDF 2: a JSON object of strings, XDF 3: attributes): `minLength`,
  `maxLength` and `pattern` for text, `minValue`/`maxValue` -> `minimum`/`maximum` for numbers.
  The lengths also become the input's `maxlength`/`minlength`. A `pattern` is an XML Schema
  regular expression; `patterns.translate` turns it into a Python pattern (`pattern`, anchored,
  `\\p{L}` and class subtraction computed into ranges) and an HTML pattern attribute
  (`x-html-pattern`, ECMAScript `v` flag), keeping the original as `x-fim-pattern`. A pattern
  it cannot translate faithfully (syntax error, `\\b`, back-references, `\\i`/`\\c`, unknown
  block, nested unbounded repetition, ...) is dropped with a warning naming the field and the
  pattern: length and type are still checked. A length or a numeric bound that is not a number
  is an error naming the field; a date's `minValue`/`maxValue` (`YYYY-MM-DD`) become
  `formatMinimum`/`formatMaximum`; a bound that does not apply to the data type is dropped with
  a warning.
- `inhalt` of an input field becomes the schema `default` when it fits the field.
- Text fields of the FIM Baukasten whose meaning is beyond doubt (Familienname, Vornamen,
  Telefon, E-Mail, Postleitzahl, Ort, Organisationsname, Web-Adresse: `AUTOCOMPLETE`) get the
  HTML `autocomplete` token, so browsers can fill them in.
- Rules (`regel`, module `rules`, ADR 0033): the rule text (XDF 2 `definition`, XDF 3
  `freitextRegel`) is read with the patterns listed in `rules` (show/hide by a code,
  required-if, at least one, exactly one, comparisons, ranges); the FIM ids it names are
  looked up from the element the rule is attached to outwards (XDF 2 ids like `F60000240` and
  XDF 3 ids like `F60000000240` are the same). A translated rule becomes `show_if` conditions
  (`in` a list of codes; a hidden element is taken out of `required` and required through a
  `required_if` rule instead) and entries of `layout["rules"]`; a rule of an optional group
  applies only when the group is answered (`only_if`). Scripts are never executed. A rule is
  translated completely or not at all: one not understood, naming an element that is not in
  the form or is there more than once at the same depth, or inside a repeatable group stays
  one German line in `layout["notes"]` with its id, name, text, the elements (with their data
  paths) it is attached to and the reason. `layout["translated_rules"]` and
  `layout["untranslated_rules"]` list both kinds. None is dropped.
- `warnings` lists everything converted with a loss, for the import report.

Modules
-------
`parsing` (safe XML), `structure` (the elements each version allows), `reader` (XML -> the
parsed `document`), `builder` (document -> JSON Schema and layout), `rules` (rule texts ->
conditions and checks), `patterns` (XML Schema patterns for Python and the browser), `texts`
(which texts are for citizens, which for staff), `helpers` (names, ids, text), `constants`
(namespaces, code lists, limits).

A schema without a single question converts and can be imported, but its version cannot be
published (`forms.definitions.publish`, ADR 0034).
"""

from __future__ import annotations

from django.utils.text import slugify

from rathaus.forms.xdatenfelder.builder import _Builder
from rathaus.forms.xdatenfelder.constants import (
    _STANDARDS,
    GROUP_MESSAGE,
    NS_V2,
    NS_V3,
    SCHEMA_MESSAGE,
    STANDARD_V2,
    STANDARD_V3,
)
from rathaus.forms.xdatenfelder.document import (
    CodeListLookup,
    ConvertedForm,
    XDatenfelderError,
)
from rathaus.forms.xdatenfelder.helpers import _ascii, _unique
from rathaus.forms.xdatenfelder.parsing import _parse
from rathaus.forms.xdatenfelder.reader import _Reader
from rathaus.forms.xdatenfelder.texts import editor_notes

__all__ = [
    "GROUP_MESSAGE",
    "NS_V2",
    "NS_V3",
    "SCHEMA_MESSAGE",
    "STANDARD_V2",
    "STANDARD_V3",
    "CodeListLookup",
    "ConvertedForm",
    "XDatenfelderError",
    "convert",
    "slug_for",
]


def convert(xml: bytes, code_lists: CodeListLookup | None = None) -> ConvertedForm:
    """Convert one XDatenfelder 2.0 / 3.0.0 message into a form definition.

    `code_lists(urn, version)` gives the codes of a referenced code list (None when it is not
    available); without it every referenced list counts as missing."""
    root, lines = _parse(xml)
    namespace, _, local = root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", "")
    if not local:
        raise XDatenfelderError(
            f"unknown namespace: the root element <{root.tag}> has no XDatenfelder namespace"
        )
    standard = _STANDARDS.get(namespace)
    if standard is None:
        raise XDatenfelderError(
            f"unknown namespace '{namespace}' of the root element <{local}>; expected "
            f"'{NS_V2}' (XDatenfelder 2.0) or '{NS_V3}' (XDatenfelder 3.0.0)"
        )
    reader = _Reader(namespace, standard, lines)
    document = reader.read_message(root)
    builder = _Builder(document, code_lists)
    schema, layout = builder.build()
    notes = editor_notes(document)
    if notes:
        layout["editor_notes"] = notes
    return ConvertedForm(
        identifier=document.id,
        version=document.version,
        title=document.title,
        description=document.description,
        standard=standard,
        schema=schema,
        layout=layout,
        warnings=_unique(reader.warnings + builder.warnings),
        missing_code_lists=builder.missing_code_lists,
    )


def slug_for(converted: ConvertedForm) -> str:
    """A URL slug that stays the same for every version of the schema, e.g. "s00000246"."""
    slug = slugify(converted.identifier) or slugify(_ascii(converted.title))
    return slug[:80].strip("-") or "formular"
