"""Who may see and do what with a case: every role × every place that shows or changes it.

One case of the Bürgerbüro (with an uploaded photo, a decision PDF and a receipt) is built once
per module; every test is one cell of the matrix and runs in its own savepoint, so an action
that one test performs is gone for the next.

Roles: cases are visible by membership in the case's unit or a unit above it, whatever the role
in that unit (Sachbearbeitung, Leitung). The administrator role and the superuser flag give
configuration rights, not access to applications: an administrator outside the unit gets 404
like every other outsider (need to know, GDPR Art. 5 (1) c). Citizens see only their own
submissions, on the receipt, in "Meine Anträge" and in their mailbox.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponseBase
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from rathaus.accounts.demo import CITIZEN_EMAIL
from rathaus.accounts.models import Account, Message
from rathaus.cases import decisions, services
from rathaus.cases.models import Case, CaseDocument, CaseNote
from rathaus.core import api_tokens, demo, roles
from rathaus.core.demo import DEMO_PASSWORD
from rathaus.core.models import Membership, OrgUnit
from tests.support import image, log_in

pytestmark = [pytest.mark.django_db, pytest.mark.database]

OTHER_CITIZEN = "karl.nachbar@example.org"
ROLES = [
    "anonymous",
    "owner",  # the citizen who submitted
    "other citizen",
    "clerk",  # Sachbearbeitung in the case's unit
    "head",  # Leitung of the case's unit
    "parent clerk",  # Sachbearbeitung in the unit above the case's unit
    "child clerk",  # Sachbearbeitung in a unit below the case's unit
    "other clerk",  # Sachbearbeitung in another unit of the same authority
    "other authority",  # Sachbearbeitung in the Landkreis
    "administrator",  # Administration role and superuser, in the Bereich Digitales
]
STAFF = {"clerk": "buergerbuero", "head": "bb-leitung", "parent clerk": "hauptamt",
         "child clerk": "meldewesen", "other clerk": "bauamt", "other authority": "versammlung",
         "administrator": "digitales"}  # fmt: skip
INSIDERS = {"clerk", "head", "parent clerk"}


@dataclass
class World:
    case_id: int
    number: str
    submission_id: str
    reference: str
    attachment_id: int
    document_id: int
    message_id: int
    message_attachment_id: int
    keys: dict[str, str]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        yield _build()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _own_media_root():
    """Not a folder per test here: the stored files of the world stay in its media folder."""


def _build() -> World:
    demo.load()
    users = get_user_model().objects
    buergerbuero = OrgUnit.objects.get(authority__slug="barleben", slug="buergerbuero")
    meldewesen = OrgUnit.objects.create(authority=buergerbuero.authority, slug="meldewesen",
                                        name="Meldewesen", parent=buergerbuero)  # fmt: skip
    other = users.create_user(OTHER_CITIZEN, email=OTHER_CITIZEN, password=DEMO_PASSWORD)
    Account.objects.create(user=other, kind=Account.Kind.PERSON, email_verified_at=timezone.now())

    owner = citizen(CITIZEN_EMAIL)
    upload = owner.post("/api/v1/forms/anliegen/uploads", {
        "field": "photos", "file": SimpleUploadedFile("lampe.png", image("PNG"), "image/png")})  # fmt: skip
    assert upload.status_code == 201, upload.content
    data = {"topic": "lights", "subject": "Lampe am Spielplatz", "message": "Die Lampe ist aus.",
            "name": "Ilse Beispiel", "email": CITIZEN_EMAIL, "reply_wanted": True,
            "photos": [upload.json()["id"]]}  # fmt: skip
    response = owner.post("/api/v1/forms/anliegen/submissions", json.dumps({"data": data}),
                          content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content
    submission_id = response.json()["id"]
    services.route(submission_id)
    case = Case.objects.get(submission_id=submission_id)
    assert case.org_unit == buergerbuero
    # Only now a unit above the Bürgerbüro: an application without a service goes to a top unit.
    hauptamt = OrgUnit.objects.create(authority=buergerbuero.authority, slug="hauptamt",
                                      name="Hauptamt")  # fmt: skip
    OrgUnit.objects.filter(pk=buergerbuero.pk).update(parent=hauptamt)
    for username, unit, role in (("bb-leitung", buergerbuero, roles.HEAD),
                                 ("hauptamt", hauptamt, roles.CLERK),
                                 ("meldewesen", meldewesen, roles.CLERK)):  # fmt: skip
        user = users.create_user(username, password=DEMO_PASSWORD, is_staff=True)
        Membership.objects.create(user=user, org_unit=unit, role=roles.role(role))
        TOTPDevice.objects.create(user=user, name="App", confirmed=True)
    assert case.applicant is not None
    clerk = users.get(username="buergerbuero")
    document = decisions.decide(case, clerk, "granted", "")
    message = Message.objects.filter(account=case.applicant, reference=case.number).get()
    keys = {role: api_tokens.create(users.get(username=name), "Matrix", 30).key
            for role, name in STAFF.items()}  # fmt: skip
    return World(
        case_id=case.pk, number=case.number, submission_id=submission_id,
        reference=case.submission.reference,
        attachment_id=case.submission.attachments.get().pk, document_id=document.pk,
        message_id=message.pk, message_attachment_id=message.attachments.get().pk, keys=keys,
    )  # fmt: skip


def citizen(email: str) -> Client:
    client = Client()
    response = client.post("/konto/anmelden/", {"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content
    return client


def client_for(role: str) -> Client:
    if role == "anonymous":
        return Client()
    if role == "owner":
        return citizen(CITIZEN_EMAIL)
    if role == "other citizen":
        return citizen(OTHER_CITIZEN)
    return log_in(Client(), STAFF[role])


def seen(response: HttpResponseBase) -> str:
    """What the person gets: a page, a file, a login, a 404 — as one word for the matrix."""
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/verwaltung/anmelden/"):
            return "staff login"
        if location.startswith("/konto/anmelden/"):
            return "citizen login"
        return "redirect"
    return str(response.status_code)


def _listing(response: HttpResponseBase, world: World, marker: str = "") -> str:
    """Whether a list shows the case (the marker: the case's link, or else its number)."""
    if response.status_code != 200:
        return seen(response)
    return "listed" if (marker or world.number) in response.content.decode() else "not listed"


def _inbox(client: Client, world: World, query: str) -> str:
    # The search box repeats the words searched for, so the case's link is what must not show.
    response = client.get(f"/verwaltung/vorgaenge/?ansicht=alle{query}")
    return _listing(response, world, f"/verwaltung/vorgaenge/{world.number}/")


def _state(world: World) -> tuple[Any, ...]:
    case = Case.objects.get(pk=world.case_id)
    return (case.status, case.assignee_id, case.priority, case.due_date,
            CaseNote.objects.filter(case=case).count(),
            Message.objects.filter(reference=case.number).count())  # fmt: skip


def _changed(world: World, before: tuple[Any, ...], response: HttpResponseBase) -> str:
    return "done" if _state(world) != before else seen(response)


def page_action(action: dict[str, str]) -> Callable[[Client, World], str]:
    def run(client: Client, world: World) -> str:
        before = _state(world)
        response = client.post(f"/verwaltung/vorgaenge/{world.number}/", action)
        return _changed(world, before, response)

    return run


def api_action(action: str, body: dict[str, Any]) -> Callable[[Client, World], str]:
    def run(client: Client, world: World) -> str:
        before = _state(world)
        response = client.post(f"/api/v1/cases/{world.number}/{action}", json.dumps(body),
                               content_type="application/json")  # fmt: skip
        return _changed(world, before, response)

    return run


def api_client(role: str, world: World) -> Client:
    key = world.keys.get(role)
    return Client(headers={"Authorization": f"Bearer {key}"} if key else {})


def _staff_expectation(insider: str, outsider: str, anonymous: str, citizen_: str) -> dict:
    result = {role: (insider if role in INSIDERS else outsider) for role in STAFF}
    result.update({"anonymous": anonymous, "owner": citizen_, "other citizen": citizen_})
    return result


def staff_page(insider: str = "200", outsider: str = "404") -> dict[str, str]:
    return _staff_expectation(insider, outsider, "staff login", "staff login")


def staff_api(insider: str = "200", outsider: str = "404") -> dict[str, str]:
    return _staff_expectation(insider, outsider, "401", "401")


def citizen_only(owner: str, other: str, anonymous: str, staff: str) -> dict[str, str]:
    result = dict.fromkeys(STAFF, staff)
    result.update({"anonymous": anonymous, "owner": owner, "other citizen": other})
    return result


def sub(world: World) -> str:
    return world.submission_id


CHECKS: dict[str, tuple[Callable[[Client, World], str], dict[str, str], bool]] = {
    # name: (what the role does, the expected outcome per role, whether it uses the API key)
    "inbox listing": (
        lambda c, w: _inbox(c, w, ""),
        staff_page("listed", "not listed"), False),
    "inbox search by number": (
        lambda c, w: _inbox(c, w, f"&suche={w.number}"),
        staff_page("listed", "not listed"), False),
    "case page": (
        lambda c, w: seen(c.get(f"/verwaltung/vorgaenge/{w.number}/")), staff_page(), False),
    "case action claim": (page_action({"action": "claim"}), staff_page("done"), False),
    "case action status": (
        page_action({"action": "status", "status": "waiting"}), staff_page("done"), False),
    "case action note": (
        page_action({"action": "note", "note": "geprüft"}), staff_page("done"), False),
    "case action priority": (
        page_action({"action": "priority", "priority": "high"}), staff_page("done"), False),
    "case action due date": (
        page_action({"action": "due", "due_date": "2027-01-15"}), staff_page("done"), False),
    "case action message": (
        page_action({"action": "message", "subject": "Frage", "body": "Bitte melden."}),
        staff_page("done"), False),
    "attachment download": (
        lambda c, w: seen(c.get(f"/verwaltung/vorgaenge/{w.number}/dateien/{w.attachment_id}/")),
        staff_page(), False),
    "decision PDF (staff)": (
        lambda c, w: seen(c.get(f"/verwaltung/vorgaenge/{w.number}/dokumente/{w.document_id}/")),
        staff_page(), False),
    "decision in the mailbox": (
        lambda c, w: seen(c.get(f"/konto/postfach/{w.message_id}/")),
        citizen_only("200", "404", "citizen login", "citizen login"), False),
    "decision PDF in the mailbox": (
        lambda c, w: seen(c.get(
            f"/konto/postfach/{w.message_id}/anhang/{w.message_attachment_id}/")),
        citizen_only("200", "404", "citizen login", "citizen login"), False),
    "submission receipt": (
        lambda c, w: seen(c.get(f"/antrag/eingang/{sub(w)}/")),
        citizen_only("200", "404", "citizen login", "404"), False),
    "submission receipt PDF": (
        lambda c, w: seen(c.get(f"/antrag/eingang/{sub(w)}/pdf/")),
        citizen_only("200", "404", "citizen login", "404"), False),
    "Meine Anträge": (
        lambda c, w: _listing(c.get("/konto/antraege/"), w),
        citizen_only("listed", "not listed", "citizen login", "citizen login"), False),
    "Meine Anträge: one application": (
        lambda c, w: seen(c.get(f"/konto/antraege/{w.reference}/")),
        citizen_only("200", "404", "citizen login", "citizen login"), False),
    "process diagram": (
        lambda c, w: seen(c.get(f"/verwaltung/vorgaenge/{w.number}/prozess.bpmn")),
        staff_page(), False),
    "API list": (
        lambda c, w: _listing(c.get("/api/v1/cases", {"view": "all"}), w),
        staff_api("listed", "not listed"), True),
    "API search by number": (
        lambda c, w: _listing(c.get("/api/v1/cases", {"view": "all", "q": w.number}), w),
        staff_api("listed", "not listed"), True),
    "API case": (lambda c, w: seen(c.get(f"/api/v1/cases/{w.number}")), staff_api(), True),
    "API claim": (api_action("claim", {}), staff_api("done"), True),
    "API status": (api_action("status", {"status": "waiting"}), staff_api("done"), True),
    "API note": (api_action("notes", {"text": "geprüft"}), staff_api("done"), True),
}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("check", list(CHECKS))
def test_matrix(world: World, role: str, check: str) -> None:
    run, expected, uses_key = CHECKS[check]
    client = api_client(role, world) if uses_key else client_for(role)
    assert run(client, world) == expected[role]


def test_every_cell_of_the_matrix_has_an_expectation() -> None:
    for check, (_run, expected, _key) in CHECKS.items():
        assert set(expected) == set(ROLES), check


def test_an_inbox_shows_no_case_of_another_unit(world: World) -> None:
    """A clerk's full inbox and form filter list only cases of the clerk's units."""
    client = log_in(Client(), "bauamt")
    page = client.get("/verwaltung/vorgaenge/?ansicht=alle").content.decode()
    visible = set(re.findall(r"/verwaltung/vorgaenge/([^/\"?]+)/", page))
    assert visible <= set(Case.objects.filter(org_unit__slug="bauamt").values_list("number",
                                                                                   flat=True))  # fmt: skip
    assert "anliegen" not in re.findall(r'<option value="([^"]*)"', page)
    assert CaseDocument.objects.filter(pk=world.document_id).exists()
