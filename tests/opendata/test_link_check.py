"""The weekly link check of distributions (``opendata.link_check``, ``rathaus check-links``)
against a local HTTP server: what answers, what does not, and what must not be asked."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command

from rathaus.core import housekeeping
from rathaus.opendata import link_check
from rathaus.opendata.models import Dataset, Distribution
from tests.factories import AuthorityFactory, DatasetFactory, DistributionFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.datetime(2026, 12, 7, 3, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _local_network(settings):
    settings.RATHAUS_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.RATHAUS_LINK_CHECK_TIMEOUT = 1


@pytest.fixture
def server(http_server):
    http_server.add("/ok.csv", body=b"a;b\n1;2\n")
    http_server.add("/no-head.csv", body=b"a;b\n", head_status=405)
    http_server.add("/slow.csv", body=b"x", delay=3)
    http_server.add("/to-intranet", 302, headers={"Location": "http://10.0.0.7/daten.csv"})
    http_server.add("/to-ftp", 301, headers={"Location": "ftp://ftp.example.org/daten.csv"})
    http_server.add("/moved", 301, headers={"Location": "/ok.csv"})
    return http_server


def _check(url: str) -> Distribution:
    distribution = DistributionFactory(access_url=url, download_url="")
    link_check.run(distribution.dataset.authority)
    distribution.refresh_from_db()
    return distribution


def test_an_answering_address_is_ok(server):
    distribution = _check(server.url("/ok.csv"))

    assert (distribution.link_status, distribution.link_error) == ("ok", "")
    assert distribution.link_checked_at is not None
    assert [(method, path) for method, path, _headers in server.requests] == [("HEAD", "/ok.csv")]


def test_a_server_that_refuses_head_is_asked_for_one_byte(server):
    distribution = _check(server.url("/no-head.csv"))

    assert distribution.link_status == "ok"
    assert [r[0] for r in server.requests] == ["HEAD", "GET"]
    assert server.requests[1][2]["Range"] == "bytes=0-0"


def test_a_redirect_to_an_answering_address_is_ok(server):
    assert _check(server.url("/moved")).link_status == "ok"


def test_not_found_is_broken_with_the_status_in_german(server):
    distribution = _check(server.url("/fehlt.csv"))

    assert distribution.link_status == "broken"
    assert distribution.link_error == (
        f"{server.url('/fehlt.csv')}: Der Server hat mit dem Status 404 geantwortet."
    )


def test_no_answer_in_time_is_broken(server):
    distribution = _check(server.url("/slow.csv"))

    assert distribution.link_status == "broken"
    assert distribution.link_error.endswith("Keine Antwort in der vorgesehenen Zeit.")


def test_a_redirect_into_a_private_network_is_not_followed(server):
    distribution = _check(server.url("/to-intranet"))

    assert distribution.link_status == "broken"
    assert "10.0.0.7" in distribution.link_error
    assert "privaten oder lokalen Netz" in distribution.link_error


def test_a_redirect_to_another_scheme_is_not_followed(server):
    distribution = _check(server.url("/to-ftp"))

    assert distribution.link_status == "broken"
    assert "Nur http- und https-Adressen" in distribution.link_error


def test_an_address_with_another_scheme_is_broken_without_a_request(server):
    distribution = _check("ftp://ftp.example.org/daten.csv")

    assert distribution.link_status == "broken"
    assert "Nur http- und https-Adressen" in distribution.link_error
    assert server.requests == []


def test_a_private_address_is_refused_unless_allowed(server, settings):
    settings.RATHAUS_FETCH_ALLOWED_NETWORKS = []

    distribution = _check(server.url("/ok.csv"))

    assert distribution.link_status == "broken"
    assert server.requests == []


def test_addresses_on_the_own_portal_are_checked_without_the_network(server, settings):
    settings.RATHAUS_PUBLIC_URL = "http://127.0.0.1:9"  # nothing listens there
    settings.RATHAUS_FETCH_ALLOWED_NETWORKS = []

    existing = _check("http://127.0.0.1:9/daten/")
    missing = _check("http://127.0.0.1:9/gibt/es/nicht/")

    assert existing.link_status == "ok"
    assert (missing.link_status, missing.link_error) == (
        "broken", "http://127.0.0.1:9/gibt/es/nicht/: Unter dieser Adresse gibt es auf diesem "
        "Portal keine Seite.",
    )  # fmt: skip


def test_broken_since_is_kept_while_broken_and_cleared_when_it_works_again(server):
    distribution = DistributionFactory(
        access_url=server.url("/ok.csv"), download_url=server.url("/wird-geliefert.csv")
    )
    authority = distribution.dataset.authority
    with time_machine.travel(MONDAY, tick=False):
        link_check.run(authority)
    with time_machine.travel(MONDAY + datetime.timedelta(days=7), tick=False):
        link_check.run(authority)
    distribution.refresh_from_db()
    assert (distribution.link_status, distribution.link_broken_since) == ("broken", MONDAY)
    assert distribution.link_checked_at == MONDAY + datetime.timedelta(days=7)
    assert distribution.link_error.startswith(server.url("/wird-geliefert.csv"))

    server.add("/wird-geliefert.csv", body=b"a;b\n")
    link_check.run(authority)

    distribution.refresh_from_db()
    assert (distribution.link_status, distribution.link_broken_since, distribution.link_error) == (
        "ok", None, "",
    )  # fmt: skip


def test_only_published_datasets_of_the_chosen_authority_are_checked(server):
    authority = AuthorityFactory()
    mine = DistributionFactory(dataset__authority=authority, access_url=server.url("/ok.csv"))
    draft = DistributionFactory(
        dataset=DatasetFactory(authority=authority, status=Dataset.Status.DRAFT),
        access_url=server.url("/ok.csv"),
    )
    other = DistributionFactory(access_url=server.url("/ok.csv"))

    summary = link_check.run(authority)

    assert (summary.checked, summary.ok, summary.broken) == (1, 1, [])
    statuses = Distribution.objects.in_bulk([mine.pk, draft.pk, other.pk])
    assert [statuses[d.pk].link_status for d in (mine, draft, other)] == [
        "ok", "unchecked", "unchecked",
    ]  # fmt: skip


def test_the_worker_checks_each_link_weekly_in_hourly_batches(server, settings):
    settings.RATHAUS_LINK_CHECK_BATCH = 2
    (job,) = [job for job in housekeeping.registered() if job.name == "opendata.link_check"]
    assert job.every == datetime.timedelta(hours=1)
    fresh = DistributionFactory(access_url=server.url("/ok.csv"), link_checked_at=MONDAY)
    old = DistributionFactory(
        access_url=server.url("/ok.csv"), link_checked_at=MONDAY - datetime.timedelta(days=8)
    )
    never = [DistributionFactory(access_url=server.url("/ok.csv")) for _ in range(2)]

    with time_machine.travel(MONDAY + datetime.timedelta(hours=1), tick=False):
        assert job.run() == "2 distributions checked, 0 broken"
        assert job.run() == "1 distributions checked, 0 broken"
        assert job.run() == "0 distributions checked, 0 broken"

    checked = {d.pk: d.link_checked_at for d in Distribution.objects.all()}
    assert checked[fresh.pk] == MONDAY  # checked a week ago at most: not yet again
    assert {checked[d.pk] for d in [old, *never]} == {MONDAY + datetime.timedelta(hours=1)}


def test_the_command_prints_progress_and_a_summary(server, capsys):
    authority = AuthorityFactory()
    DistributionFactory(dataset__authority=authority, access_url=server.url("/ok.csv"))
    DistributionFactory(dataset__authority=authority, access_url=server.url("/fehlt.csv"))

    call_command("check_links", "--authority", authority.slug)

    out = capsys.readouterr().out
    assert f"[1/2] ok {server.url('/ok.csv')}" in out
    assert f"[2/2] broken {server.url('/fehlt.csv')}" in out
    assert (
        f"broken: {server.url('/fehlt.csv')}: Der Server hat mit dem Status 404 geantwortet."
    ) in out
    assert "2 distributions checked: 1 ok, 1 broken." in out
    with pytest.raises(CommandError, match="no authority with the slug 'nirgendwo'"):
        call_command("check_links", "--authority", "nirgendwo")
