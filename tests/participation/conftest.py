"""A town with a published survey on two pages: a question of every kind and a condition
("Warum nicht?" only after "Nie")."""

from __future__ import annotations

import pytest

from rathaus.participation.models import Process, Question
from tests.factories import AuthorityFactory, LocalityFactory
from tests.factories.participation import (
    PhaseFactory,
    ProcessFactory,
    QuestionFactory,
    SurveyFactory,
)


@pytest.fixture
def town(db):
    town = AuthorityFactory(slug="barleben", name="Gemeinde Barleben", postal_code="39179")
    LocalityFactory(authority=town, name="Meitzendorf", postal_code="39326")
    return town


@pytest.fixture
def survey(town):
    process = ProcessFactory(authority=town, slug="befragung", title="Befragung Spielplatz",
                             eligibility=Process.Eligibility.ANONYMOUS)  # fmt: skip
    survey = SurveyFactory(phase=PhaseFactory(process=process), title="Umfrage Spielplatz")
    use = QuestionFactory(survey=survey, page=1, position=1, text="Nutzen Sie Spielplätze?",
                          options=["Oft", "Nie"])  # fmt: skip
    QuestionFactory(survey=survey, page=1, position=2, kind=Question.Kind.MULTIPLE,
                    required=False, text="Was fehlt?", options=["Schaukel", "Rutsche", "Bank"])  # fmt: skip
    QuestionFactory(survey=survey, page=2, position=1, kind=Question.Kind.TEXT,
                    text="Warum nicht?", options=[], shown_if_question=use,
                    shown_if_answer="Nie")  # fmt: skip
    QuestionFactory(survey=survey, page=2, position=2, kind=Question.Kind.SCALE,
                    text="Wie wichtig ist Ihnen der Spielplatz?", options=[],
                    scale_min_label="unwichtig", scale_max_label="sehr wichtig")  # fmt: skip
    QuestionFactory(survey=survey, page=2, position=3, kind=Question.Kind.RANKING,
                    required=False, text="Was zuerst?", options=["Sand", "Wasser", "Klettern"])  # fmt: skip
    QuestionFactory(survey=survey, page=2, position=4, kind=Question.Kind.MATRIX,
                    required=False, text="Wie bewerten Sie?", options=[],
                    rows=["Sauberkeit", "Sicherheit"])  # fmt: skip
    QuestionFactory(survey=survey, page=2, position=5, kind=Question.Kind.TEXT,
                    required=False, text="Ihre Idee", options=[])  # fmt: skip
    return survey
