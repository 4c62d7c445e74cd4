"""Files in online applications: upload, show, remove, refuse, submit — pages and API."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rathaus.forms.models import Submission, SubmissionAttachment, Upload
from tests.support import ANLIEGEN_STEP as ANLIEGEN
from tests.support import JS_ACTION, follow_post, image, pdf, post_data
from tests.support import KONTAKT_STEP as KONTAKT
from tests.support import fill_step as fill
from tests.support import get_page as page
from tests.support import start_application as start

pytestmark = [pytest.mark.django_db, pytest.mark.database]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def send_file(client: Client, url: str, name: str, content: bytes, ctype: str = ""):
    html = page(client, url)
    data = post_data(html, action="upload")
    data["photos"] = SimpleUploadedFile(name, content, ctype)
    return client.post(url, data)


def test_upload_show_remove_and_submit_with_a_file(
    client, barleben, private_media, django_capture_on_commit_callbacks
):
    step1 = start(client, "anliegen")
    photo = image("PNG")
    response = send_file(client, step1, "lampe.png", photo, "image/png")
    assert response.status_code == 302
    html = page(client, step1)
    assert "lampe.png" in html
    upload = Upload.objects.get()
    assert upload.sha512 == hashlib.sha512(photo).hexdigest()
    download = client.get(f"{step1.split('/schritt/')[0]}/datei/{upload.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == photo
    assert Client().get(f"{step1.split('/schritt/')[0]}/datei/{upload.pk}/").status_code == 404
    # remove it, upload a PDF instead
    blob = private_media / upload.file.key
    assert blob in stored_files(private_media)
    with django_capture_on_commit_callbacks(execute=True):  # the file goes when the row has gone
        follow_post(client, step1, post_data(html, remove_file=upload.pk.hex, action=""))
    assert not Upload.objects.exists()
    assert blob not in stored_files(private_media)
    send_file(client, step1, "foto.pdf", pdf(), "application/pdf")
    check = fill(client, fill(client, step1, ANLIEGEN), KONTAKT)
    receipt = page(client, follow_post(client, check, {}))
    assert "foto.pdf" in receipt
    submission = Submission.objects.get()
    attachment = SubmissionAttachment.objects.get(submission=submission)
    assert submission.data["photos"] == [attachment.upload_id.hex]
    assert attachment.sha512 == hashlib.sha512(pdf()).hexdigest()
    assert attachment.original_name == "foto.pdf"


@pytest.mark.parametrize(
    ("name", "content", "ctype", "message"),
    [
        ("rechnung.pdf", b"MZ\x90\x00" + b"\x00" * 200, "application/pdf", "passt nicht"),
        ("foto.png", image("JPEG"), "image/png", "passt nicht"),
        ("formular.pdf", pdf(catalog=b"/OpenAction 5 0 R", objects=(JS_ACTION,)), "application/pdf", "JavaScript"),
        ("leer.pdf", b"", "application/pdf", "leer"),
    ],
)  # fmt: skip
def test_bad_files_are_refused_with_a_message(client, barleben, private_media, name, content,
                                              ctype, message):  # fmt: skip
    step1 = start(client, "anliegen")
    before = stored_files(private_media)  # what the demo stored (letters in mailboxes)
    response = send_file(client, step1, name, content, ctype)
    assert response.status_code == 422
    html = response.content.decode()
    assert f"„{name}“" in html
    assert message in html
    assert not Upload.objects.exists()
    assert stored_files(private_media) == before


def test_too_many_files(client, barleben):
    step1 = start(client, "anliegen")
    for number in range(3):
        assert send_file(client, step1, f"bild{number}.png", image("PNG")).status_code == 302
    html = page(client, step1)
    assert 'name="photos"' not in html  # no more file input once the limit is reached
    response = send_file(client, step1, "bild4.png", image("PNG"))
    assert response.status_code == 422
    assert Upload.objects.count() == 3


def test_an_oversized_request_is_refused_before_reading(client, barleben):
    step1 = start(client, "anliegen")
    response = client.generic(
        "POST", step1, b"x" * 10,
        content_type="multipart/form-data; boundary=xyz", CONTENT_LENGTH=str(200 * 1024 * 1024),
    )  # fmt: skip
    assert response.status_code == 413
    assert not Upload.objects.exists()


def test_the_413_page_agrees_with_the_field_hint(client, barleben):
    """The field allows 10 MB of the installation's 20 MB; the 413 page says both, in one form."""
    step1 = start(client, "anliegen")
    assert "bis 10,0\xa0MB je Datei" in page(client, step1)
    response = client.generic(
        "POST", step1, b"x" * 10,
        content_type="multipart/form-data; boundary=xyz", CONTENT_LENGTH=str(200 * 1024 * 1024),
    )  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert '<h1 class="kern-heading-large">Die Datei ist zu groß</h1>' in html
    assert "höchstens 20,0\xa0MB groß" in html
    assert "Manche Felder erlauben weniger; der Hinweis unter dem Feld nennt die Größe." in html
    assert 'href="/"' in html  # a way back


def test_the_api_answers_413_as_problem_json(client, barleben):
    response = client.generic(
        "POST", "/api/v1/forms/anliegen/uploads", b"x" * 10,
        content_type="multipart/form-data; boundary=xyz", CONTENT_LENGTH=str(200 * 1024 * 1024),
    )  # fmt: skip
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 413
    assert response.json()["max_file_bytes"] == 20 * 1024 * 1024
    assert response.json()["max_request_bytes"] == 50 * 1024 * 1024


def test_a_json_body_over_djangos_limit_is_413_not_400(client, barleben, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(
        "/api/v1/forms/anliegen/submissions",
        json.dumps({"data": {"x": "y" * 2000}}),
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"


def test_a_form_over_djangos_limit_gets_the_413_page(client, barleben, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/antrag/anliegen/", {"text": "y" * 2000})
    assert response.status_code == 413
    assert "Die Datei ist zu groß" in response.content.decode()


def test_api_upload_then_submit(client, barleben):
    photo = image("PNG")
    response = client.post(
        "/api/v1/forms/anliegen/uploads",
        {"field": "photos", "file": SimpleUploadedFile("loch.png", photo, "image/png")},
    )
    assert response.status_code == 201, response.content
    upload_id = response.json()["id"]
    assert response.json()["sha512"] == hashlib.sha512(photo).hexdigest()
    body = {"data": {**ANLIEGEN, "topic": "roads", **KONTAKT, "reply_wanted": True,
                     "photos": [upload_id]}}  # fmt: skip
    response = client.post("/api/v1/forms/anliegen/submissions", json.dumps(body),
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content
    attachment = SubmissionAttachment.objects.get()
    assert attachment.upload_id.hex == upload_id
    # An upload belongs to one submission only.
    again = client.post("/api/v1/forms/anliegen/submissions", json.dumps(body),
                        content_type="application/json")  # fmt: skip
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "data.photos"


def test_api_upload_refusals(client, barleben):
    wrong_field = client.post(
        "/api/v1/forms/anliegen/uploads",
        {"field": "subject", "file": SimpleUploadedFile("a.png", image("PNG"), "image/png")},
    )
    assert wrong_field.status_code == 422
    exe = client.post(
        "/api/v1/forms/anliegen/uploads",
        {"field": "photos", "file": SimpleUploadedFile("a.pdf", b"MZ" + b"\0" * 100, "application/pdf")},
    )  # fmt: skip
    assert exe.status_code == 422
    assert exe.json()["code"] in {"type_mismatch", "type_not_allowed"}
    assert not Upload.objects.exists()


@pytest.fixture
def scanner_down(settings, tmp_path):
    settings.RATHAUS_VIRUS_SCANNER = "clamav"
    settings.RATHAUS_CLAMD_ADDRESS = str(tmp_path / "no-clamd.sock")


def test_an_unreachable_scanner_answers_503_and_keeps_the_answers(client, barleben, scanner_down):
    step1 = start(client, "anliegen")
    data = post_data(page(client, step1), action="upload", **ANLIEGEN)
    data["photos"] = SimpleUploadedFile("lampe.png", image("PNG"), "image/png")
    response = client.post(step1, data)
    assert response.status_code == 503
    assert response["Retry-After"] == "300"
    html = response.content.decode()
    assert "Bitte versuchen Sie es später erneut." in html
    assert "Ihre übrigen Angaben bleiben erhalten." in html
    assert ANLIEGEN["subject"] in html  # shown again, filled in
    assert not Upload.objects.exists()
    draft_data = json.dumps(client.get(step1).context["draft"].data, ensure_ascii=False)
    assert ANLIEGEN["subject"] in draft_data  # and stored with the draft


def test_the_api_answers_503_with_retry_after_when_the_scanner_is_down(
    client, barleben, scanner_down
):
    response = client.post(
        "/api/v1/forms/anliegen/uploads",
        {"field": "photos", "file": SimpleUploadedFile("a.png", image("PNG"), "image/png")},
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "300"
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "scanner_unavailable"
