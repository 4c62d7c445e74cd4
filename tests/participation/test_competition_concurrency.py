"""A rush of votes: 200 simultaneous votes of 100 verified residents with one vote each (every
account sends twice, as from two tabs) count exactly 100 times — the unique constraints decide,
on SQLite and on PostgreSQL."""

from __future__ import annotations

from functools import partial

import pytest

from rathaus.participation import competitions
from rathaus.participation.models import Ballot
from tests.factories import AccountFactory, AuthorityFactory
from tests.factories.participation import CompetitionFactory, EntryFactory, ProcessFactory
from tests.support import run_in_threads

pytestmark = pytest.mark.database


@pytest.mark.django_db(transaction=True)
def test_two_hundred_simultaneous_votes_of_a_hundred_accounts_count_a_hundred_times():
    town = AuthorityFactory(postal_code="39179")
    competition = CompetitionFactory(process=ProcessFactory(
        authority=town, eligibility="residents", min_trust_level="substantial"))  # fmt: skip
    first, second = EntryFactory(competition=competition), EntryFactory(competition=competition)
    users = [AccountFactory(postal_code="39179").user for _n in range(100)]
    calls = [
        partial(competitions.cast_vote, competition, user, entry, "substantial")
        for user in users
        for entry in (first, second)  # two tabs, two different entries, one vote
    ]
    errors = run_in_threads(*calls, together=True)
    assert len(errors) == 100
    assert all(isinstance(error, competitions.VoteRefused) for error in errors), errors[:3]
    assert {error.kind for error in errors} == {"used"}
    assert Ballot.objects.filter(competition=competition).count() == 100
    assert set(Ballot.objects.values_list("user", flat=True)) == {user.pk for user in users}
    assert set(Ballot.objects.values_list("slot", flat=True)) == {1}


@pytest.mark.django_db(transaction=True)
def test_three_votes_from_six_tabs_at_once_take_three_slots():
    town = AuthorityFactory(postal_code="39179")
    competition = CompetitionFactory(votes_per_person=3, process=ProcessFactory(
        authority=town, eligibility="residents", min_trust_level="substantial"))  # fmt: skip
    entries = [EntryFactory(competition=competition) for _n in range(4)]
    user = AccountFactory(postal_code="39179").user
    calls = [partial(competitions.cast_vote, competition, user, entry, "substantial")
             for entry in entries + entries[:2]]  # fmt: skip
    errors = run_in_threads(*calls, together=True)
    assert len(errors) == 3
    assert sorted(Ballot.objects.values_list("slot", flat=True)) == [1, 2, 3]
    assert Ballot.objects.values("entry").distinct().count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_result_record_is_written_once_when_many_ask_at_the_same_moment():
    from rathaus.core.models import AuditEvent
    from rathaus.participation import result_records
    from rathaus.participation.models import ResultRecord

    competition = CompetitionFactory()
    entry = EntryFactory(competition=competition)
    competitions.cast_vote(competition, AccountFactory().user, entry, "substantial")
    calls = [partial(result_records.publish_if_due, competition, competition.results_at)] * 8
    errors = run_in_threads(*calls, together=True)
    assert errors == []
    assert ResultRecord.objects.count() == 1
    assert AuditEvent.objects.filter(action="participation.competition.results").count() == 1
    assert result_records.verify(ResultRecord.objects.get()).matches
