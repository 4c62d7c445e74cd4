"""Staff keep the construction sites (/verwaltung/baustellen/): create with typed coordinates,
street warnings, dates checked, PDF documents through the upload checks, publish, withdraw;
only superusers, administrators and the role "Baustellen" of the authority."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from rathaus.construction.models import Disruption, DisruptionDocument, Publication
from rathaus.construction.staff_views import ROLE
from rathaus.core import roles
from rathaus.core.models import AuditEvent
from rathaus.core.scanning import ScanResult
from tests.factories import PASSWORD, AuthorityFactory, DisruptionFactory
from tests.factories.core import LocalityFactory, OrgUnitFactory
from tests.support import clerk_of, log_in, pdf

pytestmark = pytest.mark.django_db
LIST = "/verwaltung/baustellen/"


@pytest.fixture
def town():
    town = AuthorityFactory(slug="barleben", name="Gemeinde Barleben")
    LocalityFactory(authority=town, name="Barleben")
    return town


def keeper(town, username="ordnungsamt", role=ROLE) -> Client:
    unit = OrgUnitFactory(authority=town, name="Ordnungsamt")
    user = clerk_of(unit, username, is_staff=True)
    user.memberships.update(role=roles.role(role))
    return log_in(Client(), username, PASSWORD)


def form(town, **changes) -> dict[str, str]:
    today = timezone.localdate()
    data = {
        "title": "Vollsperrung Breiteweg", "kind": "closure",
        "locality": "", "streets_text": "Breiteweg\nSchanze",
        "starts_on": today.isoformat(), "ends_on": (today + dt.timedelta(days=10)).isoformat(),
        "responsible_body": "Bauamt", "detour": "Über die Bahnhofstraße.", "description": "",
        "place_kind": "line", "coordinates": "52.2016, 11.6222\n52.2008, 11.6196",
    }  # fmt: skip
    data.update(changes)
    return data


def test_a_keeper_creates_publishes_and_withdraws_a_site(town):
    client = keeper(town)
    assert 'href="/verwaltung/baustellen/"' in client.get("/verwaltung/").content.decode()
    page = client.get(f"{LIST}neu/").content.decode()
    assert "zuerst die Breite, dann die Länge" in page
    assert "construction-draw-options" in page

    saved = client.post(f"{LIST}neu/", form(town))
    assert saved.status_code == 302
    site = Disruption.objects.get(title="Vollsperrung Breiteweg")
    assert site.authority == town
    assert site.status == Publication.DRAFT
    assert site.geometry == {"type": "LineString",
                             "coordinates": [[11.6222, 52.2016], [11.6196, 52.2008]]}  # fmt: skip
    assert site.streets == ["Breiteweg", "Schanze"]
    assert Client().get(f"/baustellen/{site.uid}/").status_code == 404

    edit = client.get(saved["Location"]).content.decode()
    assert "52.2016, 11.6222" in edit  # typed order: latitude first
    client.post(f"{LIST}{site.pk}/veroeffentlichen/")
    site.refresh_from_db()
    assert site.status == Publication.PUBLISHED
    assert site.published_at is not None
    assert Client().get(f"/baustellen/{site.uid}/").status_code == 200
    client.post(f"{LIST}{site.pk}/zurueckziehen/")
    site.refresh_from_db()
    assert site.status == Publication.DRAFT
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"construction.site.created", "construction.site.published",
            "construction.site.withdrawn"} <= actions  # fmt: skip


def test_mistakes_are_refused_with_messages_and_nothing_is_lost(town):
    client = keeper(town)
    today = timezone.localdate()
    wrong = client.post(f"{LIST}neu/", form(
        town, ends_on=(today - dt.timedelta(days=1)).isoformat(),
        place_kind="point", coordinates="11.6219, 52.2009"))  # fmt: skip
    assert wrong.status_code == 422
    page = wrong.content.decode()
    assert 'id="error-summary"' in page
    assert "Das Ende kann nicht vor dem Beginn liegen." in page
    assert "Breite und Länge vertauscht?" in page
    assert "Vollsperrung Breiteweg" in page
    assert "11.6219, 52.2009" in page
    assert not Disruption.objects.exists()

    no_end = client.post(f"{LIST}neu/", form(town, ends_on=""))
    assert no_end.status_code == 422
    assert "bis auf Weiteres" in no_end.content.decode()
    open_end = client.post(f"{LIST}neu/", form(town, ends_on="", until_further_notice="on"))
    assert open_end.status_code == 302


def test_unknown_streets_give_a_warning_with_suggestions_not_a_refusal(town):
    client = keeper(town)
    barleben = town.localities.get(name="Barleben")
    response = client.post(f"{LIST}neu/", form(town, locality=barleben.pk,
                                               streets_text="Breitweg\nL 47"), follow=True)  # fmt: skip
    page = response.content.decode()
    assert Disruption.objects.get().streets == ["Breitweg", "L 47"]
    assert "„Breiteweg“" in page
    assert "Meinten Sie" in page
    assert "Die Straße „L 47“ steht nicht im Straßenverzeichnis von Barleben" in page


def test_a_pdf_document_is_checked_stored_and_removed(town):
    client = keeper(town)
    site = DisruptionFactory(authority=town)
    upload = SimpleUploadedFile("anordnung.pdf", pdf(), content_type="application/pdf")
    response = client.post(f"{LIST}{site.pk}/dokumente/", {"title": "Anordnung", "file": upload})
    assert response.status_code == 302
    document = DisruptionDocument.objects.get(disruption=site)
    assert document.file.media_type == "application/pdf"
    assert "Anordnung" in Client().get(f"/baustellen/{site.uid}/").content.decode()

    image = SimpleUploadedFile("bild.pdf", b"GIF89a....", content_type="application/pdf")
    refused = client.post(f"{LIST}{site.pk}/dokumente/", {"title": "Bild", "file": image})
    assert refused.status_code == 422
    assert DisruptionDocument.objects.filter(disruption=site).count() == 1

    infected = SimpleUploadedFile("virus.pdf", pdf(), content_type="application/pdf")
    with mock.patch("rathaus.core.scanning.NoScanner.scan",
                    return_value=ScanResult(clean=False, signature="Eicar")):  # fmt: skip
        found = client.post(f"{LIST}{site.pk}/dokumente/", {"title": "Virus", "file": infected})
    assert found.status_code == 422
    assert "Schadsoftware" in found.content.decode()

    client.post(f"{LIST}{site.pk}/dokumente/{document.pk}/entfernen/")
    assert not DisruptionDocument.objects.filter(disruption=site).exists()


def test_a_clerk_and_other_authorities_are_kept_out(town):
    other = AuthorityFactory(slug="wolmirstedt")
    foreign = DisruptionFactory(authority=other)
    clerk = keeper(town, "buergerbuero", role=roles.CLERK)
    assert clerk.get(LIST).status_code == 403
    assert "/verwaltung/baustellen/" not in clerk.get("/verwaltung/").content.decode()

    client = keeper(town, "bauamt")
    assert client.get(f"{LIST}{foreign.pk}/").status_code == 404
    assert client.post(f"{LIST}{foreign.pk}/veroeffentlichen/").status_code == 404
    assert Client().get(LIST).status_code == 302  # to the login


def test_an_administrator_keeps_the_sites_too(town):
    client = keeper(town, "digital", role=roles.ADMINISTRATOR)
    DisruptionFactory(authority=town, title="Kanalbau")
    assert "Kanalbau" in client.get(LIST).content.decode()


def test_the_role_exists_after_migrating():
    from django.contrib.auth.models import Group

    assert Group.objects.filter(name=ROLE).exists()
