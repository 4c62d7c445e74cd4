"""Factories for citizen participation: processes, phases, surveys, questions and answers."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from rathaus.participation.models import (
    Answer,
    Competition,
    Draft,
    Entry,
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


def drawn_picture(colour: str = "#2a6f97", name: str = "entwurf.png"):
    """A small drawn PNG stored like a checked upload (no upload checks needed in tests)."""
    from PIL import Image

    from rathaus.construction.project_pictures import store_drawn

    return store_drawn(Image.new("RGB", (60, 40), colour), name)


class CompetitionFactory(factory.django.DjangoModelFactory):
    """A competition in its vote phase: entries ended a week ago, the vote runs for a day,
    results two days from now."""

    class Meta:
        model = Competition

    process = factory.SubFactory(
        ProcessFactory, eligibility=Process.Eligibility.RESIDENTS, min_trust_level="substantial"
    )
    title = "Logo-Wettbewerb"
    rules = "Ein Logo für die Gemeinde, als Bild."
    entries_from = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=14))
    entries_until = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=7))
    jury_until = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=2))
    vote_from = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))
    vote_until = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=1))
    results_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=2))
    votes_per_person = 1


class EntryFactory(factory.django.DjangoModelFactory):
    """A shortlisted entry entered by staff, with a drawn picture."""

    class Meta:
        model = Entry
        exclude = ("picture",)

    competition = factory.SubFactory(CompetitionFactory)
    entered_by_staff = True
    author_name = "Klasse 7b"
    title = factory.Sequence(lambda n: f"Entwurf {n}")
    description = "Ein blauer Kreis über einer grünen Welle"
    picture = factory.LazyFunction(drawn_picture)
    image = factory.LazyAttribute(lambda o: o.picture.file)
    display = factory.LazyAttribute(lambda o: o.picture.display)
    consent_at = factory.LazyFunction(timezone.now)
    state = Entry.State.SHORTLISTED


class SupportFactory(factory.django.DjangoModelFactory):
    """A citizen supports a proposal (one per account and proposal)."""

    class Meta:
        model = "participation.Support"

    proposal = factory.SubFactory(ProposalFactory)
    user = factory.SubFactory("tests.factories.core.UserFactory", is_staff=False)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "participation.Comment"

    proposal = factory.SubFactory(ProposalFactory)
    author = factory.SubFactory("tests.factories.core.UserFactory", is_staff=False)
    text = "Gute Idee, am besten mit Schatten."


class AbuseReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "participation.AbuseReport"

    proposal = factory.SubFactory(ProposalFactory)
    reporter = factory.SubFactory("tests.factories.core.UserFactory", is_staff=False)
    reason = "Beleidigend"


class OfficialAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "participation.OfficialAnswer"

    proposal = factory.SubFactory(ProposalFactory)
    author = factory.SubFactory("tests.factories.core.UserFactory", is_staff=True)
    text = "Die Gemeinde prüft den Vorschlag im Bauausschuss."
    answered_on = factory.LazyFunction(lambda: timezone.localdate())


class BallotFactory(factory.django.DjangoModelFactory):
    """One vote of a pseudonymous voter for a shortlisted entry, in its first slot."""

    class Meta:
        model = "participation.Ballot"

    entry = factory.SubFactory(EntryFactory)
    competition = factory.SelfAttribute("entry.competition")
    voter = factory.Sequence(lambda n: f"{n:064x}")
    slot = 1


class ResultRecordFactory(factory.django.DjangoModelFactory):
    """A result record of a competition without votes (the hash of the empty list)."""

    class Meta:
        model = "participation.ResultRecord"

    competition = factory.SubFactory(CompetitionFactory)
    ballot_count = 0
    counts = factory.LazyFunction(dict)
    ballots_sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
