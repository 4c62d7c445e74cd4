"""Citizens answer a survey at /mitmachen/: page by page, with a condition decided on the
server, a clear error for a missing required answer (nothing lost), saving and resuming, and
with login: one answer per account."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from rathaus.accounts import gdpr
from rathaus.participation.models import Answer, Draft, ParticipationRecord, Process, Response
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def url(survey, suffix: str = "") -> str:
    return f"/mitmachen/{survey.phase.process.slug}/umfrage/{survey.uid}/{suffix}"


def q(survey, text: str):
    return survey.questions.get(text=text)


def page_one(survey, use: str = "Nie", **extra) -> dict:
    return {"seite": "1", "aktion": "weiter", f"q-{q(survey, 'Nutzen Sie Spielplätze?').uid}": use,
            **extra}  # fmt: skip


def page_two(survey, **changes) -> dict:
    data = {
        "seite": "2", "aktion": "absenden",
        f"q-{q(survey, 'Warum nicht?').uid}": "Zu weit weg.",
        f"q-{q(survey, 'Wie wichtig ist Ihnen der Spielplatz?').uid}": "4",
        f"q-{q(survey, 'Was zuerst?').uid}-0": "2",
        f"q-{q(survey, 'Was zuerst?').uid}-1": "1",
        f"q-{q(survey, 'Wie bewerten Sie?').uid}-0": "5",
    }  # fmt: skip
    data.update(changes)
    return data


def test_the_process_is_listed_and_shows_its_phases(survey):
    client = Client()
    html = client.get("/mitmachen/").content.decode()
    assert "Befragung Spielplatz" in html
    page = client.get("/mitmachen/befragung/").content.decode()
    assert "Umfrage beantworten" in page
    assert url(survey) in page
    assert "Alle können mitmachen, ohne Konto." in page


def test_an_anonymous_survey_page_by_page_with_a_condition(survey):
    client = Client()
    first = client.get(url(survey)).content.decode()
    assert "Nutzen Sie Spielplätze?" in first
    assert "Warum nicht?" not in first  # the condition: only after "Nie"
    response = client.post(url(survey), page_one(survey))
    assert response.status_code == 302
    assert response["Location"].endswith("?seite=2")
    second = client.get(response["Location"]).content.decode()
    assert "Warum nicht?" in second
    done = client.post(url(survey), page_two(survey))
    assert done.status_code == 302
    assert done["Location"] == url(survey, "danke/")
    assert "Ihre Antworten sind eingegangen." in client.get(done["Location"]).content.decode()
    assert Response.objects.filter(survey=survey).count() == 1
    assert not ParticipationRecord.objects.exists()  # nobody logged in: nobody recorded
    assert not Draft.objects.exists()  # the draft went with the answers
    answers = Answer.objects.filter(response__survey=survey)
    assert set(answers.filter(question__text="Was zuerst?").values_list("option", "number")) == {
        ("Sand", 2), ("Wasser", 1)}  # fmt: skip
    assert answers.get(question__text="Warum nicht?").review == Answer.Review.PENDING


def test_the_condition_drops_an_answer_whose_question_was_hidden_again(survey):
    client = Client()
    client.post(url(survey), page_one(survey, "Nie"))
    client.post(url(survey), page_two(survey, aktion="zurueck"))  # written "Zu weit weg."
    client.post(url(survey), page_one(survey, "Oft"))
    second = client.get(url(survey) + "?seite=2").content.decode()
    assert "Warum nicht?" not in second
    client.post(url(survey), page_two(survey))
    assert Response.objects.count() == 1
    assert not Answer.objects.filter(question__text="Warum nicht?").exists()


def test_a_missing_required_answer_is_named_and_nothing_is_lost(survey):
    client = Client()
    chosen = f"q-{q(survey, 'Was fehlt?').uid}"
    response = client.post(url(survey), {"seite": "1", "aktion": "weiter", chosen: ["Bank"]})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Bitte beantworten Sie diese Frage." in html
    assert "Ihre bisherigen Antworten bleiben erhalten." in html
    assert re.search(r'value="Bank" checked', html)
    client.post(url(survey), page_one(survey))
    script = "<script>alert('x')</script>"
    missing = page_two(survey, **{f"q-{q(survey, 'Wie wichtig ist Ihnen der Spielplatz?').uid}": "",
                                  f"q-{q(survey, 'Ihre Idee').uid}": script})  # fmt: skip
    response = client.post(url(survey), missing)
    assert response.status_code == 422
    html = response.content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert not Response.objects.exists()


def test_invalid_values_are_refused(survey):
    client = Client()
    client.post(url(survey), page_one(survey))
    rank = q(survey, "Was zuerst?").uid
    response = client.post(
        url(survey), page_two(survey, **{f"q-{rank}-0": "1", f"q-{rank}-1": "1"})
    )
    assert response.status_code == 422
    assert "Jeder Platz darf nur einmal vergeben werden." in response.content.decode()
    scale = q(survey, "Wie wichtig ist Ihnen der Spielplatz?").uid
    response = client.post(url(survey), page_two(survey, **{f"q-{scale}": "9"}))
    assert "Bitte wählen Sie einen Wert der Skala." in response.content.decode()
    assert not Response.objects.exists()


def test_save_and_resume_with_the_link(survey):
    client = Client()
    saved = client.post(url(survey), page_one(survey, aktion="speichern"))
    assert saved["Location"] == url(survey, "gespeichert/")
    html = client.get(saved["Location"]).content.decode()
    link = re.search(r'href="http://testserver(/mitmachen/[^"]+/weiter/[^"]+/)"', html).group(1)
    assert Draft.objects.get().user is None
    other = Client()  # another browser, later
    resumed = other.get(link)
    assert resumed.status_code == 302
    page = other.get(resumed["Location"]).content.decode()
    assert re.search(r'value="Nie" checked', page)
    assert other.post(url(survey), page_one(survey)).status_code == 302
    other.post(url(survey), page_two(survey))
    assert Response.objects.count() == 1
    assert other.get(link).status_code == 404  # sent: the link leads nowhere now


def test_with_login_one_answer_per_account(survey):
    process = survey.phase.process
    process.eligibility = Process.Eligibility.EVERYONE
    process.save()
    client = Client()
    refused = client.get(url(survey))
    assert refused.status_code == 403
    assert "Bitte melden Sie sich mit Ihrem Bürgerkonto an" in refused.content.decode()
    account = AccountFactory()
    client.force_login(account.user)
    client.post(url(survey), page_one(survey, aktion="speichern"))
    assert Draft.objects.get().user == account.user
    elsewhere = Client()
    elsewhere.force_login(account.user)
    assert re.search(r'value="Nie" checked', elsewhere.get(url(survey)).content.decode())
    elsewhere.post(url(survey), page_one(survey))
    assert elsewhere.post(url(survey), page_two(survey)).status_code == 302
    record = ParticipationRecord.objects.get()
    assert record.user == account.user
    again = client.get(url(survey))
    assert again.status_code == 409
    assert "Sie haben schon geantwortet" in again.content.decode()
    # a form sent from a tab opened before: the database refuses the second record
    client.post(url(survey), page_two(survey))
    assert Response.objects.count() == 1
    assert ParticipationRecord.objects.count() == 1


def _trusted(client: Client, level: str) -> None:
    session = client.session
    session["rathaus_trust_level"] = level
    session.save()


def test_residents_need_the_trust_level_and_a_postal_code_of_the_town(survey):
    process = survey.phase.process
    process.eligibility = Process.Eligibility.RESIDENTS
    process.min_trust_level = "substantial"
    process.save()
    account = AccountFactory(postal_code="10115")
    client = Client()
    client.force_login(account.user)
    refused = client.get(url(survey))
    assert refused.status_code == 403
    html = refused.content.decode()
    assert "dem Vertrauensniveau „substantiell“, Sie sind mit „normal“ angemeldet" in html
    assert "So erhöhen Sie Ihr Vertrauensniveau" in html
    assert 'href="/konto/anmelden/?next=' in html
    _trusted(client, "substantial")
    outside = client.get(url(survey))
    assert outside.status_code == 403
    assert "(10115)" in outside.content.decode()
    assert "39179, 39326" in outside.content.decode()
    account.postal_code = "39326"
    account.save()
    assert client.get(url(survey)).status_code == 200


def test_a_closed_or_draft_process(survey):
    process = survey.phase.process
    process.state = Process.State.CLOSED
    process.save()
    client = Client()
    assert "Die Umfrage ist nicht geöffnet" in client.get(url(survey)).content.decode()
    assert client.post(url(survey), page_one(survey)).status_code == 200
    assert not Draft.objects.exists()
    process.state = Process.State.DRAFT
    process.save()
    assert client.get("/mitmachen/befragung/").status_code == 404
    assert "Befragung Spielplatz" not in client.get("/mitmachen/").content.decode()


def test_the_data_copy_names_the_survey_but_not_the_answers(survey):
    process = survey.phase.process
    process.eligibility = Process.Eligibility.EVERYONE
    process.save()
    account = AccountFactory()
    client = Client()
    client.force_login(account.user)
    client.post(url(survey), page_one(survey))
    client.post(url(survey), page_two(survey, **{f"q-{q(survey, 'Ihre Idee').uid}": "Mein Text"}))
    copy = gdpr.export_data(account)["participation"]
    assert [item["survey"] for item in copy["taken_part"]] == ["Umfrage Spielplatz"]
    assert copy["drafts"] == []
    assert "Mein Text" not in str(copy)
    account.user.delete()  # closing the account: the record stays, without the account
    assert ParticipationRecord.objects.get().user is None
    assert Response.objects.count() == 1
