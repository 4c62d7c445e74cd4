"""Zuständigkeitsfinder: service × area → authority and unit."""

from __future__ import annotations

import pytest

from rathaus.catalog import responsibility
from rathaus.catalog.models import Responsibility, Service
from tests.factories import AuthorityFactory

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

GEBURTSURKUNDE = "99027002012000"
VERSAMMLUNG = "99089016000000"


def answer(leika_key: str, postal_code: str) -> responsibility.Answer:
    service = Service.objects.get(leika_key=leika_key)
    return responsibility.find(service, responsibility.area_for_postal_code(postal_code))


def test_birth_certificate_in_barleben_is_the_standesamt(barleben_catalogue):
    result = answer(GEBURTSURKUNDE, "39179")
    assert result.authority.name == "Gemeinde Barleben"
    assert result.org_unit.name == "Standesamt"
    assert result.offer is not None
    assert result.area.places == ["Barleben", "Ebendorf"]


def test_meitzendorf_postal_code_is_barleben_too(barleben_catalogue):
    result = answer(GEBURTSURKUNDE, "39326")
    assert result.authority.name == "Gemeinde Barleben"
    assert result.area.places == ["Meitzendorf"]


def test_assembly_in_barleben_is_the_landkreis(barleben_catalogue):
    result = answer(VERSAMMLUNG, "39179")
    assert result.authority.name == "Landkreis Börde"
    assert result.org_unit.name == "Versammlungsbehörde"


def test_elsewhere_nobody_is_responsible_and_the_answer_says_so(barleben_catalogue):
    result = answer(GEBURTSURKUNDE, "10115")  # Berlin
    assert not result.found
    assert result.fallback is None


def test_unknown_place_in_the_landkreis_points_to_the_landkreis(barleben_catalogue):
    service = Service.objects.filter(responsibilities__isnull=True, offers__isnull=True).first()
    result = responsibility.find(service, responsibility.area_for_postal_code("39326"))
    assert not result.found
    assert result.fallback.name == "Landkreis Börde"


def test_more_specific_rules_win(barleben_catalogue):
    service = Service.objects.get(leika_key=VERSAMMLUNG)
    special = AuthorityFactory(name="Sonderbehörde")
    Responsibility.objects.create(service=service, postal_code="39179", authority=special)
    assert answer(VERSAMMLUNG, "39179").authority == special
    assert answer(VERSAMMLUNG, "39326").authority.name == "Landkreis Börde"


@pytest.mark.parametrize("code", ["3917", "391799", "abcde", "", "00000"])
def test_malformed_or_unknown_postal_codes_are_refused(barleben_catalogue, code):
    with pytest.raises(responsibility.UnknownArea):
        responsibility.area_for_postal_code(code)


def test_ars_lookup(barleben_catalogue):
    service = Service.objects.get(leika_key=GEBURTSURKUNDE)
    result = responsibility.find(service, responsibility.area_for_ars("150830040040"))
    assert result.authority.name == "Gemeinde Barleben"
    with pytest.raises(responsibility.UnknownArea):
        responsibility.area_for_ars("15083")
