"""Staff configure the screens (/verwaltung/bekanntmachungen/anzeigen/): create and edit with
clear errors (address taken, seconds out of range), slots added from the registered sources,
options, reordered and removed without JavaScript, every change audited; the list shows when a
screen was last reachable; only keepers of the notice board of the authority."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from rathaus.core import roles
from rathaus.core.models import AuditEvent
from rathaus.noticeboard.keepers import ROLE
from rathaus.noticeboard.models import Screen, Slot
from tests.factories import PASSWORD, AuthorityFactory
from tests.factories.core import OrgUnitFactory
from tests.factories.noticeboard import ScreenFactory, SlotFactory
from tests.support import clerk_of, log_in

pytestmark = pytest.mark.django_db
LIST = "/verwaltung/bekanntmachungen/anzeigen/"


@pytest.fixture
def town():
    return AuthorityFactory(slug="barleben", name="Gemeinde Barleben")


def member(town, username="hauptamt", role=ROLE) -> Client:
    unit = OrgUnitFactory(authority=town, name=f"Amt {username}")
    user = clerk_of(unit, username, is_staff=True)
    user.memberships.update(role=roles.role(role))
    return log_in(Client(), username, PASSWORD)


def test_a_keeper_creates_a_screen_and_gives_it_content(town):
    client = member(town)
    assert client.get(LIST).status_code == 200
    response = client.post(f"{LIST}neu/?behoerde=barleben", {
        "name": "Rathaus Foyer", "place": "Rathaus, Eingangshalle", "slug": "rathaus-foyer",
        "active": "on",
    })  # fmt: skip
    screen = Screen.objects.get(slug="rathaus-foyer")
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}{screen.pk}/"
    assert screen.authority == town
    page = client.get(response["Location"]).content.decode()
    assert "/anzeige/rathaus-foyer/" in page
    assert '<option value="council.meetings">Nächste Sitzungen des Gemeinderates</option>' in page
    response = client.post(f"{LIST}{screen.pk}/inhalte/neu/",
                           {"neu-source": "council.meetings", "neu-seconds": "20"})  # fmt: skip
    assert response.status_code == 302
    client.post(f"{LIST}{screen.pk}/inhalte/neu/",
                {"neu-source": "construction.sites", "neu-seconds": "15"})  # fmt: skip
    meetings, sites = screen.slots.order_by("position")
    assert (meetings.source, meetings.seconds, sites.source) == ("council.meetings", 20,
                                                                 "construction.sites")  # fmt: skip
    # the days ahead of the meetings, an option of that source only
    page = client.get(f"{LIST}{screen.pk}/").content.decode()
    assert f'name="inhalt-{meetings.pk}-days"' in page
    assert f'name="inhalt-{sites.pk}-days"' not in page
    client.post(f"{LIST}{screen.pk}/inhalte/{meetings.pk}/",
                {f"inhalt-{meetings.pk}-seconds": "30", f"inhalt-{meetings.pk}-days": "7"})  # fmt: skip
    meetings.refresh_from_db()
    assert (meetings.seconds, meetings.options) == (30, {"days": 7})
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"noticeboard.screen.created", "noticeboard.screen.slot_added",
            "noticeboard.screen.slot_changed"} <= actions  # fmt: skip


def test_reorder_and_remove_without_javascript(town):
    client = member(town)
    screen = ScreenFactory(authority=town)
    first, second, third = (SlotFactory(screen=screen, source=key, position=n) for n, key in
                            enumerate(["council.meetings", "construction.sites",
                                       "opendata.sensors"]))  # fmt: skip
    client.post(f"{LIST}{screen.pk}/inhalte/{third.pk}/verschieben/", {"richtung": "hoch"})
    assert list(screen.slots.order_by("position").values_list("pk", flat=True)) == [
        first.pk, third.pk, second.pk]  # fmt: skip
    client.post(f"{LIST}{screen.pk}/inhalte/{first.pk}/verschieben/", {"richtung": "runter"})
    assert list(screen.slots.order_by("position").values_list("pk", flat=True)) == [
        third.pk, first.pk, second.pk]  # fmt: skip
    # the first cannot go further up: nothing changes
    client.post(f"{LIST}{screen.pk}/inhalte/{third.pk}/verschieben/", {"richtung": "hoch"})
    assert screen.slots.order_by("position").first().pk == third.pk
    response = client.post(f"{LIST}{screen.pk}/inhalte/{first.pk}/entfernen/")
    assert response.status_code == 302
    assert not Slot.objects.filter(pk=first.pk).exists()
    assert AuditEvent.objects.filter(action="noticeboard.screen.slot_removed").count() == 1
    assert client.get(f"{LIST}{screen.pk}/inhalte/{second.pk}/entfernen/").status_code == 405


def test_an_address_already_taken_is_a_clear_error(town):
    ScreenFactory(slug="bibliothek", name="Bibliothek")  # another authority's screen
    client = member(town)
    response = client.post(f"{LIST}neu/", {"name": "Bücherei", "slug": "bibliothek"})
    html = response.content.decode()
    assert response.status_code == 422
    assert "Die Adresse „bibliothek“ hat schon die Anzeige „Bibliothek“" in html
    assert 'id="error-summary"' in html
    assert 'value="Bücherei"' in html  # nothing typed is lost
    response = client.post(f"{LIST}neu/", {"name": "Bücherei", "slug": "Bücherei Süd"})
    assert "nur Kleinbuchstaben, Ziffern und Bindestriche" in response.content.decode()
    assert Screen.objects.filter(authority=town).count() == 0


@pytest.mark.parametrize("seconds", ["4", "301", "zehn", ""])
def test_seconds_out_of_range_are_a_clear_error(town, seconds):
    client = member(town)
    screen = ScreenFactory(authority=town)
    slot = SlotFactory(screen=screen, source="council.meetings", seconds=15)
    response = client.post(f"{LIST}{screen.pk}/inhalte/{slot.pk}/",
                           {f"inhalt-{slot.pk}-seconds": seconds})  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 422
    assert ("5 bis 300 Sekunden" in html or "ganze Zahl" in html
            or "Sekunden pro Seite ein" in html)  # fmt: skip
    assert 'id="error-summary"' in html
    slot.refresh_from_db()
    assert slot.seconds == 15
    response = client.post(f"{LIST}{screen.pk}/inhalte/neu/",
                           {"neu-source": "council.meetings", "neu-seconds": seconds})  # fmt: skip
    assert response.status_code == 422
    assert screen.slots.count() == 1
    response = client.post(f"{LIST}{screen.pk}/inhalte/neu/",
                           {"neu-source": "", "neu-seconds": "15"})  # fmt: skip
    assert "Bitte wählen Sie den Inhalt." in response.content.decode()


def test_the_list_shows_when_a_screen_was_last_reachable(town):
    now = timezone.now()
    ScreenFactory(authority=town, name="Bibliothek", last_seen_at=now - dt.timedelta(minutes=3))
    ScreenFactory(authority=town, name="Stele Breiteweg", last_seen_at=now - dt.timedelta(hours=2))
    ScreenFactory(authority=town, name="Neu im Lager", active=False)
    html = member(town).get(LIST).content.decode()
    rows = {name: html.split(f">{name}</a>")[1].split("</tr>")[0] for name in
            ("Bibliothek", "Stele Breiteweg", "Neu im Lager")}  # fmt: skip
    assert "vor 3\xa0Minuten" in rows["Bibliothek"]
    assert "Nicht erreichbar" not in rows["Bibliothek"]
    assert "Nicht erreichbar:" in rows["Stele Breiteweg"]
    assert "nie" in rows["Neu im Lager"]
    assert "Nicht erreichbar" not in rows["Neu im Lager"]  # switched off: not expected to ask


def test_only_keepers_of_the_authority(town):
    other = AuthorityFactory(slug="wolmirstedt")
    foreign = ScreenFactory(authority=other)
    clerk = member(town, "buergerbuero", roles.CLERK)
    assert clerk.get(LIST).status_code == 403
    assert clerk.get(f"{LIST}neu/").status_code == 403
    keeper = member(town, "hauptamt2")
    assert keeper.get(f"{LIST}{foreign.pk}/").status_code == 404
    slot = SlotFactory(screen=foreign, source="council.meetings")
    assert keeper.post(f"{LIST}{foreign.pk}/inhalte/{slot.pk}/entfernen/").status_code == 404
    assert Slot.objects.filter(pk=slot.pk).exists()
    assert Client().get(LIST).status_code == 302  # not logged in: to the login
