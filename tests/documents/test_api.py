"""The e-file's staff API: files and documents of one's units, new versions, logged downloads."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from rathaus.core.models import OrgUnit
from rathaus.documents import filing, services
from rathaus.documents.models import AccessRecord, Document, File
from tests.factories import FileFactory
from tests.support import api, make_key, pdf

pytestmark = [pytest.mark.django_db]

BASE = "/api/v1/documents"


@pytest.fixture
def filed(meldung) -> File:
    filing.sync_case(meldung)
    return File.objects.get(case=meldung)


@pytest.fixture
def clerk_api(filed):
    return api(make_key("buergerbuero"))


def application_pdf(file: File) -> Document:
    return file.documents.get(source__endswith=":pdf")


def test_lists_and_filters_the_files_of_my_units(clerk_api, filed):
    other = FileFactory(org_unit=OrgUnit.objects.get(slug="bauamt"))

    body = clerk_api.get(f"{BASE}/files").json()
    numbers = [item["number"] for item in body["items"]]
    assert filed.number in numbers
    assert other.number not in numbers
    assert body["items"][0]["subject"]["code"] == "33.10"

    demo = 1  # the demo's own file of the Bürgerbüro (Melderegisterauskünfte)
    assert clerk_api.get(f"{BASE}/files", {"status": "closed"}).json()["total"] == 0
    assert clerk_api.get(f"{BASE}/files", {"subject": "33"}).json()["total"] == 1 + demo
    assert clerk_api.get(f"{BASE}/files", {"subject": "3"}).json()["total"] == 1 + demo
    assert clerk_api.get(f"{BASE}/files", {"subject": "33.10"}).json()["total"] == 1 + demo
    assert clerk_api.get(f"{BASE}/files", {"subject": "63.10"}).json()["total"] == 0
    assert clerk_api.get(f"{BASE}/files", {"q": filed.number}).json()["total"] == 1
    assert clerk_api.get(f"{BASE}/files", {"q": "Baugenehmigung"}).json()["total"] == 0


def test_one_file_with_its_documents_and_versions(clerk_api, filed):
    body = clerk_api.get(f"{BASE}/files/{filed.pk}").json()

    assert body["case"] == filed.case.number
    titles = {document["title"] for document in body["documents"]}
    assert any(title.startswith("Antrag: ") for title in titles)
    document = application_pdf(filed)
    listed = clerk_api.get(f"{BASE}/documents", {"file": filed.pk, "kind": "application"}).json()
    assert listed["total"] == 2
    one = clerk_api.get(f"{BASE}/documents/{document.pk}").json()
    assert one["versions"][0]["media_type"] == "application/pdf"
    assert one["versions"][0]["number"] == 1


def test_another_units_file_is_not_found(clerk_api):
    other = FileFactory(org_unit=OrgUnit.objects.get(slug="bauamt"))
    response = clerk_api.get(f"{BASE}/files/{other.pk}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"

    building = api(make_key("bauamt"))
    mine = File.objects.get(case__isnull=False)
    document = application_pdf(mine)
    assert building.get(f"{BASE}/files/{mine.pk}").status_code == 404
    assert building.get(f"{BASE}/documents/{document.pk}").status_code == 404
    assert building.get(f"{BASE}/documents/{document.pk}/versions/1/content").status_code == 404
    upload = SimpleUploadedFile("neu.pdf", pdf(), content_type="application/pdf")
    assert (
        building.post(f"{BASE}/documents/{document.pk}/versions", {"file": upload}).status_code
        == 404
    )
    assert not AccessRecord.objects.exists()


def test_a_new_version_is_checked_and_kept_beside_the_old_one(clerk_api, filed):
    document = application_pdf(filed)
    upload = SimpleUploadedFile("korrigiert.pdf", pdf(), content_type="application/pdf")

    response = clerk_api.post(
        f"{BASE}/documents/{document.pk}/versions", {"file": upload, "reason": "Korrektur"}
    )

    assert response.status_code == 201, response.content
    assert (response.json()["number"], response.json()["reason"]) == (2, "Korrektur")
    assert [v.number for v in document.versions.all()] == [1, 2]
    assert document.versions.get(number=2).created_by == get_user_model().objects.get(
        username="buergerbuero"
    )

    fake = SimpleUploadedFile("boese.pdf", b"MZ not a pdf", content_type="application/pdf")
    refused = clerk_api.post(f"{BASE}/documents/{document.pk}/versions", {"file": fake})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "file"
    assert document.versions.count() == 2


def test_a_closed_file_takes_no_new_version(clerk_api, filed):
    services.close(filed, get_user_model().objects.get(username="buergerbuero"))
    document = application_pdf(filed)
    upload = SimpleUploadedFile("spaet.pdf", pdf(), content_type="application/pdf")

    response = clerk_api.post(f"{BASE}/documents/{document.pk}/versions", {"file": upload})

    assert response.status_code == 409
    assert response.json()["file_status"] == "closed"
    assert "Akte ist geschlossen" in response.json()["detail"]
    assert document.versions.count() == 1


def test_a_download_is_written_into_the_access_log(clerk_api, filed):
    document = application_pdf(filed)
    version = document.latest_version()

    response = clerk_api.get(f"{BASE}/documents/{document.pk}/versions/1/content")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == version.file.read_bytes()
    assert response["Content-Type"] == "application/pdf"
    record = AccessRecord.objects.get()
    assert (record.action, record.version, record.user.username) == (
        "api",
        version,
        "buergerbuero",
    )
    assert clerk_api.get(f"{BASE}/documents/{document.pk}/versions/9/content").status_code == 404


def test_the_operations_are_in_the_schema_and_need_a_key(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {
        f"{BASE}/files",
        f"{BASE}/files/{{file_id}}",
        f"{BASE}/documents",
        f"{BASE}/documents/{{document_id}}",
        f"{BASE}/documents/{{document_id}}/versions",
        f"{BASE}/documents/{{document_id}}/versions/{{number}}/content",
    } <= set(paths)
    assert client.get(f"{BASE}/files").status_code == 401


def test_a_download_of_content_missing_from_the_store_is_gone_not_an_error(clerk_api, filed):
    from rathaus.core import files

    document = application_pdf(filed)
    files.storage().delete(document.latest_version().file.key)

    response = clerk_api.get(f"{BASE}/documents/{document.pk}/versions/1/content")

    assert response.status_code == 410
    assert response["Content-Type"] == "application/problem+json"
    assert not AccessRecord.objects.exists()
