"""The staff pages of the end of retention: due files, requests, approval and the records."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from rathaus.core import files, roles
from rathaus.core.models import Membership
from rathaus.documents import retention, services
from rathaus.documents.models import DeletionRecord, DeletionRequest, Document, File, Subject
from tests.factories import PASSWORD, FileFactory, OrgUnitFactory, SubjectFactory
from tests.support import clerk_of, get_page, log_in

CLOSED = dt.datetime(2014, 3, 1, 10, tzinfo=dt.UTC)
TODAY = dt.datetime(2025, 1, 2, 9, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _after_the_period():
    with time_machine.travel(TODAY, tick=True):
        yield


def closed_file(unit, disposal=Subject.Disposal.DESTROY, title="Akte Muster"):
    subject = SubjectFactory(authority=unit.authority, disposal=disposal, legal_basis="§ 5 AufbewV")
    file = FileFactory(org_unit=unit, subject=subject, title=title)
    stored = files.store_bytes(b"Antrag", name="antrag.txt", media_type="text/plain")
    services.add_document(
        file, services.NewContent(stored), title="Antrag", kind=Document.Kind.APPLICATION,
        direction=Document.Direction.INCOMING,
    )  # fmt: skip
    return services.close(file, None, now=CLOSED)


@pytest.fixture
def unit():
    return OrgUnitFactory()


@pytest.fixture
def clerk(unit):
    return clerk_of(unit, "sachbearbeitung")


@pytest.fixture
def head(unit):
    user = clerk_of(unit, "leitung")
    Membership.objects.filter(user=user).update(role=roles.role(roles.HEAD))
    return user


def client_of(user) -> Client:
    return log_in(Client(), user.username, PASSWORD)


@pytest.mark.django_db
def test_the_due_files_are_split_into_destroy_and_archive(unit, clerk):
    destroy = closed_file(unit, title="Meldeakte")
    archive = closed_file(unit, Subject.Disposal.ARCHIVE, title="Ratsprotokoll")
    closed_file(OrgUnitFactory(authority=unit.authority), title="Fremde Akte")

    page = get_page(client_of(clerk), "/verwaltung/akten/aussonderung/")

    destroy_part, archive_part = page.split("Dem Archiv anzubieten</h2>")
    assert f'href="/verwaltung/akten/{destroy.pk}/"' in destroy_part
    assert f'href="/verwaltung/akten/aussonderung/{destroy.pk}/loeschen/"' in destroy_part
    assert f'href="/verwaltung/akten/{archive.pk}/"' in archive_part
    assert "Ratsprotokoll" not in destroy_part
    assert "loeschen" not in archive_part
    assert "Fremde Akte" not in page


@pytest.mark.django_db
def test_a_clerk_requests_and_a_head_approves_without_javascript(unit, clerk, head):
    file = closed_file(unit)
    clerks = client_of(clerk)
    form = get_page(clerks, f"/verwaltung/akten/aussonderung/{file.pk}/loeschen/")
    assert "Löschung beantragen" in form

    response = clerks.post(
        f"/verwaltung/akten/aussonderung/{file.pk}/loeschen/", {"reason": "Frist abgelaufen"}
    )
    assert response["Location"] == "/verwaltung/akten/aussonderung/"
    request = DeletionRequest.objects.get(file=file)
    own_view = get_page(clerks, "/verwaltung/akten/aussonderung/")
    assert "Antrag für" in own_view  # withdraw, not approve
    assert 'value="approve"' not in own_view

    refused = clerks.post(
        f"/verwaltung/akten/aussonderung/antraege/{request.pk}/", {"action": "approve"},
        follow=True,
    )  # fmt: skip
    assert "selbst beantragt" in refused.content.decode()
    heads = client_of(head)
    assert 'value="approve"' in get_page(heads, "/verwaltung/akten/aussonderung/")

    heads.post(f"/verwaltung/akten/aussonderung/antraege/{request.pk}/", {"action": "approve"})

    assert File.objects.get(pk=file.pk).status == File.Status.DESTROYED
    records = get_page(heads, "/verwaltung/akten/aussonderung/protokoll/")
    assert file.number in records
    assert "§ 5 AufbewV" in records
    assert "Kim Beispiel" in records


@pytest.mark.django_db
def test_a_request_for_an_archive_file_is_refused_with_the_reason(unit, clerk):
    file = closed_file(unit, Subject.Disposal.ARCHIVE)

    clerks = client_of(clerk)
    response = clerks.post(f"/verwaltung/akten/aussonderung/{file.pk}/loeschen/", {})

    assert response.status_code == 400
    assert "dem Archiv angeboten" in response.content.decode()
    assert not DeletionRequest.objects.exists()
    form = get_page(clerks, f"/verwaltung/akten/aussonderung/{file.pk}/loeschen/")
    assert "dem Archiv angeboten" in form
    assert "Löschung beantragen</span>" not in form


@pytest.mark.django_db
def test_a_clerk_cannot_decide_and_sees_no_buttons(unit, clerk):
    file = closed_file(unit)
    request = retention.request_deletion(file, clerk_of(unit, "kollegin"))
    clerks = client_of(clerk)

    assert 'value="approve"' not in get_page(clerks, "/verwaltung/akten/aussonderung/")
    clerks.post(f"/verwaltung/akten/aussonderung/antraege/{request.pk}/", {"action": "approve"})

    assert File.objects.get(pk=file.pk).status == File.Status.CLOSED
    assert not DeletionRecord.objects.exists()


@pytest.mark.django_db
def test_files_of_other_units_are_not_found(unit, clerk):
    other = closed_file(OrgUnitFactory(authority=unit.authority))
    clerks = client_of(clerk)

    assert clerks.get(f"/verwaltung/akten/aussonderung/{other.pk}/loeschen/").status_code == 404
