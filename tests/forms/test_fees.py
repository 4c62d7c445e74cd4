"""A form's fee declaration: checked when saved, computed from the answers, shown on the check
page (ADR 0048)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from rathaus.forms import fees, services
from rathaus.forms.engine import DefinitionError
from rathaus.forms.fees import FeeLine, PricedLine
from tests.factories.payments import FeeFactory
from tests.support import fill_step, follow_post, get_page, start_application

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "email": {"type": "string", "format": "email"},
        "copies": {"type": "integer", "minimum": 1, "maximum": 10},
        "international": {"type": "boolean"},
        "delivery": {"type": "string", "enum": ["post", "collect"]},
    },
    "required": ["name", "email", "copies", "international", "delivery"],
}
LAYOUT = {
    "steps": [
        {
            "id": "bestellung",
            "title": "Bestellung",
            "elements": [
                {"field": "name", "widget": "text", "label": "Name"},
                {"field": "email", "widget": "email", "label": "E-Mail"},
                {"field": "copies", "widget": "number", "label": "Anzahl der Urkunden"},
                {"field": "international", "widget": "yesno", "label": "Mehrsprachig?"},
                {"field": "delivery", "widget": "radio", "label": "Zustellung"},
            ],
        }
    ]
}
POSTAGE = {"label": "Versand", "amount_cents": 250, "when": {"field": "delivery", "equals": "post"}}
MULTILINGUAL = {
    "label": "Mehrsprachige Fassung",
    "amount_cents": 500,
    "quantity": "copies",
    "when": [{"field": "international", "equals": True}, {"field": "copies", "filled": True}],
}
ANSWERS = {"name": "Ilse", "email": "ilse@example.org", "copies": 2, "international": False,
           "delivery": "post"}  # fmt: skip


def version_with(fee: dict) -> SimpleNamespace:
    return SimpleNamespace(fee=fee)


def fee_form(authority, fee: dict, slug: str = "urkunde"):
    version = services.create_definition(
        authority=authority, slug=slug, title="Urkunde bestellen", schema=SCHEMA, layout=LAYOUT,
        receipt_email_field="email", fee=fee,
    )  # fmt: skip
    return services.publish(version)


# --- computing -------------------------------------------------------------------------------


def test_fixed_items_and_conditions():
    version = version_with({"items": [{"label": "Bearbeitung", "amount_cents": 1000}, POSTAGE]})
    assert fees.lines(version, {**ANSWERS, "delivery": "post"}) == [
        FeeLine("Bearbeitung", 1, 1000),
        FeeLine("Versand", 1, 250),
    ]
    assert fees.lines(version, {**ANSWERS, "delivery": "collect"}) == [
        FeeLine("Bearbeitung", 1, 1000)
    ]


def test_per_item_quantity_and_all_conditions_of_a_list_must_hold():
    version = version_with({"items": [MULTILINGUAL]})
    assert fees.lines(version, {**ANSWERS, "international": True, "copies": 3}) == [
        FeeLine("Mehrsprachige Fassung", 3, 500)
    ]
    assert fees.lines(version, {**ANSWERS, "international": False, "copies": 3}) == []
    # a missing or broken count asks for nothing (the form's own rules refuse it)
    assert fees.lines(version, {**ANSWERS, "international": True, "copies": None}) == []
    assert fees.lines(version, {**ANSWERS, "international": True, "copies": -2}) == []


def test_fee_table_lines_with_further_copies_are_priced_through_payments(barleben):
    FeeFactory(authority=barleben, code="geburt", amount_cents=1200, further_copy_cents=600)
    version = version_with({"items": [{"fee": "geburt", "quantity": "copies"}, POSTAGE]})
    assert fees.lines(version, ANSWERS) == [
        FeeLine("", 2, fee_code="geburt"),
        FeeLine("Versand", 1, 250),
    ]
    fee = fees.compute(version, ANSWERS, barleben)
    assert fee is not None
    assert [(line.label, line.quantity, line.unit_cents) for line in fee.lines] == [
        ("Geburtsurkunde", 1, 1200),
        ("Geburtsurkunde, weitere Ausfertigung", 1, 600),
        ("Versand", 1, 250),
    ]
    assert fee.total_cents == 2050
    assert fee.pay_now
    missing = fees.compute(version_with({"items": [{"fee": "gibt-es-nicht"}]}), {}, barleben)
    assert missing is not None
    assert missing.unpriced == ("gibt-es-nicht",)
    assert missing.lines == ()


def test_pay_now_if_decides_whether_the_fee_is_due_at_sending():
    fee = {"items": [POSTAGE], "pay_now_if": {"field": "international", "equals": False}}
    assert fees.pay_now(version_with(fee), {**ANSWERS, "international": False})
    assert not fees.pay_now(version_with(fee), {**ANSWERS, "international": True})
    assert fees.pay_now(version_with({"items": [POSTAGE]}), ANSWERS)
    assert not fees.declared(version_with({}))
    assert fees.compute(version_with({}), ANSWERS, None) is None
    assert PricedLine("x", 3, 250).total_cents == 750


# --- checking the declaration ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fee", "problem"),
    [
        ({"items": [POSTAGE], "pay_later": True}, "The fee has unknown keys: pay_later."),
        ({"items": []}, "The fee needs a non-empty list 'items'."),
        ({"items": [{"label": "Gebühr", "amount_cents": -5}]},
         "Fee item 1 (Gebühr): the amount cannot be negative."),
        ({"items": [{"label": "Gebühr", "amount_cents": 5, "price": 1}]},
         "Fee item 1 (Gebühr): unknown keys price."),
        ({"items": [{"label": "Gebühr", "amount_cents": "5"}]},
         "Fee item 1 (Gebühr): 'amount_cents' must be a whole number of cents."),
        ({"items": [{"fee": "geburt", "quantity": "name"}]},
         "Fee item 1 (geburt): the quantity 'name' is not a whole-number question."),
        ({"items": [{"fee": "geburt", "quantity": "anzahl"}]},
         "Fee item 1 (geburt): the quantity 'anzahl' is not a question of this form."),
        ({"items": [{**POSTAGE, "when": {"field": "zustellung", "equals": "post"}}]},
         "Fee item 1 (Versand): the condition refers to 'zustellung', which is not a question "
         "of this form."),
        ({"items": [{**POSTAGE, "when": {"equals": "post"}}]},
         "Fee item 1 (Versand): a condition needs a 'field' path."),
        ({"items": [POSTAGE], "pay_now_if": {"field": "delivery", "is": "post"}},
         "The fee's pay_now_if: unknown keys is in the condition."),
    ],
)  # fmt: skip
def test_a_bad_declaration_is_refused_naming_the_item(barleben, fee, problem):
    with pytest.raises(DefinitionError) as refused:
        fee_form(barleben, fee)
    assert problem in refused.value.problems


def test_a_quantity_question_must_not_allow_negative_numbers(barleben):
    schema = {**SCHEMA, "properties": {**SCHEMA["properties"], "copies": {"type": "integer"}}}
    with pytest.raises(DefinitionError) as refused:
        services.create_definition(
            authority=barleben, slug="u", title="U", schema=schema, layout=LAYOUT,
            fee={"items": [{"fee": "geburt", "quantity": "copies"}]},
        )  # fmt: skip
    assert "needs a 'minimum' of 0 or more" in refused.value.problems[0]


def test_changing_a_draft_is_checked_and_packages_carry_the_fee(barleben):
    version = services.create_definition(
        authority=barleben, slug="u", title="U", schema=SCHEMA, layout=LAYOUT
    )
    with pytest.raises(DefinitionError):
        services.update_version(version, fee={"items": [{"label": "x", "amount_cents": -1}]})
    services.update_version(version, fee={"items": [POSTAGE]})
    published = services.publish(version)
    assert published.fee == {"items": [POSTAGE]}
    following = services.new_version(published.definition, schema=SCHEMA, layout=LAYOUT)
    assert following.fee == {"items": [POSTAGE]}
    from rathaus.forms.definitions import VERSION_FIELDS

    assert "fee" in VERSION_FIELDS


# --- the check page --------------------------------------------------------------------------


def _to_check(client, slug: str, **answers) -> str:
    step = start_application(client, slug)
    values = {"name": "Ilse Beispiel", "email": "ilse@example.org", "copies": "2",
              "international": "no", "delivery": "post", **answers}  # fmt: skip
    return fill_step(client, step, values)


@pytest.mark.django_db
def test_the_check_page_shows_items_amounts_total_and_when_to_pay(client, barleben):
    FeeFactory(authority=barleben, code="geburt", amount_cents=1200, further_copy_cents=600)
    fee_form(barleben, {"items": [{"fee": "geburt", "quantity": "copies"}, POSTAGE]})
    check = _to_check(client, "urkunde")
    assert check.endswith("/pruefen/")
    html = get_page(client, check)
    assert "Gebühr" in html
    assert "Geburtsurkunde, weitere Ausfertigung" in html
    assert "12,00\u00a0€" in html
    assert "6,00\u00a0€" in html
    assert "2,50\u00a0€" in html
    assert "20,50\u00a0€" in html
    assert "Nach dem Absenden bitten wir Sie, die Gebühr zu bezahlen." in html


@pytest.mark.django_db
def test_a_fee_due_after_checking_says_so(client, barleben):
    fee = {"items": [POSTAGE], "pay_now_if": {"field": "international", "equals": True}}
    fee_form(barleben, fee)
    html = get_page(client, _to_check(client, "urkunde"))
    assert "Die Gebühr wird erst nach Prüfung fällig." in html
    assert "Nach dem Absenden bitten wir Sie, die Gebühr zu bezahlen." not in html


@pytest.mark.django_db
def test_a_form_without_fee_shows_none(client, barleben):
    fee_form(barleben, {})
    html = get_page(client, _to_check(client, "urkunde"))
    assert "Gesamt" not in html
    assert "Sie bezahlen" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("copies", ["-1", "0"])
def test_a_negative_or_zero_copy_count_is_refused_clearly(client, barleben, copies):
    fee_form(
        barleben, {"items": [{"label": "Urkunde", "amount_cents": 1200, "quantity": "copies"}]}
    )
    step = start_application(client, "urkunde")
    html = get_page(client, step)
    from tests.support import post_data

    response = client.post(step, post_data(html, action="next", name="Ilse", copies=copies,
                                           email="ilse@example.org", international="no",
                                           delivery="post"))  # fmt: skip
    assert response.status_code == 422
    page = response.content.decode()
    assert "Anzahl der Urkunden" in page
    assert "mindestens 1" in page
    # nothing to pay is shown for a refused answer
    assert follow_post(client, step.replace("schritt/bestellung/", "pruefen/"), {}, 422)
