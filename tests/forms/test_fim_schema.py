"""The rest of a FIM schema (ADR 0034): patterns for the server and the browser, help texts for
citizens and notes for staff, data types, and no publishing without questions."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rathaus.forms import services
from rathaus.forms.engine import DefinitionError, FormSpec
from rathaus.forms.models import FormDefinition
from rathaus.forms.xdatenfelder import convert
from rathaus.forms.xdatenfelder.patterns import PatternError, translate
from tests.support import DATA, follow_post, get_page, log_in, post_data, render_step
from tests.support import start_application as start

XDF = DATA / "xdatenfelder"

# pattern, values it must take, values it must refuse
MATCHING = [
    (r"[\p{L}0-9. ]*", ["Müller Str. 5", "Ærøskøbing", "", "Łódź 12"], ["Müller-Str. 5", "a_b"]),
    ("[0-9]{5}", ["39179", "01067"], ["3917", "391790", "3917a", "39179\n"]),
    (r"[\p{L}\p{M}' \-]*", ["O'Brien", "Anne-Marie", "Nguyễn", "e\u0301"], ["R2D2", "Anne_Marie"]),
    (r"\d{2}\.\d{2}\.\d{4}", ["31.12.1980"], ["31-12-1980", "31.12.80", "x31.12.1980"]),
    ("([0]{1}[1-9]{1}|[1-9]{1}[0-9]{1})[0-9]{3}", ["39179", "01067"], ["00123", "1234"]),
    (
        r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{1,63}$",
        ["max.mustermann@email.de"],
        ["max@", "max@email.de$", "max mustermann@email.de"],
    ),
    ("[a-z-[aeiou]]+", ["bcd", "xyz"], ["abc", "B"]),
    ("[^a-z-[0-9]]+", ["ABC", "Ä!"], ["abc", "A1"]),
    (r"\p{IsBasicLatin}+", ["Hello!"], ["Grüße"]),
    (r"\p{Lu}\p{Ll}+", ["Anna", "Ödön"], ["anna", "ANNA"]),
    (r"\P{N}+", ["abc"], ["a1"]),
    (r"[\-\[\]\\|]+", ["-[]\\|"], ["a"]),
    ("a.c", ["abc", "a c"], ["a\nc", "ac"]),
    (r"\s\S\w\W", [" xa!"], ["  a!", " x!!"]),
    ("^[0-9]+$", ["123"], ["^123$", "12a"]),
    ("a|b", ["a", "b"], ["ab", ""]),
    ("x{2,}y{0,1}", ["xx", "xxxy"], ["x", "xxyy"]),
    (r"[\p{L}-[\p{Lu}]]+", ["abc", "äöü"], ["Abc"]),
    (r"\$[0-9]+", ["$12"], ["12"]),
]
REFUSED = [
    ("(a+)+", "unbounded repetition"),
    ("(a*b)*", "unbounded repetition"),
    (r"\b[a-z]+\b", r"\b"),
    (r"([a-z])\1", r"\1"),
    (r"\x41", r"\x"),
    (r"\i\c*", r"\i"),
    (r"\p{Foo}", "unknown category"),
    (r"\p{IsKlingon}", "unknown category or block"),
    ("[z-a]", "reversed"),
    ("a{5,2}", "reversed"),
    ("a{20000}", "above"),
    ("a**", "quantifier"),
    ("a+?", "quantifier"),
    ("(?i)abc", "'(?'"),
    ("(abc", "missing ')'"),
    ("abc)", "unexpected ')'"),
    ("[abc", "missing ']'"),
    ("[a[b]]", "unescaped '['"),
    ("[a-z-[aeiou]b]", "must end the class"),
    (r"\p{L", "missing '}'"),
    ("*a", "unexpected '*'"),
    ("x" * 2001, "longer than"),
]


@pytest.mark.parametrize(("pattern", "good", "bad"), MATCHING)
def test_translated_patterns_match_like_xml_schema(pattern, good, bad):
    server = translate(pattern).server
    for value in good:
        assert re.search(server, value), (pattern, value)
    for value in bad:
        assert not re.search(server, value), (pattern, value)


@pytest.mark.parametrize(("pattern", "reason"), REFUSED)
def test_untranslatable_patterns_are_refused_with_the_reason(pattern, reason):
    with pytest.raises(PatternError) as refused:
        translate(pattern)
    assert reason in str(refused.value)


def test_browser_patterns_are_spelled_for_the_v_flag():
    assert translate(r"[\p{L}0-9. ]*").browser == r"[\p{L}0-9\u{2E}\u{20}]*"
    assert translate("[a-z-[aeiou]]").browser == r"[[a-z]--[aeiou]]"
    assert translate("[^a-z-[aeiou]]").browser == r"[[^a-z]--[aeiou]]"
    assert translate(r"\p{IsBasicLatin}").browser == r"[\u{0}-\u{7F}]"
    assert translate(r"\d").browser == r"\p{Nd}"
    assert translate(r"\P{L}").browser == r"\P{L}"
    assert translate("^[0-9]+$").notes == [
        "the leading '^' is read as the start of the value",
        "the trailing '$' is read as the end of the value",
    ]


def test_browser_patterns_compile_and_match_in_javascript():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the browser spelling is checked only in Python")
    cases = [[translate(p).browser, good, bad] for p, good, bad in MATCHING]
    script = (
        "const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "const out = cases.map(([p, good, bad]) => { const r = new RegExp(`^(?:${p})$`, 'v');"
        " return [good.every(v => r.test(v)), bad.every(v => !r.test(v))]; });"
        "console.log(JSON.stringify(out));"
    )
    done = subprocess.run(
        [node, "-e", script], input=json.dumps(cases), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    for (pattern, _good, _bad), result in zip(MATCHING, results, strict=True):
        assert result == [True, True], pattern


# --- import ---------------------------------------------------------------------------------


def fields_by_id(node, found=None):
    found = {} if found is None else found
    if isinstance(node, dict):
        if "x-fim-id" in node and node.get("type") != "object":
            found.setdefault(node["x-fim-id"], node)
        for value in node.values():
            fields_by_id(value, found)
    elif isinstance(node, list):
        for value in node:
            fields_by_id(value, found)
    return found


def layout_fields(elements, found=None):
    found = [] if found is None else found
    for element in elements:
        if "field" in element:
            found.append(element)
        layout_fields(element.get("elements", []), found)
    return found


def test_the_real_schema_keeps_its_patterns_for_server_and_browser():
    converted = convert((XDF / "v2" / "S00000246v1.1_xdf2.xml").read_bytes())
    fields = fields_by_id(converted.schema)
    postal, email = fields["F60000246"], fields["F60000242"]
    assert postal["x-html-pattern"] == "(?:[0]{1}[1-9]{1}|[1-9]{1}[0-9]{1})[0-9]{3}"
    assert re.search(postal["pattern"], "39179")
    assert not re.search(postal["pattern"], "00179")
    assert email["x-fim-pattern"].endswith("$")
    assert re.search(email["pattern"], "max.mustermann@email.de")
    warnings = "\n".join(converted.warnings)
    assert "F60000242" in warnings
    assert "the trailing '$' is read as the end of the value" in warnings
    spec = FormSpec(converted.schema, converted.layout)
    elements = layout_fields([e for step in converted.layout["steps"] for e in step["elements"]])
    tokens = {e["field"].split("_")[0]: e.get("autocomplete") for e in elements}
    assert tokens["f60000246"] == "postal-code"
    assert tokens["f60000227"] == "family-name"
    assert tokens["f60000242"] == "email"
    html = render_step(spec, 0, {})
    assert 'autocomplete="family-name"' in html


def test_an_untranslatable_pattern_is_reported_and_leaves_length_checks():
    xml = (XDF / "v2" / "simple.xml").read_text(encoding="utf-8")
    xml = xml.replace(
        '{"minLength":"1","maxLength":"120"}', r'{"maxLength":"120","pattern":"\\b(a+)+"}'
    )
    converted = convert(xml.encode())
    [field] = fields_by_id(converted.schema).values()
    assert "pattern" not in field
    assert field["maxLength"] == 120
    [warning] = [w for w in converted.warnings if "pattern" in w]
    assert "F60000227" in warning
    assert "\\b(a+)+" in warning
    assert "only its length and type are checked" in warning


def test_citizens_get_the_input_help_and_staff_the_editor_notes():
    converted = convert((XDF / "v2" / "simple.xml").read_bytes())
    [element] = layout_fields(converted.layout["steps"][0]["elements"])
    assert element["help"] == "Hilfe Eingabe"
    texts = json.dumps(converted.layout["steps"], ensure_ascii=False)
    assert "Eine Beschreibung" not in texts
    assert "Ein Bezug" not in texts
    assert "Eine Beschreibung" not in converted.description
    notes = converted.layout["editor_notes"]
    assert any(n.startswith("Schema T1234") and "Bezug: Bezug" in n for n in notes), notes
    field_note = next(n for n in notes if n.startswith("Feld F60000227"))
    assert "Beschreibung: Eine Beschreibung" in field_note
    assert "Bezug: Ein Bezug" in field_note


def test_the_real_schema_shows_no_editor_text_to_citizens():
    converted = convert((XDF / "v2" / "S00000246v1.1_xdf2.xml").read_bytes())
    shown = json.dumps(converted.layout["steps"], ensure_ascii=False)
    assert "Kompatibilität zu EPA" not in shown  # a beschreibung of F60000247 „Ort“
    assert "Basistyps String.Latin" not in shown  # a definition
    assert any("Kompatibilität zu EPA" in note for note in converted.layout["editor_notes"])


def test_v3_constraints_become_schema_and_input_limits():
    converted = convert((XDF / "v3" / "input.xml").read_bytes())
    [field] = [f for f in fields_by_id(converted.schema).values() if "pattern" in f]
    assert field["pattern"] == "^(?:abc)$(?!\\n)"
    assert field["x-html-pattern"] == "abc"
    assert field["maxLength"] == 1


def test_amount_and_time_are_checked_like_the_input_says():
    schema = {
        "type": "object",
        "properties": {
            "fee": {"type": "number", "format": "amount"},
            "at": {"type": "string", "format": "clock-time"},
            "count": {"type": "integer"},
        },
    }
    layout = {
        "steps": [
            {
                "id": "a",
                "title": "A",
                "elements": [
                    {"field": "fee", "widget": "number", "label": "Betrag"},
                    {"field": "at", "widget": "text", "label": "Uhrzeit"},
                    {"field": "count", "widget": "number", "label": "Anzahl"},
                ],
            }
        ]
    }
    spec = FormSpec(schema, layout)
    assert spec.is_valid({"fee": 12.5, "at": "9:05", "count": 3})
    errors = spec.errors({"fee": 12.555, "at": "24:00"})
    assert errors["fee"] == [
        "Bitte geben Sie einen Betrag mit höchstens zwei Nachkommastellen an, zum Beispiel 12,50."
    ]
    assert errors["at"] == ["Bitte geben Sie eine Uhrzeit an, zum Beispiel 14:30."]
    # a line break after the time is no time either (an API client may send one)
    assert spec.errors({"at": "14:30\n"})["at"] == errors["at"]
    html = render_step(spec, 0, {})
    assert re.search(r'name="count"[^>]*inputmode="numeric"', html)


def date_field(constraints: dict[str, str]) -> bytes:
    xml = (XDF / "v2" / "simple.xml").read_text(encoding="utf-8")
    xml = xml.replace("<code>text</code>", "<code>date</code>")
    return xml.replace('{"minLength":"1","maxLength":"120"}', json.dumps(constraints)).encode()


def test_date_bounds_are_checked_on_the_server_and_offered_to_the_browser():
    converted = convert(date_field({"minValue": "1900-01-01", "maxValue": "2020-12-31"}))
    [field] = fields_by_id(converted.schema).values()
    assert (field["formatMinimum"], field["formatMaximum"]) == ("1900-01-01", "2020-12-31")
    assert not [w for w in converted.warnings if "Value" in w]
    spec = FormSpec(converted.schema, converted.layout)
    [(path, _element)] = list(spec.fields())
    group, name = path.split(".")
    assert spec.is_valid({group: {name: "1980-12-31"}})
    assert spec.errors({group: {name: "2021-01-01"}})[path] == [
        "Bitte geben Sie ein Datum bis zum 31.12.2020 an."
    ]
    assert spec.errors({group: {name: "1899-12-31"}})[path] == [
        "Bitte geben Sie ein Datum ab dem 01.01.1900 an."
    ]
    html = render_step(spec, 0, {})
    assert re.search(r'type="date"[^>]*min="1900-01-01"[^>]*max="2020-12-31"', html), html


def test_date_bounds_that_are_no_dates_are_reported():
    converted = convert(date_field({"minValue": "heute", "maxValue": "2020-12-31"}))
    [field] = fields_by_id(converted.schema).values()
    assert "formatMinimum" not in field
    assert field["formatMaximum"] == "2020-12-31"
    assert any("minValue 'heute' is not a date" in w for w in converted.warnings)
    converted = convert(date_field({"minValue": "2021-01-01", "maxValue": "2020-12-31"}))
    [field] = fields_by_id(converted.schema).values()
    assert "formatMinimum" not in field
    assert "formatMaximum" not in field
    assert any("minValue is after maxValue" in w for w in converted.warnings)


# --- a pattern on the citizen's page -------------------------------------------------------------

HELP = "Nur Buchstaben, Leerzeichen, Apostroph und Bindestrich."


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_xdatenfelder", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_a_pattern_mismatch_is_shown_at_the_field_with_its_help(client, barleben, tmp_path):
    xml = (XDF / "v2" / "simple.xml").read_text(encoding="utf-8")
    constraints = {"minLength": "1", "maxLength": "120", "pattern": r"[\p{L}\p{M}' \-]*"}
    xml = xml.replace('{"minLength":"1","maxLength":"120"}', json.dumps(constraints))
    xml = xml.replace("Hilfe Eingabe", HELP)
    path = tmp_path / "schema.xml"
    path.write_text(xml, encoding="utf-8")
    run(str(path), "--authority", "barleben", "--slug", "muster", "--publish")
    step = start(client, "muster")
    html = get_page(client, step)
    [name] = set(re.findall(r'name="(g[^"]*f60000227[a-z0-9_]*)"', html))
    field_input = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html).group(0)
    assert 'pattern="[\\p{L}\\p{M}\\u{27}\\u{20}\\u{2D}]*"' in field_input
    assert 'maxlength="120"' in field_input
    assert "Eine Beschreibung" not in html  # the editors' description stays with staff
    response = client.post(step, post_data(html, action="next", **{name: "R2D2"}))
    assert response.status_code == 422
    text = response.content.decode()
    message = f"Diese Angabe hat nicht die erwartete Form. Bitte beachten Sie: {HELP}"
    html_id = re.search(rf'id="([^"]+)" name="{re.escape(name)}"', text).group(1)
    assert re.search(rf'id="{re.escape(html_id)}-error">.*?{re.escape(message)}', text, re.S)
    follow_post(client, step, post_data(text, action="next", **{name: "Anne-Marie O'Brien"}))


# --- no questions, no publishing ------------------------------------------------------------------

NO_QUESTIONS = "Das Formular stellt keine Fragen"


@pytest.mark.django_db
def test_a_schema_without_questions_is_imported_but_not_published(barleben, tmp_path):
    path = tmp_path / "label.xml"
    path.write_bytes((XDF / "v2" / "label.xml").read_bytes())
    output = run(str(path), "--authority", "barleben", "--slug", "hinweis")
    assert "cannot be published: the schema has no questions" in output
    version = FormDefinition.objects.get(slug="hinweis").versions.get()
    assert not services.asks_questions(version)
    with pytest.raises(DefinitionError) as refused:
        services.publish(version)
    assert any(NO_QUESTIONS in problem for problem in refused.value.problems)
    with pytest.raises(CommandError) as at_import:
        run(str(path), "--authority", "barleben", "--slug", "hinweis", "--publish")
    assert NO_QUESTIONS in str(at_import.value)


@pytest.mark.django_db
def test_a_hand_made_form_of_texts_only_is_refused(barleben):
    version = services.create_definition(
        authority=barleben,
        slug="nur-text",
        title="Nur Text",
        schema={"type": "object", "properties": {}},
        layout={"steps": [{"id": "a", "title": "A", "elements": [{"static": "Hallo"}]}]},
    )
    with pytest.raises(DefinitionError) as refused:
        services.publish(version)
    assert any(NO_QUESTIONS in problem for problem in refused.value.problems)
    assert version.definition.published_version() is None


@pytest.mark.django_db
def test_staff_see_why_a_form_without_questions_cannot_be_published(barleben, tmp_path, client):
    path = tmp_path / "label.xml"
    path.write_bytes((XDF / "v2" / "label.xml").read_bytes())
    run(str(path), "--authority", "barleben", "--slug", "leer")
    definition = FormDefinition.objects.get(slug="leer")
    staff = log_in(client, "ordnungsamt")
    base = f"/verwaltung/formulare/{definition.pk}/"
    assert NO_QUESTIONS in get_page(staff, base)
    version_page = get_page(staff, f"{base}versionen/1/")
    assert NO_QUESTIONS in version_page
    assert "Hinweise der Redaktion des Schemas" in version_page  # the editors' notes, for staff
    assert "Beschreibung: Eine Beschreibung · Definition: Eine Defintion" in version_page
    refused = staff.post(f"{base}versionen/1/veroeffentlichen/")
    assert refused.status_code == 400
    assert NO_QUESTIONS in refused.content.decode()
    assert definition.published_version() is None
