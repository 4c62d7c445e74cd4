"""The e-file's staff pages: the list, the plan, a file and its documents, downloads and the
access log, with who may do what."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rathaus.core import files, roles
from rathaus.core.models import StoredFile
from rathaus.documents import services
from rathaus.documents.models import AccessRecord, Document, File, FileEvent, Version
from tests.factories import (
    PASSWORD,
    FileFactory,
    OrgUnitFactory,
    SubjectFactory,
)
from tests.support import EICAR, clerk_of, image, log_in, pdf

pytestmark = pytest.mark.django_db

BASE = "/verwaltung/akten/"


@pytest.fixture
def unit():
    return OrgUnitFactory(name="Bürgerbüro")


@pytest.fixture
def clerk(unit):
    return clerk_of(unit, "clerk", first_name="Carla", last_name="Clerk")


@pytest.fixture
def client(clerk) -> Client:
    return log_in(Client(), "clerk", PASSWORD)


@pytest.fixture
def head(unit) -> Client:
    user = clerk_of(unit, "head")
    user.memberships.update(role=roles.role(roles.HEAD))
    return log_in(Client(), "head", PASSWORD)


@pytest.fixture
def file(unit) -> File:
    return FileFactory(org_unit=unit, number="32.10/2026/0001", title="Umzug Muster")


def content(data: bytes, name: str, media_type: str) -> services.NewContent:
    return services.NewContent(files.store_bytes(data, name=name, media_type=media_type))


def add_pdf(file: File, title: str = "Antrag", data: bytes | None = None) -> Document:
    return services.add_document(
        file, content(data or pdf(), "antrag.pdf", files.PDF), title=title,
        kind=Document.Kind.APPLICATION, direction=Document.Direction.INCOMING,
    )  # fmt: skip


def uploaded(name: str, data: bytes) -> SimpleUploadedFile:
    """A file as a browser sends it: its type guessed from the name."""
    types = {"pdf": files.PDF, "png": files.PNG, "txt": "text/plain"}
    return SimpleUploadedFile(name, data, types[name.rpartition(".")[2]])


def upload_post(name: str, data: bytes, **fields: str) -> dict:
    return {
        "action": "upload", "doc-title": "Meldebescheinigung", "doc-kind": "letter",
        "doc-direction": "in", "doc-received_on": "2026-03-02", "doc-sender": "Erika Muster",
        "doc-upload": uploaded(name, data), **fields,
    }  # fmt: skip


# --- list and plan --------------------------------------------------------------------------


def test_the_list_shows_only_the_units_files_and_filters_them(client, file, unit):
    closed = FileFactory(org_unit=unit, title="Alte Sache", number="32.10/2020/0007")
    services.close(closed, None)
    held = FileFactory(org_unit=unit, title="Streitfall")
    services.hold(held, None, "Klage vor dem Verwaltungsgericht")
    FileFactory(title="Fremde Akte")  # another authority's unit

    page = client.get(BASE).content.decode()
    assert "Umzug Muster" in page
    assert "Alte Sache" in page
    assert "Streitfall" in page
    assert "Fremde Akte" not in page
    assert "Neue Akte anlegen" in page

    assert "Alte Sache" not in client.get(BASE + "?status=offen").content.decode()
    only_held = client.get(BASE + "?status=sperre").content.decode()
    assert "Streitfall" in only_held
    assert "Umzug Muster" not in only_held
    by_text = client.get(BASE + "?suche=2020%2F0007").content.decode()
    assert "Alte Sache" in by_text
    assert "Umzug Muster" not in by_text
    by_subject = client.get(BASE + f"?aktenplan={file.subject.pk}").content.decode()
    assert "Umzug Muster" in by_subject
    assert "Alte Sache" not in by_subject
    assert client.get(BASE + "?status=unsinn&aktenplan=x").status_code == 200
    huge = str(10**30)
    assert client.get(f"{BASE}?aktenplan={huge}&einheit={huge}&seite={huge}").status_code == 200


def test_retention_ended_is_a_filter_of_its_own(client, unit):
    import datetime as dt

    old = FileFactory(org_unit=unit, title="Abgelaufen")
    services.close(old, None, now=dt.datetime(2001, 5, 1, tzinfo=dt.UTC))
    FileFactory(org_unit=unit, title="Noch offen")

    page = client.get(BASE + "?status=frist-abgelaufen").content.decode()
    assert "Abgelaufen" in page
    assert "Noch offen" not in page
    assert "Aufbewahrungsfrist abgelaufen" in page


def test_the_list_is_paginated(client, unit):
    for _ in range(27):
        FileFactory(org_unit=unit)
    first = client.get(BASE).content.decode()
    assert "Seite 1 von 2" in first
    assert client.get(BASE + "?seite=2").content.decode().count('class="kern-table__row"') == 3


def test_a_clerk_creates_a_file_under_a_subject_of_the_plan(client, unit, clerk):
    subject = SubjectFactory(authority=unit.authority, code="32.10", title="Meldewesen")
    SubjectFactory(authority=unit.authority, code="32", retention_years=None, title="Gruppe")
    form = client.get(BASE + "neu/").content.decode()
    assert "Meldewesen" in form
    assert "Gruppe" not in form

    response = client.post(
        BASE + "neu/", {"unit": unit.pk, "subject": subject.pk, "title": "Neue Sache"}
    )
    file = File.objects.get(title="Neue Sache")
    assert response["Location"] == f"{BASE}{file.pk}/"
    assert (file.org_unit, file.subject, file.created_by) == (unit, subject, clerk)
    assert file.number.startswith("32.10/")


def test_a_file_cannot_be_created_in_a_foreign_unit(client, unit):
    subject = SubjectFactory(authority=unit.authority)
    other = OrgUnitFactory(authority=unit.authority, name="Bauamt")
    response = client.post(BASE + "neu/", {"unit": other.pk, "subject": subject.pk, "title": "X"})
    assert response.status_code == 200
    assert not File.objects.filter(title="X").exists()


def test_the_plan_shows_the_tree_with_counts_of_visible_files(client, unit, file):
    parent = SubjectFactory(authority=unit.authority, code="32", retention_years=None,
                            title="Öffentliche Ordnung")  # fmt: skip
    file.subject.parent = parent
    file.subject.legal_basis = "Runderlass 2020"
    file.subject.save()
    FileFactory(subject=file.subject, org_unit=OrgUnitFactory(authority=unit.authority))

    page = client.get(BASE + "plan/").content.decode()
    assert "Öffentliche Ordnung" in page
    assert "Runderlass 2020" in page
    assert page.index("Öffentliche Ordnung") < page.index(file.subject.title)
    assert f"?aktenplan={file.subject.pk}" in page
    assert "1 Akte<" in page  # the other unit's file is not counted


# --- the file page and its actions ----------------------------------------------------------


def test_the_file_page_shows_documents_versions_and_history(client, file, clerk):
    document = add_pdf(file)
    services.add_version(document, content(pdf(), "antrag2.pdf", files.PDF), user=clerk,
                         reason="unterschrieben")  # fmt: skip
    page = client.get(f"{BASE}{file.pk}/").content.decode()
    second = document.versions.get(number=2)
    assert "Umzug Muster" in page
    assert "32.10/2026/0001" in page
    assert "unterschrieben" in page
    assert second.sha256[:12] + "…" in page
    assert second.sha256 in page
    assert "Text noch nicht gelesen" in page
    assert f"{BASE}{file.pk}/dokumente/{document.pk}/v2/" in page
    assert "Neue Version" in page  # the history
    assert "Zugriffsprotokoll" not in page  # a clerk does not read the access log


def test_another_units_file_is_not_found(client):
    other = FileFactory()
    document = add_pdf(other)
    assert client.get(f"{BASE}{other.pk}/").status_code == 404
    assert client.get(f"{BASE}{other.pk}/dokumente/{document.pk}/").status_code == 404
    assert client.get(f"{BASE}{other.pk}/dokumente/{document.pk}/v1/").status_code == 404
    assert client.post(f"{BASE}{other.pk}/abschliessen/").status_code == 404
    assert other.status == File.Status.OPEN


def test_upload_a_document(client, file, clerk):
    response = client.post(f"{BASE}{file.pk}/", upload_post("bescheinigung.pdf", pdf()))
    assert response.status_code == 302
    document = file.documents.get()
    assert (document.title, document.kind, document.sender) == (
        "Meldebescheinigung", "letter", "Erika Muster"
    )  # fmt: skip
    assert str(document.received_on) == "2026-03-02"
    version = document.versions.get()
    assert (version.filename, version.media_type, version.created_by) == (
        "bescheinigung.pdf", files.PDF, clerk
    )  # fmt: skip


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("programm.pdf", b"MZ\x90\x00" + b"\x00" * 200, "Datei"),
        ("notiz.txt", b"nur Text", "Datei"),
    ],
)
def test_a_refused_upload_shows_the_checkers_message_and_keeps_nothing(
    client, file, name, data, message
):
    response = client.post(f"{BASE}{file.pk}/", upload_post(name, data))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'aria-invalid="true"' in page
    assert message in page
    assert not file.documents.exists()
    assert not StoredFile.objects.exists()


def test_a_virus_is_refused(client, file, settings, clamd):
    settings.RATHAUS_VIRUS_SCANNER = "clamav"
    settings.RATHAUS_CLAMD_ADDRESS = clamd
    settings.RATHAUS_CLAMD_TIMEOUT_SECONDS = 10
    infected = pdf(content=b"BT (" + EICAR + b") Tj ET")
    response = client.post(f"{BASE}{file.pk}/", upload_post("antrag.pdf", infected))
    assert response.status_code == 200
    assert "EICAR" not in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not file.documents.exists()
    assert not StoredFile.objects.exists()


def test_a_new_version_and_marking_it_final(client, file):
    document = add_pdf(file)
    url = f"{BASE}{file.pk}/dokumente/{document.pk}/"
    response = client.post(url, {"action": "version", "version-reason": "Scan vollständig",
                                 "version-upload": uploaded("neu.png", image("PNG"))})  # fmt: skip
    assert response.status_code == 302
    assert document.versions.count() == 2
    assert client.post(url, {"action": "final", "version": "2"}).status_code == 302
    assert document.versions.get(number=2).final
    assert not document.versions.get(number=1).final
    preview = client.get(f"{url}v2/vorschau/")
    assert preview["Content-Disposition"].startswith("inline")
    assert "sandbox" in preview["Content-Security-Policy"]
    page = client.get(url).content.decode()
    assert f"{url}v2/vorschau/" in page
    assert "<img" in page


def test_a_version_needs_a_reason(client, file):
    document = add_pdf(file)
    url = f"{BASE}{file.pk}/dokumente/{document.pk}/"
    response = client.post(url, {"action": "version", "version-upload": uploaded(
        "neu.pdf", pdf())})  # fmt: skip
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert document.versions.count() == 1


def test_move_a_document_to_another_open_file(client, file, unit):
    document = add_pdf(file)
    target = FileFactory(org_unit=unit, number="32.10/2026/0099")
    foreign = FileFactory(number="99/1")
    url = f"{BASE}{file.pk}/dokumente/{document.pk}/"

    refused = client.post(url, {"action": "move", "move-target": foreign.number})
    assert refused.status_code == 200
    assert "Keine Akte mit diesem Aktenzeichen" in refused.content.decode()
    closed = FileFactory(org_unit=unit, number="32.10/2026/0100")
    services.close(closed, None)
    refused = client.post(url, {"action": "move", "move-target": closed.number})
    assert "Die Zielakte ist geschlossen." in refused.content.decode()

    assert client.post(url, {"action": "move", "move-target": target.number}).status_code == 302
    document.refresh_from_db()
    assert document.file == target


def test_a_closed_file_refuses_changes_but_takes_remarks(client, file):
    document = add_pdf(file)
    page = client.get(f"{BASE}{file.pk}/abschliessen/").content.decode()
    assert "Akte abschließen?" in page
    assert client.post(f"{BASE}{file.pk}/abschliessen/").status_code == 302
    file.refresh_from_db()
    assert file.status == File.Status.CLOSED
    assert file.retention_ends_on is not None

    response = client.post(f"{BASE}{file.pk}/", upload_post("neu.pdf", pdf()), follow=True)
    assert "nur noch mit Anmerkungen versehen" in response.content.decode()
    assert file.documents.count() == 1
    url = f"{BASE}{file.pk}/dokumente/{document.pk}/"
    response = client.post(url, {"action": "version", "version-reason": "x",
                                 "version-upload": uploaded("neu.pdf", pdf())})  # fmt: skip
    assert response.status_code == 302
    assert document.versions.count() == 1
    assert StoredFile.objects.count() == 1
    client.post(url, {"action": "final", "version": "1"})
    assert not document.versions.get().final

    assert client.post(url, {"action": "annotate", "note-text": "Geprüft."}).status_code == 302
    assert document.annotations.get().text == "Geprüft."
    assert "Geprüft." in client.get(url).content.decode()


def test_a_clerk_cannot_set_a_hold_or_read_the_access_log(client, file):
    response = client.post(f"{BASE}{file.pk}/", {"action": "hold", "hold-reason": "Klage"})
    assert response.status_code == 403
    assert client.get(f"{BASE}{file.pk}/zugriffe/").status_code == 403
    file.refresh_from_db()
    assert not file.is_held
    services.hold(file, None, "Klage")
    assert client.post(f"{BASE}{file.pk}/", {"action": "lift_hold"}).status_code == 403
    file.refresh_from_db()
    assert file.is_held


def test_a_head_of_unit_sets_and_lifts_a_hold_with_a_reason(head, file):
    url = f"{BASE}{file.pk}/"
    response = head.post(url, {"action": "hold", "hold-reason": "  "})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert (
        head.post(url, {"action": "hold", "hold-reason": "Klage Az. 1 K 2/26"}).status_code == 302
    )
    file.refresh_from_db()
    assert file.hold_reason == "Klage Az. 1 K 2/26"
    assert "Klage Az. 1 K 2/26" in head.get(url).content.decode()
    assert head.post(url, {"action": "lift_hold"}).status_code == 302
    file.refresh_from_db()
    assert not file.is_held
    assert list(FileEvent.objects.filter(file=file).values_list("kind", flat=True))[-2:] == [
        "hold_set", "hold_lifted"
    ]  # fmt: skip


# --- reading and the access log -------------------------------------------------------------


def test_download_and_preview_are_logged(head, file):
    document = add_pdf(file)
    base = f"{BASE}{file.pk}/dokumente/{document.pk}/"
    download = head.get(base + "v1/")
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == pdf()
    preview = head.get(base + "v1/vorschau/")
    assert preview["Content-Disposition"].startswith("inline")
    assert "default-src 'none'" in preview["Content-Security-Policy"]
    head.get(base)
    actions = list(AccessRecord.objects.filter(file=file).values_list("action", flat=True))
    assert sorted(actions) == ["download", "preview", "view"]

    log = head.get(f"{BASE}{file.pk}/zugriffe/").content.decode()
    assert "heruntergeladen" in log
    assert "Antrag" in log


def test_a_text_file_is_never_shown_inline(client, file):
    document = services.add_document(
        file, content(b"<script>alert(1)</script>", "x.html", "text/html"), title="Notiz",
        kind=Document.Kind.NOTE, direction=Document.Direction.INTERNAL,
    )  # fmt: skip
    response = client.get(f"{BASE}{file.pk}/dokumente/{document.pk}/v1/vorschau/")
    assert response["Content-Disposition"].startswith("attachment")


def test_a_missing_blob_is_shown_and_answered_with_a_clear_page(client, file, file_storage):
    document = add_pdf(file)
    version = Version.objects.get(document=document)
    files.storage().delete(version.file.key)

    page = client.get(f"{BASE}{file.pk}/").content.decode()
    assert "Inhalt fehlt – bitte die Integritätsprüfung ausführen" in page
    response = client.get(f"{BASE}{file.pk}/dokumente/{document.pk}/v1/")
    assert response.status_code == 410
    assert "Integritätsprüfung" in response.content.decode()
    assert not AccessRecord.objects.filter(action="download").exists()


def test_the_access_log_is_paginated(head, file):
    document = add_pdf(file)
    version = document.versions.get()
    for _ in range(30):
        services.record_access(version, None, AccessRecord.Action.VIEW)
    assert "Seite 1 von 2" in head.get(f"{BASE}{file.pk}/zugriffe/").content.decode()


def test_the_navigation_has_the_e_file(client, unit):
    page = client.get("/verwaltung/").content.decode()
    assert f'href="{BASE}"' in page
    assert "E-Akte" in page
