"""The forms engine: reading posted answers, conditions, repeatable groups, German messages."""

from __future__ import annotations

import copy

import pytest
from django.utils import translation

from rathaus.forms.engine import DefinitionError, FormSpec, definition_problems
from rathaus.forms.rendering import FileInfo, summary
from tests.support import (
    ALL_TYPES_LAYOUT,
    ALL_TYPES_SCHEMA,
    VALID_DATA,
    as_querydict,
    render_step,
    resubmit,
)


@pytest.fixture
def spec() -> FormSpec:
    return FormSpec(ALL_TYPES_SCHEMA, ALL_TYPES_LAYOUT)


def test_valid_data_is_valid(spec):
    assert spec.errors(VALID_DATA) == {}


def test_every_field_type_round_trips_through_the_rendered_form(spec):
    data = copy.deepcopy(VALID_DATA)
    data["evidence"] = ["a" * 32]
    assert resubmit(spec, data) == data


def test_rendered_form_shows_values_in_the_right_controls(spec):
    html = render_step(spec, 1, VALID_DATA)
    assert 'value="green" checked' in html
    assert '<option value="l" selected>Groß</option>' in html
    assert 'value="wifi" checked' in html
    assert 'value="parking" checked' not in html
    assert 'id="f-has_pet-yes" name="has_pet" type="radio" value="yes" checked' in html
    assert ">Rot</label>" in html  # the layout's label wins over the enum value


def test_posted_text_is_converted_to_typed_values(spec):
    post = as_querydict(
        [
            ("amount.__present", "1"), ("amount", " 1.234,5 ".replace(".", "")),
            ("count.__present", "1"), ("count", "4"),
            ("born.__present", "1"), ("born", "1.2.1990"),
            ("iban.__present", "1"), ("iban", "de89 3704 0044 0532 0130 00"),
            ("name.__present", "1"), ("name", "  Erika  "),
        ]
    )  # fmt: skip
    data = spec.read_step(0, post, {})
    assert data == {
        "amount": 1234.5,
        "count": 4,
        "born": "1990-02-01",
        "iban": "DE89370400440532013000",
        "name": "Erika",
    }


def test_values_that_cannot_be_converted_are_kept_and_explained(spec):
    post = as_querydict([("amount.__present", "1"), ("amount", "zwölf"),
                         ("born.__present", "1"), ("born", "30.2.2023")])  # fmt: skip
    data = spec.read_step(0, post, {})
    assert data == {"amount": "zwölf", "born": "30.2.2023"}
    with translation.override("de"):
        errors = spec.errors(data, step=0)
    assert errors["amount"] == ["Bitte geben Sie eine Zahl ein."]
    assert errors["born"] == ["Bitte geben Sie ein gültiges Datum ein, zum Beispiel 31.12.1980."]


def test_empty_answers_are_absent_not_blank(spec):
    post = as_querydict([("name.__present", "1"), ("name", "   "), ("notes.__present", "1")])
    assert spec.read_step(0, post, {"name": "old", "notes": "x"}) == {}


def test_fields_not_on_the_posted_page_keep_their_answers(spec):
    post = as_querydict([("name.__present", "1"), ("name", "Neu")])
    assert spec.read_step(0, post, {"colour": "red"}) == {"colour": "red", "name": "Neu"}


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        ({}, "name", "Bitte füllen Sie dieses Feld aus."),
        ({}, "colour", "Bitte wählen Sie eine Antwort."),
        ({}, "has_pet", "Bitte wählen Sie eine Antwort."),
        ({"name": "x" * 51}, "name", "Bitte kürzen Sie Ihre Angabe auf höchstens 50 Zeichen."),
        ({"email": "erika@"}, "email", "Bitte geben Sie eine E-Mail-Adresse ein, zum Beispiel name@beispiel.de."),
        ({"phone": "ruf mich an"}, "phone", "Bitte geben Sie eine Telefonnummer ein (nur Ziffern, Leerzeichen und + / - ( ))."),
        ({"iban": "DE89370400440532013001"}, "iban", "Bitte prüfen Sie die IBAN: Die Prüfziffern stimmen nicht."),
        ({"count": 0}, "count", "Bitte geben Sie eine Zahl von mindestens 1 ein."),
        ({"count": 10}, "count", "Bitte geben Sie eine Zahl von höchstens 9 ein."),
        ({"count": 2.5}, "count", "Bitte geben Sie eine ganze Zahl ein."),
        ({"colour": "pink"}, "colour", "Bitte wählen Sie eine der angebotenen Antworten."),
        ({"size": "xl"}, "size", "Bitte wählen Sie eine der angebotenen Antworten."),
        ({"home": {"street": "A", "postal_code": "3917", "place": "B"}}, "home", "Eine deutsche Postleitzahl hat fünf Ziffern."),
        ({"has_pet": True}, "pet_name", "Bitte füllen Sie dieses Feld aus."),
        ({"children": [{}]}, "children.0.first_name", "Bitte füllen Sie dieses Feld aus."),
        ({"evidence": ["a" * 32] * 3}, "evidence", "Bitte laden Sie höchstens 2 Dateien hoch."),
        ({"extras": ["wifi", "wifi"]}, "extras", "Bitte wählen Sie jede Antwort nur einmal."),
    ],
)  # fmt: skip
def test_german_messages_name_the_field(spec, data, path, message):
    with translation.override("de"):
        errors = spec.errors(data)
    assert message in errors.get(path, []), errors


def test_errors_of_one_step_only(spec):
    errors = spec.errors({}, step=1)
    assert set(errors) == {"colour", "has_pet"}


def test_hidden_questions_lose_their_answers(spec):
    data = {"has_pet": False, "pet_name": "Bello"}
    assert spec.hidden_answers(data) == ["pet_name"]
    assert spec.prune(copy.deepcopy(data)) == {"has_pet": False}


def test_condition_on_the_same_page_is_rendered_with_a_hint(spec):
    html = render_step(spec, 1, {})
    assert "data-show-if=" in html
    assert "Name des Tiers" in html


def test_repeatable_group_add_and_remove(spec):
    data: dict = {}
    assert spec.repeat_action(as_querydict([("_add", "children")]), data)
    assert data == {"children": [{}]}
    assert spec.repeat_action(as_querydict([("_add", "children")]), data)
    data["children"][1] = {"first_name": "Lea"}
    assert spec.repeat_action(as_querydict([("_remove", "children.0")]), data)
    assert data == {"children": [{"first_name": "Lea"}]}
    assert spec.repeat_action(as_querydict([("_remove", "children.0")]), data)
    assert data == {}
    assert not spec.repeat_action(as_querydict([("_add", "name")]), data)


def test_repeatable_group_stops_at_its_maximum(spec):
    data = {"children": [{"first_name": str(n)} for n in range(4)]}
    html = render_step(spec, 2, data)
    assert 'name="_add"' not in html


def test_unexpected_keys_are_found_at_every_level(spec):
    data = {"name": "x", "nickname": "y", "children": [{"first_name": "a", "age": 3}],
            "employer": {"company": "c", "size": 9}}  # fmt: skip
    assert sorted(spec.unexpected_paths(data)) == ["children.0.age", "employer.size", "nickname"]


def test_summary_shows_labels_not_codes(spec):
    files = {"a" * 32: FileInfo(id="a" * 32, name="nachweis.pdf", size=10)}
    data = {**VALID_DATA, "evidence": ["a" * 32]}
    with translation.override("de"):
        steps = summary(spec, data, files)
    rows = {row.label: row.lines for step in steps for row in step.rows}
    assert rows["Farbe"] == ["green"]  # no label in the layout for this value
    assert rows["Größe"] == ["Groß"]
    assert rows["Haustier?"] == ["Ja"]
    assert rows["Geburtsdatum"] == ["31.12.1980"]
    assert rows["Anschrift"] == ["Breiteweg 147", "39179 Barleben"]
    assert rows["Nachweis"] == ["nachweis.pdf"]
    assert rows["Betrag"] == ["12,5"]
    assert rows["Kind 2"] == []


@pytest.mark.parametrize(
    ("schema", "layout", "problem"),
    [
        ({"type": "object", "properties": {"a": {"type": "string"}}}, {"steps": []}, "non-empty list of steps"),
        ({"type": "array"}, {"steps": [{"id": "s", "elements": []}]}, '"type": "object"'),
        ({"type": "object", "properties": {"a": {"type": "nonsense"}}}, {"steps": []}, "not valid JSON Schema"),
        ({"type": "object", "properties": {"a": {"type": "string"}}},
         {"steps": [{"id": "s", "elements": [{"field": "a", "widget": "slider"}]}]}, "unknown widget 'slider'"),
        ({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}},
         {"steps": [{"id": "s", "elements": [{"field": "a", "widget": "text"}]}]}, "'b' is not asked for"),
        ({"type": "object", "properties": {"a": {"type": "string"}}},
         {"steps": [{"id": "s", "elements": [{"field": "a", "widget": "text"}, {"field": "a", "widget": "text"}]}]}, "appears 2 times"),
        ({"type": "object", "properties": {"a": {"type": "boolean"}}},
         {"steps": [{"id": "s", "elements": [{"field": "a", "widget": "date"}]}]}, "cannot hold boolean"),
        ({"type": "object", "properties": {"a": {"type": "string"}}},
         {"steps": [{"id": "s", "elements": [{"field": "a", "widget": "text", "show_if": {"field": "z", "equals": 1}}]}]}, "refers to 'z'"),
        ({"type": "object", "properties": {"a": {"type": "string"}}},
         {"steps": [{"id": "s", "elements": [{"field": "a", "widget": "radio"}]}]}, "needs enum or oneOf"),
        ({"type": "object", "properties": {"a": {"type": "array"}}},
         {"steps": [{"id": "s", "elements": [{"field": "a", "widget": "file"}]}]}, "needs an 'accept' list"),
        ({"type": "object", "properties": {"a": {"type": "string"}}},
         {"steps": [{"id": "S 1", "elements": [{"field": "a", "widget": "text"}]}]}, "lower-case letters"),
    ],
)  # fmt: skip
def test_unusable_definitions_are_explained(schema, layout, problem):
    problems = definition_problems(schema, layout)
    assert any(problem in text for text in problems), problems
    with pytest.raises(DefinitionError):
        FormSpec(schema, layout)


def test_a_geojson_line_answer_is_shown_in_words_not_as_json():
    """A route drawn on a map (``contentMediaType`` application/geo+json) reads as words on the
    check page, the receipt and the staff view; what cannot be read stays as it was given."""
    from rathaus.forms.engine.layout import Element
    from rathaus.forms.rendering import display_lines

    route = Element(kind="field", name="route_line", widget="textarea",
                    schema={"type": "string", "contentMediaType": "application/geo+json"})  # fmt: skip
    line = '{"type":"LineString","coordinates":[[11.6,52.2],[11.61,52.21],[11.62,52.22]]}'

    with translation.override("de"):
        assert display_lines(route, line, {}) == [
            "Eine Linie auf der Karte mit 3 Punkten, von 52.20000, 11.60000 bis 52.22000, 11.62000"
        ]
        assert display_lines(route, "kein JSON", {}) == ["kein JSON"]
        assert display_lines(route, '{"type":"Point","coordinates":[1,2]}', {}) == [
            '{"type":"Point","coordinates":[1,2]}'
        ]
