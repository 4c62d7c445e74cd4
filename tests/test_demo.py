"""`rathaus demo-data` loads Barleben idempotently and prints the demo logins."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from rathaus.core import demo
from rathaus.core.models import AuditEvent, Authority, Locality, Membership, OrgUnit

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)


def run_demo() -> str:
    out = StringIO()
    call_command("demo_data", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_demo_builds_barleben_and_the_landkreis():
    output = run_demo()
    barleben = Authority.objects.get(slug="barleben")
    assert (barleben.ags, barleben.ars) == ("15083040", "150830040040")
    assert barleben.parent.name == "Landkreis Börde"
    assert barleben.parent.ags == "15083"
    assert set(Locality.objects.values_list("name", "postal_code")) == {
        ("Barleben", "39179"),
        ("Ebendorf", "39179"),
        ("Meitzendorf", "39326"),
    }
    units = set(OrgUnit.objects.filter(authority=barleben).values_list("name", flat=True))
    assert {
        "Bürgerbüro / Einwohnermeldeamt",
        "Standesamt",
        "Ordnungsamt",
        "Bauamt",
        "Bereich Digitales",
        "Digitalwerkstatt Villa 147",
    } <= units
    workshop = OrgUnit.objects.get(slug="digitalwerkstatt")
    assert workshop.parent.slug == "digitales"
    assert workshop.street == "Breiteweg 147"
    assert OrgUnit.objects.filter(authority=barleben.parent, slug="versammlungsbehoerde").exists()
    assert Membership.objects.count() == len(demo.STAFF)
    assert f"password for all: {demo.DEMO_PASSWORD}" in output
    for staff in demo.STAFF:
        assert staff.username in output
        assert staff.totp_secret in output


@pytest.mark.django_db
def test_running_it_twice_changes_nothing():
    run_demo()
    counts = [model.objects.count() for model in (Authority, OrgUnit, Membership, AuditEvent)]
    output = run_demo()
    assert "Demo data: 0 created, 0 updated" in output
    assert [m.objects.count() for m in (Authority, OrgUnit, Membership, AuditEvent)] == counts


@pytest.mark.django_db
def test_changed_demo_rows_are_restored_and_changed_passwords_reported():
    run_demo()
    OrgUnit.objects.filter(slug="standesamt").update(phone="0")
    user = get_user_model().objects.get(username="standesamt")
    user.set_password("a new secret of my own")
    user.save()
    output = run_demo()
    assert "Demo data: 0 created, 1 updated" in output
    assert OrgUnit.objects.get(slug="standesamt").phone != "0"
    assert "(password was changed)" in output


@pytest.mark.django_db
def test_demo_logins_work_with_their_printed_totp_secret():
    import base64

    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    demo.load()
    staff = demo.STAFF[0]
    device = TOTPDevice.objects.get(user__username=staff.username)
    key = base64.b32decode(staff.totp_secret)
    assert device.verify_token(f"{totp(key):06d}")


@pytest.mark.django_db
def test_demo_is_refused_in_production_mode(settings):
    settings.RATHAUS_PRODUCTION = True
    with pytest.raises(CommandError, match="refused in production"):
        call_command("demo_data", stdout=StringIO())
    assert not Authority.objects.exists()


@pytest.mark.django_db
def test_demo_totp_prints_the_current_code(capsys):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.support import current_code

    demo.load()
    out = StringIO()
    call_command("demo_totp", "bauamt", stdout=out)
    device = TOTPDevice.objects.get(user__username="bauamt")
    assert out.getvalue().strip() in {current_code(device), current_code(device, 1)}
    with pytest.raises(CommandError, match="No user named"):
        call_command("demo_totp", "nobody", stdout=out)
