"""The construction sites as GeoJSON (the list API with filters and paging), iCalendar and Atom:
only published sites of the portal's authority."""

from __future__ import annotations

import datetime as dt

import pytest
from defusedxml import ElementTree
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from rathaus.construction import source
from rathaus.construction.models import Publication
from rathaus.core import datasets
from tests.factories import AuthorityFactory, DisruptionFactory
from tests.factories.core import LocalityFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def town():
    return AuthorityFactory(slug="barleben", name="Gemeinde Barleben")


def days(number: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=number)


def test_geojson_has_the_published_sites_with_their_properties(town):
    ebendorf = LocalityFactory(authority=town, name="Ebendorf")
    site = DisruptionFactory(authority=town, title="Sperrung", locality=ebendorf,
                             streets=["Breiteweg"], ends_on=None, until_further_notice=True)  # fmt: skip
    DisruptionFactory(authority=town, status=Publication.DRAFT)
    DisruptionFactory(title="Woanders")

    response = Client().get("/baustellen/baustellen.geojson")

    assert response["Content-Type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert body["numberMatched"] == 1 == body["numberReturned"]
    feature = body["features"][0]
    assert feature["id"] == str(site.uid)
    assert feature["geometry"] == site.geometry
    properties = feature["properties"]
    assert properties["title"] == "Sperrung"
    assert properties["village"] == "Ebendorf"
    assert properties["streets"] == ["Breiteweg"]
    assert properties["ends_on"] is None
    assert properties["until_further_notice"] is True
    assert properties["url"].endswith(f"/baustellen/{site.uid}/")
    for key in ("kind", "starts_on", "detour", "responsible"):
        assert key in properties


def test_geojson_filters_and_pages(town):
    ebendorf = LocalityFactory(authority=town, name="Ebendorf")
    for number in range(5):
        DisruptionFactory(authority=town, title=f"Aktuell {number}", locality=ebendorf)
    DisruptionFactory(authority=town, title="Geplant", starts_on=days(5), ends_on=days(8))
    DisruptionFactory(authority=town, title="Fern", geometry={"type": "Point",
                                                              "coordinates": [13.4, 52.5]})  # fmt: skip

    client = Client()
    first = client.get("/baustellen/baustellen.geojson?ort=Ebendorf&limit=2").json()
    assert first["numberMatched"] == 5
    assert first["numberReturned"] == 2
    next_link = next(link["href"] for link in first["links"] if link["rel"] == "next")
    assert "seite=2" in next_link
    assert "ort=Ebendorf" in next_link
    last = client.get("/baustellen/baustellen.geojson?ort=Ebendorf&limit=2&seite=3").json()
    assert last["numberReturned"] == 1
    assert {link["rel"] for link in last["links"]} == {"self", "prev"}

    planned = client.get("/baustellen/baustellen.geojson?zeit=geplant").json()
    assert [f["properties"]["title"] for f in planned["features"]] == ["Geplant"]
    on_day = client.get(f"/baustellen/baustellen.geojson?datum={days(6).isoformat()}").json()
    assert "Geplant" in [f["properties"]["title"] for f in on_day["features"]]
    berlin = client.get("/baustellen/baustellen.geojson?bbox=13,52,14,53").json()
    assert [f["properties"]["title"] for f in berlin["features"]] == ["Fern"]

    for query in ("limit=0", "limit=abc", "limit=100000", "seite=-1", "bbox=1,2,3",
                  "bbox=14,52,13,53", "bbox=nan,1,2,3", "zeit=morgen", "datum=1.1.",
                  "seite=99999999999"):  # fmt: skip
        bad = client.get(f"/baustellen/baustellen.geojson?{query}")
        assert bad.status_code == 400, query
        assert bad["Content-Type"].startswith("application/problem+json")


def test_geojson_lists_current_then_planned_then_ended_sites(town):
    DisruptionFactory(authority=town, title="Beendet alt", starts_on=days(-90), ends_on=days(-60))
    DisruptionFactory(authority=town, title="Beendet neu", starts_on=days(-30), ends_on=days(-2))
    DisruptionFactory(authority=town, title="Geplant", starts_on=days(10), ends_on=days(20))
    DisruptionFactory(authority=town, title="Aktuell spät", starts_on=days(-1), ends_on=None,
                      until_further_notice=True)  # fmt: skip
    DisruptionFactory(authority=town, title="Aktuell früh", starts_on=days(-20), ends_on=days(3))

    body = Client().get("/baustellen/baustellen.geojson").json()

    assert [feature["properties"]["title"] for feature in body["features"]] == [
        "Aktuell früh", "Aktuell spät", "Geplant", "Beendet neu", "Beendet alt",
    ]  # fmt: skip


def test_icalendar_has_one_all_day_event_per_site_with_an_exclusive_end(town):
    site = DisruptionFactory(authority=town, title="Kanal", starts_on=dt.date(2026, 12, 3),
                             ends_on=dt.date(2026, 12, 18))  # fmt: skip
    open_end = DisruptionFactory(authority=town, title="Buschweg", starts_on=days(-40),
                                 ends_on=None, until_further_notice=True)  # fmt: skip
    DisruptionFactory(authority=town, title="Entwurf", status=Publication.DRAFT)

    response = Client().get("/baustellen/baustellen.ics")

    assert response["Content-Type"].startswith("text/calendar")
    events = {str(e["uid"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}
    assert set(events) == {f"{site.uid}@baustellen", f"{open_end.uid}@baustellen"}
    event = events[f"{site.uid}@baustellen"]
    assert event.decoded("dtstart") == dt.date(2026, 12, 3)
    assert event.decoded("dtend") == dt.date(2026, 12, 19)
    # until further notice: from its first day up to today, not one day long ago
    open_event = events[f"{open_end.uid}@baustellen"]
    assert open_event.decoded("dtstart") == days(-40)
    assert open_event.decoded("dtend") == days(1)
    assert "bis auf Weiteres" in str(open_event["summary"])
    assert "Bis auf Weiteres" in str(open_event["description"])
    again = Client().get("/baustellen/baustellen.ics")
    assert {str(e["uid"]) for e in Calendar.from_ical(again.content).walk("VEVENT")} == set(events)


def test_atom_lists_published_sites_with_their_change_date(town):
    site = DisruptionFactory(authority=town, title="Breiteweg")
    DisruptionFactory(authority=town, title="Entwurf", status=Publication.DRAFT)

    response = Client().get("/baustellen/baustellen.atom")

    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["Breiteweg"]
    assert entries[0].findtext(f"{ATOM}id") == f"urn:uuid:{site.uid}"
    assert entries[0].findtext(f"{ATOM}updated")[:19] == site.updated_at.isoformat()[:19]


def test_the_dataset_source_describes_the_three_feeds(town):
    registered = datasets.get("construction.sites")
    assert registered is source.SOURCE
    assert registered.themes == ("TRAN",)
    assert not registered.applies(town)
    assert registered.modified(town) is None
    site = DisruptionFactory(authority=town)
    DisruptionFactory(authority=town, status=Publication.DRAFT)
    assert registered.applies(town)
    assert registered.modified(town) == site.updated_at
    formats = {(d.path, d.format, d.media_type) for d in registered.distributions(town)}
    assert formats == {
        ("/baustellen/baustellen.geojson", "GEOJSON", "application/geo+json"),
        ("/baustellen/baustellen.ics", "ICS", "text/calendar"),
        ("/baustellen/baustellen.atom", "ATOM", "application/atom+xml"),
    }
    for distribution in registered.distributions(town):
        assert Client().get(distribution.path).status_code == 200


def test_icalendar_answers_not_modified_until_a_site_changes(town):
    site = DisruptionFactory(authority=town, title="Kanal")
    first = Client().get("/baustellen/baustellen.ics")
    etag = first["ETag"]
    assert Client().get("/baustellen/baustellen.ics", HTTP_IF_NONE_MATCH=etag).status_code == 304
    site.title = "Kanal Nord"
    site.save()
    changed = Client().get("/baustellen/baustellen.ics", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert "Kanal Nord" in changed.content.decode()
    assert changed["ETag"] != etag


def test_icalendar_cache_and_etag_depend_on_the_filters_alone(town, monkeypatch):
    from rathaus.construction import feeds

    DisruptionFactory(authority=town, title="Kanal")
    built = []
    calendar = feeds._calendar
    monkeypatch.setattr(feeds, "_calendar", lambda *args: built.append(1) or calendar(*args))

    first = Client().get("/baustellen/baustellen.ics?x=1")
    second = Client().get("/baustellen/baustellen.ics?x=2&y=3")
    plain = Client().get("/baustellen/baustellen.ics")

    assert first.status_code == second.status_code == plain.status_code == 200
    assert first["ETag"] == second["ETag"] == plain["ETag"]
    assert len(built) == 1
    filtered = Client().get("/baustellen/baustellen.ics?zeit=geplant")
    assert filtered["ETag"] != plain["ETag"]
    assert len(built) == 2


def test_atom_summary_escapes_staff_text(town):
    DisruptionFactory(
        authority=town,
        title="<script>alert(1)</script>",
        streets=['<img src=x onerror="alert(2)">'],
        description="<b>fett</b> & mehr",
    )

    response = Client().get("/baustellen/baustellen.atom")

    entry = ElementTree.fromstring(response.content).find(f"{ATOM}entry")
    title = entry.find(f"{ATOM}title")
    assert title.get("type") in (None, "text")  # shown as text, not as HTML
    assert title.text == "<script>alert(1)</script>"
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert "<img" not in summary.text
    assert "<b>" not in summary.text
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in summary.text
    assert "&lt;b&gt;fett&lt;/b&gt; &amp; mehr" in summary.text
