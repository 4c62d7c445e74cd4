"""FIM rules in the browser (ADR 0033): a group appears and disappears with the answer that
controls it, and an "at least one of" rule is explained at the field before the page is sent."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO

from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.factories import CodeListFactory
from tests.support import DATA

Check = Callable[[Page], None]
REAL = DATA / "xdatenfelder" / "v2" / "S00000246v1.1_xdf2.xml"
LEGAL = "g60000220_gesetzlicher_vertreter"
WHO = f"{LEGAL}.f60000352_vertretung_durch_gesetzlichen_vertreter"
PERSON = f"{LEGAL}.g60000224_gesetzlicher_vertreter_natuerliche"
CODE_LISTS = {
    "urn:de:fim:codeliste:gesetzlichervertreterbevollmächtigter": ("2021-03-19", 5),
    "urn:de:fim:codeliste:anschrift-inland-oder-ausland": ("2021-06-18", 2),
    "urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:staat": ("2023-02-24", 7),
    "urn:de:xauslaender:codelist:azr:artderaugenfarbe": ("1", 7),
    "urn:xpersonenstand:schluesseltabelle:geschlecht": ("3", 3),
    "urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:staatsangehoerigkeit": (
        "2023-02-24",
        7,
    ),
    "urn:de:fim:codeliste:art-der-erwerbstaetigkeit-aufenthaltserlaubnis": ("2021-05-19", 21),
}


def control(page: Page, name: str, value: str = ""):
    return page.locator(f'[name="{name}"]' + (f'[value="{value}"]' if value else ""))


def test_a_group_follows_its_answer_and_a_rule_is_explained_in_the_browser(
    page: Page, server: str, assert_accessible: Check
) -> None:
    for urn, (version, count) in CODE_LISTS.items():
        codes = [[f"{n:03d}", f"Antwort {n}"] for n in range(1, count + 1)]
        CodeListFactory(urn=urn, version=version, codes=codes)
    call_command(
        "import_xdatenfelder", str(REAL), "--publish", stdout=StringIO(), stderr=StringIO()
    )
    page.goto(f"{server}/antrag/s00000246/")
    page.get_by_role("button", name="Antrag beginnen").click()
    legal_person = page.get_by_role("group", name="Gesetzlich vertretende juristische Person")
    natural_person = page.get_by_role("group", name="Gesetzlich vertretende Person", exact=True)
    expect(legal_person).to_be_hidden()
    expect(natural_person).to_be_hidden()
    control(page, WHO, "003").check()
    expect(legal_person).to_be_visible()
    expect(natural_person).to_be_hidden()
    control(page, WHO, "002").check()
    expect(legal_person).to_be_hidden()
    expect(natural_person).to_be_visible()
    assert_accessible(page)

    # The natural person must be reachable somehow: said at the first way, without a round trip.
    control(page, f"{PERSON}.f60000227_familienname").fill("Beispiel")
    address = page.url
    page.get_by_role("button", name="Weiter").click()
    phone = control(page, f"{PERSON}.g60000183_kommunikation_wenig_ohne_de_mail.f60000240_telefon")
    message = page.locator(".form-rule-error")
    expect(message).to_have_count(2)
    expect(message.first).to_contain_text(
        "Bitte füllen Sie mindestens eines davon aus: „Telefonnummer“"
    )
    # R60000058: with a legal representative the certificate of guardianship is required.
    expect(message.last).to_have_text("Bitte laden Sie eine Datei hoch.")
    expect(phone).to_be_focused()
    expect(phone).to_have_attribute("aria-invalid", "true")
    assert page.url == address
    expect(page.get_by_text("Bitte prüfen Sie Ihre Angaben")).to_have_count(0)
    assert_accessible(page)

    # Answered: the message at the phone number goes, the one at the upload stays.
    phone.fill("0391 1234")
    page.get_by_role("button", name="Weiter").click()
    expect(message).to_have_count(1)
    expect(message).to_have_text("Bitte laden Sie eine Datei hoch.")
    expect(phone).not_to_have_attribute("aria-invalid", "true")
    assert page.url == address
