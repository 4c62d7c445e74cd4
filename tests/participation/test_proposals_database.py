"""Proposals where the database decides: one support per account (the unique constraint, also
when the check before it is passed by) and the number of queries of the list and the API."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from rathaus.participation import proposals
from rathaus.participation.models import Comment, Phase, Process, Support
from tests.factories.accounts import AccountFactory
from tests.factories.participation import PhaseFactory, ProcessFactory, ProposalFactory

pytestmark = pytest.mark.database


@pytest.fixture
def process(town):
    process = ProcessFactory(authority=town, slug="buergerpark",
                             eligibility=Process.Eligibility.EVERYONE)  # fmt: skip
    PhaseFactory(process=process, kind=Phase.Kind.PROPOSALS)
    return process


def test_the_database_refuses_a_second_support_of_the_same_account(process):
    proposal = ProposalFactory(process=process)
    user = AccountFactory().user
    assert proposals.support(proposal, user) is True
    assert proposals.support(proposal, user) is False
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(proposal=proposal, user=user)
    assert Support.objects.filter(proposal=proposal).count() == 1


def _many(process, count: int) -> None:
    for number in range(count):
        proposal = ProposalFactory(process=process, title=f"Idee {number}")
        Support.objects.create(proposal=proposal, user=AccountFactory().user)
        Comment.objects.create(proposal=proposal, author=proposal.author, text="Ja")


def test_the_list_and_the_api_need_the_same_queries_for_3_or_30_proposals(
    process, django_assert_max_num_queries
):
    client = Client()
    _many(process, 3)
    with django_assert_max_num_queries(12) as few:
        assert client.get("/mitmachen/buergerpark/vorschlaege/").status_code == 200
    with django_assert_max_num_queries(8) as few_api:
        assert (
            client.get("/api/v1/participation/processes/buergerpark/proposals").status_code == 200
        )
    _many(process, 27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/mitmachen/buergerpark/vorschlaege/?sortierung=unterstuetzt")
    assert "30 Vorschläge" in page.content.decode()
    with django_assert_max_num_queries(len(few_api.captured_queries)):
        data = client.get("/api/v1/participation/processes/buergerpark/proposals").json()
    assert len(data) == 30
    assert {item["supports"] for item in data} == {1}
