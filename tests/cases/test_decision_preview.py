"""Staff see every decision letter before it is sent: a preview page with a "Senden" button,
without JavaScript; nothing is stored or sent by the preview."""

from __future__ import annotations

import pytest
from django.test import Client

from rathaus.accounts.models import Message
from rathaus.cases import services
from rathaus.cases.models import Case, CaseDocument
from tests.support import ANLIEGEN, form_fields, log_in, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _without_process(db):
    from rathaus.processes.models import ProcessModel

    ProcessModel.objects.update(is_default=False)


def test_the_clerk_sees_the_letter_and_then_sends_it(client, meldung):
    log_in(client, "buergerbuero")
    url = f"/verwaltung/vorgaenge/{meldung.number}/"
    response = client.post(f"{url}bescheid-vorschau/", {"outcome": "granted", "reasons": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Vorschau des Bescheids" in html
    assert 'aria-label="Navigation der Verwaltung"' in html  # in the staff frame (ADR 0028)
    assert "Laut Melderegister ist folgende Person gemeldet" in html  # the letter itself
    assert "Eingezogen am" in html
    assert "Noch ist nichts gesendet." in html
    assert not CaseDocument.objects.exists()
    assert not Message.objects.filter(reference=meldung.number).exists()
    # The "Senden" form carries the same decision to the case page.
    send = html[html.index(f'action="{url}"') :]
    assert ">Senden<" in send[: send.index("</form>")]
    fields = dict(form_fields(send[: send.index("</form>") + 7]))
    assert (fields["action"], fields["outcome"]) == ("decide", "granted")
    client.post(url, fields)
    assert CaseDocument.objects.filter(case=meldung).count() == 1
    assert Message.objects.filter(reference=meldung.number).exists()


def test_the_preview_of_every_service_and_its_pdf(client, barleben):
    submission = submit(Client(), "anliegen", ANLIEGEN)
    services.route(str(submission.pk))
    case = Case.objects.get(submission=submission)
    log_in(client, "buergerbuero")
    preview = f"/verwaltung/vorgaenge/{case.number}/bescheid-vorschau/"
    answers = {"outcome": "partly_granted", "reasons": "Die Lampe wird nächste Woche ersetzt."}
    html = client.post(preview, answers).content.decode()
    assert "Die Lampe wird nächste Woche ersetzt." in html
    assert "per Post" in html
    pdf = client.post(preview, {**answers, "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert not CaseDocument.objects.exists()


def test_a_preview_that_cannot_be_decided_goes_back_with_the_reason(client, meldung):
    log_in(client, "buergerbuero")
    url = f"/verwaltung/vorgaenge/{meldung.number}/"
    response = client.post(f"{url}bescheid-vorschau/", {"outcome": "refused", "reasons": ""},
                           follow=True)  # fmt: skip
    assert "Bitte" in response.content.decode()
    assert response.redirect_chain[-1][0].endswith("?tab=dokumente")


def test_staff_of_another_unit_get_no_preview(client, meldung):
    log_in(client, "bauamt")
    response = client.post(f"/verwaltung/vorgaenge/{meldung.number}/bescheid-vorschau/",
                           {"outcome": "granted", "reasons": ""})  # fmt: skip
    assert response.status_code == 404
    assert client.get(f"/verwaltung/vorgaenge/{meldung.number}/bescheid-vorschau/").status_code in (
        404,
        405,
    )
