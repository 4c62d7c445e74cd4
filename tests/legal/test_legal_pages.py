"""The legal pages of each authority: shown to everyone, edited by heads and administrators."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tasks_db.models import DBTaskResult

from rathaus.cases import services as case_services
from rathaus.cases.models import Case
from rathaus.forms.models import Submission
from rathaus.legal.models import LegalTexts
from tests.support import log_in, pdf

PAGES = ["/impressum/", "/datenschutz/", "/barrierefreiheit/", "/leichte-sprache/",
         "/gebaerdensprache/"]  # fmt: skip
BOERDE = {"HTTP_HOST": "boerde.localhost"}
# The smallest file with the box header of an MP4 video, and captions in WebVTT.
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
VTT = b"WEBVTT\n\n00:00.000 --> 00:04.000\nWillkommen im digitalen Rathaus.\n"


def _edit_form(client: Client, slug: str = "barleben") -> dict:
    """The staff form as it is shown, with every current value."""
    texts = LegalTexts.objects.filter(authority__slug=slug).first()
    fields = ("representative", "legal_form", "vat_id", "supervisory_authority", "imprint_notes",
              "data_protection_officer", "data_protection_authority", "privacy_notes",
              "accessibility_contact", "conciliation_body", "easy_language", "sign_language")  # fmt: skip
    data = {name: getattr(texts, name) if texts else "" for name in fields}
    if texts is not None and texts.demo:
        data["demo"] = "on"
    return data


def test_every_page_links_the_five_legal_pages_in_its_footer(barleben):
    html = Client().get("/termine/").content.decode()
    footer = html[html.index("<footer") :]
    for page in PAGES:
        assert f'href="{page}"' in footer
    for page in PAGES:
        assert Client().get(page).status_code == 200


def test_the_demo_texts_are_marked_as_demo(barleben):
    html = Client().get("/impressum/").content.decode()
    assert "Erika Beispiel, Bürgermeisterin (erfundener Name)" in html
    assert "Beispieltexte" in html
    assert "Kommunalaufsicht" in html


def test_a_clerk_may_not_change_the_legal_pages(barleben):
    client = log_in(Client(), "buergerbuero")
    assert "/verwaltung/rechtliches/" not in client.get("/verwaltung/").content.decode()
    assert client.get("/verwaltung/rechtliches/").status_code == 403
    response = client.get("/verwaltung/rechtliches/barleben/")
    assert response.status_code == 403
    assert "Leitung" in response.content.decode() or "Amtsleitungen" in response.content.decode()
    response = client.post("/verwaltung/rechtliches/barleben/",
                           {**_edit_form(client), "representative": "Jemand anderes"})  # fmt: skip
    assert response.status_code == 403
    assert (
        LegalTexts.objects.get(authority=barleben).representative
        == "Erika Beispiel, Bürgermeisterin (erfundener Name)"
    )


def test_a_head_changes_what_the_public_sees_for_their_authority_only(barleben):
    client = log_in(Client(), "ordnungsamt")  # Leitung in Barleben
    assert "/verwaltung/rechtliches/" in client.get("/verwaltung/").content.decode()
    # Another authority's pages are not theirs: as if they did not exist.
    assert client.get("/verwaltung/rechtliches/landkreis-boerde/").status_code == 404
    assert client.get("/verwaltung/rechtliches/").status_code == 302
    page = client.get("/verwaltung/rechtliches/barleben/").content.decode()
    assert 'name="representative"' in page
    data = {**_edit_form(client), "representative": "Petra Probe, Bürgermeisterin",
            "easy_language": "## Hallo\n\nDas ist ein Test.\n\n- eins\n- zwei <b>"}  # fmt: skip
    data.pop("demo")
    response = client.post("/verwaltung/rechtliches/barleben/", data)
    assert response.status_code == 302
    imprint = Client().get("/impressum/").content.decode()
    assert "Petra Probe, Bürgermeisterin" in imprint
    assert "Beispieltexte" not in imprint  # no longer marked as demo
    easy = Client().get("/leichte-sprache/").content.decode()
    assert '<h2 class="kern-heading-small">Hallo</h2>' in easy
    assert "<li>zwei &lt;b&gt;</li>" in easy  # typed markup stays text
    boerde = Client().get("/impressum/", **BOERDE).content.decode()
    assert "Petra Probe" not in boerde
    assert "Landesverwaltungsamt" in boerde


def test_the_feedback_on_accessibility_becomes_a_case_of_the_authority(barleben):
    client = Client()
    page = client.get("/barrierefreiheit/").content.decode()
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    assert "teilweise vereinbar" in page
    report = {"message": "Der Kalender lässt sich nicht mit der Tastatur bedienen.",
              "page": "/termine/", "name": "Ilse Beispiel", "email": "ilse@example.org", "key": key}  # fmt: skip
    response = client.post("/barrierefreiheit/", report)
    assert response.status_code == 302
    again = client.post("/barrierefreiheit/", report)  # a double click: one report
    assert again.status_code == 302
    submission = Submission.objects.get(form_version__definition__slug="barrierefreiheit")
    assert submission.authority == barleben
    assert submission.data["message"].startswith("Der Kalender")
    assert submission.contact_email == "ilse@example.org"
    assert "Ihre Meldung" in client.get("/barrierefreiheit/").content.decode()
    # The worker routes it like every submission: a case in the authority's inbox.
    assert DBTaskResult.objects.filter(args_kwargs__args=[str(submission.pk)]).exists()
    assert case_services.route(str(submission.pk)) == "routed"
    case = Case.objects.get(submission=submission)
    assert case.authority == barleben
    # Without a service, a submission goes to the authority's first unit, as the "Anliegen" do.
    inbox = log_in(Client(), "buergerbuero").get("/verwaltung/vorgaenge/").content.decode()
    assert case.number in inbox


def test_a_report_without_a_description_is_refused_with_a_clear_message(barleben):
    response = Client().post("/barrierefreiheit/", {"message": "kaputt", "email": "kein-mail"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ihre Meldung wurde nicht gesendet" in html
    assert "mindestens 10 Zeichen" in html
    assert "gültige E-Mail-Adresse" in html
    assert not Submission.objects.filter(form_version__definition__slug="barrierefreiheit").exists()


def test_the_sign_language_video_is_shown_with_its_captions(barleben):
    assert "noch kein Video" in Client().get("/gebaerdensprache/").content.decode()
    client = log_in(Client(), "ordnungsamt")
    data = {**_edit_form(client),
            "video": SimpleUploadedFile("rathaus.mp4", MP4, content_type="video/mp4"),
            "captions": SimpleUploadedFile("rathaus.vtt", VTT, content_type="text/vtt")}  # fmt: skip
    assert client.post("/verwaltung/rechtliches/barleben/", data).status_code == 302
    html = Client().get("/gebaerdensprache/").content.decode()
    video = re.search(r'<source src="([^"]+)" type="video/mp4">', html).group(1)
    captions = re.search(r'<track kind="captions" src="([^"]+)" srclang="de"', html).group(1)
    assert Client().get(video).status_code == 200  # public, like the page
    assert b"".join(Client().get(captions).streaming_content) == VTT
    # Without captions the statement names the gap.
    assert "keine Untertitel" not in Client().get("/barrierefreiheit/").content.decode()


@pytest.mark.parametrize(("field", "upload"), [
    ("video", SimpleUploadedFile("video.mp4", pdf(), content_type="video/mp4")),
    ("captions", SimpleUploadedFile("untertitel.vtt", b"kein WebVTT", content_type="text/vtt")),
])  # fmt: skip
def test_a_file_that_is_no_video_or_captions_is_refused(barleben, field, upload):
    client = log_in(Client(), "ordnungsamt")
    response = client.post(
        "/verwaltung/rechtliches/barleben/", {**_edit_form(client), field: upload}
    )
    assert response.status_code == 400
    assert "nicht gespeichert" in response.content.decode()
    assert LegalTexts.objects.get(authority=barleben).sign_language_video is None


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_without_any_authority_the_legal_pages_say_the_portal_is_not_set_up(client, url):
    response = client.get(url)
    assert response.status_code == 503
    assert "rathaus demo-data" in response.content.decode()


def test_an_authority_without_texts_gets_plain_pages_that_say_what_is_missing(barleben):
    LegalTexts.objects.filter(authority=barleben).delete()
    assert "Beispieltexte" not in Client().get("/impressum/").content.decode()
    html = Client().get("/leichte-sprache/").content.decode()
    assert "noch keinen Text in Leichter Sprache" in html
    statement = Client().get("/barrierefreiheit/").content.decode()
    assert "Es gibt noch keine Erklärung in Leichter Sprache." in statement
    assert "Bitte fragen Sie die Behörde, welche Schlichtungsstelle zuständig ist." in statement
