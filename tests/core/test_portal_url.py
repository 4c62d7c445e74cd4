"""The address of an authority's portal, for links written away from a request."""

from __future__ import annotations

import datetime as dt

import pytest

from rathaus.core.tenancy import portal_url
from tests.factories import AuthorityFactory, AuthorityHostFactory


@pytest.mark.django_db
def test_the_first_host_name_with_scheme_and_port_of_the_public_url(settings):
    settings.RATHAUS_PUBLIC_URL = "https://portal.example.de"
    primary = AuthorityHostFactory(hostname="barleben.example.de")
    AuthorityHostFactory(hostname="www.barleben.example.de", authority=primary.authority)
    assert portal_url(primary.authority) == "https://barleben.example.de"
    assert portal_url(primary.authority, "/termine/") == "https://barleben.example.de/termine/"
    settings.RATHAUS_PUBLIC_URL = "http://localhost:8000/"
    assert portal_url(primary.authority, "/x/") == "http://barleben.example.de:8000/x/"


@pytest.mark.django_db
def test_the_public_url_when_it_leads_to_the_authority(settings):
    settings.RATHAUS_PUBLIC_URL = "https://portal.example.de"
    default = AuthorityHostFactory(hostname="default.example.de")
    settings.RATHAUS_DEFAULT_AUTHORITY = default.authority.slug
    assert portal_url(default.authority, "/a/") == "https://portal.example.de/a/"
    listed = AuthorityHostFactory(hostname="other.example.de")
    AuthorityHostFactory(hostname="portal.example.de", authority=listed.authority)
    assert portal_url(listed.authority, "/a/") == "https://portal.example.de/a/"
    # Now the address leads to another authority: the default one gets its own host name.
    assert portal_url(default.authority, "/a/") == "https://default.example.de/a/"


@pytest.mark.django_db
def test_without_a_host_name_the_public_url_is_the_portal(settings):
    settings.RATHAUS_PUBLIC_URL = "https://portal.example.de"
    assert portal_url(AuthorityFactory(), "/konto/") == "https://portal.example.de/konto/"
    assert portal_url(None) == "https://portal.example.de"


@pytest.mark.django_db
def test_booking_e_mails_link_to_the_host_of_the_locations_authority():
    from rathaus.appointments import mail, services
    from rathaus.core.models import AuthorityHost, OutgoingEmail
    from tests.support import MONDAY, berlin, make_authority, make_office

    authority = make_authority("hostort")
    AuthorityHost.objects.create(authority=authority, hostname="termine.hostort.example")
    office = make_office(authority)
    eve = berlin(MONDAY - dt.timedelta(days=1), 12)
    held = services.book(office.kind, berlin(MONDAY, 9), name="P", email="p@example.org", now=eve)
    mail.send_held(held, held.manage_token)
    body = OutgoingEmail.objects.get(to="p@example.org").text_body
    assert "http://termine.hostort.example/termine/" in body
    assert "testserver" not in body
