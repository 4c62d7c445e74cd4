"""The XDatenfelder 2.0 / 3.0.0 converter (rathaus.forms.xdatenfelder): no database needed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from defusedxml import ElementTree as SafeET
from jsonschema import Draft202012Validator

from rathaus.forms.xdatenfelder import (
    NS_V2,
    NS_V3,
    ConvertedForm,
    XDatenfelderError,
    convert,
    slug_for,
)
from tests.support import DATA as SUPPORT_DATA

DATA = SUPPORT_DATA / "xdatenfelder"
REAL = "v2/S00000246v1.1_xdf2.xml"

VALID = [
    REAL,
    "v2/data-field-rule.xml",
    "v2/data-group-rule.xml",
    "v2/label.xml",
    "v2/minimal.xml",
    "v2/rule.xml",
    "v2/select.xml",
    "v2/simple.xml",
    "v3/input.xml",
    "v3/simple.xml",
]

# fixture -> words the error message must contain (lower case)
INVALID = {
    "v2/duplicate-required-value.xml": ["duplicate", "<name>", "stammdatenschema", "line 13"],
    "v2/duplicate-optional-value.xml": ["duplicate", "<beschreibung>", "line 15"],
    "v2/unknown-namespace.xml": ["unknown namespace", "xdatenfelder_unknown"],
    "v3/unknown-namespace.xml": ["unknown namespace", "xdatenfelder_unknown"],
    "v3/missing-id-node.xml": ["missing", "<id>", "<identifikation>", "datenfeldgruppe"],
    "v3/empty-id-node.xml": ["empty", "<id>", "line 10"],
    "v3/duplicate-id-node.xml": ["duplicate", "<id>", "g123", "line 11"],
    "v3/invalid-freigabestatus.xml": ["invalid freigabestatus code '10'", "g123"],
    "v3/unexpected-node.xml": ["unexpected element", "<unknown>", "<identifikation>", "line 11"],
}

WIDGETS = {
    "text",
    "textarea",
    "email",
    "phone",
    "iban",
    "number",
    "date",
    "radio",
    "select",
    "checkboxes",
    "yesno",
    "address",
    "file",
}
STEP_KEYS = {"id", "title", "description", "elements"}
FIELD_KEYS = {
    "field",
    "widget",
    "label",
    "help",
    "choices",
    "accept",
    "max_size",
    "x-code-list",
} | {"autocomplete", "show_if"}
GROUP_KEYS = {"group", "label", "repeat", "add_label", "elements", "show_if"}
STATIC_KEYS = {"static", "title"}
NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def load(name: str) -> bytes:
    return (DATA / name).read_bytes()


# --- checks of the result against docs/forms.md ------------------------------------------------


def check_form(converted: ConvertedForm) -> None:
    schema, layout = converted.schema, converted.layout
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object"
    assert {"steps", "notes", "translated_rules", "untranslated_rules"} <= set(layout)
    allowed = {"steps", "notes", "editor_notes", "rules", "translated_rules", "untranslated_rules"}
    assert set(layout) <= allowed
    assert len(layout["notes"]) == len(layout["untranslated_rules"])
    assert all(isinstance(note, str) and note for note in layout["notes"])
    step_ids = [step["id"] for step in layout["steps"]]
    assert len(step_ids) == len(set(step_ids))
    elements = []
    for step in layout["steps"]:
        assert set(step) <= STEP_KEYS
        assert step["title"]
        assert step["elements"], "a step without questions"
        elements.extend(step["elements"])
    check_elements(schema, elements)


def check_elements(obj: dict[str, Any], elements: list[dict[str, Any]]) -> None:
    """Every property of `obj` is asked exactly once; the layout names nothing else."""
    properties = obj.get("properties", {})
    assert obj.get("type") == "object"
    assert set(obj.get("required", [])) <= set(properties)
    seen: list[str] = []
    for element in elements:
        if "static" in element:
            assert set(element) <= STATIC_KEYS
            assert element["static"]
        elif "field" in element:
            assert set(element) <= FIELD_KEYS
            assert element["field"] in properties, element["field"]
            assert element["label"]
            check_widget(properties[element["field"]], element)
            seen.append(element["field"])
        elif "group" in element:
            assert set(element) <= GROUP_KEYS
            prop = properties[element["group"]]
            assert element["label"]
            if element["repeat"]:
                assert prop["type"] == "array"
                check_elements(prop["items"], element["elements"])
            else:
                check_elements(prop, element["elements"])
            seen.append(element["group"])
        else:
            pytest.fail(f"unknown layout element {element}")
    assert sorted(seen) == sorted(properties), "every property exactly once"
    assert len(seen) == len(set(seen))
    assert all(NAME.match(name) for name in properties), list(properties)


def check_widget(prop: dict[str, Any], element: dict[str, Any]) -> None:
    widget = element["widget"]
    assert widget in WIDGETS
    if widget in ("text", "textarea"):
        assert prop["type"] == "string"
        assert prop.get("format", "clock-time") == "clock-time"
        assert "enum" not in prop
    elif widget == "date":
        assert prop["type"] == "string"
        assert prop["format"] == "date"
    elif widget == "number":
        assert prop["type"] in ("number", "integer")
    elif widget == "yesno":
        assert prop["type"] == "boolean"
    elif widget in ("radio", "select"):
        assert prop["type"] == "string"
        assert [choice["value"] for choice in element["choices"]] == prop["enum"]
    elif widget == "checkboxes":
        assert prop["type"] == "array"
        assert prop["uniqueItems"] is True
        assert [choice["value"] for choice in element["choices"]] == prop["items"]["enum"]
    elif widget == "file":
        assert prop["type"] == "array"
        assert prop["items"] == {"type": "string", "format": "upload"}
    else:
        pytest.fail(f"the converter does not use widget {widget}")


def fim_ids(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if "x-fim-id" in node:
            yield node["x-fim-id"]
        for value in node.values():
            yield from fim_ids(value)
    elif isinstance(node, list):
        for value in node:
            yield from fim_ids(value)


def sample(schema: dict[str, Any]) -> Any:
    """The smallest answer that satisfies a (converted) schema: required properties only."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema["type"]
    if kind == "object":
        return {name: sample(schema["properties"][name]) for name in schema.get("required", [])}
    if kind == "array":
        return [sample(schema["items"]) for _ in range(schema.get("minItems", 0))]
    if kind == "boolean":
        return True
    if kind in ("number", "integer"):
        return schema.get("minimum", 0)
    if schema.get("format") == "date":
        return "2024-02-29"
    if schema.get("format") == "upload":
        return "upload-1"
    if schema.get("format") == "clock-time":
        return "14:30"
    assert "pattern" not in schema, "sample() cannot make up a value for a pattern"
    return "x" * max(schema.get("minLength", 1), 1)


def find(node: Any, fim_id: str) -> dict[str, Any]:
    """The first schema node that carries x-fim-id `fim_id`."""
    if isinstance(node, dict):
        if node.get("x-fim-id") == fim_id:
            return node
        for value in node.values():
            found = find(value, fim_id)
            if found:
                return found
    elif isinstance(node, list):
        for value in node:
            found = find(value, fim_id)
            if found:
                return found
    return {}


def layout_element(elements: list[dict[str, Any]], name: str) -> dict[str, Any]:
    for element in elements:
        if element.get("field") == name or element.get("group") == name:
            return element
        found = layout_element(element.get("elements", []), name)
        if found:
            return found
    return {}


def all_layout(converted: ConvertedForm) -> list[dict[str, Any]]:
    return [element for step in converted.layout["steps"] for element in step["elements"]]


# --- the fixtures --------------------------------------------------------------------------------


def test_every_fixture_is_classified() -> None:
    present = {str(path.relative_to(DATA)) for path in DATA.glob("v*/*.xml")}
    assert present, f"no XDatenfelder fixtures in {DATA}"
    assert present == set(VALID) | set(INVALID)


@pytest.mark.parametrize("name", VALID)
def test_valid_fixture_converts(name: str) -> None:
    converted = convert(load(name))
    check_form(converted)
    assert converted.standard == ("xdatenfelder-2" if name.startswith("v2/") else "xdatenfelder-3")
    assert converted.identifier
    assert converted.title
    assert converted.schema["x-fim-id"] == converted.identifier
    assert slug_for(converted) == converted.identifier.lower()
    assert convert(load(name)) == converted, "the conversion is deterministic"


@pytest.mark.parametrize(("name", "words"), INVALID.items())
def test_invalid_fixture_is_rejected(name: str, words: list[str]) -> None:
    with pytest.raises(XDatenfelderError) as caught:
        convert(load(name))
    message = str(caught.value).lower()
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"


def test_simple_v2_fixture() -> None:
    converted = convert(load("v2/simple.xml"))
    person = converted.schema["properties"]["g00000082_natuerliche_person_abstrakt_umfassend"]
    assert person["x-fim-id"] == "G00000082"
    assert person["x-fim-version"] == "1.3"
    assert person["type"] == "object"
    name = person["properties"]["f60000227_familienname"]
    assert name == {
        "title": "Familienname",
        "x-fim-id": "F60000227",
        "x-fim-version": "1.1",
        "type": "string",
        "minLength": 1,
        "maxLength": 120,
    }
    assert person["required"] == ["f60000227_familienname"]
    assert converted.schema["required"] == ["g00000082_natuerliche_person_abstrakt_umfassend"]
    [step] = converted.layout["steps"]
    assert step["title"] == "Natürliche Person"
    field = layout_element(step["elements"], "f60000227_familienname")
    assert field == {
        "field": "f60000227_familienname",
        "widget": "text",
        "label": "Familienname",
        "help": "Hilfe Eingabe",
        "autocomplete": "family-name",
    }
    assert converted.layout["notes"] == [
        "Regel R60000037 (Version 1.2) MindestEineAngabe: Eine Definition "
        "(gilt für das gesamte Formular; nicht übersetzt: Der Satz „Eine Definition“ entspricht "
        "keinem bekannten Muster.)"
    ]
    assert converted.warnings == []


def test_label_field_is_static_text() -> None:
    converted = convert(load("v2/label.xml"))
    assert converted.schema["properties"] == {}
    assert all_layout(converted) == [{"static": "Hinweis Inhalt", "title": "Hinweis"}]


def test_select_with_code_list_reference_falls_back_to_text() -> None:
    converted = convert(load("v2/select.xml"))
    assert converted.schema["properties"]["f123_hinweis"]["type"] == "string"
    assert all_layout(converted)[0]["widget"] == "text"
    [warning] = converted.warnings
    assert "F123" in warning
    assert "urn:de:example version 1" in warning


@pytest.mark.parametrize(
    ("name", "where"),
    [
        ("v2/rule.xml", "das gesamte Formular"),
        ("v2/data-field-rule.xml", "Feld F123 „Hinweis“ (f123_hinweis)"),
        ("v2/data-group-rule.xml", "Gruppe G00000082 „Natürliche Person“"),
    ],
)
def test_rules_become_notes(name: str, where: str) -> None:
    [note] = convert(load(name)).layout["notes"]
    assert note.startswith("Regel R60000037 (Version 1.2) MindestEineAngabe: Eine Definition")
    assert where in note


def test_empty_group_and_empty_schema_are_reported() -> None:
    assert any("G00000082" in w for w in convert(load("v2/data-group-rule.xml")).warnings)
    minimal = convert(load("v2/minimal.xml"))
    assert minimal.layout == {
        "steps": [
            {
                "id": "angaben",
                "title": minimal.title,
                "elements": [{"static": "Dieses Formular enthält keine Fragen."}],
            }
        ],
        "notes": [],
        "translated_rules": [],
        "untranslated_rules": [],
    }
    assert minimal.schema["properties"] == {}
    assert any("no fields" in w for w in minimal.warnings)


def test_v3_group_message() -> None:
    converted = convert(load("v3/simple.xml"))
    assert (converted.identifier, converted.version) == ("G60000000088", "1.2.0")
    assert converted.title == "Anschrift in Deutschland"
    assert converted.description == "Eingabehilfe"
    street = find(converted.schema, "F60000000243")
    assert street["minLength"] == 1
    assert street["maxLength"] == 55
    [note] = converted.layout["notes"]
    assert note.startswith("Regel R60000000019 (Version 1.2.0) Anschrift Inland")
    assert "Es muss entweder Feldgruppe G60000086" in note
    assert "Feld F60000000243 „Straße“" in note


def test_v3_input_fixture_keeps_what_it_can() -> None:
    converted = convert(load("v3/input.xml"))
    street = converted.schema["properties"]["f60000000243_strasse"]
    assert street["pattern"] == "^(?:abc)$(?!\\n)"
    assert (street["minLength"], street["maxLength"]) == (0, 1)
    assert "minimum" not in street
    assert "default" not in street, "'Some Content' is longer than maxLength 1"
    text = " ".join(converted.warnings)
    for expected in ("empty repeated element <inhalt>", "without values", "minValue", "default"):
        assert expected in text


# --- the real schema S00000246 -------------------------------------------------------------------


@pytest.fixture(scope="module")
def real() -> ConvertedForm:
    return convert(load(REAL))


@pytest.fixture(scope="module")
def real_xml() -> Any:
    return SafeET.fromstring(load(REAL))


def xml_ids(root: Any, tag: str) -> set[str]:
    q = f"{{{NS_V2}}}"
    return {element.findtext(f"{q}identifikation/{q}id") for element in root.iter(q + tag)}


def test_real_schema_metadata(real: ConvertedForm) -> None:
    assert real.identifier == "S00000246"
    assert real.version == "1.1"
    assert real.standard == "xdatenfelder-2"
    assert real.title == (
        "Antrag auf Verlängerung einer Aufenthaltserlaubnis zum Zweck der Erwerbstätigkeit"
    )
    assert slug_for(real) == "s00000246"
    assert [step["title"] for step in real.layout["steps"]] == [
        "Gesetzliche Vertretung / Bevollmächtigung",
        "Persönliche Daten der antragstellenden Person",
        "Generelle Nachweise",
        "Angaben zur Verlängerung einer Aufenthaltserlaubnis zum Zweck der Erwerbstätigkeit",
    ]


def test_real_schema_imports_every_field_group_and_rule(real: ConvertedForm, real_xml: Any) -> None:
    fields = xml_ids(real_xml, "datenfeld")
    groups = xml_ids(real_xml, "datenfeldgruppe")
    rules = xml_ids(real_xml, "regel")
    assert (len(fields), len(groups), len(rules)) == (59, 34, 34)
    ids = set(fim_ids(real.schema))
    assert {i for i in ids if i.startswith("F")} == fields
    assert {i for i in ids if i.startswith("G")} == groups
    translated = {rule["id"] for rule in real.layout["translated_rules"]}
    untranslated = {rule["id"] for rule in real.layout["untranslated_rules"]}
    assert translated | untranslated == rules
    assert not translated & untranslated
    assert untranslated == {"R60000024", "R00002288"}
    for rule in untranslated:
        assert any(note.startswith(f"Regel {rule} ") for note in real.layout["notes"]), rule


def test_real_schema_counts_every_occurrence(real: ConvertedForm, real_xml: Any) -> None:
    """A field reused in several groups is a property in each of them."""
    q = f"{{{NS_V2}}}"
    occurrences = sum(1 for _ in real_xml.iter(q + "datenfeld"))
    assert occurrences == 134
    assert sum(1 for i in fim_ids(real.schema) if i.startswith("F")) == occurrences


def test_real_schema_mappings(real: ConvertedForm) -> None:
    props = real.schema["properties"]
    applicant = props["g00001802_antragsteller_aufenthaltserlaubnis"]
    assert real.schema["required"] == [
        "g00001802_antragsteller_aufenthaltserlaubnis",
        "g00002071_generelle_nachweise",
        "g00002069_spezifische_nachweise",
    ]
    # required field, praezisierung length
    assert "f60000227_familienname" in applicant["required"]
    assert "f60000230_geburtsname" not in applicant["required"]
    assert applicant["properties"]["f60000227_familienname"]["maxLength"] == 120
    assert find(real.schema, "F60000319")["maxLength"] == 1000
    # numbers
    height = applicant["properties"]["f60000280_groesse_person"]
    assert (height["type"], height["minimum"], height["maximum"]) == ("number", 38, 300)
    day = find(real.schema, "F60000231")
    assert (day["type"], day["minimum"], day["maximum"]) == ("integer", 1, 31)
    # pattern of the postal code, anchored like an XML Schema pattern
    postal = find(real.schema, "F60000246")
    assert postal["pattern"] == "^(?:(?:[0]{1}[1-9]{1}|[1-9]{1}[0-9]{1})[0-9]{3})$(?!\\n)"
    assert postal["x-html-pattern"] == "(?:[0]{1}[1-9]{1}|[1-9]{1}[0-9]{1})[0-9]{3}"
    assert postal["x-fim-pattern"] == "([0]{1}[1-9]{1}|[1-9]{1}[0-9]{1})[0-9]{3}"
    assert re.search(postal["pattern"], "39179")
    assert not re.search(postal["pattern"], "391790")
    # select with a code list that the file only references
    sex = applicant["properties"]["f60000332_geschlecht"]
    assert sex["type"] == "string"
    assert "enum" not in sex
    assert any(
        "F60000332" in w and "urn:xpersonenstand:schluesseltabelle:geschlecht version 3" in w
        for w in real.warnings
    )
    # a repeatable field: wrapped in a repeatable group of one
    nationality = applicant["properties"]["f60000236_staatsangehoerigkeit"]
    assert nationality["type"] == "array"
    assert nationality["minItems"] == 1
    assert "maxItems" not in nationality
    assert nationality["items"]["properties"]["value"]["x-fim-id"] == "F60000236"
    element = layout_element(all_layout(real), "f60000236_staatsangehoerigkeit")
    assert element["repeat"] is True
    assert element["elements"][0]["field"] == "value"
    lines = find(real.schema, "F60000262")
    assert lines["type"] == "string"
    zone = find(real.schema, "G60000092")["properties"]["f60000262_zeileanschrift"]
    assert (zone["minItems"], zone["maxItems"]) == (2, 5)
    # files: the cardinality bounds the list of uploads
    evidence = props["g00002071_generelle_nachweise"]
    identity = evidence["properties"]["f00001768_identitaetsnachweis"]
    assert identity["items"] == {"type": "string", "format": "upload"}
    assert identity["minItems"] == 1
    assert "f00001768_identitaetsnachweis" in evidence["required"]
    guardianship = find(real.schema, "F60000350")
    assert "minItems" not in guardianship
    assert "maxItems" not in guardianship
    # yes/no
    assert find(real.schema, "F00002938")["type"] == "boolean"
    # the optional representation group is an object, not required
    representation = props["g60000220_gesetzlicher_vertreter"]
    assert representation["type"] == "object"
    assert "g60000220_gesetzlicher_vertreter" not in real.schema["required"]


def test_real_schema_rule_note(real: ConvertedForm) -> None:
    [note] = [n for n in real.layout["notes"] if n.startswith("Regel R60000024 ")]
    assert "Validität des sich ergebenden Kalenderdatums" in note
    assert note.count("g60000083_geburtsdatum_teilbekannt") == 2
    assert "\r" not in note


def test_real_schema_validates_data(real: ConvertedForm) -> None:
    validator = Draft202012Validator(
        real.schema, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    errors = list(validator.iter_errors({}))
    assert errors
    assert {error.validator for error in errors} == {"required"}
    assert len(errors) == 3
    answer = sample(real.schema)
    assert list(validator.iter_errors(answer)) == []
    answer["unknown"] = 1
    assert not validator.is_valid(answer)


# --- hostile and broken input --------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_2">
  <xdf:stammdatenschema><xdf:name>&lol4;</xdf:name></xdf:stammdatenschema>
</xdf:xdatenfelder.stammdatenschema.0102>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_2">
  <xdf:stammdatenschema><xdf:name>&secret;</xdf:name></xdf:stammdatenschema>
</xdf:xdatenfelder.stammdatenschema.0102>"""


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (BILLION_LAUGHS, ["dtd"]),
        (EXTERNAL_ENTITY, ["dtd"]),
        (b"", ["empty"]),
        (b"  \n ", ["empty"]),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", ["not well-formed xml"]),
        (b"Familienname;Vorname\nMustermann;Max\n", ["not well-formed xml"]),
        (b"<xdf:a xmlns:xdf='urn:x'><unclosed></xdf:a>", ["not well-formed xml"]),
        (b"<schema/>", ["unknown namespace"]),
        (
            f'<xdf:xdatenfelder.datenfeld.0104 xmlns:xdf="{NS_V2}"/>'.encode(),
            ["unknown root element", "xdatenfelder.datenfeld.0104"],
        ),
        (
            f'<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="{NS_V3}"/>'.encode(),
            ["missing <stammdatenschema>"],
        ),
    ],
)
def test_hostile_or_broken_input_is_rejected(data: bytes, words: list[str]) -> None:
    with pytest.raises(XDatenfelderError) as caught:
        convert(data)
    message = str(caught.value).lower()
    for word in words:
        assert word in message


# --- hand-made schemas for what the fixtures do not show ----------------------------------------


def v2_schema(*structures: str, rules: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="{NS_V2}">
  <xdf:stammdatenschema>
    <xdf:identifikation><xdf:id>S99</xdf:id><xdf:version>2.0</xdf:version></xdf:identifikation>
    <xdf:name>Testschema</xdf:name>
    <xdf:bezeichnungEingabe>Antrag auf Prüfung</xdf:bezeichnungEingabe>
    {rules}
    {"".join(structures)}
  </xdf:stammdatenschema>
</xdf:xdatenfelder.stammdatenschema.0102>""".encode()


def v2_struct(anzahl: str, element: str) -> str:
    return f"<xdf:struktur><xdf:anzahl>{anzahl}</xdf:anzahl><xdf:enthaelt>{element}</xdf:enthaelt></xdf:struktur>"


def v2_field(
    ident: str,
    name: str,
    *,
    feldart: str = "input",
    datentyp: str = "text",
    praezisierung: str = "",
    inhalt: str = "",
    extra: str = "",
) -> str:
    return f"""<xdf:datenfeld>
      <xdf:identifikation><xdf:id>{ident}</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation>
      <xdf:name>{name}</xdf:name>
      <xdf:feldart><code>{feldart}</code></xdf:feldart>
      <xdf:datentyp><code>{datentyp}</code></xdf:datentyp>
      <xdf:praezisierung>{praezisierung}</xdf:praezisierung>
      <xdf:inhalt>{inhalt}</xdf:inhalt>
      {extra}
    </xdf:datenfeld>"""


def v2_group(ident: str, name: str, *structures: str, extra: str = "") -> str:
    return f"""<xdf:datenfeldgruppe>
      <xdf:identifikation><xdf:id>{ident}</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation>
      <xdf:name>{name}</xdf:name>
      {extra}
      {"".join(structures)}
    </xdf:datenfeldgruppe>"""


def v3_schema(*structures: str, rules: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="{NS_V3}">
  <xdf:header>
    <xdf:nachrichtID>1</xdf:nachrichtID>
    <xdf:erstellungszeitpunkt>2024-01-01T00:00:00Z</xdf:erstellungszeitpunkt>
  </xdf:header>
  <xdf:stammdatenschema>
    <xdf:identifikation><xdf:id>S00000000999</xdf:id><xdf:version>1.0.0</xdf:version></xdf:identifikation>
    <xdf:name>Hundesteuer</xdf:name>
    <xdf:bezug link="https://example.org">§ 1 Satzung</xdf:bezug>
    <xdf:freigabestatus listVersionID="2020-03-19"><code>6</code></xdf:freigabestatus>
    <xdf:bezeichnung>Anmeldung eines Hundes</xdf:bezeichnung>
    <xdf:hilfetext>Melden Sie Ihren Hund an.</xdf:hilfetext>
    {rules}
    {"".join(structures)}
  </xdf:stammdatenschema>
</xdf:xdatenfelder.stammdatenschema.0102>""".encode()


def v3_field(
    ident: str,
    name: str,
    *,
    feldart: str = "input",
    datentyp: str = "text",
    extra: str = "",
) -> str:
    return f"""<xdf:datenfeld>
      <xdf:identifikation><xdf:id>{ident}</xdf:id><xdf:version>1.0.0</xdf:version></xdf:identifikation>
      <xdf:name>{name}</xdf:name>
      <xdf:freigabestatus><code>6</code></xdf:freigabestatus>
      <xdf:bezeichnungEingabe>{name}?</xdf:bezeichnungEingabe>
      <xdf:schemaelementart><code>RNG</code></xdf:schemaelementart>
      <xdf:feldart><code>{feldart}</code></xdf:feldart>
      <xdf:datentyp><code>{datentyp}</code></xdf:datentyp>
      {extra}
    </xdf:datenfeld>"""


def v3_group(ident: str, name: str, *structures: str, extra: str = "") -> str:
    return f"""<xdf:datenfeldgruppe>
      <xdf:identifikation><xdf:id>{ident}</xdf:id><xdf:version>1.0.0</xdf:version></xdf:identifikation>
      <xdf:name>{name}</xdf:name>
      <xdf:freigabestatus><code>6</code></xdf:freigabestatus>
      <xdf:bezeichnungEingabe>{name}</xdf:bezeichnungEingabe>
      {extra}
      {"".join(structures)}
    </xdf:datenfeldgruppe>"""


def values(*pairs: tuple[str, str]) -> str:
    items = "".join(
        f"<xdf:wert><xdf:code>{code}</xdf:code><xdf:name>{name}</xdf:name></xdf:wert>"
        for code, name in pairs
    )
    return f"<xdf:werte>{items}</xdf:werte>"


SEXES = [("m", "männlich"), ("w", "weiblich"), ("d", "divers"), ("x", "keine Angabe")]
BREEDS = [(f"{n:03}", f"Rasse {n}") for n in range(1, 8)]


def test_v3_schema_message_with_every_data_type() -> None:
    converted = convert(
        v3_schema(
            v2_struct(
                "1:1",
                v3_field(
                    "F1",
                    "Name des Hundes",
                    extra='<xdf:praezisierung minLength="1" maxLength="50"/>',
                ),
            ),
            v2_struct(
                "1:1",
                v3_group(
                    "G1",
                    "Hund",
                    v2_struct(
                        "1:1", v3_field("F2", "Geschlecht", feldart="select", extra=values(*SEXES))
                    ),
                    v2_struct(
                        "0:1", v3_field("F3", "Rasse", feldart="select", extra=values(*BREEDS))
                    ),
                    v2_struct(
                        "0:3", v3_field("F4", "Farben", feldart="select", extra=values(*SEXES))
                    ),
                    v2_struct("1:1", v3_field("F5", "Geburtstag", datentyp="date")),
                    v2_struct(
                        "0:1",
                        v3_field(
                            "F6",
                            "Gefährlich",
                            datentyp="bool",
                            extra="<xdf:inhalt>false</xdf:inhalt>",
                        ),
                    ),
                    v2_struct(
                        "0:1",
                        v3_field(
                            "F7",
                            "Gewicht",
                            datentyp="num",
                            extra='<xdf:praezisierung minValue="0.5" maxValue="120"/>',
                        ),
                    ),
                    v2_struct(
                        "0:1",
                        v3_field(
                            "F8",
                            "Anzahl Hunde",
                            datentyp="num_int",
                            extra="<xdf:inhalt>1</xdf:inhalt>",
                        ),
                    ),
                    v2_struct("0:1", v3_field("F9", "Steuerbetrag", datentyp="num_currency")),
                    v2_struct("0:1", v3_field("F10", "Uhrzeit", datentyp="time")),
                    v2_struct("0:1", v3_field("F11", "Zeitpunkt", datentyp="datetime")),
                    v2_struct("0:1", v3_field("F12", "Name lateinisch", datentyp="text_latin")),
                    v2_struct(
                        "1:2",
                        v3_field(
                            "F13",
                            "Impfpass",
                            datentyp="file",
                            extra="<xdf:maxSize>5000000</xdf:maxSize>"
                            "<xdf:mediaType>application/pdf</xdf:mediaType>"
                            "<xdf:mediaType>image/jpeg</xdf:mediaType>",
                        ),
                    ),
                    v2_struct(
                        "1:1",
                        v3_field(
                            "F14",
                            "Hinweis",
                            feldart="label",
                            extra="<xdf:inhalt>Bitte vollständig ausfüllen.</xdf:inhalt>",
                        ),
                    ),
                    v2_struct("0:1", v3_field("F15", "Foto", datentyp="obj")),
                    v2_struct(
                        "0:1",
                        v3_field(
                            "F16", "Bemerkungen", extra='<xdf:praezisierung maxLength="4000"/>'
                        ),
                    ),
                    v2_struct(
                        "0:1",
                        v3_field(
                            "F17",
                            "Land",
                            feldart="select",
                            extra="<xdf:codelisteReferenz><xdf:canonicalIdentification>urn:de:staat"
                            "</xdf:canonicalIdentification><xdf:version>2024</xdf:version></xdf:codelisteReferenz>",
                        ),
                    ),
                    v2_struct(
                        "0:1",
                        v3_field(
                            "F18", "Intern", feldart="hidden", extra="<xdf:inhalt>abc</xdf:inhalt>"
                        ),
                    ),
                    v2_struct(
                        "0:1",
                        v3_field(
                            "F19",
                            "Aktenzeichen",
                            feldart="locked",
                            extra="<xdf:inhalt>AZ-7</xdf:inhalt>",
                        ),
                    ),
                ),
            ),
            v2_struct("0:*", v3_group("G2", "Halter", v2_struct("1:1", v3_field("F20", "Name")))),
        )
    )
    check_form(converted)
    assert (converted.identifier, converted.version) == ("S00000000999", "1.0.0")
    assert converted.title == "Anmeldung eines Hundes"
    assert converted.description == "Melden Sie Ihren Hund an."
    assert converted.standard == "xdatenfelder-3"
    steps = converted.layout["steps"]
    assert [step["title"] for step in steps] == ["Anmeldung eines Hundes", "Hund", "Halter"]
    assert steps[0]["elements"][0]["label"] == "Name des Hundes?"

    dog = converted.schema["properties"]["g1_hund"]
    p = dog["properties"]
    assert p["f2_geschlecht"]["enum"] == ["m", "w", "d", "x"]
    elements = all_layout(converted)
    sex = layout_element(elements, "f2_geschlecht")
    assert sex["widget"] == "radio"
    assert sex["choices"][0] == {"value": "m", "label": "männlich"}
    assert layout_element(elements, "f3_rasse")["widget"] == "select"
    colours = p["f4_farben"]
    assert colours["type"] == "array"
    assert colours["items"]["enum"] == ["m", "w", "d", "x"]
    assert colours["maxItems"] == 3
    assert layout_element(elements, "f4_farben")["widget"] == "checkboxes"
    assert p["f5_geburtstag"]["format"] == "date"
    assert p["f6_gefaehrlich"] == {
        "title": "Gefährlich?",
        "x-fim-id": "F6",
        "x-fim-version": "1.0.0",
        "type": "boolean",
        "default": False,
    }
    assert (p["f7_gewicht"]["minimum"], p["f7_gewicht"]["maximum"]) == (0.5, 120)
    assert p["f8_anzahl_hunde"]["type"] == "integer"
    assert p["f8_anzahl_hunde"]["default"] == 1
    assert p["f9_steuerbetrag"]["type"] == "number"
    assert p["f9_steuerbetrag"]["format"] == "amount"  # two decimal places at most
    assert p["f10_uhrzeit"]["type"] == "string"
    assert p["f10_uhrzeit"]["format"] == "clock-time"
    assert p["f12_name_lateinisch"]["type"] == "string"
    vaccination = p["f13_impfpass"]
    assert (vaccination["minItems"], vaccination["maxItems"]) == (1, 2)
    upload = layout_element(elements, "f13_impfpass")
    assert upload["accept"] == ["application/pdf", "image/jpeg"]
    assert upload["max_size"] == 5000000
    assert {"static": "Bitte vollständig ausfüllen.", "title": "Hinweis?"} in layout_element(
        elements, "g1_hund"
    )["elements"]
    assert "f14_hinweis" not in p
    assert "f15_foto" not in p
    assert layout_element(elements, "f16_bemerkungen")["widget"] == "textarea"
    assert p["f17_land"]["type"] == "string"
    assert "f18_intern" not in p  # hidden: neither shown nor asked
    assert "f19_aktenzeichen" not in p  # locked: shown as text, not asked
    assert {"static": "AZ-7", "title": "Aktenzeichen?"} in layout_element(elements, "g1_hund")[
        "elements"
    ]
    assert dog["required"] == ["f2_geschlecht", "f5_geburtstag", "f13_impfpass"]

    keepers = converted.schema["properties"]["g2_halter"]
    assert keepers["type"] == "array"
    assert "minItems" not in keepers
    assert keepers["items"]["required"] == ["f20_name"]
    group = layout_element(elements, "g2_halter")
    assert group["repeat"] is True
    assert group["add_label"]
    assert converted.schema["required"] == ["f1_name_des_hundes", "g1_hund"]

    text = "\n".join(converted.warnings)
    assert "num_currency" not in text
    assert "'time'" not in text
    for expected in [
        "'datetime'",
        "text_latin",
        "'obj'",
        "urn:de:staat version 2024",
        "'hidden'",
        "'locked'",
    ]:
        assert expected in text, expected


def test_v3_rules_keep_free_text_and_script() -> None:
    rule = """<xdf:regel>
      <xdf:identifikation><xdf:id>R1</xdf:id><xdf:version>1.0.0</xdf:version></xdf:identifikation>
      <xdf:name>Pflicht bei Gefahr</xdf:name>
      <xdf:freitextRegel>Wenn F1 gefüllt ist,
        dann muss F2 gefüllt sein.</xdf:freitextRegel>
      <xdf:typ><code>K</code></xdf:typ>
      <xdf:skript>if (F1) { require(F2); }</xdf:skript>
      <xdf:param><xdf:name>x</xdf:name></xdf:param>
    </xdf:regel>"""
    converted = convert(v3_schema(v2_struct("0:1", v3_field("F1", "Eins")), rules=rule))
    [note] = converted.layout["notes"]
    assert note.startswith("Regel R1 (Version 1.0.0) Pflicht bei Gefahr: ")
    assert "Wenn F1 gefüllt ist, dann muss F2 gefüllt sein." in note
    assert "if (F1) { require(F2); }" in note
    assert "das gesamte Formular" in note


def test_top_level_fields_share_steps_between_groups() -> None:
    converted = convert(
        v2_schema(
            v2_struct("1:1", v2_field("F1", "Eins")),
            v2_struct("0:1", v2_field("F2", "Zwei")),
            v2_struct("1:1", v2_group("G1", "Gruppe", v2_struct("1:1", v2_field("F3", "Drei")))),
            v2_struct("0:1", v2_field("F4", "Vier")),
        )
    )
    check_form(converted)
    steps = converted.layout["steps"]
    assert [step["title"] for step in steps] == [
        "Antrag auf Prüfung",
        "Gruppe",
        "Antrag auf Prüfung (2)",
    ]
    assert [len(step["elements"]) for step in steps] == [2, 1, 1]
    assert converted.schema["required"] == ["f1_eins", "g1_gruppe"]


def test_same_field_twice_in_one_object_gets_two_names() -> None:
    field = v2_field("F1", "Telefon")
    converted = convert(v2_schema(v2_struct("0:1", field), v2_struct("1:1", field)))
    check_form(converted)
    assert list(converted.schema["properties"]) == ["f1_telefon", "f1_telefon_2"]
    assert converted.schema["required"] == ["f1_telefon_2"]


def test_property_names_are_identifiers() -> None:
    converted = convert(
        v2_schema(
            v2_struct("0:1", v2_field("F-1.2", "Größe / Gewicht (in kg) – äußerst wichtig!")),
            v2_struct("0:1", v2_field("123", "")),
            v2_struct(
                "0:1",
                v2_field(
                    "F3", "Ein sehr langer Feldname, der weit über vierzig Zeichen hinausgeht"
                ),
            ),
        )
    )
    check_form(converted)
    assert list(converted.schema["properties"]) == [
        "f_1_2_groesse_gewicht_in_kg_aeusserst_wichtig",
        "x123",
        "f3_ein_sehr_langer_feldname_der_weit_ueber",
    ]


def test_repeatable_group_bounds() -> None:
    converted = convert(
        v2_schema(
            v2_struct("1:3", v2_group("G1", "Kind", v2_struct("1:1", v2_field("F1", "Vorname"))))
        )
    )
    check_form(converted)
    children = converted.schema["properties"]["g1_kind"]
    assert (children["type"], children["minItems"], children["maxItems"]) == ("array", 1, 3)
    assert children["x-fim-id"] == "G1"


def test_v2_praezisierung_variants() -> None:
    converted = convert(
        v2_schema(
            v2_struct(
                "0:1",
                v2_field(
                    "F1",
                    "Zahl",
                    datentyp="num_int",
                    praezisierung='{"minValue":"-5","maxValue":10}',
                ),
            ),
            v2_struct("0:1", v2_field("F2", "Text", praezisierung="max. 50 Zeichen")),
            v2_struct(
                "0:1",
                v2_field("F3", "Datum", datentyp="date", praezisierung='{"minValue":"2020-01-01"}'),
            ),
            v2_struct(
                "0:1",
                v2_field(
                    "F4", "Muster", praezisierung='{"pattern":"[A-Z]{2}","maxLength":"2","foo":"1"}'
                ),
            ),
            v2_struct("0:1", v2_field("F5", "Kaputt", praezisierung='{"pattern":"[A-Z"}')),
        )
    )
    check_form(converted)
    p = converted.schema["properties"]
    assert (p["f1_zahl"]["minimum"], p["f1_zahl"]["maximum"]) == (-5, 10)
    assert "maxLength" not in p["f2_text"]
    assert "minimum" not in p["f3_datum"]
    assert p["f3_datum"]["formatMinimum"] == "2020-01-01"  # a date bound (ADR 0034)
    assert p["f4_muster"]["pattern"] == "^(?:[A-Z]{2})$(?!\\n)"
    assert "pattern" not in p["f5_kaputt"]
    text = "\n".join(converted.warnings)
    for expected in ["F2", "not a JSON object", "'foo'", "F5"]:
        assert expected in text


def test_defaults_that_do_not_fit_are_dropped() -> None:
    converted = convert(
        v2_schema(
            v2_struct("0:1", v2_field("F1", "Zahl", datentyp="num", inhalt="viel")),
            v2_struct("0:1", v2_field("F2", "Datum", datentyp="date", inhalt="1.1.2020")),
            v2_struct("0:1", v2_field("F3", "Ja", datentyp="bool", inhalt="vielleicht")),
            v2_struct("0:1", v2_field("F4", "Text", inhalt="Hallo")),
        )
    )
    p = converted.schema["properties"]
    assert all("default" not in p[name] for name in ("f1_zahl", "f2_datum", "f3_ja"))
    assert p["f4_text"]["default"] == "Hallo"
    assert sum("default value" in w for w in converted.warnings) == 3


@pytest.mark.parametrize(
    ("xml", "words"),
    [
        (
            v2_schema(
                v2_struct("0:1", v2_field("F7", "Name", praezisierung='{"maxLength":"viel"}'))
            ),
            ["maxlength", "'viel'", "f7"],
        ),
        (
            v2_schema(v2_struct("0:1", v2_field("F7", "Name", praezisierung='{"minLength":"-1"}'))),
            ["minlength", "f7"],
        ),
        (
            v2_schema(
                v2_struct(
                    "0:1", v2_field("F7", "Name", praezisierung='{"minLength":"5","maxLength":"2"}')
                )
            ),
            ["minlength 5", "maxlength 2", "f7"],
        ),
        (
            v2_schema(
                v2_struct(
                    "0:1", v2_field("F8", "Zahl", datentyp="num", praezisierung='{"minValue":"x"}')
                )
            ),
            ["minvalue", "'x'", "f8"],
        ),
        (
            v2_schema(
                v2_struct(
                    "0:1",
                    v2_field(
                        "F8",
                        "Zahl",
                        datentyp="num",
                        praezisierung='{"minValue":"9","maxValue":"1"}',
                    ),
                )
            ),
            ["minvalue", "maxvalue", "f8"],
        ),
        (
            v2_schema(
                v2_struct(
                    "0:1",
                    v2_field("F8", "Zahl", datentyp="num", praezisierung='{"maxValue":"NaN"}'),
                )
            ),
            ["maxvalue", "f8"],
        ),
        (
            v3_schema(
                v2_struct(
                    "0:1", v3_field("F9", "Name", extra='<xdf:praezisierung maxLength="1.5"/>')
                )
            ),
            ["maxlength", "'1.5'", "f9"],
        ),
        (v2_schema(v2_struct("1", v2_field("F1", "Eins"))), ["invalid <anzahl> '1'"]),
        (v2_schema(v2_struct("2:1", v2_field("F1", "Eins"))), ["invalid <anzahl> '2:1'"]),
        (v2_schema(v2_struct("0:0", v2_field("F1", "Eins"))), ["invalid <anzahl> '0:0'"]),
        (
            v2_schema("<xdf:struktur><xdf:anzahl>1:1</xdf:anzahl></xdf:struktur>"),
            ["missing <enthaelt>"],
        ),
        (
            v2_schema(v2_struct("1:1", v2_field("F1", "Eins") + v2_field("F2", "Zwei"))),
            ["exactly one", "found 2"],
        ),
        (
            v2_schema(v2_struct("1:1", v2_field("F1", "Eins", extra="<xdf:farbe>rot</xdf:farbe>"))),
            ["unexpected element <farbe>", "<datenfeld> f1"],
        ),
        (
            v2_schema(v2_struct("1:1", v2_field("F1", "Eins", extra='<x:y xmlns:x="urn:other"/>'))),
            ["unexpected element", "urn:other"],
        ),
        (
            v2_schema(v2_struct("1:1", v2_field("F1", "Eins").replace("<code>input</code>", ""))),
            ["missing <code>", "<feldart>"],
        ),
        (
            v2_schema(
                v2_struct(
                    "1:1",
                    v2_field("F1", "Eins").replace(
                        "<xdf:feldart><code>input</code></xdf:feldart>", ""
                    ),
                )
            ),
            ["missing <feldart>", "f1"],
        ),
        (
            v3_schema(
                v2_struct(
                    "0:1",
                    v3_field(
                        "F1", "Eins", extra="<xdf:inhalt>a</xdf:inhalt><xdf:inhalt>b</xdf:inhalt>"
                    ),
                )
            ),
            ["duplicate element <inhalt>", "f1"],
        ),
        (
            v3_schema(
                v2_struct(
                    "0:1",
                    v3_field("F1", "Wahl", feldart="select", extra=values(("a", "A"), ("a", "B"))),
                )
            ),
            ["duplicate code 'a'", "f1"],
        ),
        (
            v2_schema(
                v2_struct("1:1", v2_field("F1", "Eins").replace("<xdf:name>Eins</xdf:name>", ""))
            ),
            ["missing <name>", "<datenfeld> f1"],
        ),
    ],
)
def test_structural_errors_name_the_problem(xml: bytes, words: list[str]) -> None:
    with pytest.raises(XDatenfelderError) as caught:
        convert(xml)
    message = str(caught.value).lower()
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    inner = v2_field("F1", "Blatt")
    for level in range(200):
        inner = v2_group(f"G{level}", "Ebene", v2_struct("1:1", inner))
    with pytest.raises(XDatenfelderError, match="nested deeper"):
        convert(v2_schema(v2_struct("1:1", inner)))


def test_slug_for() -> None:
    converted = convert(load("v2/simple.xml"))
    assert slug_for(converted) == "t1234"
    untitled = ConvertedForm("", "", "Antrag auf Überprüfung " * 10, "", "", {}, {}, [])
    slug = slug_for(untitled)
    assert slug.startswith("antrag-auf-ueberpruefung-antrag")
    assert len(slug) <= 80
    assert not slug.endswith("-")
    assert slug_for(ConvertedForm("", "", "", "", "", {}, {}, [])) == "formular"


@pytest.mark.parametrize("name", VALID)
def test_valid_fixture_is_a_usable_form_definition(name: str) -> None:
    """What the converter makes passes the forms engine's own checks, so it can be published."""
    from rathaus.forms.engine import FormSpec, definition_problems

    converted = convert(load(name))
    assert definition_problems(converted.schema, converted.layout) == []
    spec = FormSpec(converted.schema, converted.layout)
    for path, element in spec.field_templates.items():
        if element.widget == "file":
            assert element.accept, path
            assert 0 < element.max_size <= 20 * 1024 * 1024, path
    assert all(len(step.id) <= 41 for step in spec.steps)


STATES = [("000", "deutsch"), ("121", "albanisch"), ("122", "bosnisch-herzegowinisch")]


def states(urn: str, version: str) -> list[tuple[str, str]] | None:
    """A code-list lookup that knows one list in one version."""
    return STATES if (urn, version) == ("urn:de:staat", "2024") else None


def test_v3_code_list_references_become_choices_when_the_list_is_known() -> None:
    reference = (
        "<xdf:codelisteReferenz><xdf:canonicalIdentification>urn:de:staat"
        "</xdf:canonicalIdentification><xdf:version>{}</xdf:version></xdf:codelisteReferenz>"
    )
    converted = convert(
        v3_schema(
            v2_struct(
                "1:1", v3_field("F1", "Land", feldart="select", extra=reference.format(2024))
            ),
            v2_struct(
                "0:3", v3_field("F2", "Länder", feldart="select", extra=reference.format(2024))
            ),
            v2_struct("0:1", v3_field("F3", "Alt", feldart="select", extra=reference.format(2019))),
        ),
        states,
    )
    check_form(converted)
    p = converted.schema["properties"]
    assert p["f1_land"]["enum"] == ["000", "121", "122"]
    assert p["f1_land"]["x-code-list"] == {"urn": "urn:de:staat", "version": "2024"}
    elements = all_layout(converted)
    assert layout_element(elements, "f1_land")["widget"] == "radio"
    assert layout_element(elements, "f1_land")["choices"][1] == {
        "value": "121",
        "label": "albanisch",
    }
    # a repeatable coded field: checkboxes, the reference on the items
    assert p["f2_laender"]["items"]["enum"] == ["000", "121", "122"]
    assert p["f2_laender"]["items"]["x-code-list"]["version"] == "2024"
    assert "x-code-list" not in {k for k in p["f2_laender"] if k != "items"}
    assert layout_element(elements, "f2_laender")["widget"] == "checkboxes"
    # another version of the list is not known: free text, named as missing
    assert "enum" not in p["f3_alt"]
    assert layout_element(elements, "f3_alt")["widget"] == "text"
    assert converted.missing_code_lists == [("urn:de:staat", "2019")]
    assert any("urn:de:staat version 2019 is not available" in w for w in converted.warnings)
