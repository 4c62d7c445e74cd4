"""The public list and page of the construction sites (/baustellen/): current ones first, dates
in words, filters by village, day and time, only published sites of the portal's authority."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from rathaus.construction import sites
from rathaus.construction.models import Publication
from tests.factories import AuthorityFactory, AuthorityHostFactory, DisruptionFactory
from tests.factories.construction import DisruptionDocumentFactory
from tests.factories.core import LocalityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    return AuthorityFactory(slug="barleben", name="Gemeinde Barleben")


def days(number: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=number)


def test_the_list_shows_current_sites_first_with_dates_in_words(town):
    ebendorf = LocalityFactory(authority=town, name="Ebendorf")
    DisruptionFactory(authority=town, title="Geplant Schanze", starts_on=days(10),
                      ends_on=days(20))  # fmt: skip
    DisruptionFactory(authority=town, title="Aktuell Breiteweg", locality=ebendorf,
                      streets=["Breiteweg", "Schanze"], starts_on=days(-3), ends_on=None,
                      until_further_notice=True, detour="Über die Bahnhofstraße.")  # fmt: skip
    DisruptionFactory(authority=town, title="Vorbei Buschweg", starts_on=days(-30),
                      ends_on=days(-20))  # fmt: skip
    DisruptionFactory(authority=town, title="Entwurf", status=Publication.DRAFT)
    DisruptionFactory(title="Anderer Ort")

    page = Client().get("/baustellen/").content.decode()

    assert page.index("Aktuell Breiteweg") < page.index("Geplant Schanze") < page.index(
        "Vorbei Buschweg")  # fmt: skip
    assert "Entwurf" not in page
    assert "Anderer Ort" not in page
    assert "seit " in page
    assert "bis auf Weiteres" in page
    assert "Breiteweg, Schanze" in page
    assert "Ebendorf" in page
    assert "Über die Bahnhofstraße." in page
    assert 'rel="alternate" type="application/geo+json"' in page
    assert 'rel="alternate" type="text/calendar"' in page
    assert 'rel="alternate" type="application/atom+xml"' in page
    assert 'aria-hidden="true" id="construction-map' not in page


def test_the_filters_choose_village_day_and_time(town):
    ebendorf = LocalityFactory(authority=town, name="Ebendorf")
    LocalityFactory(authority=town, name="Meitzendorf")
    DisruptionFactory(authority=town, title="In Ebendorf", locality=ebendorf)
    DisruptionFactory(authority=town, title="Ohne Ort")
    DisruptionFactory(authority=town, title="Nächste Woche", starts_on=days(7), ends_on=days(9))

    by_village = Client().get("/baustellen/?ort=Ebendorf").content.decode()
    assert "In Ebendorf" in by_village
    assert "Ohne Ort" not in by_village
    on_a_day = Client().get(f"/baustellen/?datum={days(8).isoformat()}").content.decode()
    assert "Nächste Woche" in on_a_day
    assert "In Ebendorf" in on_a_day
    on_a_later_day = Client().get(f"/baustellen/?datum={days(15).isoformat()}").content.decode()
    assert "Nächste Woche" not in on_a_later_day
    assert "In Ebendorf" not in on_a_later_day
    planned = Client().get("/baustellen/?zeit=geplant").content.decode()
    assert "Nächste Woche" in planned
    assert "In Ebendorf" not in planned
    assert 'aria-current="page"' in planned

    wrong = Client().get("/baustellen/?datum=gestern&ort=Atlantis")
    assert wrong.status_code == 400
    assert "Bitte prüfen Sie den Filter." in wrong.content.decode()


def test_the_page_of_a_site_shows_everything_and_its_documents(town):
    site = DisruptionFactory(authority=town, title="Vollsperrung Breiteweg",
                             responsible_body="Bauamt Barleben")  # fmt: skip
    document = DisruptionDocumentFactory(disruption=site, title="Umleitungsplan")

    page = Client().get(f"/baustellen/{site.uid}/").content.decode()

    assert "Vollsperrung Breiteweg" in page
    assert "Bauamt Barleben" in page
    assert "bis voraussichtlich" in page
    assert "Umleitungsplan" in page
    link = re.search(r'href="(/dateien/[^"]+)"', page)
    assert link is not None
    assert Client().get(link.group(1)).status_code == 200
    options = json.loads(re.search(r'id="construction-map-options"[^>]*>(.*?)</script>', page,
                                   re.S).group(1))  # fmt: skip
    assert options["sites"][0]["geometry"]["type"] == "Point"
    assert options["labels"]["skip"] == "Karte überspringen"

    site.status = Publication.DRAFT
    site.save()
    assert Client().get(f"/baustellen/{site.uid}/").status_code == 404
    assert Client().get(link.group(1)).status_code in (302, 404)  # a draft's document is not public
    assert document.file_id


def test_a_site_of_another_portal_is_not_found(town):
    other = AuthorityFactory(slug="wolmirstedt")
    AuthorityHostFactory(authority=other, hostname="wolmirstedt.localhost")
    site = DisruptionFactory(authority=town)
    assert Client().get(f"/baustellen/{site.uid}/").status_code == 200
    assert Client(HTTP_HOST="wolmirstedt.localhost").get(f"/baustellen/{site.uid}/").status_code \
        == 404  # fmt: skip


def test_dates_in_words():
    today = dt.date(2026, 12, 7)
    site = DisruptionFactory.build(starts_on=dt.date(2026, 12, 3), ends_on=dt.date(2026, 12, 18))
    assert (
        sites.period_in_words(site, today) == "seit 3. Dezember, bis voraussichtlich 18. Dezember"
    )
    site.ends_on = None
    assert sites.period_in_words(site, today) == "seit 3. Dezember, bis auf Weiteres"
    site.starts_on, site.ends_on = dt.date(2027, 1, 5), dt.date(2027, 1, 20)
    assert sites.period_in_words(site, today) == (
        "ab 5. Januar 2027, bis voraussichtlich 20. Januar 2027"
    )
    site.starts_on, site.ends_on = dt.date(2026, 10, 1), dt.date(2026, 11, 20)
    assert sites.period_in_words(site, today) == "vom 1. Oktober bis 20. November"
    site.starts_on = site.ends_on = dt.date(2026, 10, 3)
    assert sites.period_in_words(site, today) == "am 3. Oktober"
