"""The demo's proposals for the Bürgerpark in a real browser on a phone, without JavaScript,
with axe on every page: the list sorted by supports, a proposal with its official answer, a
support, a comment and a new proposal with a place (the person check as a question)."""

from __future__ import annotations

from collections.abc import Callable

from django.core import signing
from playwright.sync_api import Page, expect

from rathaus.participation.models import Proposal, Support

Check = Callable[[Page], None]
PHONE = {"width": 390, "height": 844}


def _answer_the_question(page: Page) -> None:
    from rathaus.accounts import altcha

    token = page.locator("input[name=question_token]").get_attribute("value") or ""
    answer = signing.loads(token, salt=altcha._SALT)["sum"]
    page.locator("#id_question_answer").fill(str(answer))


def test_proposals_without_javascript(new_context, server: str, assert_accessible: Check) -> None:
    from rathaus.accounts.demo import CITIZEN_EMAIL
    from rathaus.core.demo import DEMO_PASSWORD

    page = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    page.goto(f"{server}/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill(CITIZEN_EMAIL)
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.goto(f"{server}/mitmachen/ideen-buergerpark/")
    assert_accessible(page)
    page.get_by_role("link", name="Vorschläge ansehen und einreichen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Vorschläge: Ideen für den Bürgerpark"
    )
    page.get_by_label("Sortieren nach").select_option(label="meistunterstützte zuerst")
    page.get_by_role("button", name="Anzeigen").click()
    assert_accessible(page)

    page.get_by_role("link", name="Trinkbrunnen am Spielplatz").click()
    expect(page.get_by_role("heading", name="Offizielle Antwort der Gemeinde")).to_be_visible()
    expect(page.get_by_text("3 Personen unterstützen diesen Vorschlag.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Diesen Vorschlag unterstützen").click()
    expect(page.get_by_text("4 Personen unterstützen diesen Vorschlag.")).to_be_visible()
    page.get_by_label("Ihr Kommentar").fill("Gern auch mit Schatten.")
    _answer_the_question(page)
    page.get_by_role("button", name="Kommentar veröffentlichen").click()
    expect(page.get_by_text("Gern auch mit Schatten.")).to_be_visible()
    assert_accessible(page)
    supports = Support.objects.filter(proposal__title="Trinkbrunnen am Spielplatz").count()
    assert supports == 4

    page.get_by_role("link", name="Alle Vorschläge").click()
    page.get_by_role("link", name="Vorschlag einreichen").click()
    page.get_by_label("Titel").fill("Fahrradständer am Eingang")
    page.get_by_label("Ihr Vorschlag").fill("<script>alert(1)</script> Überdacht, bitte.")
    page.get_by_label("Breitengrad (freiwillig)").fill("48,1")
    page.get_by_label("Längengrad (freiwillig)").fill("11,6")
    _answer_the_question(page)
    page.get_by_role("button", name="Vorschlag absenden").click()
    expect(page.locator("#error-summary")).to_contain_text("außerhalb der Gemeinde")
    expect(page.get_by_label("Titel")).to_have_value("Fahrradständer am Eingang")
    assert_accessible(page)
    page.get_by_label("Breitengrad (freiwillig)").fill("52,2052")
    _answer_the_question(page)
    page.get_by_role("button", name="Vorschlag absenden").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bild hinzufügen")
    assert_accessible(page)
    page.get_by_role("link", name="Ohne Bild weiter").click()
    expect(page.get_by_text("<script>alert(1)</script> Überdacht, bitte.")).to_be_visible()
    assert_accessible(page)
    assert Proposal.objects.filter(title="Fahrradständer am Eingang").exists()


def test_the_clerk_hides_a_comment_and_answers_a_proposal(
    page: Page, server: str, assert_accessible: Check
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from rathaus.core.demo import DEMO_PASSWORD
    from tests.support import CODE_LABEL, current_code, log_in_with_password

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{server}/verwaltung/mitmachen/")
    log_in_with_password(page, "digitalwerkstatt", DEMO_PASSWORD)
    device = TOTPDevice.objects.get(user__username="digitalwerkstatt", confirmed=True)
    page.get_by_label(CODE_LABEL).fill(current_code(device))
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.get_by_role("link", name="Vorschläge und Meldungen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vorschläge und Meldungen")
    assert_accessible(page)
    page.get_by_role("link", name="Blumenwiese statt Rasen").click()
    assert_accessible(page)
    page.get_by_label("Grund für das Verbergen", exact=True).first.fill("Kein Bezug")
    page.get_by_role("button", name="Vorschlag ausblenden").click()
    expect(page.get_by_text("Ausgeblendet. Grund: Kein Bezug")).to_be_visible()
    page.get_by_role("textbox", name="Offizielle Antwort").fill(
        "Die Wiese wird im Frühjahr angelegt."
    )
    page.get_by_role("button", name="Antwort veröffentlichen").click()
    expect(page.get_by_text("Die offizielle Antwort ist mit dem Vorschlag veröffentlicht.")
           ).to_be_visible()  # fmt: skip
    page.get_by_label("Adresse der Ratsvorlage").fill("/nirgendwo/")
    page.get_by_role("button", name="Verknüpfungen speichern").click()
    expect(page.locator("#error-summary")).to_contain_text("Adresse einer Ratsvorlage")
    assert_accessible(page)
    assert Proposal.objects.get(title="Blumenwiese statt Rasen").state == "hidden"
