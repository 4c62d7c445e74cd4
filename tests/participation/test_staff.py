"""Staff run participation at /verwaltung/mitmachen/: build a process with phases, a survey
and questions with a condition (without JavaScript), review free texts before they are
public, publish results and export them as formula-safe CSV; every change is audited; only
the role "Beteiligung" (or Administration) of the authority."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from rathaus.core import roles
from rathaus.core.models import AuditEvent
from rathaus.participation import services
from rathaus.participation.keepers import ROLE
from rathaus.participation.models import Answer, Phase, Process, Question, Survey
from tests.support import role_holder

pytestmark = pytest.mark.django_db
STAFF = "/verwaltung/mitmachen/"


def keeper(town, username="beteiligung", role=ROLE) -> Client:
    return role_holder(town, username, role)


def test_staff_build_a_survey_with_a_condition(town):
    client = keeper(town)
    assert f'href="{STAFF}"' in client.get("/verwaltung/").content.decode()
    response = client.post(f"{STAFF}neu/?behoerde=barleben", {
        "title": "Befragung Radwege", "slug": "radwege", "summary": "Wo fehlen Radwege?",
        "body": "", "eligibility": "residents", "min_trust_level": "basic",
    })  # fmt: skip
    process = Process.objects.get(slug="radwege")
    assert response["Location"] == f"{STAFF}{process.pk}/"
    assert process.state == Process.State.DRAFT
    today = dt.date.today()
    bad = client.post(f"{STAFF}{process.pk}/phasen/neu/", {
        "kind": "discussion", "starts_on": today.isoformat(),
        "ends_on": (today - dt.timedelta(days=1)).isoformat(),
    })  # fmt: skip
    assert bad.status_code == 422
    assert "Der letzte Tag kann nicht vor dem ersten Tag liegen." in bad.content.decode()
    client.post(f"{STAFF}{process.pk}/phasen/neu/", {
        "kind": "discussion", "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=10)).isoformat(),
    })  # fmt: skip
    phase = Phase.objects.get(process=process)
    client.post(f"{STAFF}{process.pk}/phasen/{phase.pk}/umfrage/",
                {"title": "Radwege", "intro": "", "once_per_person": "on"})  # fmt: skip
    survey = Survey.objects.get(phase=phase)
    base = f"{STAFF}umfragen/{survey.pk}/"
    question = {"kind": "single", "text": "Fahren Sie Rad?", "help_text": "", "required": "on",
                "page": "1", "position": "1", "scale_min": "1", "scale_max": "5",
                "scale_min_label": "", "scale_max_label": "", "option_lines": "Ja\nNein\nJa",
                "row_lines": "", "shown_if_question": "", "shown_if_answer": ""}  # fmt: skip
    assert client.post(f"{base}fragen/neu/", question).status_code == 302
    first = Question.objects.get(survey=survey)
    assert first.options == ["Ja", "Nein"]
    follow = question | {"kind": "text", "text": "Warum nicht?", "option_lines": "",
                         "shown_if_question": str(first.pk), "shown_if_answer": "Vielleicht"}  # fmt: skip
    refused = client.post(f"{base}fragen/neu/", follow)
    assert refused.status_code == 422
    html = refused.content.decode()
    assert "Die Frage muss auf einer früheren Seite stehen." in html
    assert "Mögliche Antworten: Ja, Nein." in html
    assert client.post(f"{base}fragen/neu/", follow | {"page": "2", "shown_if_answer": "Nein"}
                       ).status_code == 302  # fmt: skip
    assert Question.objects.get(text="Warum nicht?").shown_if_question == first
    page = client.get(base).content.decode()
    assert "nur wenn „Fahren Sie Rad?“ mit „Nein“ beantwortet ist" in page
    client.post(f"{STAFF}{process.pk}/zustand/", {"zustand": "published"})
    process.refresh_from_db()
    assert process.state == Process.State.PUBLISHED
    assert Client().get("/mitmachen/radwege/").status_code == 200
    actions = set(AuditEvent.objects.filter(action__startswith="participation.")
                  .values_list("action", flat=True))  # fmt: skip
    assert {"participation.process.created", "participation.phase.created",
            "participation.survey.created", "participation.question.created",
            "participation.process.state"} <= actions  # fmt: skip


def _answer_with_texts(survey, *texts: str) -> None:
    questions = {question.text: question for question in survey.questions.all()}
    for text in texts:
        services.submit(survey, None, {
            str(questions["Nutzen Sie Spielplätze?"].uid): "Oft",
            str(questions["Wie wichtig ist Ihnen der Spielplatz?"].uid): "4",
            str(questions["Ihre Idee"].uid): text,
        })  # fmt: skip


def test_free_texts_are_public_only_after_review(town, survey):
    _answer_with_texts(survey, "Eine Seilbahn <b>bitte</b>", "Der Nachbar Herr X ist laut")
    public = f"/mitmachen/befragung/umfrage/{survey.uid}/ergebnisse/"
    assert "Die Ergebnisse sind noch nicht öffentlich" in Client().get(public).content.decode()
    client = keeper(town)
    client.post(f"{STAFF}umfragen/{survey.pk}/veroeffentlichen/", {"veroeffentlichen": "ja"})
    html = Client().get(public).content.decode()
    assert "2 Personen haben geantwortet." in html
    assert "Seilbahn" not in html
    review = client.get(f"{STAFF}umfragen/{survey.pk}/freitexte/").content.decode()
    assert "Eine Seilbahn &lt;b&gt;bitte&lt;/b&gt;" in review
    good = Answer.objects.get(text__startswith="Eine Seilbahn")
    bad = Answer.objects.get(text__startswith="Der Nachbar")
    url = f"{STAFF}umfragen/{survey.pk}/freitexte/"
    client.post(f"{url}{good.pk}/", {"entscheidung": "freigeben"})
    without_reason = client.post(f"{url}{bad.pk}/", {"entscheidung": "verbergen", "reason": ""})
    assert without_reason.status_code == 302
    bad.refresh_from_db()
    assert bad.review == Answer.Review.PENDING
    client.post(f"{url}{bad.pk}/", {"entscheidung": "verbergen", "reason": "nennt eine Person"})
    bad.refresh_from_db()
    assert (bad.review, bad.hidden_reason) == (Answer.Review.HIDDEN, "nennt eine Person")
    html = Client().get(public).content.decode()
    assert "Eine Seilbahn &lt;b&gt;bitte&lt;/b&gt;" in html
    assert "Nachbar" not in html
    assert '<svg class="participation-chart"' in html
    assert '<th scope="row" class="kern-table__header">Oft</th>' in html
    hidden = AuditEvent.objects.get(action="participation.answer.hidden")
    assert hidden.details == {"reason": "nennt eine Person"}


def test_the_csv_is_formula_safe(town, survey):
    _answer_with_texts(survey, '=HYPERLINK("http://example.org","klick")', "@SUM(A1)")
    response = keeper(town).get(f"{STAFF}umfragen/{survey.pk}/ergebnisse.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "'@SUM(A1)" in text
    assert "\n=" not in text
    assert ";=" not in text
    header = text.splitlines()[0]
    assert header.startswith("Antwortbogen;Nutzen Sie Spielplätze?;Was fehlt?;")
    assert "Was zuerst?: Platz von Sand" in header
    assert AuditEvent.objects.filter(action="participation.results.exported").exists()


def test_questions_are_locked_once_answered(town, survey):
    _answer_with_texts(survey, "Idee")
    client = keeper(town)
    question = survey.questions.get(text="Ihre Idee")
    response = client.post(f"{STAFF}umfragen/{survey.pk}/fragen/{question.pk}/entfernen/")
    assert response.status_code == 302
    assert survey.questions.filter(pk=question.pk).exists()


def test_other_staff_and_other_authorities_are_kept_out(town, survey):
    client = keeper(town, "kasse", role=roles.CLERK)
    assert client.get(STAFF).status_code == 403
    assert client.get(f"{STAFF}umfragen/{survey.pk}/").status_code == 403
    assert f'href="{STAFF}"' not in client.get("/verwaltung/").content.decode()
