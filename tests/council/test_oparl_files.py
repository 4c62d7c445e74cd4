"""A council file's content through accessUrl and downloadUrl: GET and HEAD with the headers
OParl asks for, and 404 for what the public may not read."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client

from rathaus.council.models import File
from tests.factories import AuthorityFactory
from tests.factories.core import PDF
from tests.factories.council import AgendaItemFactory, BodyFactory, FileFactory, PaperFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def body():
    return BodyFactory(authority=AuthorityFactory(slug="barleben", name="Gemeinde Barleben"))


@pytest.fixture
def paper_file(body):
    file = FileFactory(body=body, name="Vorlage", file_name="Vorlage IV-0012 2020.pdf",
                       text="Der Gemeinderat nimmt zur Kenntnis.")  # fmt: skip
    file.paper = PaperFactory(body=body, main_file=file)
    return file


def test_the_file_object_names_both_addresses_and_they_serve_the_content(paper_file):
    client = Client()
    data = client.get(f"/oparl/v1/file/{paper_file.pk}").json()
    assert data["mimeType"] == "application/pdf"
    assert data["size"] == len(PDF)
    assert data["text"] == "Der Gemeinderat nimmt zur Kenntnis."
    assert data["sha512Checksum"] == hashlib.sha512(PDF).hexdigest()
    assert data["paper"] == [f"http://testserver/oparl/v1/paper/{paper_file.paper.pk}"]

    access = client.get(data["accessUrl"])
    assert access.status_code == 200
    assert b"".join(access.streaming_content) == PDF
    assert access["Content-Type"] == "application/pdf"
    assert access["Content-Length"] == str(len(PDF))
    assert access["Content-Disposition"].startswith("inline")
    assert access["Access-Control-Allow-Origin"] == "*"

    download = client.get(data["downloadUrl"])
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment; filename=")
    assert "Vorlage" in download["Content-Disposition"]


def test_head_answers_the_same_headers_without_the_content(paper_file):
    client = Client()
    for name in ("file-access", "file-download"):
        url = f"/oparl/v1/file/{paper_file.pk}/" + ("inhalt" if name == "file-access" else
                                                    "download")  # fmt: skip
        got = client.get(url)
        head = client.head(url)
        assert head.status_code == 200
        assert head.content == b""
        for header in ("Content-Type", "Content-Length", "ETag", "Last-Modified",
                       "Content-Disposition"):  # fmt: skip
            assert head[header] == got[header], header
        again = client.get(url, HTTP_IF_NONE_MATCH=got["ETag"])
        assert again.status_code == 304


def test_the_list_leaves_out_the_text_and_has_the_checksums_once_served(paper_file, body):
    client = Client()
    (listed,) = client.get(f"/oparl/v1/body/{body.pk}/file/").json()["data"]
    assert "text" not in listed
    assert "sha512Checksum" not in listed
    client.head(listed["accessUrl"])
    (listed,) = client.get(f"/oparl/v1/body/{body.pk}/file/").json()["data"]
    assert listed["sha512Checksum"] == hashlib.sha512(PDF).hexdigest()
    assert listed["sha1Checksum"] == hashlib.sha1(PDF, usedforsecurity=False).hexdigest()
    # keeping the sums is no change of the file
    file = File.objects.get(pk=paper_file.pk)
    assert file.modified == paper_file.modified


def test_what_the_public_may_not_read_is_404(body, paper_file):
    deleted = FileFactory(body=body, deleted=True)
    closed = FileFactory(body=body)
    AgendaItemFactory(body=body, public=False, resolution_file=closed)
    also_public = FileFactory(body=body)
    AgendaItemFactory(body=body, public=False, resolution_file=also_public)
    PaperFactory(body=body).auxiliary_files.add(also_public)
    imported = FileFactory(body=body, stored=None,
                           external_access_url="https://ris.example.org/f/1.pdf")  # fmt: skip
    theirs = FileFactory()
    client = Client()
    for file in (deleted, closed, imported, theirs):
        for suffix in ("inhalt", "download"):
            assert client.get(f"/oparl/v1/file/{file.pk}/{suffix}").status_code == 404
            assert client.head(f"/oparl/v1/file/{file.pk}/{suffix}").status_code == 404
    assert client.get(f"/oparl/v1/file/{closed.pk}").status_code == 404
    assert client.get(f"/oparl/v1/file/{also_public.pk}/inhalt").status_code == 200
    # a deleted file that was public is still an object, marked as deleted
    PaperFactory(body=body, deleted=True).auxiliary_files.add(deleted)
    assert client.get(f"/oparl/v1/file/{deleted.pk}").json()["deleted"] is True
    listed = {item["id"] for item in client.get(f"/oparl/v1/body/{body.pk}/file/").json()["data"]}
    assert f"http://testserver/oparl/v1/file/{closed.pk}" not in listed
    assert f"http://testserver/oparl/v1/file/{also_public.pk}" in listed


@pytest.mark.parametrize(
    ("claimed", "content", "checked"),
    [
        ("application/pdf", b"<html><script>alert(1)</script></html>", "text/html"),
        ("image/png", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>", "image/svg+xml"),
    ],
)
def test_content_goes_out_with_its_checked_type_and_scripts_never_inline(
    body, claimed, content, checked
):
    from tests.factories.core import StoredFileFactory

    stored = StoredFileFactory(content=content, name="x", media_type=checked)
    file = FileFactory(body=body, stored=stored, mime_type=claimed, file_name="anlage.pdf")
    PaperFactory(body=body, main_file=file)
    client = Client()
    for suffix in ("inhalt", "download"):
        for answer in (client.get(f"/oparl/v1/file/{file.pk}/{suffix}"),
                       client.head(f"/oparl/v1/file/{file.pk}/{suffix}")):  # fmt: skip
            assert answer.status_code == 200
            assert answer["Content-Type"] == checked
            assert answer["Content-Disposition"].startswith("attachment")
            assert answer["Content-Security-Policy"] == "sandbox"
            assert answer["X-Content-Type-Options"] == "nosniff"


def test_a_pdf_is_shown_inline_where_the_browser_viewer_may_run(paper_file):
    """Chromium's PDF viewer does not run in a sandboxed document: an inline PDF is not
    sandboxed (its scripts run in the viewer, not with the portal's origin); its download is."""
    answer = Client().get(f"/oparl/v1/file/{paper_file.pk}/inhalt")
    assert answer["Content-Disposition"].startswith("inline")
    assert answer["Content-Type"] == "application/pdf"
    assert "sandbox" not in answer.get("Content-Security-Policy", "")
    assert answer["X-Content-Type-Options"] == "nosniff"
    download = Client().get(f"/oparl/v1/file/{paper_file.pk}/download")
    assert download["Content-Security-Policy"] == "sandbox"
