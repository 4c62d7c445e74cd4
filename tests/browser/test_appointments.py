"""A citizen books a Bürgerbüro appointment, confirms it by e-mail and cancels it, with axe."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from rathaus.appointments.models import Booking
from rathaus.core.models import OutgoingEmail

Check = Callable[[Page], None]
EMAIL = "otto.termin@example.org"


def test_book_confirm_and_cancel_an_appointment(
    page: Page, server: str, assert_accessible: Check
) -> None:
    page.goto(f"{server}/")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Termine"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Termin buchen")
    assert_accessible(page)

    page.get_by_role("link", name="Personalausweis beantragen").click()
    expect(page.locator("table caption")).to_be_visible()
    assert_accessible(page)
    page.locator(".appointment-calendar__day--free a").first.click()
    expect(page.get_by_role("heading", name="Freie Zeiten am")).to_be_visible()
    assert_accessible(page)
    page.locator(".appointment-times a").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihre Angaben")
    assert_accessible(page)

    # Without the person check the form says what is missing.
    page.get_by_role("button", name="Termin reservieren").click()
    expect(page.locator("#error-summary")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Name").fill("Otto Termin")
    page.get_by_label("E-Mail-Adresse").fill(EMAIL)
    page.get_by_label("Ich bin kein Roboter").click()
    page.wait_for_function(
        "document.querySelector('input[name=altcha]')?.value?.length > 0", timeout=30000
    )
    page.get_by_role("button", name="Termin reservieren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bitte sehen Sie in Ihre E-Mails")
    assert_accessible(page)
    assert Booking.objects.get(email=EMAIL).status == Booking.Status.HELD

    mail = OutgoingEmail.objects.get(to=EMAIL)
    link = re.search(r"(http://\S+/termine/\S+/bestaetigen/)", mail.text_body).group(1)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Termin bestätigen")
    assert_accessible(page)
    page.get_by_role("button", name="Termin verbindlich bestätigen").click()
    expect(page.locator(".site-messages")).to_contain_text("Ihr Termin ist bestätigt")
    expect(page.get_by_role("link", name="Im Kalender speichern (.ics)")).to_be_visible()
    assert_accessible(page)
    assert Booking.objects.get(email=EMAIL).status == Booking.Status.CONFIRMED

    confirmation = OutgoingEmail.objects.filter(to=EMAIL).exclude(pk=mail.pk).get()
    manage = re.search(r"(http://\S+/termine/[^/\s]+/)", confirmation.text_body).group(1)
    page.goto(manage)
    page.get_by_role("link", name="Termin absagen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Termin wirklich absagen?")
    assert_accessible(page)
    page.get_by_role("button", name="Ja, Termin absagen").click()
    expect(page.locator(".site-messages")).to_contain_text("Ihr Termin ist abgesagt")
    assert_accessible(page)
    assert Booking.objects.get(email=EMAIL).status == Booking.Status.CANCELLED


def test_move_an_appointment_and_join_the_waiting_list(
    page: Page, server: str, assert_accessible: Check
) -> None:
    from rathaus.appointments import services
    from rathaus.appointments.availability import free_slots
    from rathaus.appointments.models import AppointmentType, WaitingListEntry

    kind = AppointmentType.objects.get(location__slug="buergerbuero", slug="personalausweis")
    booking = services.book(kind, free_slots(kind)[0].start, name="Vera Verschieb",
                            email="vera@example.org")  # fmt: skip
    token = booking.manage_token  # type: ignore[attr-defined]
    services.confirm(token)
    page.goto(f"{server}/termine/{token}/")
    page.get_by_role("link", name="Neue Zeit wählen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Neue Zeit wählen")
    assert_accessible(page)
    page.locator(".appointment-calendar__day--free a").last.click()
    expect(page.get_by_role("heading", name="Freie Zeiten am")).to_be_visible()
    assert_accessible(page)
    page.locator("#times-heading + .appointment-times a").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Termin verschieben?")
    assert_accessible(page)
    page.get_by_role("button", name="Ja, Termin verschieben").click()
    expect(page.locator(".site-messages")).to_contain_text("Ihr Termin hat eine neue Zeit")
    assert_accessible(page)
    moved = Booking.objects.get(email="vera@example.org", status=Booking.Status.CONFIRMED)
    assert moved.start != booking.start

    page.goto(f"{server}/termine/buergerbuero/{kind.pk}/warteliste/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Auf die Warteliste setzen")
    assert_accessible(page)
    page.get_by_label("Name").fill("Wanda Warte")
    page.get_by_label("E-Mail-Adresse").fill("wanda@example.org")
    page.get_by_label("Ich bin kein Roboter").click()
    page.wait_for_function(
        "document.querySelector('input[name=altcha]')?.value?.length > 0", timeout=30000
    )
    page.get_by_role("button", name="Auf die Warteliste setzen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bitte sehen Sie in Ihre E-Mails")
    assert_accessible(page)
    mail = OutgoingEmail.objects.get(to="wanda@example.org")
    page.goto(re.search(r"(http://\S+/termine/warteliste/\S+/)", mail.text_body).group(1))
    assert_accessible(page)
    page.get_by_role("button", name="Platz auf der Warteliste bestätigen").click()
    expect(page.locator(".site-messages")).to_contain_text("Sie stehen auf der Warteliste")
    assert_accessible(page)
    assert WaitingListEntry.objects.get().status == WaitingListEntry.Status.WAITING


def test_book_two_services_in_one_visit(page: Page, server: str, assert_accessible: Check) -> None:
    page.goto(f"{server}/termine/")
    choice = page.get_by_role("group", name="Mehrere Leistungen bei einem Termin")
    # Nothing ticked: the page says so and keeps the way open.
    choice.locator("xpath=..").get_by_role(
        "button", name="Freie Zeiten für die gewählten Leistungen zeigen"
    ).click()
    expect(page.locator("#error-summary")).to_contain_text("mindestens eine Leistung")
    assert_accessible(page)

    choice = page.get_by_role("group", name="Mehrere Leistungen bei einem Termin")
    choice.get_by_label("Personalausweis beantragen").check()
    choice.get_by_label("Reisepass beantragen").check()
    choice.locator("xpath=..").get_by_role(
        "button", name="Freie Zeiten für die gewählten Leistungen zeigen"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Personalausweis beantragen + Reisepass beantragen"
    )
    assert_accessible(page)
    page.locator(".appointment-calendar__day--free a").first.click()
    page.locator(".appointment-times a").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihre Angaben")
    expect(page.locator(".appointment-services li")).to_have_count(2)
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 800})
    assert_accessible(page)
