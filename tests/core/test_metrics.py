"""/metrics: who may read it, what the middleware counts, what the database gauges say."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import DatabaseError
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from rathaus.core.models import OutgoingEmail
from tests.factories import (
    AuthorityFactory,
    BookingFactory,
    DeadLetterFactory,
    OutgoingEmailFactory,
    SubmissionFactory,
)
from tests.tasks_for_tests import add

TOKEN = "scrape-token-for-the-tests-0123456789"


def scrape(client: Client, **headers: str) -> dict[tuple[str, frozenset], float]:
    """{(sample name, labels): value} of one scrape with the token."""
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **headers)
    assert response.status_code == 200
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
def token(settings):
    settings.RATHAUS_METRICS_TOKEN = TOKEN
    settings.RATHAUS_METRICS_NETWORKS = []


# --- access ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_without_token_or_networks_metrics_do_not_exist(client, settings):
    settings.RATHAUS_METRICS_TOKEN = ""
    settings.RATHAUS_METRICS_NETWORKS = []
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything").status_code == 404


@pytest.mark.django_db
def test_the_token_is_required_when_set(client, token):
    missing = client.get("/metrics")
    wrong = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}x")
    right = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert missing.status_code == 403
    assert missing["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert wrong.status_code == 403
    assert right.status_code == 200
    assert right["Content-Type"].startswith("text/plain; version=")
    assert right["Cache-Control"].startswith("max-age=0")
    assert b"# TYPE rathaus_http_requests_total counter" in right.content


@pytest.mark.django_db
def test_an_allowed_network_needs_no_token(client, settings):
    settings.RATHAUS_METRICS_TOKEN = ""
    settings.RATHAUS_METRICS_NETWORKS = ["10.1.0.0/16"]
    settings.RATHAUS_TRUSTED_PROXIES = ["192.0.2.1"]
    inside = client.get("/metrics", REMOTE_ADDR="10.1.2.3")
    outside = client.get("/metrics", REMOTE_ADDR="10.2.0.1")
    forged = client.get("/metrics", REMOTE_ADDR="10.2.0.1", HTTP_X_FORWARDED_FOR="10.1.2.3")
    proxied = client.get("/metrics", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="10.1.2.3")
    assert inside.status_code == 200
    assert outside.status_code == 403
    assert "WWW-Authenticate" not in outside
    assert forged.status_code == 403  # X-Forwarded-For counts only from a trusted proxy
    assert proxied.status_code == 200


@pytest.mark.django_db
def test_metrics_answer_only_get_and_head(client, token):
    response = client.post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 405


# --- what the middleware counts -------------------------------------------------------------


@pytest.mark.django_db
def test_requests_are_counted_by_view_method_and_status(client, token):
    before = scrape(client)
    client.get("/health")
    client.get("/health")
    client.post("/health")
    client.get("/gibt-es-nicht/nirgends/")
    client.get("/static/gibt-es-nicht.css")
    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    total = "rathaus_http_requests_total"
    health_status = str(client.get("/health").status_code)
    assert delta(total, view="health", method="GET", status=health_status) == 2
    assert delta(total, view="health", method="POST", status="405") == 1
    assert delta(total, view="unmatched", method="GET", status="404") == 1
    assert delta(total, view="static", method="GET", status="404") == 1
    # the scrape itself counts, after its own answer
    assert delta(total, view="metrics", method="GET", status="200") == 1
    histogram = "rathaus_http_request_duration_seconds"
    assert delta(f"{histogram}_count", view="health", method="GET") == 2
    assert delta(f"{histogram}_bucket", view="health", method="GET", le="+Inf") == 2
    assert delta(f"{histogram}_sum", view="health", method="GET") > 0


@pytest.mark.django_db
def test_an_unknown_method_is_counted_as_other(client, token):
    before = scrape(client)
    client.generic("BREW", "/health")
    after = scrape(client)
    labels = {"view": "health", "method": "other", "status": "405"}
    name = "rathaus_http_requests_total"
    assert value(after, name, **labels) - value(before, name, **labels) == 1


@pytest.mark.django_db
def test_the_scrape_sees_itself_in_progress(client, token):
    assert value(scrape(client), "rathaus_http_requests_in_progress") >= 1


# --- numbers from the database --------------------------------------------------------------


@pytest.mark.database
@pytest.mark.django_db
def test_database_gauges_follow_the_rows(client, token):
    authority = AuthorityFactory()
    before = scrape(client)
    OutgoingEmailFactory(authority=authority)
    OutgoingEmailFactory(authority=authority)
    OutgoingEmailFactory(authority=authority, status=OutgoingEmail.Status.SENT)
    OutgoingEmailFactory(authority=authority, status=OutgoingEmail.Status.FAILED)
    DeadLetterFactory()
    BookingFactory()
    BookingFactory(status="cancelled")
    SubmissionFactory(authority=authority)
    waiting = add.enqueue(1, 2)
    DBTaskResult.objects.filter(pk=waiting.id).update(
        enqueued_at=timezone.now() - timedelta(minutes=5)
    )
    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert value(after, "rathaus_database_up") == 1
    assert delta("rathaus_emails_pending") == 2
    assert delta("rathaus_emails_failed") == 1
    assert delta("rathaus_tasks_dead_letters") == 1
    assert delta("rathaus_tasks_queued") >= 1  # storing the submission queues its own tasks
    assert value(after, "rathaus_tasks_oldest_queued_age_seconds") >= 300
    assert delta("rathaus_bookings", status="confirmed") == 1
    assert delta("rathaus_bookings", status="cancelled") == 1
    submissions = sum(
        number for (name, _labels), number in after.items() if name == "rathaus_submissions"
    ) - sum(number for (name, _labels), number in before.items() if name == "rathaus_submissions")
    assert submissions == 1


@pytest.mark.django_db
def test_totals_have_a_series_for_every_known_value_even_without_rows(client, token):
    # alerts on e.g. rathaus_bookings{status="held"} must find a series at 0, not none
    samples = scrape(client)
    for name, label, known in [
        ("rathaus_bookings", "status", ["held", "confirmed", "cancelled"]),
        ("rathaus_submissions", "channel", ["web", "api", "exchange"]),
    ]:
        for each in known:
            assert samples[(name, frozenset({label: each}.items()))] == 0


@pytest.mark.django_db
def test_a_database_error_is_reported_not_raised(client, token):
    with mock.patch("rathaus.core.metrics.queue_state", side_effect=DatabaseError("gone")):
        samples = scrape(client)
    assert value(samples, "rathaus_database_up") == 0
    assert not any(name == "rathaus_tasks_queued" for name, _labels in samples)
    assert any(name == "rathaus_http_requests_total" for name, _labels in samples)
