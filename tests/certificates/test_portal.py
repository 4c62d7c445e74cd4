"""The certificate portal: the start page with the authority's fees, the order form package,
its fee declaration against the fee table, installing for any authority."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from rathaus.catalog import online
from rathaus.catalog.models import Offer
from rathaus.certificates import install
from rathaus.core.service_tasks import service_tasks
from rathaus.forms import packages
from rathaus.forms.engine import FormSpec
from rathaus.forms.engine.layout import condition_of
from rathaus.forms.models import FormDefinition
from rathaus.payments import services as payments
from rathaus.payments.models import Fee
from rathaus.processes.models import ProcessModel
from tests.support import citizen_client, get_page

pytestmark = pytest.mark.django_db

# A complete order of two Geburtsurkunden by the child of the person (ordering directly).
ORDER: dict[str, Any] = {
    "kind": "birth",
    "international": False,
    "copies": 2,
    "person_first_name": "Erna",
    "person_family_name": "Beispiel",
    "event_date": "1950-03-14",
    "event_place": "Barleben",
    "relationship": "descendant",
    "delivery": "post",
    "delivery_address": {"street": "Breiteweg 1", "postal_code": "39179", "place": "Barleben"},
    "first_name": "Ilse",
    "family_name": "Beispiel",
    "email": "ilse.beispiel@example.org",
}


def spec() -> FormSpec:
    package = packages.read(install.FORM_PACKAGE)
    return FormSpec(package["schema"], package["layout"])


def fee_lines(authority: Any, answers: dict[str, Any]) -> list[payments.ItemSpec]:
    """The items the package's fee declaration asks for these answers: each fee item whose
    `when` conditions all hold, with the number of copies from the answers."""
    declaration = packages.read(install.FORM_PACKAGE)["fee"]
    lines: list[payments.ItemSpec] = []
    for item in declaration["items"]:
        conditions = item.get("when", [])
        conditions = conditions if isinstance(conditions, list) else [conditions]
        if all(condition_of(raw).holds(answers) for raw in conditions):  # type: ignore[union-attr]
            lines += payments.fee_items(authority, item["fee"], answers[item["quantity"]])
    return lines


def pays_now(answers: dict[str, Any]) -> bool:
    condition = condition_of(packages.read(install.FORM_PACKAGE)["fee"]["pay_now_if"])
    return condition is not None and condition.holds(answers)


def test_the_start_page_shows_the_fees_of_the_fee_table(barleben, client) -> None:
    html = get_page(client, "/urkunden/")
    assert "Urkunden bestellen" in html
    assert "Geburtsurkunde" in html
    assert "Sterbeurkunde, international (mehrsprachig)" in html
    assert "12,00\u00a0€" in html
    assert "6,00\u00a0€" in html
    assert "§ 62 Personenstandsgesetz" in html
    assert 'href="/antrag/urkunde-bestellen/"' in html
    assert "Standesamt" in html
    Fee.objects.filter(authority=barleben, code="sterbeurkunde-international").update(
        amount_cents=1750, further_copy_cents=875
    )
    html = get_page(client, "/urkunden/")
    assert "17,50\u00a0€" in html
    assert "8,75\u00a0€" in html


def test_an_inactive_fee_is_not_offered(barleben, client) -> None:
    Fee.objects.filter(authority=barleben, code="registerausdruck").update(active=False)
    assert "Beglaubigter Registerausdruck" not in get_page(client, "/urkunden/")


def test_without_the_order_form_the_portal_is_not_there(db, client) -> None:
    from tests.support import make_authority

    make_authority("barleben")
    assert client.get("/urkunden/").status_code == 404


def test_the_demo_installs_form_fees_and_links_the_offers(barleben) -> None:
    form = FormDefinition.objects.get(authority=barleben, slug=install.FORM_SLUG)
    assert form.published_version() is not None
    assert form.offer is not None
    assert form.offer.org_unit.slug == "standesamt"
    codes = set(Fee.objects.filter(authority=barleben).values_list("code", flat=True))
    assert install.fee_codes(packages.read(install.FORM_PACKAGE)) <= codes
    birth = Offer.objects.get(authority=barleben, service__leika_key="99027002012000")
    assert online.ways_for([birth])[birth.pk].form_url == "/antrag/urkunde-bestellen/"


def test_installing_again_changes_nothing(barleben) -> None:
    report = install.install(barleben)
    assert report.form == "unchanged"
    assert dict(report.fees) == {"unchanged": 9}
    Fee.objects.filter(authority=barleben, code="eheurkunde").update(amount_cents=999)
    assert dict(install.install(barleben).fees) == {"unchanged": 8, "updated": 1}
    assert Fee.objects.get(authority=barleben, code="eheurkunde").amount_cents == 1200


def test_the_command_installs_for_any_authority_and_links_the_process(db, capsys) -> None:
    from tests.support import make_authority

    authority = make_authority("barleben")
    with service_tasks.override("request_payment", lambda context: None):
        call_command("install_certificates", "--authority", "barleben")
        out = capsys.readouterr().out
        assert "9 created" in out
        assert "Order form urkunde-bestellen: created" in out
        assert "Process model: created" in out
        model = ProcessModel.objects.get(authority=authority)
        assert model.form == FormDefinition.objects.get(
            authority=authority, slug="urkunde-bestellen"
        )
        call_command("install_certificates", "--authority", "barleben")
        out = capsys.readouterr().out
        assert "9 unchanged" in out
        assert "Process model: unchanged" in out
    assert ProcessModel.objects.filter(authority=authority).count() == 1


def test_the_command_needs_a_fee_file_for_an_authority_without_one(db) -> None:
    from django.core.management.base import CommandError

    from tests.support import make_authority

    make_authority("anderswo")
    with pytest.raises(CommandError, match="no fee file for anderswo"):
        call_command("install_certificates", "--authority", "anderswo")


def test_a_model_with_an_unknown_topic_is_not_installed() -> None:
    assert install.missing_topics('camunda:topic="set_stage" camunda:topic="no_such"') == [
        "no_such"
    ]


def test_a_complete_direct_order_is_valid() -> None:
    assert spec().errors(ORDER) == {}


@pytest.mark.parametrize("relationship", ["sibling", "other"])
def test_a_sibling_must_state_a_legal_interest_and_upload_evidence(relationship: str) -> None:
    errors = spec().errors({**ORDER, "relationship": relationship})
    assert "warum Sie die Urkunde brauchen" in " ".join(errors["legal_interest"])
    assert "Nachweis" in " ".join(errors["evidence"])
    with_interest = {**ORDER, "relationship": relationship, "legal_interest": "Ich bin Erbe."}
    assert set(spec().errors(with_interest)) == {"evidence"}


@pytest.mark.parametrize("copies", [0, -1, 11])
def test_the_number_of_copies_is_between_1_and_10(copies: int) -> None:
    errors = spec().errors({**ORDER, "copies": copies})
    assert list(errors) == ["copies"]


def test_post_needs_an_address_and_collection_does_not() -> None:
    without = {key: value for key, value in ORDER.items() if key != "delivery_address"}
    assert "Anschrift" in " ".join(spec().errors(without)["delivery_address"])
    assert spec().errors({**without, "delivery": "pickup"}) == {}


def test_two_birth_certificates_for_the_child_cost_first_and_further_copy(barleben) -> None:
    fee = Fee.objects.get(authority=barleben, code="geburtsurkunde")
    lines = fee_lines(barleben, ORDER)
    assert [(line.quantity, line.unit_cents) for line in lines] == [
        (1, fee.amount_cents),
        (1, fee.further_copy_cents),
    ]
    assert sum(line.total_cents for line in lines) == fee.amount_cents + fee.further_copy_cents
    assert pays_now(ORDER)


def test_the_international_variant_and_the_register_extract_have_their_own_fees(barleben) -> None:
    Fee.objects.filter(authority=barleben, code="eheurkunde-international").update(
        amount_cents=1500, further_copy_cents=None
    )
    order = {**ORDER, "kind": "marriage", "international": True, "copies": 3}
    assert [(line.quantity, line.unit_cents) for line in fee_lines(barleben, order)] == [(3, 1500)]
    extract = {key: value for key, value in ORDER.items() if key != "international"}
    extract["kind"] = "register_extract"
    assert spec().errors(extract) == {}
    assert [line.reference for line in fee_lines(barleben, extract)] == ["registerausdruck"] * 2


@pytest.mark.parametrize("relationship", ["sibling", "other"])
def test_siblings_and_others_pay_only_after_the_check(relationship: str) -> None:
    assert not pays_now({**ORDER, "relationship": relationship})


def test_an_order_sent_through_the_api_becomes_a_case_of_the_standesamt(barleben, client) -> None:
    from rathaus.cases import services as cases
    from rathaus.cases.models import Case
    from tests.support import submit

    refused = client.post(f"/api/v1/forms/{install.FORM_SLUG}/submissions", {"data": ORDER},
                          content_type="application/json")  # fmt: skip
    assert refused.status_code == 401  # ordering needs the citizen's login (§ 62 PStG)
    submission = submit(citizen_client(), install.FORM_SLUG, ORDER)
    assert cases.route(str(submission.pk)) == "routed"
    assert Case.objects.get(submission=submission).org_unit.slug == "standesamt"


def test_a_sibling_without_legal_interest_is_refused_by_the_api(barleben) -> None:
    import json

    response = citizen_client().post(
        f"/api/v1/forms/{install.FORM_SLUG}/submissions",
        json.dumps({"data": {**ORDER, "relationship": "sibling"}}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "warum Sie die Urkunde brauchen" in response.content.decode()


def test_a_refused_order_gets_the_letter_with_the_remedy_of_the_civil_status_act(barleben):
    from rathaus.cases import decisions
    from rathaus.cases import services as cases
    from rathaus.cases.models import Case
    from tests.support import submit

    submission = submit(citizen_client(), install.FORM_SLUG, ORDER)
    cases.route(str(submission.pk))
    case = Case.objects.get(submission=submission)
    assert decisions.template_name(case) == "cases/decisions/urkunde-bestellen.html"
    clerk = case.org_unit.memberships.first().user
    html = decisions.preview(
        case, clerk, "refused", "Kein rechtliches Interesse glaubhaft gemacht."
    )
    assert "Wir können die bestellte Urkunde nicht ausstellen." in html
    assert "§ 49 Abs. 1 PStG" in html
    assert "Widerspruch" not in html
    assert "Gebühren" not in html
