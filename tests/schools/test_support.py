"""Support requests of teachers: staff invite a teacher by e-mail, the single-use invitation
link sets the password, the teacher logs in at /schule/ (not at the citizens' or the staff
login), reports a problem with a photo, follows it; staff work it with status, priority and the
response target; a 30 MB photo is refused with the text kept; a script tag is shown escaped;
teachers see only their school's requests; the school login is throttled like the others."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from rathaus.core.models import AuditEvent, OutgoingEmail
from rathaus.schools.models import CareRecord, RequestEvent, SupportRequest
from tests.factories.construction import png
from tests.factories.schools import (
    TEACHER_PASSWORD,
    DeviceFactory,
    SchoolFactory,
    SupportRequestFactory,
    TeacherFactory,
)

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Kreide-und-Tafel-77"


def teacher_client(teacher) -> Client:
    client = Client()
    response = client.post(
        "/schule/anmelden/", {"email": teacher.user.email, "password": TEACHER_PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()
    return client


def test_staff_invite_a_teacher_who_sets_a_password_once_and_reports_a_problem(keeper, school):
    device = DeviceFactory(school=school, inventory_number="GS-DISP-01")
    response = keeper.post(
        f"/verwaltung/schulen/{school.pk}/lehrkraefte/",
        {"name": "Paula Lehrbeispiel", "email": "Paula@Schule.example"},
    )
    assert response.status_code == 302
    mail = OutgoingEmail.objects.get(to="paula@schule.example")
    path = re.search(r"http://[^/\s]+(/schule/einladung/\S+/)", mail.text_body).group(1)
    assert "nicht erwartet" in mail.text_body
    page = Client().get(path)
    assert "Passwort festlegen" in page.content.decode()
    response = Client().post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    again = Client().post(
        path, {"password1": "Anderes-Passwort-99", "password2": "Anderes-Passwort-99"}
    )
    assert again.status_code == 400  # single use: the link is spent
    assert "Dieser Link funktioniert nicht (mehr)" in again.content.decode()
    client = Client()
    response = client.post(
        "/schule/anmelden/", {"email": "paula@schule.example", "password": NEW_PASSWORD}
    )
    assert response["Location"] == "/schule/"
    response = client.post(
        "/schule/meldung/",
        {"device": str(device.pk), "room": "", "text": "Das Display bleibt schwarz."},
    )
    assert response.status_code == 302
    found = SupportRequest.objects.get()
    photo = SimpleUploadedFile("display.png", png(), "image/png")
    assert client.post(f"/schule/meldung/{found.pk}/foto/", {"photo": photo}).status_code == 302
    found.refresh_from_db()
    assert (found.device, found.teacher.name, found.status) == (device, "Paula Lehrbeispiel", "new")
    assert found.photo is not None
    assert "Das Display bleibt schwarz." in client.get(response["Location"]).content.decode()
    assert "Das Display bleibt schwarz." in client.get("/schule/").content.decode()
    photo = keeper.get(f"/verwaltung/schulen/anfragen/{found.pk}/foto")
    assert photo.status_code == 200
    assert photo["Content-Type"] == "image/png"
    assert AuditEvent.objects.filter(action="schools.request.reported").exists()


def test_an_invitation_link_expires(keeper, school, settings):
    keeper.post(
        f"/verwaltung/schulen/{school.pk}/lehrkraefte/",
        {"name": "Paula", "email": "paula@schule.example"},
    )
    path = re.search(
        r"http://[^/\s]+(/schule/einladung/\S+/)", OutgoingEmail.objects.get().text_body
    ).group(1)
    settings.PASSWORD_RESET_TIMEOUT = -1
    assert Client().get(path).status_code == 400


def test_staff_work_a_request_and_see_the_missed_response_target(keeper, school):
    teacher = TeacherFactory(school=school)
    found = SupportRequestFactory(
        school=school,
        teacher=teacher,
        priority="high",
        created_at=timezone.now() - dt.timedelta(hours=30),
    )
    page = keeper.get(f"/verwaltung/schulen/anfragen/{found.pk}/").content.decode()
    assert "Ziel verpasst" in page
    response = keeper.post(
        f"/verwaltung/schulen/anfragen/{found.pk}/",
        {"status": "in_progress", "priority": "urgent", "note": "Techniker kommt Montag."},
    )
    assert response.status_code == 302
    found.refresh_from_db()
    assert (found.status, found.priority) == ("in_progress", "urgent")
    assert found.responded_at is not None
    assert RequestEvent.objects.filter(request=found, note="Techniker kommt Montag.").exists()
    html = teacher_client(teacher).get(f"/schule/meldung/{found.pk}/").content.decode()
    assert "Techniker kommt Montag." in html
    assert "In Bearbeitung" in html


def test_a_30_mb_photo_is_refused_with_a_clear_message_and_the_text_kept(school):
    teacher = TeacherFactory(school=school)
    client = teacher_client(teacher)
    client.post(
        "/schule/meldung/", {"device": "", "room": "", "text": "Beamer flackert im Raum 12"}
    )
    found = SupportRequest.objects.get()
    big = SimpleUploadedFile(
        "riesig.jpg", b"\xff\xd8\xff" + b"0" * (30 * 1024 * 1024), "image/jpeg"
    )
    response = client.post(f"/schule/meldung/{found.pk}/foto/", {"photo": big})
    assert response.status_code == 413
    assert "Die Datei ist zu groß" in response.content.decode()
    # above the photo's own limit of 10 MB, below the installation's: refused on the page
    middle = SimpleUploadedFile(
        "gross.jpg", b"\xff\xd8\xff" + b"0" * (11 * 1024 * 1024), "image/jpeg"
    )
    response = client.post(f"/schule/meldung/{found.pk}/foto/", {"photo": middle})
    html = response.content.decode()
    assert response.status_code == 413
    assert "Die Datei ist größer als 10,0\xa0MB." in html
    assert "Beamer flackert im Raum 12" in html
    found.refresh_from_db()
    assert found.text == "Beamer flackert im Raum 12"
    assert found.photo is None
    assert "Beamer flackert im Raum 12" in client.get("/schule/").content.decode()


def test_a_script_tag_in_the_text_is_shown_escaped(keeper, school):
    teacher = TeacherFactory(school=school)
    client = teacher_client(teacher)
    client.post(
        "/schule/meldung/", {"device": "", "room": "", "text": "<script>alert(1)</script> kaputt"}
    )
    found = SupportRequest.objects.get()
    assert found.text == "<script>alert(1)</script> kaputt"
    for html in (
        client.get(f"/schule/meldung/{found.pk}/").content.decode(),
        keeper.get(f"/verwaltung/schulen/anfragen/{found.pk}/").content.decode(),
    ):
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt; kaputt" in html


def test_a_teacher_sees_only_the_requests_of_their_school(school):
    teacher = TeacherFactory(school=school)
    other = SupportRequestFactory(school=SchoolFactory(authority=school.authority), text="Fremd")
    own = SupportRequestFactory(school=school, text="Eigene Schule")
    client = teacher_client(teacher)
    html = client.get("/schule/").content.decode()
    assert "Eigene Schule" in html
    assert "Fremd" not in html
    assert client.get(f"/schule/meldung/{other.pk}/").status_code == 404
    assert client.get(f"/schule/meldung/{own.pk}/").status_code == 200
    # the report form offers only devices of the teacher's school
    foreign = DeviceFactory(school=other.school)
    response = client.post("/schule/meldung/", {"device": str(foreign.pk), "room": "", "text": "x"})
    assert response.status_code == 422
    # a teacher is no staff member and has no citizen account
    assert client.get("/verwaltung/schulen/").status_code == 302
    assert client.get("/konto/").status_code == 302


def test_citizens_and_staff_cannot_use_the_school_login(school):
    from tests.factories import AccountFactory

    account = AccountFactory()
    account.user.set_password(TEACHER_PASSWORD)
    account.user.save()
    response = Client().post(
        "/schule/anmelden/", {"email": account.user.username, "password": TEACHER_PASSWORD}
    )
    assert response.status_code == 200
    assert "Die E-Mail-Adresse oder das Passwort ist falsch." in response.content.decode()
    assert Client().get("/schule/meldung/").status_code == 302


def test_the_school_login_is_throttled_like_the_other_logins(school, settings):
    teacher = TeacherFactory(school=school)
    client = Client()
    statuses = [
        client.post(
            "/schule/anmelden/", {"email": teacher.user.email, "password": "falsch"}
        ).status_code
        for _attempt in range(settings.AXES_FAILURE_LIMIT + 1)
    ]
    assert statuses[-1] == 429
    refused = client.post(
        "/schule/anmelden/", {"email": teacher.user.email, "password": TEACHER_PASSWORD}
    )
    assert refused.status_code == 429


def test_maintenance_and_training_records_per_school(keeper, school):
    response = keeper.post(
        f"/verwaltung/schulen/{school.pk}/wartung-und-schulung/",
        {
            "kind": "training",
            "date": "2026-11-20",
            "title": "Lehrerqualifizierung: Displays",
            "description": "",
            "participants": "14",
        },
    )
    assert response.status_code == 302
    assert CareRecord.objects.get().participants == 14
    html = keeper.get(f"/verwaltung/schulen/{school.pk}/").content.decode()
    assert "Lehrerqualifizierung: Displays" in html


def test_old_done_requests_and_returned_loans_are_deleted_as_the_privacy_notice_says(school):
    from rathaus.schools import support
    from rathaus.schools.models import Loan
    from tests.factories.schools import LoanFactory

    now = timezone.now()
    old = SupportRequestFactory(
        school=school, status="done", closed_at=now - dt.timedelta(days=800)
    )
    recent = SupportRequestFactory(
        school=school, status="done", closed_at=now - dt.timedelta(days=30)
    )
    still_open = SupportRequestFactory(school=school, created_at=now - dt.timedelta(days=900))
    gone = LoanFactory(device__school=school, returned_at=now - dt.timedelta(days=400))
    kept = LoanFactory(device__school=school)
    assert support.delete_old(now) == 2
    assert set(SupportRequest.objects.values_list("pk", flat=True)) == {recent.pk, still_open.pk}
    assert set(Loan.objects.values_list("pk", flat=True)) == {kept.pk}
    assert old.pk not in SupportRequest.objects.values_list("pk", flat=True)
    assert gone.pk not in Loan.objects.values_list("pk", flat=True)


def test_inviting_a_teacher_again_replaces_a_lost_password(keeper, school):
    teacher = TeacherFactory(school=school)
    response = keeper.post(
        f"/verwaltung/schulen/{school.pk}/lehrkraefte/",
        {"name": teacher.name, "email": teacher.user.email},
    )
    assert response.status_code == 302
    assert (
        Client()
        .post("/schule/anmelden/", {"email": teacher.user.email, "password": TEACHER_PASSWORD})
        .status_code
        == 200
    )
    mail = OutgoingEmail.objects.filter(to=teacher.user.email).latest("id")
    path = re.search(r"http://[^/\s]+(/schule/einladung/\S+/)", mail.text_body).group(1)
    assert (
        Client().post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code
        == 302
    )
    assert (
        Client()
        .post("/schule/anmelden/", {"email": teacher.user.email, "password": NEW_PASSWORD})
        .status_code
        == 302
    )
    # an address of a login elsewhere (a teacher of another school) is refused
    stranger = TeacherFactory(school=SchoolFactory(authority=school.authority))
    response = keeper.post(
        f"/verwaltung/schulen/{school.pk}/lehrkraefte/", {"name": "X", "email": stranger.user.email}
    )
    assert "Es gibt schon eine Anmeldung mit dieser E-Mail-Adresse." in response.content.decode()
