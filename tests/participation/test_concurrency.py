"""Answering twice at the same moment (two tabs of the same account): the unique constraint on
the participation record lets one count, on SQLite and on PostgreSQL, and the refused one
leaves no response behind."""

from __future__ import annotations

from functools import partial

import pytest

from rathaus.participation import services
from rathaus.participation.models import Answer, ParticipationRecord, Process, Response
from tests.factories import AccountFactory
from tests.support import run_in_threads

pytestmark = pytest.mark.database


def _answers(survey) -> dict:
    questions = {question.text: question.uid for question in survey.questions.all()}
    return {str(questions["Nutzen Sie Spielplätze?"]): "Oft",
            str(questions["Wie wichtig ist Ihnen der Spielplatz?"]): "5"}  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_answers_of_ten_accounts_count_ten_times(survey):
    process = survey.phase.process
    process.eligibility = Process.Eligibility.EVERYONE
    process.save()
    users = [AccountFactory().user for _n in range(10)]
    answers = _answers(survey)
    calls = [partial(services.submit, survey, user, answers) for user in users for _tab in (1, 2)]
    errors = run_in_threads(*calls, together=True)
    assert len(errors) == 10
    assert all(isinstance(error, services.AlreadyAnswered) for error in errors), errors
    assert ParticipationRecord.objects.filter(survey=survey).count() == 10
    assert set(ParticipationRecord.objects.values_list("user", flat=True)) == {u.pk for u in users}
    assert Response.objects.filter(survey=survey).count() == 10
    assert Answer.objects.filter(response__survey=survey).count() == 20
