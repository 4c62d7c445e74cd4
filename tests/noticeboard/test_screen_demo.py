"""The Barleben demo has three screens (town hall foyer, library, stele) with content that
suits their place; every screen answers; loading again changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from rathaus.core import signage
from rathaus.core.demo import Tally
from rathaus.noticeboard import screen_demo
from rathaus.noticeboard.models import Screen, Slot

pytestmark = pytest.mark.django_db
NOTICES = "noticeboard.notices"  # registered by the notices part of the notice board


def test_the_demo_screens_show_their_content(barleben):
    found = {screen.slug: screen for screen in Screen.objects.filter(authority=barleben)}
    assert {"rathaus-foyer", "bibliothek", "stele-breiteweg"} <= set(found)
    known = {source.key for source in signage.registered()} | {NOTICES}
    for slug in ("rathaus-foyer", "bibliothek", "stele-breiteweg"):
        slots = list(found[slug].slots.all())
        assert len(slots) >= 3, slug
        assert {slot.source for slot in slots} <= known, slug
        assert all(5 <= slot.seconds <= 300 for slot in slots)
        response = Client().get(f"/anzeige/{slug}/")
        assert response.status_code == 200
        assert "Gemeinde Barleben" in response.content.decode()
        data = Client().get(f"/anzeige/{slug}/inhalt.json").json()
        assert data["slides"], slug
    # the foyer shows the construction sites of the demo
    titles = [slide["title"] for slide in Client().get("/anzeige/rathaus-foyer/inhalt.json")
              .json()["slides"]]  # fmt: skip
    assert any("Breiteweg" in title for title in titles), titles


def test_loading_again_changes_nothing(barleben):
    slots = Slot.objects.count()
    tally = Tally()
    screen_demo.load(tally)
    assert not tally.changed, tally
    assert Slot.objects.count() == slots
