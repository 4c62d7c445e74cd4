"""Notifying an assembly in the browser, from Barleben's portal to the Landkreis's form: with
JavaScript (the route drawn on the map; no tile server in tests, the map has no background) and
without it (the list of streets is enough); axe on the pages."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from rathaus.accounts.demo import CITIZEN_EMAIL
from rathaus.cases import services as cases
from rathaus.cases.models import Case
from rathaus.core.demo import DEMO_PASSWORD
from rathaus.forms.models import Submission

Check = Callable[[Page], None]


def log_in_and_start(page: Page, server: str) -> None:
    page.goto(f"{server}/antrag/versammlungsanzeige/")
    # Barleben's portal leads to the Landkreis's portal, which asks for the login first
    assert page.url.startswith("http://boerde.localhost:")
    expect(page.get_by_role("heading", level=1)).to_have_text("Im Konto anmelden")
    page.get_by_label("E-Mail-Adresse").fill(CITIZEN_EMAIL)
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Versammlung anmelden (Versammlungsanzeige)"
    )
    page.get_by_role("button", name="Antrag beginnen").click()


def address(page: Page, group: str) -> None:
    fields = page.get_by_role("group", name=group)
    fields.get_by_label("Straße und Hausnummer").fill("Breiteweg 1")
    fields.get_by_label("Postleitzahl").fill("39179")
    fields.get_by_label("Ort", exact=True).fill("Barleben")


def fill_until_the_place(page: Page, announcement: dt.date, check: Check) -> None:
    today = timezone.localdate()
    start = today + dt.timedelta(days=14)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welche Art von Anmeldung?")
    page.get_by_label("Anmeldung mit Frist", exact=False).check()
    check(page)
    page.get_by_role("button", name="Weiter", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Wer veranstaltet und leitet die Versammlung?"
    )
    page.get_by_label("Eine Person (ich selbst", exact=False).check()
    page.get_by_label("Name der Person oder der Vereinigung").fill("Ilse Beispiel")
    address(page, "Anschrift der Veranstalterin oder des Veranstalters")
    page.get_by_label("E-Mail-Adresse").fill("ilse.beispiel@example.org")
    page.get_by_label("Leiterin oder Leiter der Versammlung", exact=False).fill("Ilse Beispiel")
    page.get_by_label("Telefon für die Polizei", exact=False).fill("0170 1234567")
    page.get_by_role("button", name="Weiter", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Worum geht es, und wann ist die Versammlung?"
    )
    page.get_by_label("Thema der Versammlung").fill("Für einen sicheren Schulweg")
    page.get_by_label("Beginn: Datum").fill(start.isoformat())
    page.get_by_label("Beginn: Uhrzeit").fill("15:00")
    page.get_by_label("Ende: Datum").fill(start.isoformat())
    page.get_by_label("Ende: Uhrzeit").fill("17:00")
    page.get_by_label("Geplante Bekanntgabe: Datum").fill(announcement.isoformat())
    page.get_by_label("Geplante Bekanntgabe: Uhrzeit").fill("09:00")
    page.get_by_label("Wie viele Teilnehmende", exact=False).fill("80")
    page.get_by_label("Wie viele Ordnerinnen", exact=False).fill("4")
    page.get_by_role("button", name="Weiter", exact=True).click()


def the_procession(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Wo findet die Versammlung statt?")
    page.get_by_label("Aufzug: die Versammlung bewegt sich", exact=False).check()
    page.get_by_label("Sammelpunkt", exact=False).fill("Platz vor der Grundschule")
    page.get_by_label("Endpunkt", exact=False).fill("Rathaus")


def add_street(page: Page, name: str) -> None:
    page.get_by_role("button", name="Weitere Straße").click()
    page.get_by_label("Straße", exact=True).last.fill(name)


def finish(page: Page, check: Check) -> Submission:
    expect(page.get_by_role("heading", level=1)).to_have_text("Welche Hilfsmittel setzen Sie ein?")
    page.get_by_label("Lautsprecher oder Megafone").check()
    page.get_by_label("Angaben zu den Hilfsmitteln").fill("2 Megafone")
    page.get_by_role("button", name="Weiter", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Angaben prüfen")
    check(page)
    page.get_by_role("button", name="Antrag abschicken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Antrag eingegangen")
    check(page)
    return Submission.objects.get(form_version__definition__slug="versammlungsanzeige",
                                  idempotency_key="")  # fmt: skip


def test_the_notice_with_javascript_and_the_route_drawn_on_the_map(
    new_context: Callable[..., BrowserContext], server: str, settings: Any,
    assert_accessible: Check,
) -> None:  # fmt: skip
    settings.RATHAUS_MAP_TILE_URL = ""  # no tile server in tests: the map has no background
    page = new_context().new_page()
    log_in_and_start(page, server)
    fill_until_the_place(page, timezone.localdate() + dt.timedelta(days=5), assert_accessible)
    the_procession(page)
    add_street(page, "Ebendorfer Straße")
    the_procession(page)  # after adding a street the step is shown again
    field = page.get_by_label("Weg auf der Karte (freiwillig)")
    status = page.locator("#route-map-status")
    expect(status).to_have_text(
        "Noch kein Weg gezeichnet. Klicken Sie auf die Karte, um Punkte zu setzen."
    )
    route_map = page.locator("#route-map")
    for x, y in ((60, 60), (200, 120), (320, 200)):
        route_map.click(position={"x": x, "y": y})
    expect(status).to_have_text("3 Punkte gezeichnet.")
    page.get_by_role("button", name="Letzten Punkt entfernen").click()
    expect(status).to_have_text("2 Punkte gezeichnet.")
    # the keyboard: the map's centre as a point
    page.get_by_role("button", name="Kartenmitte als Punkt setzen").focus()
    page.keyboard.press("Enter")
    expect(status).to_have_text("3 Punkte gezeichnet.")
    line = json.loads(field.input_value())
    assert line["type"] == "LineString"
    assert len(line["coordinates"]) == 3
    assert all(5.5 < lon < 15.5 and 47 < lat < 55.2 for lon, lat in line["coordinates"])
    assert_accessible(page)
    page.get_by_role("button", name="Weiter", exact=True).click()
    submission = finish(page, assert_accessible)
    assert submission.data["route"] == [{"street": "Ebendorfer Straße"}]
    assert json.loads(submission.data["route_line"]) == line
    cases.route(str(submission.pk))  # the worker's task, which does not run in this test
    case = Case.objects.get(submission=submission)
    assert case.org_unit.slug == "versammlungsbehoerde"


def test_the_notice_without_javascript_and_the_48_hour_rule(
    new_context: Callable[..., BrowserContext], server: str, assert_accessible: Check
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    log_in_and_start(page, server)
    # announced tomorrow: under 48 hours, refused at once with the way out
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    fill_until_the_place(page, tomorrow, assert_accessible)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Worum geht es, und wann ist die Versammlung?"
    )
    error = page.locator(".kern-error").filter(has_text="mindestens 48 Stunden")
    expect(error).to_contain_text("Eilversammlung")
    assert_accessible(page)
    later = timezone.localdate() + dt.timedelta(days=5)
    page.get_by_label("Geplante Bekanntgabe: Datum").fill(later.isoformat())
    page.get_by_role("button", name="Weiter", exact=True).click()

    # a procession without a street
    the_procession(page)
    page.get_by_role("button", name="Weiter", exact=True).click()
    expect(
        page.locator(".kern-error").filter(has_text="mindestens eine Straße").first
    ).to_be_visible()
    assert_accessible(page)
    expect(page.locator("#route-map")).to_have_count(0)  # no map without JavaScript
    add_street(page, "Breiteweg")
    page.get_by_role("button", name="Weiter", exact=True).click()
    submission = finish(page, assert_accessible)
    assert submission.data["route"] == [{"street": "Breiteweg"}]
    assert "route_line" not in submission.data
    assert submission.data["announcement_date"] == later.isoformat()
