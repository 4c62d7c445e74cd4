"""Notices by e-mail per category with double opt-in: form → confirmation e-mail → confirmed by
a button; a notice put up (the domain event) → one e-mail per confirmed subscriber, never twice;
unsubscribing from one or all categories; unconfirmed addresses deleted after seven days."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.utils import timezone

from rathaus.core import events, housekeeping, taskqueue
from rathaus.core.models import OutgoingEmail
from rathaus.noticeboard.events import NoticePutUp
from rathaus.noticeboard.models import Category, Delivery, Notice, Subscription
from tests.factories import AuthorityFactory, NoticeFactory
from tests.factories.noticeboard import SubscriptionFactory
from tests.support import run_queued

# Subscribing locks the subscriptions (select_for_update): run on PostgreSQL too.
pytestmark = [pytest.mark.django_db, pytest.mark.database]

TASK = "rathaus.noticeboard.subscription_tasks.mail_notice"


@pytest.fixture
def town():
    return AuthorityFactory(slug="barleben", name="Gemeinde Barleben")


def link(email: str, pattern: str) -> str:
    text = OutgoingEmail.objects.filter(to=email).latest("id").text_body
    found = re.search(rf"http://testserver({pattern})", text)
    assert found, text
    return found[1]


def put_up(notice: Notice) -> None:
    """What the publication does when it puts a notice up: the event, after the commit."""
    with transaction.atomic():
        events.publish(NoticePutUp(notice.pk, notice.authority_id, notice.category))


def test_subscribe_confirm_and_receive_each_notice_once(town, django_capture_on_commit_callbacks):
    client = Client()
    form = client.get("/bekanntmachungen/abonnieren/?bereich=wahlen").content.decode()
    assert 'value="wahlen" id="id_categories_3" checked' in form
    assert 'href="/datenschutz/"' in form

    response = client.post(
        "/bekanntmachungen/abonnieren/",
        {"email": "Anna@Example.org", "categories": ["wahlen", "haushalt"]},
    )

    assert response.status_code == 302
    assert "Bitte bestätigen Sie" in client.get(response["Location"]).content.decode()
    rows = Subscription.objects.filter(email="anna@example.org")
    assert sorted(rows.values_list("category", "confirmed_at")) == [
        ("budget", None), ("elections", None),
    ]  # fmt: skip
    mail = OutgoingEmail.objects.get(to="anna@example.org")
    assert "Haushalt, Wahlen" in mail.text_body
    assert "/bekanntmachungen/abonnieren/abmelden/" in mail.text_body
    path = link("anna@example.org", r"/bekanntmachungen/abonnieren/bestaetigen/[\w-]+/")
    assert client.get(path).status_code == 200  # a mail scanner opening the link confirms nothing
    assert not rows.filter(confirmed_at__isnull=False).exists()
    confirmed = client.post(path)
    assert confirmed.status_code == 200
    assert "Ihr Abonnement ist bestätigt" in confirmed.content.decode()
    assert "Ihre Bereiche: Haushalt, Wahlen" in confirmed.content.decode()
    assert rows.filter(confirmed_at__isnull=False).count() == 2

    other = SubscriptionFactory(authority=town, email="ben@example.org",
                                category=Category.ELECTIONS)  # fmt: skip
    SubscriptionFactory(authority=town, email="nicht-bestaetigt@example.org",
                        category=Category.ELECTIONS, confirmed_at=None)  # fmt: skip
    SubscriptionFactory(authority=town, email="satzungen@example.org", category=Category.STATUTES)
    SubscriptionFactory(email="anderer-ort@example.org", category=Category.ELECTIONS)
    election = NoticeFactory(
        authority=town, title="Wahlbekanntmachung Bürgermeisterwahl", category=Category.ELECTIONS,
        summary="Die Wahl ist am 7. März 2027.", put_up_at=timezone.now(),
    )  # fmt: skip
    OutgoingEmail.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        put_up(election)
    assert run_queued(TASK) == [2]

    assert sorted(OutgoingEmail.objects.values_list("to", flat=True)) == [
        "anna@example.org", "ben@example.org",
    ]  # fmt: skip
    sent = OutgoingEmail.objects.get(to="anna@example.org")
    assert sent.subject == "Neue Bekanntmachung: Wahlbekanntmachung Bürgermeisterwahl"
    assert "Die Wahl ist am 7. März 2027." in sent.text_body
    assert "Ausgehängt vom " in sent.text_body
    assert f"http://testserver/bekanntmachungen/{election.uid}/" in sent.text_body
    assert "/bekanntmachungen/abonnieren/abmelden/" in sent.text_body
    assert Delivery.objects.filter(notice=election).count() == 2

    # the event again (a retry, a second worker): nothing is sent twice
    with django_capture_on_commit_callbacks(execute=True):
        put_up(election)
    assert run_queued(TASK) == [0]
    assert OutgoingEmail.objects.count() == 2
    assert Delivery.objects.filter(notice=election, subscription=other).count() == 1


def test_a_notice_withdrawn_before_the_task_ran_is_not_sent(town):
    SubscriptionFactory(authority=town, email="anna@example.org")
    notice = NoticeFactory(authority=town, status=Notice.Status.WITHDRAWN)

    events.deliver(NoticePutUp(notice.pk, notice.authority_id, notice.category))
    assert run_queued(TASK) == [0]
    assert not OutgoingEmail.objects.exists()


def test_unsubscribe_one_category_or_all_with_the_link_from_the_mail(town):
    anna = SubscriptionFactory(authority=town, email="anna@example.org",
                               category=Category.ELECTIONS)  # fmt: skip
    SubscriptionFactory(authority=town, email="anna@example.org", category=Category.BUDGET)
    SubscriptionFactory(authority=town, email="anna@example.org", category=Category.STATUTES)
    ben = SubscriptionFactory(authority=town, email="ben@example.org")
    notice = NoticeFactory(authority=town, category=Category.ELECTIONS, put_up_at=timezone.now())
    events.deliver(NoticePutUp(notice.pk, town.pk, notice.category))
    run_queued(TASK)
    path = link("anna@example.org", r"/bekanntmachungen/abonnieren/abmelden/[^/\s]+/")
    client = Client()

    page = client.get(path).content.decode()  # a mail scanner opening the link ends nothing
    assert "Bereichs „Wahlen“" in page
    assert Subscription.objects.filter(pk=anna.pk).exists()
    done = client.post(path, {"umfang": "eine"}).content.decode()
    assert "keine E-Mails zu Bekanntmachungen des Bereichs „Wahlen“ mehr" in done
    assert sorted(Subscription.objects.filter(email="anna@example.org").values_list(
        "category", flat=True)) == ["budget", "statutes"]  # fmt: skip

    done = client.post(path, {"umfang": "alle"}).content.decode()
    assert "Sie erhalten von uns keine E-Mails zu Bekanntmachungen mehr." in done
    assert not Subscription.objects.filter(email="anna@example.org").exists()
    assert Subscription.objects.filter(pk=ben.pk).exists()
    assert client.post(path, {"umfang": "alle"}).status_code == 200  # twice is no error
    bad = client.post("/bekanntmachungen/abonnieren/abmelden/gefälscht/", {"umfang": "alle"})
    assert bad.status_code == 404


def test_the_form_says_the_same_for_known_addresses_and_explains_errors(town):
    SubscriptionFactory(authority=town, email="bekannt@example.org", category=Category.BUDGET)
    client = Client()

    known = client.post("/bekanntmachungen/abonnieren/",
                        {"email": "bekannt@example.org", "categories": ["haushalt"]})  # fmt: skip
    unknown = client.post("/bekanntmachungen/abonnieren/",
                          {"email": "neu@example.org", "categories": ["haushalt"]})  # fmt: skip
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # the confirmed subscription stays confirmed
    assert Subscription.objects.get(email="bekannt@example.org").confirmed_at is not None

    response = client.post("/bekanntmachungen/abonnieren/", {"email": "keine-adresse"})
    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="error-summary"' in html
    assert 'href="#id_email"' in html
    assert 'href="#kategorien"' in html
    assert "Bitte wählen Sie mindestens einen Bereich." in html
    assert 'value="keine-adresse"' in html  # nothing typed is lost


def test_one_confirmation_mail_per_address_and_hour_and_a_limit_per_client(town):
    client = Client()
    for _ in range(3):
        client.post("/bekanntmachungen/abonnieren/",
                    {"email": "c@example.org", "categories": ["allgemein"]})  # fmt: skip
    assert OutgoingEmail.objects.filter(to="c@example.org").count() == 1

    for number in range(7):
        client.post("/bekanntmachungen/abonnieren/",
                    {"email": f"x{number}@example.org", "categories": ["allgemein"]})  # fmt: skip
    refused = client.post("/bekanntmachungen/abonnieren/",
                          {"email": "y@example.org", "categories": ["allgemein"]})  # fmt: skip
    assert refused.status_code == 429
    assert not Subscription.objects.filter(email="y@example.org").exists()


def test_unconfirmed_subscriptions_are_deleted_after_seven_days_by_the_daily_job(town):
    client = Client()
    client.post("/bekanntmachungen/abonnieren/",
                {"email": "d@example.org", "categories": ["allgemein"]})  # fmt: skip
    path = link("d@example.org", r"/bekanntmachungen/abonnieren/bestaetigen/[\w-]+/")
    kept = SubscriptionFactory(authority=town, email="e@example.org")
    job = next(job for job in housekeeping.registered()
               if job.name == "noticeboard.unconfirmed_subscriptions")  # fmt: skip
    assert job.every == dt.timedelta(days=1)

    with time_machine.travel(timezone.now() + dt.timedelta(days=6, hours=23)):
        assert job.run() == 0
    with time_machine.travel(timezone.now() + dt.timedelta(days=7, minutes=1)):
        assert client.post(path).status_code == 404  # too old to confirm
        assert job.run() == 1

    assert list(Subscription.objects.all()) == [kept]


def test_the_reconciliation_queues_the_mails_of_a_notice_that_has_no_task(town):
    SubscriptionFactory(authority=town, email="f@example.org",
                        confirmed_at=timezone.now() - dt.timedelta(days=1))  # fmt: skip
    notice = NoticeFactory(authority=town, put_up_at=timezone.now() - dt.timedelta(minutes=30))

    assert taskqueue.reconcile(min_age_seconds=60, lookback_hours=2)[
        "noticeboard.subscriptions"] == 1  # fmt: skip
    assert run_queued(TASK) == [1]
    assert taskqueue.reconcile(min_age_seconds=60, lookback_hours=2)[
        "noticeboard.subscriptions"] == 0  # fmt: skip
    assert Delivery.objects.filter(notice=notice).count() == 1
