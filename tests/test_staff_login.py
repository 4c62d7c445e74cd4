"""Staff log in with password and TOTP; wrong codes are throttled and audited."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from rathaus.core.models import AuditEvent
from tests.factories import PASSWORD, MembershipFactory, TOTPDeviceFactory, UserFactory
from tests.support import current_code

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)


def login_password(client, username, password=PASSWORD, next_url=""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post("/verwaltung/anmelden/", data)


def actions():
    return list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))


@pytest.fixture
def clerk(db):
    membership = MembershipFactory(org_unit__name="Standesamt")
    device = TOTPDeviceFactory(user=membership.user)
    return membership.user, device


def test_staff_area_requires_login(client, db):
    response = client.get("/verwaltung/")
    assert response.status_code == 302
    assert response["Location"] == "/verwaltung/anmelden/?next=%2Fverwaltung%2F"


def test_password_then_code_logs_in(client, clerk, django_assert_max_num_queries):
    user, device = clerk
    response = login_password(client, user.username)
    assert response.status_code == 302
    assert response["Location"].startswith("/verwaltung/anmelden/code/")
    # Not logged in between the two steps.
    assert client.get("/verwaltung/").status_code == 302

    response = client.post(response["Location"], {"token": current_code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/verwaltung/"
    with django_assert_max_num_queries(9):  # the staff frame reads the memberships once more
        home = client.get("/verwaltung/")
    assert home.status_code == 200
    assert "Standesamt" in home.content.decode()
    assert actions() == ["staff.login"]


def test_code_can_be_typed_with_a_space(client, clerk):
    user, device = clerk
    login_password(client, user.username)
    code = current_code(device)
    response = client.post("/verwaltung/anmelden/code/", {"token": f"{code[:3]} {code[3:]}"})
    assert response["Location"] == "/verwaltung/"


def test_wrong_password_is_refused_and_audited(client, clerk):
    user, _device = clerk
    response = login_password(client, user.username, "wrong")
    assert response.status_code == 200
    assert "Der Benutzername oder das Passwort ist falsch." in response.content.decode()
    event = AuditEvent.objects.get()
    assert (event.action, event.actor_label) == ("staff.login.failed", user.username)


def test_citizen_account_cannot_enter_the_staff_area(client, db):
    citizen = UserFactory(is_staff=False)
    response = login_password(client, citizen.username)
    assert response.status_code == 200
    assert "Der Benutzername oder das Passwort ist falsch." in response.content.decode()


def test_wrong_codes_are_audited_and_end_the_attempt_after_five(client, clerk):
    user, device = clerk
    login_password(client, user.username)
    for _attempt in range(1, 5):
        response = client.post("/verwaltung/anmelden/code/", {"token": "000000"})
        assert response.status_code == 200
        assert 'role="alert"' in response.content.decode()
        assert actions()[-1] == "staff.login.otp_failed"
        # django-otp throttles the device after each failure; step past the delay.
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    response = client.post("/verwaltung/anmelden/code/", {"token": "000000"})
    assert response["Location"] == "/verwaltung/anmelden/"
    assert client.get("/verwaltung/anmelden/code/")["Location"] == "/verwaltung/anmelden/"
    assert actions().count("staff.login.otp_failed") == 5


def test_right_code_is_refused_while_the_device_is_throttled(client, clerk):
    user, device = clerk
    login_password(client, user.username)
    client.post("/verwaltung/anmelden/code/", {"token": "000000"})
    response = client.post("/verwaltung/anmelden/code/", {"token": current_code(device)})
    assert response.status_code == 200
    assert "Zu viele falsche Codes hintereinander" in response.content.decode()
    assert "staff.login.otp_throttled" in actions()


def test_a_code_cannot_be_used_twice(client, clerk):
    user, device = clerk
    code = current_code(device)
    login_password(client, user.username)
    client.post("/verwaltung/anmelden/code/", {"token": code})
    client.post("/verwaltung/abmelden/")
    login_password(client, user.username)
    response = client.post("/verwaltung/anmelden/code/", {"token": code})
    assert response.status_code == 200


def test_malformed_code_gets_a_message_at_the_field(client, clerk):
    user, _device = clerk
    login_password(client, user.username)
    response = client.post("/verwaltung/anmelden/code/", {"token": "12ab"})
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert "Geben Sie die sechs Ziffern ein" in html


def test_first_login_enrols_an_authenticator(client, db):
    user = UserFactory()
    MembershipFactory(user=user, org_unit__name="Bauamt")
    response = login_password(client, user.username)
    assert response["Location"].startswith("/verwaltung/anmelden/einrichten/")
    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page
    assert "QR-Code für Ihre Authenticator-App" in page
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1)
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    code = f"{totp(key):06d}"
    response = client.post("/verwaltung/anmelden/einrichten/", {"token": code})
    assert response["Location"] == "/verwaltung/"
    assert TOTPDevice.objects.get(user=user).confirmed
    assert "Bauamt" in client.get("/verwaltung/").content.decode()
    assert actions() == ["staff.otp.enrolled", "staff.login"]


def test_enrolment_is_only_reachable_after_the_password(client, db):
    assert client.get("/verwaltung/anmelden/einrichten/")["Location"] == "/verwaltung/anmelden/"


def test_user_with_a_device_cannot_enrol_another(client, clerk):
    user, _device = clerk
    login_password(client, user.username)
    response = client.get("/verwaltung/anmelden/einrichten/")
    assert response["Location"].startswith("/verwaltung/anmelden/code/")


def test_password_only_session_does_not_open_staff_area_or_admin(client, clerk):
    user, _device = clerk
    user.is_superuser = True
    user.save()
    client.force_login(user)
    assert client.get("/verwaltung/").status_code == 302
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    response = client.get(response["Location"])
    assert response["Location"].startswith("/verwaltung/anmelden/?next=")


def test_admin_opens_after_both_factors(client, clerk):
    user, device = clerk
    user.is_superuser = True
    user.save()
    login_password(client, user.username, next_url="/admin/")
    response = client.post(
        "/verwaltung/anmelden/code/", {"token": current_code(device), "next": "/admin/"}
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_changes_in_the_admin_are_audited(client, clerk):
    user, device = clerk
    user.is_superuser = True
    user.save()
    login_password(client, user.username)
    client.post("/verwaltung/anmelden/code/", {"token": current_code(device)})
    unit = user.memberships.get().org_unit
    form = client.get(f"/admin/core/orgunit/{unit.pk}/change/").context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data["phone"] = "039203 565-999"
    response = client.post(f"/admin/core/orgunit/{unit.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.order_by("sequence").last()
    assert event.action == "admin.changed"
    assert event.object_type == "core.orgunit"
    assert event.object_id == str(unit.pk)
    assert "Telefon" in str(event.details) or "phone" in str(event.details).lower()


def test_next_parameter_cannot_leave_the_site(client, clerk):
    user, device = clerk
    login_password(client, user.username, next_url="https://evil.example/")
    response = client.post(
        "/verwaltung/anmelden/code/",
        {"token": current_code(device), "next": "https://evil.example/"},
    )
    assert response["Location"] == "/verwaltung/"


def test_repeated_wrong_passwords_lock_the_login(client, clerk, settings):
    user, _device = clerk
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login_password(client, user.username, "wrong")
    response = login_password(client, user.username)
    assert response.status_code == 429
    assert "Anmeldung vorübergehend gesperrt" in response.content.decode()


def test_logout_ends_the_session(client, clerk):
    user, device = clerk
    login_password(client, user.username)
    client.post("/verwaltung/anmelden/code/", {"token": current_code(device)})
    response = client.post("/verwaltung/abmelden/")
    assert response["Location"] == "/verwaltung/anmelden/"
    assert client.get("/verwaltung/").status_code == 302
    assert actions()[-1] == "staff.logout"
