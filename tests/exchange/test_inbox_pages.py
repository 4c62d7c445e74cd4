"""The inbox of exchanged submissions for staff: the receiving unit and the authority's
administrators see it, with the status, the reasons of a rejection, the events and the case."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from rathaus.core import roles
from rathaus.exchange import receiving
from rathaus.exchange.models import Incoming, OwnDestination
from rathaus.forms.models import FormVersion
from tests.factories import PASSWORD, TOTPDeviceFactory
from tests.factories.core import MembershipFactory, OrgUnitFactory, UserFactory
from tests.factories.exchange import IncomingFactory
from tests.factories.exchange_receiving import parcel_of, send, submission_with_files
from tests.support import get_page, log_in

pytestmark = pytest.mark.django_db

LIST = "/verwaltung/austausch/eingang/"


def staff_of(unit: Any, username: str, role: str = roles.CLERK) -> Client:
    user = UserFactory(username=username, is_staff=True)
    TOTPDeviceFactory(user=user)
    MembershipFactory(user=user, org_unit=unit, role=roles.role(role))
    return log_in(Client(), username, PASSWORD)


def test_the_receiving_unit_sees_an_accepted_submission_with_its_case(
    api: Client, destination: OwnDestination, version: FormVersion
) -> None:
    incoming = send(api, destination, parcel_of(submission_with_files(version)))
    receiving.process(str(incoming.pk))
    incoming.refresh_from_db()
    clerk = staff_of(destination.org_unit, "versammlung-clerk")

    listing = get_page(clerk, LIST)
    detail = get_page(clerk, f"{LIST}{incoming.pk}/")

    assert "Gemeinde Barleben" in listing
    assert incoming.submission.case.number in listing
    assert "angenommen" in detail
    assert f"/verwaltung/vorgaenge/{incoming.submission.case.number}/" in detail


def test_a_rejected_submission_shows_why(
    api: Client, destination: OwnDestination, version: FormVersion
) -> None:
    parcel = parcel_of(submission_with_files(version, files=()))
    parcel.metadata["contentStructure"]["data"]["hash"]["type"] = "md5"
    incoming = send(api, destination, parcel)
    receiving.process(str(incoming.pk))
    clerk = staff_of(destination.org_unit, "versammlung-clerk")

    detail = get_page(clerk, f"{LIST}{incoming.pk}/")
    rejected_only = get_page(clerk, f"{LIST}?status=rejected")
    accepted_only = get_page(clerk, f"{LIST}?status=accepted")

    assert "Metadata not valid" in detail
    assert "md5" in detail
    assert f"{LIST}{incoming.pk}/" in rejected_only
    assert f"{LIST}{incoming.pk}/" not in accepted_only


def test_administrators_of_the_authority_see_it_and_other_units_do_not(
    destination: OwnDestination,
) -> None:
    incoming = IncomingFactory(destination=destination)
    other_unit = OrgUnitFactory(authority=destination.authority)
    administrator = staff_of(other_unit, "lk-admin", roles.ADMINISTRATOR)
    outsider = staff_of(other_unit, "lk-clerk")

    assert f"{LIST}{incoming.pk}/" in get_page(administrator, LIST)
    get_page(administrator, f"{LIST}{incoming.pk}/")
    assert f"{LIST}{incoming.pk}/" not in get_page(outsider, LIST)
    assert outsider.get(f"{LIST}{incoming.pk}/").status_code == 404
    assert Incoming.objects.count() == 1


def test_the_inbox_is_for_staff_only(destination: OwnDestination) -> None:
    answer = Client().get(LIST)

    assert answer.status_code == 302
    assert "/verwaltung/anmelden/" in answer["Location"]


def test_the_tab_to_the_outbox_is_shown_to_who_may_open_it(destination: OwnDestination) -> None:
    administrator = staff_of(destination.org_unit, "lk-admin", roles.ADMINISTRATOR)
    clerk = staff_of(destination.org_unit, "lk-clerk")
    outbox_tab = 'href="/verwaltung/austausch/"'

    assert outbox_tab in get_page(administrator, LIST)
    assert outbox_tab not in get_page(clerk, LIST)
    assert 'aria-current="page"><span class="kern-label">Posteingang' in get_page(clerk, LIST)
