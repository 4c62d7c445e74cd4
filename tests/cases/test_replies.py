"""The applicant answers a case's message in the mailbox; the answer lands in the case."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from rathaus.accounts.models import Message
from rathaus.cases import services
from rathaus.cases.models import Case, CaseEvent
from tests.support import citizen_client

pytestmark = pytest.mark.django_db


def clerk():
    return get_user_model().objects.get(username="buergerbuero")


def test_applicant_answers_and_the_case_goes_on(meldung):
    services.claim(meldung, clerk())
    services.message_applicant(meldung, clerk(), "Rückfrage", "Für welchen Arbeitgeber?")
    services.set_status(meldung, clerk(), Case.Status.WAITING)
    question = Message.objects.get(reference=meldung.number)
    client = citizen_client()
    url = f"/konto/postfach/{question.pk}/"
    page = client.get(url).content.decode()
    assert "Antwort senden" in page
    empty = client.post(url, {"body": "   "})
    assert empty.status_code == 422
    assert "Bitte schreiben Sie Ihre Antwort." in empty.content.decode()
    response = client.post(url, {"body": "Für die Muster GmbH in Magdeburg."})
    assert response.status_code == 302
    reply = Message.objects.get(in_reply_to=question)
    assert reply.from_account
    assert reply.read_at is not None
    assert reply.subject == "AW: Rückfrage"
    event = CaseEvent.objects.get(case=meldung, kind="reply")
    assert event.detail["text"] == "Für die Muster GmbH in Magdeburg."
    meldung.refresh_from_db()
    assert meldung.status == Case.Status.IN_PROGRESS
    # The clerk reads it in the timeline.
    from django.test import Client

    from tests.support import log_in

    staff = log_in(Client(), "buergerbuero")
    case_url = f"/verwaltung/vorgaenge/{meldung.number}/"
    # in the case's letters with the applicant, and in its history
    for tab in ("nachrichten", "verlauf"):
        case_page = staff.get(case_url, {"tab": tab}).content.decode()
        assert "Für die Muster GmbH in Magdeburg." in case_page
    # The holder's own answer cannot be answered again, and its page says where it went.
    reply_page = client.get(f"/konto/postfach/{reply.pk}/").content.decode()
    assert "Antwort senden" not in reply_page


def test_no_answers_once_the_case_is_closed_or_without_a_case(meldung):
    services.message_applicant(meldung, clerk(), "Bescheid folgt", "Wir melden uns.")
    services.set_status(meldung, clerk(), Case.Status.CLOSED)
    message = Message.objects.get(reference=meldung.number)
    client = citizen_client()
    assert "Antwort senden" not in client.get(f"/konto/postfach/{message.pk}/").content.decode()
    response = client.post(f"/konto/postfach/{message.pk}/", {"body": "Hallo?"})
    assert response.status_code == 422
    assert not Message.objects.filter(in_reply_to=message).exists()
    assert not CaseEvent.objects.filter(case=meldung, kind="reply").exists()


def test_nobody_answers_someone_elses_message(meldung):
    services.message_applicant(meldung, clerk(), "Rückfrage", "Bitte melden.")
    message = Message.objects.get(reference=meldung.number)
    from django.test import Client

    other = Client()
    response = other.post(f"/konto/postfach/{message.pk}/", {"body": "Ich bin es nicht"})
    assert response.status_code == 302  # to the login
    assert not Message.objects.filter(in_reply_to=message).exists()
