"""The council office keeps a person and a membership in a real browser without JavaScript, as
the demo clerk `standesamt` (group "Ratsbüro"), with axe on every page: the warning about
office contact data, mistakes shown in the error summary and next to the field, the
membership's dates checked, deletion asked first."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from rathaus.core.demo import DEMO_PASSWORD
from rathaus.council.models import Membership, Person
from tests.support import CODE_LABEL, current_code, log_in_with_password

Check = Callable[[Page], None]
pytestmark = pytest.mark.browser


def test_a_person_and_a_membership_without_javascript(
    new_context, server: str, assert_accessible: Check
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{server}/verwaltung/")
    log_in_with_password(page, "standesamt", DEMO_PASSWORD)
    device = TOTPDevice.objects.get(user__username="standesamt", confirmed=True)
    page.get_by_label(CODE_LABEL).fill(current_code(device))
    page.get_by_role("button", name="Anmelden", exact=True).click()

    page.goto(f"{server}/verwaltung/rat/personen/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Personen")
    expect(page.get_by_role("link", name="Rainer Rathausmann")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Person anlegen").click()
    expect(page.get_by_text("Nur dienstliche Kontaktdaten")).to_be_visible()
    page.get_by_label("Vorname").fill("Vera")
    page.get_by_label("Familienname").fill("Vorlagenfreund")
    page.get_by_label("Dienstliche E-Mail-Adressen").fill("vera.vorlagenfreund")
    page.get_by_role("button", name="Speichern").click()
    summary = page.get_by_role("alert").first
    expect(summary).to_contain_text("ist keine E-Mail-Adresse")
    expect(page.get_by_label("Familienname")).to_have_value("Vorlagenfreund")  # nothing lost
    assert_accessible(page)
    page.get_by_label("Dienstliche E-Mail-Adressen").fill("vera.vorlagenfreund@rat.example")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("„Vera Vorlagenfreund“ wurde gespeichert.")).to_be_visible()

    page.get_by_role("link", name="Mitgliedschaft hinzufügen").click()
    page.get_by_label("Gremium", exact=True).select_option(label="Bauausschuss")
    page.get_by_label("Rolle").fill("Mitglied")
    page.get_by_label(re.compile(r"^Von \(")).fill("2025-01-01")
    page.get_by_label(re.compile(r"^Bis \(")).fill("2024-12-31")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("alert").first).to_contain_text("Das Ende darf nicht vor dem Beginn")
    assert_accessible(page)
    page.get_by_label(re.compile(r"^Bis \(")).fill("")
    page.get_by_role("button", name="Speichern").click()
    memberships = page.get_by_role("region", name="Mitgliedschaften")
    expect(memberships.get_by_role("link", name="Bauausschuss")).to_be_visible()
    assert_accessible(page)
    person = Person.objects.get(name="Vera Vorlagenfreund")
    assert Membership.objects.get(person=person).organization.name == "Bauausschuss"

    page.get_by_role("link", name="„Vera Vorlagenfreund“ löschen").click()
    assert_accessible(page)
    page.get_by_role("button", name="Ja, löschen").click()
    expect(page.get_by_text("„Vera Vorlagenfreund“ wurde gelöscht.")).to_be_visible()
    person.refresh_from_db()
    assert person.deleted
