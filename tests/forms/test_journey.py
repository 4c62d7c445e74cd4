"""The citizen's way through an online application, as a browser without JavaScript goes it."""

from __future__ import annotations

import datetime
import re
import threading

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from rathaus.accounts.demo import CITIZEN_EMAIL
from rathaus.accounts.models import Consent, Message
from rathaus.cases.tasks import deliver_receipt
from rathaus.core.demo import DEMO_PASSWORD
from rathaus.core.models import OutgoingEmail
from rathaus.forms import services
from rathaus.forms.models import Draft, FormDefinition, Submission, SubmissionEvent
from tests.support import ANLIEGEN_STEP as ANLIEGEN
from tests.support import KONTAKT_STEP as KONTAKT
from tests.support import fill_step as fill
from tests.support import follow_post, post_data
from tests.support import get_page as page
from tests.support import start_application as start

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def log_in(client: Client) -> None:
    response = client.post("/konto/anmelden/", {"email": CITIZEN_EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_anonymous_application_from_start_to_receipt(client, barleben):
    intro = page(client, "/antrag/anliegen/")
    assert "Anliegen an die Gemeinde" in intro
    assert "ohne Konto" in intro
    step1 = start(client, "anliegen")
    # Continuing without answers keeps the page, explains each mistake and saves nothing wrong.
    response = client.post(step1, post_data(page(client, step1), action="next"))
    assert response.status_code == 422
    html = response.content.decode()
    assert "Bitte prüfen Sie Ihre Angaben" in html
    assert 'href="#f-topic-0">Worum geht es?: Bitte wählen Sie eine Antwort.' in html
    assert 'href="#f-subject">Betreff: Bitte füllen Sie dieses Feld aus.' in html
    assert "<title>Fehler:" in html
    step2 = fill(client, step1, ANLIEGEN)
    assert step2.endswith("/schritt/kontakt/")
    check = fill(client, step2, KONTAKT)
    assert check.endswith("/pruefen/")
    summary = page(client, check)
    assert "Straßenbeleuchtung" in summary
    assert "Ja" in summary
    assert "Die Lampe vor Breiteweg 147 ist seit Tagen dunkel." in summary
    receipt_url = follow_post(client, check, {})
    receipt = page(client, receipt_url)
    reference = re.search(r"BAR-\d{4}-\d{6}", receipt).group(0)
    submission = Submission.objects.get(reference=reference)
    assert submission.data == {**ANLIEGEN, **dict(KONTAKT.items()), "reply_wanted": True}
    assert submission.trust_level == "none"
    assert submission.channel == "web"
    assert submission.contact_email == "ilse@example.org"
    assert submission.account is None
    assert submission.form_version.definition.slug == "anliegen"
    assert list(submission.events.values_list("kind", flat=True)) == ["submitted"]
    pdf = client.get(receipt_url + "pdf/")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert "Eingangsbestaetigung-" + reference in pdf["Content-Disposition"]
    # The worker sends a short e-mail without the answers, once.
    assert deliver_receipt(str(submission.pk)) == "sent"
    assert deliver_receipt(str(submission.pk)) == "already sent"
    email = OutgoingEmail.objects.get(to="ilse@example.org")
    assert reference in email.text_body
    assert "Lampe" not in email.text_body
    assert "Ilse" not in email.text_body
    assert SubmissionEvent.objects.filter(submission=submission, kind="receipt_sent").count() == 1
    # Another browser cannot see the receipt.
    assert Client().get(receipt_url).status_code == 404


def test_submitting_twice_gives_one_submission(client, barleben):
    step1 = start(client, "anliegen")
    check = fill(client, fill(client, step1, ANLIEGEN), KONTAKT)
    first = follow_post(client, check, {})
    second = follow_post(client, check, {})  # double click, back button, retry
    assert first == second
    assert Submission.objects.count() == 1
    # The steps of a sent application lead to its receipt.
    assert client.get(step1)["Location"] == first


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_of_one_draft_give_one_submission(barleben):
    client = Client()
    step1 = start(client, "anliegen")
    check = fill(client, fill(client, step1, ANLIEGEN), KONTAKT)
    cookie = client.cookies["sessionid"].value
    barrier = threading.Barrier(4)
    results: list[int] = []

    def submit() -> None:
        other = Client()
        other.cookies["sessionid"] = cookie
        barrier.wait()
        try:
            results.append(other.post(check, {}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [302] * 4
    assert Submission.objects.count() == 1
    assert SubmissionEvent.objects.filter(kind="submitted").count() == 1


def test_save_and_resume_on_another_device(client, barleben):
    step1 = start(client, "anliegen")
    saved = fill(client, step1, {"subject": "Bank am Spielplatz"}, action="save")
    assert saved.endswith("/gespeichert/")
    html = page(client, saved)
    assert "Link zuschicken" in html
    response = client.post(saved, {"email": "kein-at-zeichen"})
    assert response.status_code == 422
    assert "Bitte geben Sie eine E-Mail-Adresse ein" in response.content.decode()
    html = follow_post(client, saved, {"email": "ilse@example.org"}, status=200)
    assert "Wir haben einen Link an ilse@example.org geschickt" in html
    email = OutgoingEmail.objects.get(to="ilse@example.org")
    link = re.search(r"http://testserver(/antrag/fortsetzen/[^/\s]+/)", email.text_body).group(1)
    assert "Bank am Spielplatz" not in email.text_body
    # Another browser cannot open the draft without the link ...
    other = Client()
    assert other.get(step1).status_code == 404
    # ... but with it.
    step_url = other.get(link)["Location"]
    assert step_url == step1
    assert 'value="Bank am Spielplatz"' in page(other, step1)
    check = fill(other, fill(other, step1, ANLIEGEN), KONTAKT)
    receipt = follow_post(other, check, {})
    assert Submission.objects.filter(data__subject=ANLIEGEN["subject"]).count() == 1
    # The link is spent once the application is sent.
    response = other.get(link)
    assert response.status_code == 410
    assert "bereits abgeschickt" in response.content.decode()
    assert receipt


def test_expired_and_unknown_resume_links(client, barleben):
    step1 = start(client, "anliegen")
    saved = fill(client, step1, {"subject": "Laterne"}, action="save")
    follow_post(client, saved, {"email": "ilse@example.org"}, status=200)
    link = re.search(
        r"(/antrag/fortsetzen/[^/\s]+/)", OutgoingEmail.objects.get(to="ilse@example.org").text_body
    ).group(1)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        response = Client().get(link)
    assert response.status_code == 410
    assert "abgelaufen" in response.content.decode()
    response = Client().get("/antrag/fortsetzen/erfunden123/")
    assert response.status_code == 404
    assert "Diesen Link kennen wir nicht" in response.content.decode()


def test_typed_answers_are_kept_even_when_wrong(client, barleben):
    step1 = start(client, "anliegen")
    url = step1
    html = page(client, url)
    response = client.post(url, post_data(html, action="next", subject="x" * 130, message="kurz"))
    assert response.status_code == 422
    draft = Draft.objects.get()
    assert draft.data["subject"] == "x" * 130  # nothing typed is lost
    text = response.content.decode()
    assert "Bitte kürzen Sie Ihre Angabe auf höchstens 120 Zeichen." in text
    assert "Bitte geben Sie mindestens 10 Zeichen ein." in text


def test_conditional_and_repeatable_questions(client, barleben):
    log_in(client)
    step1 = start(client, "meldebescheinigung", prefill="no")
    step2 = fill(client, step1, {"first_name": "Ilse", "family_name": "Beispiel",
                                 "date_of_birth": "14.03.1957"})  # fmt: skip
    step3 = fill(client, step2, {"address.street": "Breiteweg 1", "address.postal_code": "39179",
                                 "address.place": "Barleben"})  # fmt: skip
    html = page(client, step3)
    assert (
        "Nur, wenn Sie bei „Wofür brauchen Sie die Bescheinigung?“ „für einen anderen Zweck“"
        in html
    )
    # Add a person without JavaScript: the button reloads the step with a new entry.
    answers = {"kind": "simple", "purpose": "other", "copies": "2", "include_others": "yes"}
    location = fill(client, step3, {**answers, "_add": "others"}, action="")
    assert location.startswith(step3)
    html = page(client, step3)
    assert 'name="others.0.first_name"' in html
    response = client.post(step3, post_data(html, action="next"))
    assert response.status_code == 422
    text = response.content.decode()
    assert "Anderer Zweck: Bitte füllen Sie dieses Feld aus." in text
    assert "Vorname(n): Bitte füllen Sie dieses Feld aus." in text
    step4 = fill(client, step3, {"purpose_other": "Kita-Anmeldung", "others.0.first_name": "Ben",
                                 "others.0.family_name": "Beispiel",
                                 "others.0.date_of_birth": "2019-06-01"})  # fmt: skip
    check = fill(client, step4, {"delivery": "post"})
    # Changing the answer removes the dependent answers.
    fill(client, step3, {"purpose": "pension", "include_others": "no"})
    draft = Draft.objects.get()
    assert "purpose_other" not in draft.data
    assert "others" not in draft.data
    receipt = follow_post(client, check, {})
    submission = Submission.objects.get()
    assert submission.data["purpose"] == "pension"
    assert submission.data["copies"] == 2
    assert submission.data["date_of_birth"] == "1957-03-14"
    assert submission.trust_level == "basic"
    assert receipt


def test_account_prefill_with_consent_and_mailbox_receipt(client, barleben):
    log_in(client)
    intro = page(client, "/antrag/meldebescheinigung/")
    assert "Angaben aus Ihrem Konto übernehmen?" in intro
    assert "Beispiel" in intro  # the values are shown before consent is given
    step1 = start(client, "meldebescheinigung", prefill="yes")
    draft = Draft.objects.get()
    assert draft.data["family_name"] == "Beispiel"
    assert draft.prefill_consent
    assert Consent.objects.filter(topic="form-prefill:meldebescheinigung").exists()
    assert 'value="Beispiel"' in page(client, step1)
    saved = fill(client, step1, {}, action="save")
    assert "Meine Anträge" in page(client, saved)
    assert "Meldebescheinigung beantragen" in page(client, "/konto/antraege/")
    step2 = fill(client, step1, {"date_of_birth": "1957-03-14"})
    step3 = fill(client, step2, {"address.street": "Breiteweg 1", "address.postal_code": "39179",
                                 "address.place": "Barleben"})  # fmt: skip
    step4 = fill(client, step3, {"kind": "extended", "purpose": "employer", "copies": "1",
                                 "include_others": "no"})  # fmt: skip
    check = fill(client, step4, {"delivery": "pickup"})
    follow_post(client, check, {})
    submission = Submission.objects.get()
    assert submission.account.user.email == CITIZEN_EMAIL
    deliver_receipt(str(submission.pk), "http://testserver")
    message = Message.objects.get(account=submission.account, reference=submission.reference)
    assert message.attachments.get().filename == f"Eingangsbestaetigung-{submission.reference}.pdf"
    notification = OutgoingEmail.objects.filter(to=CITIZEN_EMAIL).latest("pk")
    assert "Beispiel" not in notification.text_body.replace("Ilse Beispiel", "")
    listing = page(client, "/konto/antraege/")
    assert submission.reference in listing


def test_login_is_required_where_the_form_says_so(client, barleben):
    response = client.get("/antrag/meldebescheinigung/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/anmelden/?next=")


def test_a_stronger_login_is_asked_for_with_an_explanation(client, barleben):
    version = FormDefinition.objects.get(slug="meldebescheinigung").published_version()
    changed = services.new_version(
        version.definition, schema=version.schema, layout=version.layout,
        min_trust_level="substantial",
    )  # fmt: skip
    services.publish(changed)
    log_in(client)
    response = client.get("/antrag/meldebescheinigung/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Eine stärkere Anmeldung ist nötig" in html
    assert "„substantiell“" in html


def test_drafts_keep_their_version_when_a_new_one_is_published(client, barleben):
    step1 = start(client, "anliegen")
    definition = FormDefinition.objects.get(slug="anliegen")
    old = definition.published_version()
    new = services.new_version(definition, schema=old.schema, layout=old.layout,
                               title="Ihr Anliegen an uns")  # fmt: skip
    services.publish(new)
    old.refresh_from_db()
    assert old.status == "superseded"
    assert "Anliegen an die Gemeinde" in page(client, step1)
    check = fill(client, fill(client, step1, ANLIEGEN), KONTAKT)
    follow_post(client, check, {})
    assert Submission.objects.get().form_version == old
    assert "Ihr Anliegen an uns" in page(client, "/antrag/anliegen/")


def test_retired_form_takes_no_new_applications(client, barleben):
    step1 = start(client, "anliegen")
    services.retire(FormDefinition.objects.get(slug="anliegen"))
    html = page(client, "/antrag/anliegen/")
    assert "gibt es nicht mehr" in html
    assert client.post("/antrag/anliegen/").status_code == 200  # shows the page, starts nothing
    assert Draft.objects.count() == 1
    # the application already started can still be sent
    check = fill(client, fill(client, step1, ANLIEGEN), KONTAKT)
    follow_post(client, check, {})
    assert Submission.objects.count() == 1


def test_discarding_a_draft(client, barleben):
    step1 = start(client, "anliegen")
    saved = fill(client, step1, {"subject": "Test"}, action="save")
    draft = Draft.objects.get()
    follow_post(client, saved.replace("/gespeichert/", "/verwerfen/"), {})
    assert not Draft.objects.filter(pk=draft.pk).exists()


def test_old_drafts_are_purged(client, barleben):
    start(client, "anliegen")
    assert services.purge_expired() == 0
    later = timezone.now() + datetime.timedelta(days=31)
    assert services.purge_expired(later) == 1
    assert not Draft.objects.exists()


def test_service_page_leads_to_the_online_form(client, barleben):
    html = page(client, "/leistungen/99115003012000/")
    assert 'href="/antrag/meldebescheinigung/"' in html


def test_the_worker_housekeeping_purges_old_drafts_once_per_interval(client, barleben):
    from rathaus.core import housekeeping

    start(client, "anliegen")
    later = timezone.now() + datetime.timedelta(days=31)
    with time_machine.travel(later):
        assert "forms.purge-expired-drafts" in housekeeping.run_due()
        assert not Draft.objects.exists()
        assert "forms.purge-expired-drafts" not in housekeeping.run_due()  # not due again yet
