"""The xdomea page for heads of unit: download 0501/0503, confirm a hand-over, import a 0503."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.test import Client

from rathaus.core import files, roles
from rathaus.documents import services
from rathaus.documents.models import AccessRecord, Document, File, FileEvent, Subject
from tests.factories import (
    PASSWORD,
    AuthorityFactory,
    MembershipFactory,
    OrgUnitFactory,
    SubjectFactory,
)
from tests.support import clerk_of, log_in

PAGE = "/verwaltung/akten/xdomea/"


def make_file(unit, title="Gewerbe Müller") -> File:
    subject = Subject.objects.filter(authority=unit.authority, code="32.10").first()
    subject = subject or SubjectFactory(
        authority=unit.authority, code="32.10", retention_years=5,
        disposal=Subject.Disposal.ARCHIVE,
    )  # fmt: skip
    file = services.create_file(unit=unit, title=title, subject=subject)
    for version, text in enumerate([b"Entwurf", b"Endfassung"]):
        stored = files.store_bytes(text, name="antrag.txt", media_type="text/plain")
        if version == 0:
            document = services.add_document(
                file, services.NewContent(stored), title="Antrag",
                kind=Document.Kind.APPLICATION, direction=Document.Direction.INCOMING,
            )  # fmt: skip
        else:
            services.add_version(document, services.NewContent(stored), reason="korrigiert")
    services.close(file, None, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=365 * 7))
    return File.objects.get(pk=file.pk)


@pytest.fixture
def head():
    unit = OrgUnitFactory(authority=AuthorityFactory(slug="barleben", name="Barleben"),
                          slug="gewerbeamt", name="Gewerbeamt")  # fmt: skip
    user = clerk_of(unit, "leitung")
    user.memberships.update(role=roles.role(roles.HEAD))
    return unit, log_in(Client(), "leitung", PASSWORD)


@pytest.mark.django_db
def test_a_clerk_who_heads_no_unit_may_not_use_the_page():
    unit = OrgUnitFactory()
    clerk_of(unit, "sachbearbeitung")
    client = log_in(Client(), "sachbearbeitung", PASSWORD)

    response = client.get(PAGE)
    assert response.status_code == 403
    assert "Nur Leitungen von Organisationseinheiten" in response.content.decode()
    assert "Archiv (xdomea)" not in response.content.decode()


@pytest.mark.django_db
def test_the_head_of_unit_sees_the_files_of_their_units_only(head):
    unit, client = head
    mine = make_file(unit)
    other = make_file(OrgUnitFactory(authority=unit.authority), title="Fremde Akte")

    page = client.get(PAGE).content.decode()

    assert "Austausch mit dem Archiv (xdomea)" in page
    assert ">Archiv (xdomea)</a>" in page  # its entry in the staff navigation
    assert mine.number in page
    assert "Fremde Akte" not in page
    assert f'value="{other.pk}"' not in page


@pytest.mark.django_db
def test_the_head_downloads_a_hand_over_and_then_confirms_it(head):
    unit, client = head
    file = make_file(unit)

    response = client.post(PAGE + "export/", {"akte": [file.pk], "art": "0503"})

    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "_Aussonderung.Aussonderung.0503.zip" in disposition
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert len(archive.namelist()) == 3  # the message and two versions
    assert file.documents.count() == 1  # downloading changes nothing
    process_id = FileEvent.objects.get(file=file, kind="xdomea_exported").detail["process_id"]
    assert process_id in disposition
    downloads = AccessRecord.objects.filter(file=file, action=AccessRecord.Action.DOWNLOAD)
    assert sorted(downloads.values_list("version_number", "user__username")) == [
        (1, "leitung"),
        (2, "leitung"),
    ]  # fmt: skip

    unconfirmed = client.post(PAGE + "abgabe/", {"process_id": process_id})
    assert unconfirmed.status_code == 400
    assert "Bitte bestätigen Sie" in unconfirmed.content.decode()

    confirmed = client.post(PAGE + "abgabe/", {"process_id": process_id, "confirmed": "on"},
                            follow=True)  # fmt: skip
    assert "an Landesarchiv Sachsen-Anhalt abgegeben" in confirmed.content.decode()
    file.refresh_from_db()
    assert file.status == File.Status.HANDED_OVER
    assert not file.documents.exists()


@pytest.mark.django_db
def test_a_hand_over_needs_an_id_of_a_message_with_the_users_files(head):
    _unit, client = head

    response = client.post(PAGE + "abgabe/", {
        "process_id": "0b6f3c1e-0000-4000-8000-000000000000", "confirmed": "on"
    })  # fmt: skip

    assert response.status_code == 400
    assert "mit dieser ID" in response.content.decode()


@pytest.mark.django_db
def test_an_upload_is_imported_or_refused_with_every_problem_shown(head):
    unit, client = head
    file = make_file(unit)
    data = b"".join(client.post(PAGE + "export/", {"akte": [file.pk], "art": "0503"})
                    .streaming_content)  # fmt: skip
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(broken, "w") as target:
        for name in source.namelist():
            if name.endswith(".xml"):
                target.writestr(name, source.read(name))

    refused = client.post(PAGE + "import/", {
        "zip": io.BytesIO(broken.getvalue()), "unit": unit.pk,
    })  # fmt: skip

    assert refused.status_code == 400
    assert refused.content.decode().count("Primärdatei fehlt im ZIP") == 2
    assert File.objects.filter(origin=File.Origin.IMPORT).count() == 0

    upload = io.BytesIO(data)
    upload.name = "abgabe.zip"
    imported = client.post(PAGE + "import/", {"zip": upload, "unit": unit.pk}, follow=True)

    copy = File.objects.get(origin=File.Origin.IMPORT)
    assert f"Importiert als {copy.number}." in imported.content.decode()
    assert copy.subject.code == services.UNASSIGNED_CODE
    assert [v.sha256 for v in copy.documents.get().versions.order_by("number")] == [
        v.sha256 for v in file.documents.get().versions.order_by("number")
    ]


@pytest.mark.django_db
def test_the_import_only_offers_the_units_the_user_heads(head):
    unit, client = head
    elsewhere = OrgUnitFactory(slug="fremd")
    MembershipFactory(user=unit.memberships.get().user, org_unit=elsewhere)

    page = client.get(PAGE).content.decode()

    assert f'<option value="{unit.pk}"' in page
    assert f'<option value="{elsewhere.pk}"' not in page
