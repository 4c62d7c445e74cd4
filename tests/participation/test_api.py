"""The published results of surveys in the API (/api/v1/participation/), in the OpenAPI
schema; results that are not public yet are a 404 problem document."""

from __future__ import annotations

import pytest
from django.test import Client

from rathaus.participation import services
from rathaus.participation.models import Answer

pytestmark = pytest.mark.django_db


def _answer(survey, idea: str) -> None:
    questions = {question.text: question for question in survey.questions.all()}
    services.submit(survey, None, {
        str(questions["Nutzen Sie Spielplätze?"].uid): "Oft",
        str(questions["Wie wichtig ist Ihnen der Spielplatz?"].uid): "4",
        str(questions["Was zuerst?"].uid): {"Sand": "1", "Wasser": "2", "Klettern": "3"},
        str(questions["Ihre Idee"].uid): idea,
    })  # fmt: skip


def test_results_are_in_the_api_once_public(survey):
    _answer(survey, "Ein Wasserspielplatz")
    _answer(survey, "Mehr Schatten")
    client = Client()
    assert client.get("/api/v1/participation/surveys").json() == []
    hidden = client.get(f"/api/v1/participation/surveys/{survey.uid}/results")
    assert hidden.status_code == 404
    assert hidden["Content-Type"] == "application/problem+json"
    survey.results_published = True
    survey.save()
    Answer.objects.filter(text="Mehr Schatten").update(review=Answer.Review.APPROVED)
    listed = client.get("/api/v1/participation/surveys").json()
    assert [item["title"] for item in listed] == ["Umfrage Spielplatz"]
    body = client.get(f"/api/v1/participation/surveys/{survey.uid}/results").json()
    assert body["responses"] == 2
    by_text = {question["text"]: question for question in body["questions"]}
    use = by_text["Nutzen Sie Spielplätze?"]
    assert use["answered"] == 2
    assert {row["label"]: row["count"] for row in use["rows"]} == {"Oft": 2, "Nie": 0}
    assert by_text["Wie wichtig ist Ihnen der Spielplatz?"]["mean"] == 4.0
    ranking = by_text["Was zuerst?"]["rows"]
    assert (ranking[0]["label"], ranking[0]["mean"]) == ("Sand", 1.0)
    assert by_text["Ihre Idee"]["texts"] == ["Mehr Schatten"]


def test_the_operations_are_in_the_openapi_schema(db):
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/participation/surveys/{uid}/results" in schema["paths"]
    operation = schema["paths"]["/api/v1/participation/surveys/{uid}/results"]["get"]
    assert "404" in operation["responses"]
