"""Staff login in a real browser: password, TOTP code, first-login enrolment, logout."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from rathaus.core.demo import DEMO_PASSWORD
from tests.factories import PASSWORD, UserFactory
from tests.support import CODE_LABEL, current_code, log_in_with_password

Check = Callable[[Page], None]
FORMAT_ERROR = "Geben Sie die sechs Ziffern ein, die Ihre Authenticator-App anzeigt."
WRONG_CODE_ERROR = (
    "Der Code ist nicht richtig. Prüfen Sie die Uhrzeit Ihres Telefons und geben Sie den "
    "aktuellen Code ein."
)


def key_from_page(key_text: str) -> bytes:
    """The secret as typed from the enrolment page (base32 in groups of four, no padding)."""
    key = "".join(key_text.split()).upper()
    return base64.b32decode(key + "=" * (-len(key) % 8))


def code_for(key: bytes, drift: int = 0) -> str:
    """The code an authenticator app shows for the key (drift in 30-second steps)."""
    return f"{totp(key, drift=drift):06d}"


def wrong_code_for(key: bytes) -> str:
    """Six digits that are not accepted now: not the code of this, the last or the next step."""
    accepted = {code_for(key, drift) for drift in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


def step_past_throttling(user: Any) -> None:
    """After a wrong code django-otp refuses the next one for a second; skip the wait."""
    TOTPDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)


def test_demo_clerk_logs_in_with_totp_and_out(
    page: Page, server: str, assert_accessible: Check
) -> None:
    page.goto(f"{server}/verwaltung/")
    expect(page).to_have_url(f"{server}/verwaltung/anmelden/?next=%2Fverwaltung%2F")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmeldung für Mitarbeitende")
    assert_accessible(page)

    # A wrong password first: a general error, the form stays usable.
    log_in_with_password(page, "buergerbuero", "falsches-Passwort-123")
    expect(page.get_by_role("alert")).to_contain_text("Benutzername oder das Passwort")
    assert_accessible(page)

    log_in_with_password(page, "buergerbuero", DEMO_PASSWORD)
    expect(page).to_have_url(f"{server}/verwaltung/anmelden/code/?next=%2Fverwaltung%2F")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmeldung bestätigen")
    assert_accessible(page)

    device = TOTPDevice.objects.get(user__username="buergerbuero", confirmed=True)
    code_field = page.get_by_label(CODE_LABEL)
    code_field.fill(wrong_code_for(device.bin_key))
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.locator(".kern-form-input").get_by_role("alert")).to_have_text(WRONG_CODE_ERROR)
    expect(code_field).to_have_accessible_description(WRONG_CODE_ERROR)
    assert_accessible(page)

    step_past_throttling(device.user)
    code_field.fill(current_code(device))
    page.get_by_role("button", name="Anmelden", exact=True).click()

    expect(page).to_have_url(f"{server}/verwaltung/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Verwaltungsbereich")
    expect(page.get_by_role("main")).to_contain_text("Erika Mustermann")
    expect(page.get_by_role("cell", name="Bürgerbüro / Einwohnermeldeamt")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Abmelden", exact=True).click()
    expect(page).to_have_url(f"{server}/verwaltung/anmelden/")
    expect(page.get_by_role("status")).to_have_text("Sie wurden abgemeldet.")
    assert_accessible(page)
    page.goto(f"{server}/verwaltung/")
    expect(page).to_have_url(f"{server}/verwaltung/anmelden/?next=%2Fverwaltung%2F")


def test_first_login_enrols_the_authenticator_app(
    page: Page, server: str, assert_accessible: Check
) -> None:
    user = UserFactory(username="neu.mitarbeiterin", first_name="Nora", last_name="Neu")
    assert not TOTPDevice.objects.filter(user=user).exists()

    page.goto(f"{server}/verwaltung/")
    log_in_with_password(page, user.username, PASSWORD)
    expect(page).to_have_url(f"{server}/verwaltung/anmelden/einrichten/?next=%2Fverwaltung%2F")
    expect(page.get_by_role("heading", level=1)).to_have_text("Authenticator-App einrichten")
    qr = page.get_by_role("img", name="QR-Code für Ihre Authenticator-App")
    expect(qr).to_be_visible()
    assert page.locator("figure.qr-code svg title").text_content() == (
        "QR-Code für Ihre Authenticator-App"
    )
    key_text = page.locator(".secret").inner_text()
    key = key_from_page(key_text)
    assert key == TOTPDevice.objects.get(user=user, confirmed=False).bin_key
    assert_accessible(page)

    # Not six digits, then six wrong digits: each time the error is at the field, announced.
    code_field = page.get_by_label(CODE_LABEL)
    error = page.locator(".kern-form-input").get_by_role("alert")
    code_field.fill("12345")
    page.get_by_role("button", name="Bestätigen und anmelden").click()
    expect(error).to_have_text(FORMAT_ERROR)
    expect(code_field).to_have_attribute("aria-invalid", "true")
    expect(code_field).to_have_accessible_description(FORMAT_ERROR)
    assert_accessible(page)

    code_field.fill(wrong_code_for(key))
    page.get_by_role("button", name="Bestätigen und anmelden").click()
    expect(error).to_have_text(WRONG_CODE_ERROR)
    expect(code_field).to_have_attribute("aria-invalid", "true")
    expect(code_field).to_have_accessible_description(WRONG_CODE_ERROR)
    expect(page.get_by_role("alert")).to_have_count(1)
    assert_accessible(page)
    # The key stays the same until the enrolment is confirmed.
    assert page.locator(".secret").inner_text() == key_text

    step_past_throttling(user)
    code_field.fill(code_for(key))
    page.get_by_role("button", name="Bestätigen und anmelden").click()

    expect(page).to_have_url(f"{server}/verwaltung/")
    expect(page.get_by_role("status")).to_have_text("Ihre Authenticator-App ist eingerichtet.")
    expect(page.get_by_role("main")).to_contain_text("Nora Neu")
    assert_accessible(page)
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
