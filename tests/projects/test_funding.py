"""Funding of a project through the staff pages: a grant with its own share (at most 100 %,
refused with a message and by the database), an extension (it must end after the period),
payments and report deadlines whose reminder goes to the responsible person once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from rathaus.core import roles
from rathaus.core.models import AuditEvent, OutgoingEmail
from rathaus.projects import services
from rathaus.projects.keepers import ROLE
from rathaus.projects.models import Extension, Grant, Payment, ReportDeadline
from tests.factories import (
    PASSWORD,
    DigitalProjectFactory,
    GrantFactory,
    ProgrammeFactory,
    ReportDeadlineFactory,
    UserFactory,
)
from tests.support import clerk_of, log_in

pytestmark = [pytest.mark.django_db, pytest.mark.database]  # runs on PostgreSQL too (ADR 0036)


@pytest.fixture
def project():
    return DigitalProjectFactory(title="Smart City")


def keeper(project, username="projekte") -> Client:
    user = clerk_of(project.unit, username, is_staff=True)
    user.memberships.update(role=roles.role(ROLE))
    return log_in(Client(), username, PASSWORD)


def grant_form(programme, **changes) -> dict[str, str]:
    data = {
        "grant-programme": str(programme.pk), "grant-amount_cents": "366.816,00",
        "grant-eligible_cents": "564.333,00", "grant-own_share_percent": "35",
        "grant-cofinancing_cents": "", "grant-cofinancing_by": "",
        "grant-period_start": "2020-11-01", "grant-period_end": "2022-10-31",
    }  # fmt: skip
    data.update(changes)
    return data


def test_a_keeper_adds_a_grant_in_euro_and_sees_the_own_share(project):
    client = keeper(project)
    programme = ProgrammeFactory(authority=project.authority, name="Modellprojekte Smart Cities")
    response = client.post(f"/verwaltung/projekte/{project.pk}/grant/", grant_form(programme))
    assert response.status_code == 302
    grant = Grant.objects.get()
    assert (grant.amount_cents, grant.eligible_cents) == (36_681_600, 56_433_300)
    assert grant.own_share_percent == Decimal(35)
    assert grant.own_share_cents == 19_751_655
    html = client.get(f"/verwaltung/projekte/{project.pk}/").content.decode()
    assert "197.516,55 € (35 %)" in html
    assert AuditEvent.objects.filter(action="projects.grant_added").count() == 1


def test_an_own_share_above_100_percent_is_refused_with_a_message(project):
    client = keeper(project)
    programme = ProgrammeFactory(authority=project.authority)
    response = client.post(f"/verwaltung/projekte/{project.pk}/grant/",
                           grant_form(programme, **{"grant-own_share_percent": "120"}))  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    assert "Der Eigenanteil ist ein Anteil der förderfähigen Kosten: zwischen 0 und 100 %." in html
    assert 'value="366.816,00"' in html  # nothing typed is lost
    assert not Grant.objects.exists()


def test_the_database_refuses_an_own_share_above_100_percent(project):
    with pytest.raises(IntegrityError), transaction.atomic():
        GrantFactory(project=project, own_share_percent=Decimal("100.01"))
    GrantFactory(project=project, own_share_percent=Decimal(100))


def test_an_amount_that_is_not_euro_is_refused(project):
    client = keeper(project)
    programme = ProgrammeFactory(authority=project.authority)
    response = client.post(f"/verwaltung/projekte/{project.pk}/grant/",
                           grant_form(programme, **{"grant-amount_cents": "viel",
                                                    "grant-eligible_cents": "1,005"}))  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 400
    assert "Bitte geben Sie einen Betrag in Euro an, z. B. 80.000,00." in html
    assert "Bitte geben Sie höchstens zwei Stellen nach dem Komma an." in html


def test_an_extension_must_end_after_the_funding_period(project):
    grant = GrantFactory(
        project=project, period_start=dt.date(2021, 2, 1), period_end=dt.date(2021, 12, 31)
    )
    client = keeper(project)
    address = f"/verwaltung/projekte/{project.pk}/foerderung/{grant.pk}/extension/"
    prefix = f"extension-{grant.pk}"
    response = client.post(address, {f"{prefix}-new_end": "2021-06-30",
                                     f"{prefix}-reason": "Corona", f"{prefix}-decided_on": ""})  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    assert ("Eine Verlängerung muss nach dem Ende des Förderzeitraums enden; er endet am "
            "31.12.2021.") in html  # fmt: skip
    assert 'value="Corona"' in html
    assert not Extension.objects.exists()
    response = client.post(address, {f"{prefix}-new_end": "2022-04-30",
                                     f"{prefix}-reason": "Corona", f"{prefix}-decided_on": ""})  # fmt: skip
    assert response.status_code == 302
    assert grant.end() == dt.date(2022, 4, 30)
    # the next extension is measured against the extended period
    response = client.post(address, {f"{prefix}-new_end": "2022-03-31",
                                     f"{prefix}-reason": "zu kurz", f"{prefix}-decided_on": ""})  # fmt: skip
    assert "er endet am 30.04.2022" in response.content.decode()
    assert Extension.objects.count() == 1


def test_payments_requested_and_received_are_summed(project):
    grant = GrantFactory(project=project)
    client = keeper(project)
    address = f"/verwaltung/projekte/{project.pk}/foerderung/{grant.pk}/payment/"
    prefix = f"payment-{grant.pk}"
    for kind, amount in (("requested", "40.000"), ("received", "40.000,00"),
                         ("requested", "10000,5")):  # fmt: skip
        response = client.post(address, {f"{prefix}-kind": kind, f"{prefix}-on": "2026-03-01",
                                         f"{prefix}-amount_cents": amount, f"{prefix}-note": ""})  # fmt: skip
        assert response.status_code == 302
    assert sorted(Payment.objects.values_list("amount_cents", flat=True)) == [
        1_000_050, 4_000_000, 4_000_000]  # fmt: skip
    html = client.get(f"/verwaltung/projekte/{project.pk}/").content.decode()
    assert "50.000,50 €" in html
    assert "40.000,00 €" in html


def test_the_responsible_person_is_reminded_of_a_report_deadline_once(project):
    person = UserFactory(email="cdo@barleben.example", is_staff=True)
    project.responsible = person
    project.save()
    today = dt.date(2026, 4, 1)
    now = dt.datetime(2026, 4, 1, 8, tzinfo=dt.UTC)
    soon = ReportDeadlineFactory(grant=GrantFactory(project=project), title="Verwendungsnachweis",
                                 due_on=today + dt.timedelta(days=29))  # fmt: skip
    ReportDeadlineFactory(grant=soon.grant, title="Später", due_on=today + dt.timedelta(days=60))
    ReportDeadlineFactory(grant=soon.grant, title="Eingereicht", due_on=today,
                          submitted_on=today)  # fmt: skip
    assert services.send_deadline_reminders(now) == 1
    email = OutgoingEmail.objects.get()
    assert email.to == "cdo@barleben.example"
    assert email.subject == "Nachweis fällig am 30.04.2026: Smart City"
    assert "der Nachweis „Verwendungsnachweis“ des Projekts „Smart City“" in email.text_body
    assert services.send_deadline_reminders(now) == 0
    assert ReportDeadline.objects.get(pk=soon.pk).reminder_sent_at == now


def test_without_a_responsible_person_no_reminder_is_lost(project):
    deadline = ReportDeadlineFactory(
        grant=GrantFactory(project=project), due_on=dt.date(2026, 4, 10)
    )
    now = dt.datetime(2026, 4, 1, 8, tzinfo=dt.UTC)
    assert services.send_deadline_reminders(now) == 0
    project.responsible = UserFactory(email="it@barleben.example", is_staff=True)
    project.save()
    assert services.send_deadline_reminders(now) == 1  # tried again on the next run
    deadline.refresh_from_db()
    assert deadline.reminder_sent_at == now


def test_a_keeper_marks_a_milestone_reached_and_a_report_submitted(project):
    from tests.factories import MilestoneFactory

    milestone = MilestoneFactory(project=project)
    deadline = ReportDeadlineFactory(grant=GrantFactory(project=project))
    client = keeper(project)
    base = f"/verwaltung/projekte/{project.pk}"
    client.post(f"{base}/meilenstein/{milestone.pk}/datum/",
                {f"meilenstein-{milestone.pk}-on": "2026-05-02"})  # fmt: skip
    client.post(f"{base}/bericht/{deadline.pk}/datum/", {f"bericht-{deadline.pk}-on": "2026-05-03"})
    milestone.refresh_from_db()
    deadline.refresh_from_db()
    assert milestone.reached_on == dt.date(2026, 5, 2)
    assert deadline.submitted_on == dt.date(2026, 5, 3)
    response = client.post(f"{base}/meilenstein/{milestone.pk}/datum/",
                           {f"meilenstein-{milestone.pk}-on": "morgen"}, follow=True)  # fmt: skip
    assert "Bitte geben Sie das Datum mit Tag, Monat und Jahr an." in response.content.decode()
