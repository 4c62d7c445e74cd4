"""Current construction sites on the screens of the notice board (``construction.sites``):
published sites in place today only, with streets, until when and the detour, in one query."""

from __future__ import annotations

import datetime as dt

import pytest

from rathaus.construction.models import Disruption, Publication
from rathaus.core import signage
from tests.factories import AuthorityFactory, DisruptionFactory
from tests.factories.core import LocalityFactory

pytestmark = [pytest.mark.django_db, pytest.mark.database]  # counts queries: PostgreSQL too


def test_current_published_sites_with_streets_period_and_detour(django_assert_num_queries):
    town = AuthorityFactory()
    today = dt.date.today()
    village = LocalityFactory(authority=town, name="Ebendorf")
    closure = DisruptionFactory(authority=town, title="Vollsperrung Breiteweg", locality=village,
                                streets=["Breiteweg", "Schanze"], detour="Über die Bahnhofstraße.",
                                ends_on=today + dt.timedelta(days=3))  # fmt: skip
    DisruptionFactory(authority=town, title="Entwurf", status=Publication.DRAFT)
    DisruptionFactory(authority=town, title="Geplant", starts_on=today + dt.timedelta(days=5),
                      ends_on=today + dt.timedelta(days=9))  # fmt: skip
    DisruptionFactory(authority=town, title="Vorbei", starts_on=today - dt.timedelta(days=9),
                      ends_on=today - dt.timedelta(days=2))  # fmt: skip
    DisruptionFactory(authority=AuthorityFactory(), title="Anderswo")
    DisruptionFactory(authority=town, title="Baustelle Schulweg", kind=Disruption.Kind.ROADWORKS,
                      streets=[], detour="", ends_on=None, until_further_notice=True)  # fmt: skip
    with django_assert_num_queries(1):
        slides = signage.get("construction.sites").slides(town, {})
    assert [slide.title for slide in slides] == ["Vollsperrung Breiteweg", "Baustelle Schulweg"]
    site, works = slides
    assert site.heading == "Sperrung"
    assert site.severity == "warning"
    assert site.lines[0] == "Breiteweg, Schanze (Ebendorf)"
    assert site.lines[1].startswith("seit ")
    assert "bis voraussichtlich" in site.lines[1]
    assert [(fact.label, fact.value) for fact in site.facts] == [
        ("Umleitung", "Über die Bahnhofstraße.")]  # fmt: skip
    assert site.path == f"/baustellen/{closure.uid}/"
    assert works.severity == "info"
    assert len(works.lines) == 1
    assert "bis auf Weiteres" in works.lines[0]
    assert works.facts == []


def test_the_demo_labels_only_detours_as_detours(barleben):
    slides = signage.get("construction.sites").slides(barleben, {})
    detours = {slide.title: fact.value for slide in slides for fact in slide.facts}
    assert detours["Ausbau Buschweg"] == "Bitte über die Bahnhofstraße fahren."
    # a closure or a lane with traffic lights is no detour: it is said in the description
    assert not [text for text in detours.values() if "gesperrt" in text or "Ampel" in text]
