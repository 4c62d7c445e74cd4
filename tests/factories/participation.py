"""Factories for citizen participation: processes, phases, surveys, questions and answers."""

from __future__ import annotations

import datetime as dt

import factory

from rathaus.participation.models import (
    Answer,
    Draft,
    ParticipationRecord,
    Phase,
    Process,
    Question,
    Response,
    Survey,
)


class ProcessFactory(factory.django.DjangoModelFactory):
    """A published process that everyone may take part in without an account."""

    class Meta:
        model = Process

    authority = factory.SubFactory("tests.factories.core.AuthorityFactory")
    slug = factory.Sequence(lambda n: f"befragung-{n}")
    title = factory.Sequence(lambda n: f"Befragung {n}")
    summary = "Wie soll der neue Spielplatz aussehen?"
    body = "Die Gemeinde plant einen Spielplatz am Mittellandkanal."
    state = Process.State.PUBLISHED
    eligibility = Process.Eligibility.ANONYMOUS


class PhaseFactory(factory.django.DjangoModelFactory):
    """A discussion phase running from yesterday for two weeks."""

    class Meta:
        model = Phase

    process = factory.SubFactory(ProcessFactory)
    kind = Phase.Kind.DISCUSSION
    starts_on = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=1))
    ends_on = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=14))


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    phase = factory.SubFactory(PhaseFactory)
    title = factory.Sequence(lambda n: f"Umfrage {n}")
    intro = "Fünf Minuten, anonym."


class QuestionFactory(factory.django.DjangoModelFactory):
    """A required single-choice question on page 1."""

    class Meta:
        model = Question

    survey = factory.SubFactory(SurveyFactory)
    kind = Question.Kind.SINGLE
    text = factory.Sequence(lambda n: f"Frage {n}?")
    required = True
    options = factory.LazyFunction(lambda: ["Ja", "Nein"])
    page = 1
    position = factory.Sequence(lambda n: n + 1)


class ParticipationRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ParticipationRecord

    survey = factory.SubFactory(SurveyFactory)
    user = factory.SubFactory("tests.factories.core.UserFactory", is_staff=False)
    taken_part_on = factory.LazyFunction(dt.date.today)


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    survey = factory.SubFactory(SurveyFactory)


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    question = factory.SubFactory(QuestionFactory)
    response = factory.SubFactory(
        ResponseFactory, survey=factory.SelfAttribute("..question.survey")
    )
    option = "Ja"


class SurveyDraftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Draft

    survey = factory.SubFactory(SurveyFactory)
    user = factory.SubFactory("tests.factories.core.UserFactory", is_staff=False)
    answers = factory.LazyFunction(dict)


class ProposalFactory(factory.django.DjangoModelFactory):
    """A published proposal of a citizen."""

    class Meta:
        model = "participation.Proposal"

    process = factory.SubFactory(ProcessFactory)
    author = factory.SubFactory("tests.factories.core.UserFactory", is_staff=False)
    title = factory.Sequence(lambda n: f"Vorschlag {n}")
    text = "Eine Bank am Spielplatz wäre schön."
