"""An anonymous survey's answers cannot be joined to accounts in the database (ADR 0070).

Three accounts answer a survey that needs a login. Then every column of the tables that hold
the answers is checked: each one is known and harmless (a new column fails here until it is
reviewed), none refers to an account or the participation record, none holds a time, the keys
are random UUIDs, and no stored value equals anything of the accounts or their records. The
record table in turn has no column that points to an answer, and the audit log says nothing
about who answered.
"""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test import Client

from rathaus.core.models import AuditEvent
from rathaus.participation.models import Answer, Draft, ParticipationRecord, Process, Response
from tests.factories import AccountFactory

pytestmark = pytest.mark.database

# Every column of the answer tables and why it cannot identify a person.
ANSWER_TABLE_COLUMNS = {
    "participation_response": {
        "id": "a random UUID (version 4), not a sequence",
        "survey_id": "the survey, the same for every response",
    },
    "participation_answer": {
        "id": "a random UUID (version 4)",
        "response_id": "the response, itself unlinked",
        "question_id": "the question",
        "option": "the chosen option or the row of a matrix",
        "number": "a value of a scale or a place",
        "text": "the free text as written",
        "review": "the state of the staff review",
        "hidden_reason": "the staff's reason for hiding",
    },
}
ALLOWED_TARGETS = {"participation_survey", "participation_question", "participation_response"}


def _answer(client: Client, survey, use: str, idea: str) -> None:
    base = f"/mitmachen/{survey.phase.process.slug}/umfrage/{survey.uid}/"
    questions = {question.text: question.uid for question in survey.questions.all()}
    client.post(base, {"seite": "1", "aktion": "weiter",
                       f"q-{questions['Nutzen Sie Spielplätze?']}": use})  # fmt: skip
    response = client.post(base, {
        "seite": "2", "aktion": "absenden",
        f"q-{questions['Warum nicht?']}": "Keine Zeit.",
        f"q-{questions['Wie wichtig ist Ihnen der Spielplatz?']}": "3",
        f"q-{questions['Ihre Idee']}": idea,
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()


def _columns(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, table)
    return {column.name: connection.introspection.get_field_type(column.type_code, column)
            for column in description}  # fmt: skip


def _foreign_targets(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        relations = connection.introspection.get_relations(cursor, table)
    return {column: target_table for column, (_field, target_table) in relations.items()}


def test_the_answers_cannot_be_joined_to_the_accounts(survey):
    process = survey.phase.process
    process.eligibility = Process.Eligibility.EVERYONE
    process.save()
    accounts = [AccountFactory() for _n in range(3)]
    for number, account in enumerate(accounts):
        client = Client()
        client.force_login(account.user)
        _answer(client, survey, "Nie" if number else "Oft", f"Idee {number}")
    records = list(ParticipationRecord.objects.filter(survey=survey))
    assert {record.user_id for record in records} == {account.user_id for account in accounts}
    assert Response.objects.filter(survey=survey).count() == 3
    assert not Draft.objects.exists()

    for table, known in ANSWER_TABLE_COLUMNS.items():
        columns = _columns(table)
        assert set(columns) == set(known), f"review the new columns of {table}"
        assert not {"DateTimeField", "DateField", "TimeField"} & set(columns.values())
        targets = _foreign_targets(table)
        assert set(targets.values()) <= ALLOWED_TARGETS, targets

    record_targets = set(_foreign_targets("participation_participationrecord").values())
    assert not record_targets & {"participation_response", "participation_answer"}

    # no stored value of the answer tables is a value of the accounts or their records
    personal = set()
    for account in accounts:
        user = account.user
        personal |= {user.username, user.email}
    for record in records:
        personal |= {str(record.pk), record.pk.hex, record.taken_part_on.isoformat()}
    for table in ANSWER_TABLE_COLUMNS:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - a fixed table name
            values = {str(value) for row in cursor.fetchall() for value in row}
        assert not values & personal, values & personal

    for response in Response.objects.all():
        assert uuid.UUID(str(response.pk)).version == 4
    for answer in Answer.objects.all():
        assert uuid.UUID(str(answer.pk)).version == 4

    # the audit log holds no trace of answering that a time or an actor could join
    assert not AuditEvent.objects.filter(action__startswith="participation.").exists()
