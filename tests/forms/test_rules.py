"""Cross-field rules (ADR 0033): the engine's rule kinds, their checks in a definition, and the
FIM rule texts the XDatenfelder import understands."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from rathaus.forms.engine import FormSpec, definition_problems
from rathaus.forms.xdatenfelder import convert
from rathaus.forms.xdatenfelder.rules import Untranslatable, canonical, clauses
from tests.support import DATA

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "kind": {"type": "string", "enum": ["001", "002", "003"]},
        "phone": {"type": "string"},
        "email": {"type": "string"},
        "street": {"type": "object", "properties": {"name": {"type": "string"}}},
        "box": {"type": "object", "properties": {"number": {"type": "string"}}},
        "day": {"type": "integer"},
        "month": {"type": "integer"},
        "start": {"type": "string", "format": "date"},
        "end": {"type": "string", "format": "date"},
        "size": {"type": "number"},
    },
}


def layout(*rules: dict[str, Any], show_if: dict[str, Any] | None = None) -> dict[str, Any]:
    email: dict[str, Any] = {"field": "email", "widget": "text", "label": "E-Mail"}
    if show_if:
        email["show_if"] = show_if
    return {
        "steps": [
            {
                "id": "one",
                "title": "Eins",
                "elements": [
                    {"field": "kind", "widget": "radio", "label": "Art"},
                    {"field": "phone", "widget": "text", "label": "Telefon"},
                    email,
                    {"group": "street", "label": "Straße",
                     "elements": [{"field": "name", "widget": "text", "label": "Name"}]},
                    {"group": "box", "label": "Postfach",
                     "elements": [{"field": "number", "widget": "text", "label": "Nummer"}]},
                ],
            },
            {
                "id": "two",
                "title": "Zwei",
                "elements": [
                    {"field": "day", "widget": "number", "label": "Tag"},
                    {"field": "month", "widget": "number", "label": "Monat"},
                    {"field": "start", "widget": "date", "label": "Beginn"},
                    {"field": "end", "widget": "date", "label": "Ende"},
                    {"field": "size", "widget": "number", "label": "Größe"},
                ],
            },
        ],
        "rules": list(rules),
    }  # fmt: skip


def errors(data: dict[str, Any], *rules: dict[str, Any], **extra: Any) -> dict[str, list[str]]:
    with translation.override("de"):
        return FormSpec(SCHEMA, layout(*rules, **extra)).errors(data)


AT_LEAST = {"kind": "at_least_one", "fields": ["phone", "email"]}
EXACTLY = {"kind": "exactly_one", "fields": ["street", "box"]}
REQUIRED = {"kind": "required_if", "field": "month", "when": {"field": "day", "filled": True}}
BY_CODE = {"kind": "required_if", "field": "email", "when": {"field": "kind", "in": ["002"]}}
BEFORE = {"kind": "compare", "field": "start", "op": "<=", "other": "end"}
RANGE = {"kind": "range", "field": "size", "min": 50, "max": 250}
BOX = {"box": {"number": "1"}}


@pytest.mark.parametrize(
    ("data", "rule", "expected"),
    [
        ({**BOX}, AT_LEAST,
         {"phone": ["Bitte füllen Sie mindestens eines davon aus: „Telefon“, „E-Mail“."]}),
        ({"email": "a@b.de", **BOX}, AT_LEAST, {}),
        ({}, EXACTLY, {"street": ["Bitte füllen Sie eines davon aus: „Straße“, „Postfach“."]}),
        ({"street": {"name": "A"}, **BOX}, EXACTLY,
         {"street": ["Bitte füllen Sie nur eines davon aus: „Straße“, „Postfach“."]}),
        ({**BOX}, EXACTLY, {}),
        ({"day": 3}, REQUIRED, {"month": ["Bitte füllen Sie dieses Feld aus."]}),
        ({"day": 3, "month": 4}, REQUIRED, {}),
        ({}, REQUIRED, {}),
        ({"kind": "002"}, BY_CODE, {"email": ["Bitte füllen Sie dieses Feld aus."]}),
        ({"kind": "001"}, BY_CODE, {}),
        ({"start": "2026-05-02", "end": "2026-05-01"}, BEFORE,
         {"start": ["Dieses Datum darf nicht nach „Ende“ liegen."]}),
        ({"start": "2026-05-01", "end": "2026-05-01"}, BEFORE, {}),
        ({"start": "2026-05-01"}, BEFORE, {}),
        ({"size": 20}, RANGE, {"size": ["Bitte geben Sie einen Wert von 50 bis 250 ein."]}),
        ({"size": 180}, RANGE, {}),
        ({"day": 3, "month": 1}, {"kind": "compare", "field": "day", "op": "<", "other": "month"},
         {"day": ["Diese Zahl muss kleiner sein als „Monat“."]}),
    ],
)  # fmt: skip
def test_rules_report_their_message_at_the_field(data, rule, expected):
    assert {k: v for k, v in errors(data, rule).items() if k in {"phone", "street", "month",
            "email", "start", "size", "day"}} == expected  # fmt: skip


def test_a_rule_on_a_hidden_question_does_not_apply():
    hidden = {"field": "kind", "equals": "003"}
    assert errors({"kind": "001", **BOX}, BY_CODE, show_if=hidden) == {}
    assert errors({"kind": "002", **BOX}, BY_CODE, show_if=hidden) == {}  # email not asked
    assert "email" in errors({"kind": "003", **BOX}, AT_LEAST, {**BY_CODE, "when": hidden},
                             show_if=hidden)  # fmt: skip


def test_errors_of_one_step_only_and_validity():
    spec = FormSpec(SCHEMA, layout(AT_LEAST, REQUIRED))
    assert set(spec.errors({"day": 1}, step=0)) == {"phone"}
    assert set(spec.errors({"day": 1}, step=1)) == {"month"}
    assert not spec.is_valid({"day": 1, "phone": "1"})
    assert spec.is_valid({"day": 1, "month": 2, "phone": "1"})


def test_a_rule_s_own_message_wins():
    rule = {**AT_LEAST, "message": "Wie erreichen wir Sie?"}
    assert errors({}, rule)["phone"] == ["Wie erreichen wir Sie?"]


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ({"kind": "sometimes"}, "Rule 1 needs a 'kind'"),
        ({"kind": "at_least_one", "fields": ["phone"]}, "at least two 'fields'"),
        ({"kind": "at_least_one", "fields": ["phone", "fax"]}, "refers to 'fax'"),
        ({"kind": "required_if", "field": "month"}, "needs 'when'"),
        ({"kind": "compare", "field": "start", "op": "before", "other": "end"}, "needs 'op'"),
        ({"kind": "range", "field": "size"}, "needs 'min', 'max'"),
    ],
)
def test_unusable_rules_are_explained(rule, problem):
    problems = definition_problems(SCHEMA, layout(rule))
    assert any(problem in item for item in problems), problems


# --- the FIM texts ----------------------------------------------------------------------------

SHOW = (
    'Wenn das Feld F60000263 "Abfrage Anschrift" = 001 "in Deutschland", dann muss die '
    'Feldgruppe\r\n G60000088 "Anschrift Inland" befüllt sein. Wenn das Feld F60000263 "Abfrage '
    'Anschrift" <> 001 "in Deutschland", dann darf die Feldgruppe G60000088 "Anschrift Inland" '
    "nicht befüllt sein. "
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SHOW, [("if_equals_required", ["F60000263", "G60000088"], ["001"]),
                ("unless_equals_hidden", ["F60000263", "G60000088"], ["001"])]),
        ('Wenn das Feld F60000352 "V" = 003 "a." ODER = 005 "b.", dann muss das Datenfeld '
         'F60000350 "B" befüllt werden.',
         [("if_equals_required", ["F60000352", "F60000350"], ["003", "005"])]),
        ('Wenn das Feld F00002920 "Art"= 001 "x" <> 001', None),
        ('Es muss mindestens eines der Felder F60000240 "Telefon", F60000241 "Telefax",\r\n'
         'F60000242 "E-Mail" oder F60000345 "De-Mail-Adresse" befüllt sein.',
         [("at_least_one", ["F60000240", "F60000241", "F60000242", "F60000345"], [])]),
        ('Es muss entweder Feldgruppe G60000086 "A" oder Feldgruppe G60000087 "B" befüllt werden.',
         [("exactly_one", ["G60000086", "G60000087"], [])]),
        ('Wenn F60000231 "Tag (ohne Monat und Jahr)" nicht leer, dann darf F60000232 "Monat" nicht '
         "leer sein.", [("if_filled_required", ["F60000231", "F60000232"], [])]),
        ('Das Datum F1000001 "Beginn" darf nicht nach dem Datum F1000002 "Ende" liegen.',
         [("compare", ["F1000001", "F1000002"], [])]),
        ('F1000003 "Größe" muss zwischen 50 und 250 liegen.', [("range", ["F1000003"], [])]),
        ('Wenn alle drei Felder F60000231 "Tag", F60000232 "Monat" und F60000233 "Jahr" befüllt '
         "sind, muss die Validität des sich ergebenden Kalenderdatums sichergestellt werden.", None),
        ('Es muss entweder das Feld F00002929 "A" oder (das Feld F00002936 "B" und das Feld '
         'F00002937 "C") befüllt sein.', None),
        ("Eine Definition", None),
    ],
)  # fmt: skip
def test_understood_patterns(text, expected):
    if expected is None:
        with pytest.raises(Untranslatable):
            clauses(text)
        return
    found = [(c.kind, c.ids, c.values) for c in clauses(text)]
    assert found == expected, canonical(text)


def test_comparisons_and_ranges_keep_their_operator_and_bounds():
    [compare] = clauses('Das Datum F1000001 "B" darf nicht nach dem Datum F1000002 "E" liegen.')
    assert compare.op == "<="
    [earlier] = clauses('F1000001 "B" muss vor F1000002 "E" liegen.')
    assert earlier.op == "<"
    [bound] = clauses('F1000003 "Größe" darf höchstens 250 sein.')
    assert bound.bounds == (None, "250")


def real() -> dict[str, Any]:
    converted = convert((DATA / "xdatenfelder" / "v2" / "S00000246v1.1_xdf2.xml").read_bytes())
    return {"schema": converted.schema, "layout": converted.layout}


def test_every_rule_of_the_shared_schema_is_translated_or_listed():
    form = real()
    layout_ = form["layout"]
    kinds: dict[str, set[str]] = {}
    for rule in layout_["rules"]:
        kinds.setdefault(rule["source"], set()).add(rule["kind"])
    assert kinds["R60000050"] == {"at_least_one"}
    assert kinds["R60000037"] == {"at_least_one"}
    assert kinds["R60000019"] == {"exactly_one"}
    assert kinds["R60000023"] == {"required_if"}
    assert kinds["R60000020"] == {"required_if"}
    assert {r["id"] for r in layout_["untranslated_rules"]} == {"R60000024", "R00002288"}
    for item in layout_["untranslated_rules"]:
        assert all(item[key] for key in ("reason", "text", "name", "version")), item
    assert len(layout_["translated_rules"]) == 32
    spec = FormSpec(form["schema"], layout_)
    person = "g00001802_antragsteller_aufenthaltserlaubnis"
    address = f"{person}.g60000093_anschrift_inland_oder_ausland_mit_frage"
    abroad = spec.group_templates[f"{address}.g60000091_anschrift_ausland"]
    assert abroad.condition is not None
    assert abroad.condition.path == f"{address}.f60000263_abfrage_anschrift_inland_oder_ausland"
    assert abroad.condition.one_of == ("002",)
    legal = "g60000220_gesetzlicher_vertreter"
    proxy = spec.field_templates[f"{legal}.f60000351_vollmacht"]
    assert proxy.condition is not None
    assert proxy.condition.one_of == ("004", "005")
    # Once hidden, a group that was required is asked only when its condition holds.
    inner = form["schema"]["properties"][person]["properties"]
    held = inner["g60000093_anschrift_inland_oder_ausland_mit_frage"]
    assert "g60000091_anschrift_ausland" not in held.get("required", [])


def test_a_rule_of_an_optional_group_applies_only_when_the_group_is_answered():
    rule = {"kind": "at_least_one", "fields": ["street.name", "phone"], "only_if": ["street"]}
    assert errors({}, rule) == {}
    assert errors({"box": {"number": "1"}}, rule) == {}
    rule = {"kind": "required_if", "field": "month", "when": {"field": "day", "filled": True},
            "only_if": ["box"]}  # fmt: skip
    assert errors({"day": 3}, rule) == {}
    assert errors({"day": 3, "box": {"number": "1"}}, rule) == {
        "month": ["Bitte füllen Sie dieses Feld aus."]
    }


def test_the_browser_gets_the_rules_of_its_step_with_their_messages():
    spec = FormSpec(SCHEMA, layout(AT_LEAST, REQUIRED, BEFORE, RANGE))
    with translation.override("de"):
        first, second = spec.browser_rules(0), spec.browser_rules(1)
    assert [rule["kind"] for rule in first] == ["at_least_one"]
    assert first[0]["messages"] == {
        "none": "Bitte füllen Sie mindestens eines davon aus: „Telefon“, „E-Mail“."
    }
    assert [rule["kind"] for rule in second] == ["required_if", "compare", "range"]
    assert second[0]["when"] == {"field": "day", "equals": None, "in": None, "filled": True}
    assert second[1]["messages"] == {"fail": "Dieses Datum darf nicht nach „Ende“ liegen."}
    assert second[2]["messages"] == {"fail": "Bitte geben Sie einen Wert von 50 bis 250 ein."}
    mixed = {"kind": "required_if", "field": "month", "when": {"field": "kind", "equals": "001"}}
    assert FormSpec(SCHEMA, layout(mixed)).browser_rules(1) == []  # its condition is on step 1


def test_a_condition_on_a_question_with_several_answers_is_not_translated():
    from rathaus.forms.xdatenfelder.rules import _Node, _typed

    node = _Node("colours", None, {"field": "colours"}, {}, {"type": "array"})
    with pytest.raises(Untranslatable, match="mehrere Antworten"):
        _typed(node, ["001"])


def test_two_conditions_for_one_element_leave_the_second_rule_untranslated():
    form = real()
    layout_ = form["layout"]
    assert not any("andere Bedingung" in r["reason"] for r in layout_["untranslated_rules"])
    from rathaus.forms.xdatenfelder.document import _Rule
    from rathaus.forms.xdatenfelder.rules import apply

    legal = "g60000220_gesetzlicher_vertreter"
    other = _Rule("R9", "1", "Andere", "", 'Wenn das Feld F60000352 "V" <> 001 "x", dann darf '
                  'das Feld F60000351 "Vollmacht" nicht befüllt sein.')  # fmt: skip
    outcome = apply(form["schema"], layout_, [(other, [legal])])
    [refused] = outcome.untranslated
    assert refused["reason"] == f"{legal}.f60000351_vollmacht hat schon eine andere Bedingung."
