"""Submissions become cases in the responsible unit; staff work on them in the back office."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client

from rathaus.accounts.demo import CITIZEN_EMAIL
from rathaus.accounts.gdpr import retention_reasons
from rathaus.accounts.models import Account, Message
from rathaus.cases import services
from rathaus.cases.models import Case, CaseEvent, OutboxItem
from rathaus.catalog.models import Responsibility
from rathaus.core.models import AuditEvent, Authority, OrgUnit
from rathaus.forms.models import SubmissionEvent
from tests.support import ANLIEGEN, MELDEBESCHEINIGUNG, citizen_client, log_in, submit

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def test_a_submission_becomes_a_case_in_the_responsible_unit(meldung):
    assert meldung.org_unit.slug == "buergerbuero"
    assert meldung.authority.slug == "barleben"
    assert meldung.number == f"33.10-{meldung.created_at.year}-00001"
    assert meldung.status == "new"
    assert meldung.applicant.user.email == CITIZEN_EMAIL
    assert meldung.title == "Meldebescheinigung beantragen"
    # The demo register extract has the applicant: the register data is confirmed (ADR 0029).
    assert list(meldung.events.values_list("kind", flat=True)) == [
        "opened",
        "register_confirmed",
        "process_started",
    ]
    # The default process starts with the completeness check for the unit's staff.
    assert list(meldung.tasks.values_list("element_id", "status")) == [
        ("Task_CheckCompleteness", "open")
    ]
    assert SubmissionEvent.objects.filter(submission=meldung.submission, kind="routed").exists()
    assert AuditEvent.objects.filter(action="case.opened").exists()
    # Routing is idempotent: the worker may run it again after a crash.
    assert services.route(str(meldung.submission_id)) == "already routed"
    assert Case.objects.count() == 1


def test_case_numbers_count_per_unit_and_follow_its_pattern(barleben):
    unit = OrgUnit.objects.get(slug="buergerbuero")
    unit.case_number_pattern = "EMA/{year}/{number}"
    unit.save()
    client = citizen_client()
    first = submit(client, "meldebescheinigung", MELDEBESCHEINIGUNG)
    second = submit(client, "meldebescheinigung", MELDEBESCHEINIGUNG)
    services.route(str(first.pk))
    services.route(str(second.pk))
    numbers = sorted(Case.objects.values_list("number", flat=True))
    year = first.submitted_at.year
    assert numbers == [f"EMA/{year}/1", f"EMA/{year}/2"]


def test_another_authority_here_receives_its_submissions(barleben):
    landkreis = Authority.objects.get(slug="landkreis-boerde")
    unit = OrgUnit.objects.get(slug="versammlungsbehoerde")
    from rathaus.catalog.models import Service

    Responsibility.objects.create(
        service=Service.objects.get(leika_key="99115003012000"), authority=landkreis,
        org_unit=unit, postal_code="39179",
    )  # fmt: skip
    submission = submit(citizen_client(), "meldebescheinigung", MELDEBESCHEINIGUNG)
    services.route(str(submission.pk))
    case = Case.objects.get(submission=submission)
    assert case.authority == landkreis
    assert case.org_unit == unit


def test_an_authority_not_served_here_waits_in_the_outbox(barleben):
    from rathaus.catalog.models import Service
    from rathaus.core import keys

    elsewhere = Authority.objects.create(
        slug="wolmirstedt", name="Stadt Wolmirstedt", kind="gemeinde", ags="15083565",
        ars=keys.ars_for_einheitsgemeinde("15083565"),
    )  # fmt: skip
    Responsibility.objects.create(service=Service.objects.get(leika_key="99115003012000"),
                                  authority=elsewhere, postal_code="39179")  # fmt: skip
    submission = submit(citizen_client(), "meldebescheinigung", MELDEBESCHEINIGUNG)
    assert services.route(str(submission.pk)) == "routed"
    assert not Case.objects.exists()
    item = OutboxItem.objects.get(submission=submission)
    assert item.target == elsewhere
    assert item.status == "waiting"


def test_without_an_offer_the_receiving_authority_handles_it(barleben):
    submission = submit(Client(), "anliegen", ANLIEGEN)
    services.route(str(submission.pk))
    case = Case.objects.get(submission=submission)
    assert case.authority.slug == "barleben"
    assert case.org_unit.parent is None
    assert case.applicant is None


def test_clerk_works_on_a_case(client, meldung):
    log_in(client, "buergerbuero")
    inbox = client.get("/verwaltung/vorgaenge/")
    assert inbox.status_code == 200
    assert meldung.number in inbox.content.decode()
    url = f"/verwaltung/vorgaenge/{meldung.number}/"
    page = client.get(url).content.decode()
    assert "Breiteweg 12" in page
    assert "Vorgang übernehmen" in page
    client.post(url, {"action": "claim"})
    client.post(url, {"action": "due", "due_date": "2026-12-01"})
    client.post(url, {"action": "priority", "priority": "high"})
    client.post(url, {"action": "note", "note": "Ausweis im Melderegister geprüft."})
    client.post(url, {"action": "message", "subject": "Rückfrage",
                      "body": "Brauchen Sie die Bescheinigung zweisprachig?"})  # fmt: skip
    client.post(url, {"action": "status", "status": "closed"})
    meldung.refresh_from_db()
    assert meldung.assignee.username == "buergerbuero"
    assert meldung.status == "closed"
    assert meldung.closed_at is not None
    assert meldung.due_date == datetime.date(2026, 12, 1)
    assert meldung.priority == "high"
    kinds = list(meldung.events.values_list("kind", flat=True))
    assert kinds == ["opened", "register_confirmed", "process_started", "assigned", "status", "due_date", "priority",
                     "note", "message", "status", "process_cancelled"]  # fmt: skip
    # Closing the case by hand ends its process: no task stays open.
    assert not meldung.tasks.filter(status="open").exists()
    assert meldung.process_instance.status == "cancelled"
    message = Message.objects.get(reference=meldung.number)
    assert message.account == meldung.applicant
    assert message.sender_unit == meldung.org_unit
    assert AuditEvent.objects.filter(action="case.note", object_id=str(meldung.pk)).exists()
    # Notes and messages are in their section of the case page, a link rendered on the server.
    page = client.get(url).content.decode()
    assert "Ausweis im Melderegister geprüft." not in page
    assert 'href="?tab=nachrichten"' in page
    page = client.get(url, {"tab": "nachrichten"}).content.decode()
    assert '<a class="case-tabs__link" href="?tab=nachrichten" aria-current="page">' in page
    assert "Ausweis im Melderegister geprüft." in page
    assert "Rückfrage" in page
    # A closed case takes no more assignments.
    response = client.post(url, {"action": "claim"}, follow=True)
    assert "Der Vorgang ist abgeschlossen." in response.content.decode()


def test_a_case_taken_by_a_colleague_cannot_be_claimed(meldung):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    clerk = users.get(username="buergerbuero")
    digital = users.get(username="digitales")  # administrator of the Bereich Digitales
    services.claim(meldung, clerk)
    other = OrgUnit.objects.get(slug="buergerbuero")
    from rathaus.core import roles
    from rathaus.core.models import Membership

    Membership.objects.create(user=digital, org_unit=other, role=roles.role(roles.CLERK))
    with pytest.raises(services.CaseActionRefused, match=r"in der Zwischenzeit|in the meantime"):
        services.claim(meldung, digital)


def test_staff_of_other_units_do_not_find_the_case(client, meldung):
    log_in(client, "bauamt")
    assert meldung.number not in client.get("/verwaltung/vorgaenge/?ansicht=alle").content.decode()
    assert client.get(f"/verwaltung/vorgaenge/{meldung.number}/").status_code == 404
    response = client.post(f"/verwaltung/vorgaenge/{meldung.number}/", {"action": "claim"})
    assert response.status_code == 404
    meldung.refresh_from_db()
    assert meldung.assignee is None


def test_citizens_and_anonymous_visitors_cannot_open_the_back_office(meldung):
    response = citizen_client().get(f"/verwaltung/vorgaenge/{meldung.number}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/verwaltung/anmelden/")


def test_inbox_pages_with_keyset_and_searches(client, barleben):
    client_citizen = citizen_client()
    for number in range(30):
        data = {**ANLIEGEN, "subject": f"Anliegen Stichwort{number:02d}x"}
        services.route(str(submit(client_citizen, "anliegen", data).pk))
    assert {case.org_unit.slug for case in Case.objects.all()} == {"buergerbuero"}
    log_in(client, "buergerbuero")
    first = client.get("/verwaltung/vorgaenge/?ansicht=alle").content.decode()
    numbers_first = {case.number for case in Case.objects.all() if case.number in first}
    assert len(numbers_first) == 25
    assert "Weitere Vorgänge" in first
    link = re.search(r'href="(\?[^"]*nach=[^"]*)"', first).group(1).replace("&amp;", "&")
    second = client.get("/verwaltung/vorgaenge/" + link).content.decode()
    numbers_second = {case.number for case in Case.objects.all() if case.number in second}
    assert len(numbers_second) == 5
    assert not numbers_first & numbers_second
    assert "Weitere Vorgänge" not in second
    found = client.get("/verwaltung/vorgaenge/?ansicht=alle&suche=STICHWORT07X").content.decode()
    hits = [case for case in Case.objects.all() if case.number in found]
    assert len(hits) == 1
    assert hits[0].submission.data["subject"] == "Anliegen Stichwort07x"


def test_citizen_sees_the_status_and_open_cases_hold_the_account(meldung):
    client = citizen_client()
    page = client.get("/konto/antraege/").content.decode()
    assert meldung.number in page
    assert "Eingegangen" in page  # "new" in the words of the applicant
    account = Account.objects.get(user__email=CITIZEN_EMAIL)
    reasons = retention_reasons(account)
    assert any(meldung.number in reason for reason in reasons)
    from django.contrib.auth import get_user_model

    services.set_status(meldung, get_user_model().objects.get(username="buergerbuero"), "closed")
    assert not any(meldung.number in reason for reason in retention_reasons(account))
    assert CaseEvent.objects.filter(case=meldung, kind="status", new="closed").exists()


def test_case_sections_are_links_and_a_form_returns_to_its_section(client, meldung):
    log_in(client, "buergerbuero")
    url = f"/verwaltung/vorgaenge/{meldung.number}/"
    page = client.get(url).content.decode()
    # The application is shown first; the actions are on every section.
    assert '<a class="case-tabs__link" href="?tab=antrag" aria-current="page">' in page
    assert "Breiteweg 12" in page
    for tab in ("dokumente", "nachrichten", "verlauf", "prozess"):
        section = client.get(url, {"tab": tab}).content.decode()
        assert f'href="?tab={tab}" aria-current="page"' in section, tab
        assert 'value="claim"' in section, tab
        assert "Breiteweg 12" not in section, tab
    unknown = client.get(url, {"tab": "gibt-es-nicht"}).content.decode()
    assert 'href="?tab=antrag" aria-current="page"' in unknown
    response = client.post(url, {"action": "note", "note": "Geprüft.", "tab": "nachrichten"})
    assert response["Location"] == f"{url}?tab=nachrichten"
    response = client.post(url, {"action": "claim", "tab": "antrag"})
    assert response["Location"] == url
    response = client.post(url, {"action": "priority", "priority": "high", "tab": "fremd"})
    assert response["Location"] == url
