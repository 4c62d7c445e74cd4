"""The demo's citizen survey in a real browser on a phone, without JavaScript, with axe on every
page: from the main navigation to the process, page by page with the condition ("Nie" brings
the question why), a missing required answer, sending, and the published results."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from rathaus.participation.models import Response

Check = Callable[[Page], None]
PHONE = {"width": 390, "height": 844}


def test_answering_the_demo_survey_without_javascript(
    new_context, server: str, assert_accessible: Check
) -> None:
    before = Response.objects.count()
    page = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    page.goto(f"{server}/")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Mitmachen"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mitmachen")
    assert_accessible(page)
    page.get_by_role("link", name="Bürgerbefragung Digitalisierung").click()
    expect(page.get_by_text("Alle können mitmachen, ohne Konto.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Umfrage beantworten").click()
    expect(page.get_by_text("Seite 1 von 3")).to_be_visible()
    page.get_by_role("button", name="Nächste Seite").click()
    expect(page.get_by_role("alert")).to_contain_text("Bitte beantworten Sie diese Frage.")
    assert_accessible(page)
    page.get_by_role("radio", name="Nie").check()
    page.get_by_role("checkbox", name="Termine online buchen").check()
    page.get_by_role("button", name="Nächste Seite").click()
    expect(page.get_by_text("Seite 2 von 3")).to_be_visible()
    expect(page.get_by_role("group", name="Was hält Sie davon ab")).to_be_visible()
    page.get_by_label("Was hält Sie davon ab, das Internet zu nutzen?").fill(
        "Ich brauche Hilfe am Anfang."
    )
    page.get_by_role("radio", name="4").check()
    assert_accessible(page)
    page.get_by_role("button", name="Nächste Seite").click()
    page.get_by_label("Umwelt und Mobilität").select_option(label="Platz 1")
    page.get_by_label("Verwaltung und Bürgerschaft").select_option(label="Platz 2")
    page.get_by_label("Generationen und Leben").select_option(label="Platz 3")
    page.get_by_role("group", name="Digitale Bürgerdienste").get_by_role("radio", name="5").check()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    page.get_by_role("button", name="Antworten absenden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vielen Dank für Ihre Antworten")
    assert Response.objects.count() == before + 1
    assert_accessible(page)

    page.get_by_role("link", name="Zurück zu „Bürgerbefragung Digitalisierung“").click()
    page.get_by_role("link", name="Ergebnisse ansehen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ergebnisse")
    expect(page.get_by_role("table").first).to_contain_text("Täglich")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
