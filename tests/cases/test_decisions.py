"""Decision documents (Bescheide): rendered per service, stored in the case, delivered."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from pypdf import PdfReader

from rathaus.accounts.demo import CITIZEN_EMAIL
from rathaus.accounts.models import Message
from rathaus.cases import decisions, services
from rathaus.cases.models import Case, CaseDocument, CaseEvent
from rathaus.core import files
from rathaus.core.models import AuditEvent
from tests.support import ANLIEGEN, log_in, submit

pytestmark = [pytest.mark.django_db, pytest.mark.database]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _without_process(db):
    """An installation without a default process: clerks decide on the case page directly.
    (With a process, the decision is its task: tests/processes/test_casework_process.py.)"""
    from rathaus.processes.models import ProcessModel

    ProcessModel.objects.update(is_default=False)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def clerk():
    return get_user_model().objects.get(username="buergerbuero")


def test_clerk_decides_a_meldebescheinigung(client, meldung):
    log_in(client, "buergerbuero")
    url = f"/verwaltung/vorgaenge/{meldung.number}/"
    page = client.get(url).content.decode()
    assert "Bescheid erstellen" in page  # the link to the form in the documents section
    # The decision form leads to the preview first (tests/cases/test_decision_preview.py).
    documents_tab = client.get(url, {"tab": "dokumente"}).content.decode()
    assert f'action="{url}bescheid-vorschau/"' in documents_tab
    response = client.post(url, {"action": "decide", "outcome": "granted", "reasons": ""},
                           follow=True)  # fmt: skip
    assert "Postfach" in response.content.decode()
    meldung.refresh_from_db()
    assert meldung.status == Case.Status.DECIDED
    document = CaseDocument.objects.get(case=meldung)
    assert document.kind == "decision"
    content = document.file.read_bytes()
    assert document.file.key == files.blob_key(hashlib.sha256(content).hexdigest())
    assert content.startswith(b"%PDF")
    assert document.size == len(content)
    assert document.sha512 == hashlib.sha512(content).hexdigest()
    assert document.created_by == clerk()
    text = pdf_text(content)
    assert meldung.number in text
    assert "Meldebescheinigung (einfach) nach § 18 Abs. 1 BMG" in text
    assert "Ilse Beispiel" in text
    assert "14.03.1957" in text or "14. März 1957" in text
    assert "Breiteweg 12" in text
    assert "Diese Bescheinigung wurde elektronisch erstellt" in text
    assert "Gemeinde Barleben" in text
    assert "10,00 € je Bescheinigung" in text  # the fee of the form version
    # In the applicant's mailbox, with the PDF attached.
    message = Message.objects.get(reference=meldung.number)
    assert message.account.user.email == CITIZEN_EMAIL
    attachment = message.attachments.get()
    assert attachment.filename == document.filename
    assert attachment.file.read_bytes() == content
    assert attachment.file.key == document.file.key  # one blob for the same PDF
    event = CaseEvent.objects.get(case=meldung, kind="decided")
    assert event.visible_to_applicant
    assert event.new == "granted"
    assert event.detail["delivery"] == "mailbox"
    assert event.detail["document"] == document.pk
    assert AuditEvent.objects.filter(action="case.decided", object_id=str(meldung.pk)).exists()
    # The case page lists the document and the event; the download gives the stored bytes.
    # (the documents and the history are sections of the case page)
    page = client.get(url).content.decode()
    assert "Bescheid erstellen" not in page
    page = client.get(url, {"tab": "dokumente"}).content.decode()
    assert "Bescheid erstellen" not in page
    assert document.filename in page
    assert "Entscheidung: bewilligt" in client.get(url, {"tab": "verlauf"}).content.decode()
    download = client.get(f"{url}dokumente/{document.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Type"] == "application/pdf"


def test_deciding_twice_is_refused(client, meldung):
    decisions.decide(meldung, clerk(), "granted", "")
    with pytest.raises(services.CaseActionRefused, match=r"bereits entschieden|already been"):
        decisions.decide(meldung, clerk(), "refused", "Nicht gemeldet.")
    log_in(client, "buergerbuero")
    url = f"/verwaltung/vorgaenge/{meldung.number}/"
    response = client.post(url, {"action": "decide", "outcome": "refused", "reasons": "Nein."},
                           follow=True)  # fmt: skip
    assert "Dieser Vorgang wurde bereits entschieden." in response.content.decode()
    assert CaseDocument.objects.filter(case=meldung).count() == 1
    assert CaseEvent.objects.filter(case=meldung, kind="decided").count() == 1
    assert Message.objects.filter(reference=meldung.number).count() == 1


def test_bad_decisions_are_refused_without_a_trace(meldung):
    with pytest.raises(services.CaseActionRefused):
        decisions.decide(meldung, clerk(), "maybe", "")
    with pytest.raises(services.CaseActionRefused):
        decisions.decide(meldung, clerk(), "refused", "   ")  # a refusal needs reasons
    services.set_status(meldung, clerk(), "closed")
    with pytest.raises(services.CaseActionRefused, match=r"abgeschlossen|closed"):
        decisions.decide(meldung, clerk(), "granted", "")
    assert not CaseDocument.objects.exists()


def test_staff_of_another_unit_get_404(client, meldung):
    document = decisions.decide(meldung, clerk(), "granted", "")
    other = Case.objects.get(pk=meldung.pk)
    log_in(client, "bauamt")
    url = f"/verwaltung/vorgaenge/{meldung.number}/"
    response = client.post(url, {"action": "decide", "outcome": "refused", "reasons": "Nein."})
    assert response.status_code == 404
    assert client.get(f"{url}dokumente/{document.pk}/").status_code == 404
    with pytest.raises(PermissionError):
        decisions.decide(other, get_user_model().objects.get(username="bauamt"), "granted", "")
    assert CaseDocument.objects.count() == 1


def test_a_document_of_another_case_is_not_found_under_this_one(client, meldung):
    document = decisions.decide(meldung, clerk(), "granted", "")
    submission = submit(Client(), "anliegen", ANLIEGEN)
    services.route(str(submission.pk))
    anliegen = Case.objects.get(submission=submission)
    log_in(client, "buergerbuero")
    response = client.get(f"/verwaltung/vorgaenge/{anliegen.number}/dokumente/{document.pk}/")
    assert response.status_code == 404


def test_an_applicant_without_account_gets_the_decision_by_post(client, barleben):
    submission = submit(Client(), "anliegen", ANLIEGEN)
    services.route(str(submission.pk))
    case = Case.objects.get(submission=submission)
    assert case.applicant is None
    log_in(client, "buergerbuero")
    url = f"/verwaltung/vorgaenge/{case.number}/"
    response = client.post(url, {"action": "decide", "outcome": "partly_granted",
                                 "reasons": "Die Lampe wird in der nächsten Woche ersetzt."},
                           follow=True)  # fmt: skip
    assert "per Post" in response.content.decode()
    document = CaseDocument.objects.get(case=case)
    content = document.file.read_bytes()
    text = pdf_text(content)
    assert case.number in text
    assert "Kim Muster" in text
    assert "teilweise" in text
    assert "Die Lampe wird in der nächsten Woche ersetzt." in text
    assert "Widerspruch" in text
    assert "innerhalb eines Monats" in text
    assert not Message.objects.filter(reference=case.number).exists()
    event = CaseEvent.objects.get(case=case, kind="decided")
    assert event.detail["delivery"] == "post"
    assert "per Post" in client.get(url, {"tab": "verlauf"}).content.decode()


def test_templates_are_chosen_per_service(meldung):
    assert decisions.template_name(meldung) == "cases/decisions/meldebescheinigung.html"
    meldung.submission = None
    assert decisions.template_name(meldung) == decisions.DEFAULT_TEMPLATE
