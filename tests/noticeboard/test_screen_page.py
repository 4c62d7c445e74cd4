"""The screen page /anzeige/<slug>/: without JavaScript one page per request with a refresh to
the next (all slides of all slots, ``?n=`` wraps around); the JSON for screen.js with a version
that changes with the configuration; last_seen written at most once a minute; an unknown or
inactive screen is a plain 404; a failing source is left out, no content is a calm page."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.utils import timezone

from rathaus.core import signage
from rathaus.noticeboard import screens
from rathaus.noticeboard.models import Screen
from tests.factories import AuthorityFactory
from tests.factories.noticeboard import ScreenFactory, SlotFactory

pytestmark = [pytest.mark.django_db, pytest.mark.database]  # counts queries: PostgreSQL too
REFRESH = re.compile(
    r'<noscript><meta http-equiv="refresh" content="(\d+);url=\?n=(\d+)"></noscript>'
)


def _numbers(authority, options):
    count = int(options.get("count", 2))
    return [signage.Slide(heading="Zahl", title=f"Seite {n}", lines=[f"Zeile {n}"],
                          facts=[signage.Fact("Wert", str(n))]) for n in range(1, count + 1)]  # fmt: skip


def _broken(authority, options):
    raise RuntimeError("the source's database is gone")


@pytest.fixture(autouse=True)
def sources() -> Iterator[None]:
    signage.register(signage.SignageSource("test.numbers", "Testzahlen", _numbers))
    signage.register(signage.SignageSource("test.broken", "Kaputt", _broken))
    yield
    signage._sources.pop("test.numbers")
    signage._sources.pop("test.broken")


@pytest.fixture
def screen() -> Screen:
    town = AuthorityFactory(slug="barleben", name="Gemeinde Barleben")
    shown = ScreenFactory(authority=town, slug="rathaus-foyer", name="Rathaus Foyer")
    SlotFactory(screen=shown, source="test.numbers", seconds=20, position=0, options={"count": 2})
    SlotFactory(screen=shown, source="test.broken", seconds=10, position=1)
    SlotFactory(screen=shown, source="test.numbers", seconds=7, position=2, options={"count": 1})
    return shown


def test_without_javascript_the_refresh_cycles_through_every_slide_of_every_slot(screen):
    client = Client()
    seen = []
    address = "/anzeige/rathaus-foyer/"
    for _ in range(4):
        response = client.get(address)
        assert response.status_code == 200
        html = response.content.decode()
        seconds, following = REFRESH.search(html).groups()
        title = re.search(r'<h1 class="screen-title">([^<]+)</h1>', html).group(1)
        seen.append((title, int(seconds)))
        assert "Gemeinde Barleben" in html
        assert re.search(r'<time id="screen-clock" datetime="[^"]+">\d\d:\d\d</time>', html)
        address = f"/anzeige/rathaus-foyer/?n={following}"
    # two pages of the first slot (20 s), the broken slot left out, one page of the third (7 s),
    # then the first again
    assert seen == [("Seite 1", 20), ("Seite 2", 20), ("Seite 1", 7), ("Seite 1", 20)]
    html = client.get("/anzeige/rathaus-foyer/?n=2").content.decode()
    assert "Quelle: Testzahlen" in html
    assert "Seite 3 von 3" in html
    assert '<progress id="screen-progress" max="3" value="3"' in html
    assert "<dt>Wert</dt><dd>1</dd>" in html


@pytest.mark.parametrize(("number", "title"), [("4", "Seite 2"), ("-1", "Seite 1"), ("x", "Seite 1"),
                                           ("300", "Seite 1")])  # fmt: skip
def test_the_page_number_wraps_around_and_nonsense_starts_at_the_first(screen, number, title):
    html = Client().get(f"/anzeige/rathaus-foyer/?n={number}").content.decode()
    assert f'<h1 class="screen-title">{title}</h1>' in html


def test_a_failing_source_is_logged_and_the_others_still_show(screen, caplog):
    data = Client().get("/anzeige/rathaus-foyer/inhalt.json").json()
    assert [slide["title"] for slide in data["slides"]] == ["Seite 1", "Seite 2", "Seite 1"]
    assert "content source test.broken failed" in caplog.text


def test_the_script_is_loaded_with_the_nonce_and_nothing_is_inline(screen):
    response = Client().get("/anzeige/rathaus-foyer/")
    html = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert f'src="/static/noticeboard/screen.js" nonce="{nonce}" defer' in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert all("src=" in attributes or 'type="application/json"' in attributes
               for attributes in scripts)  # fmt: skip
    assert "style=" not in html


def test_the_json_has_the_slides_the_town_and_a_version_that_follows_the_configuration(screen):
    client = Client()
    data = client.get("/anzeige/rathaus-foyer/inhalt.json").json()
    assert data["town"] == "Gemeinde Barleben"
    assert data["slides"][0] == {
        "heading": "Zahl", "title": "Seite 1", "lines": ["Zeile 1"],
        "facts": [{"label": "Wert", "value": "1"}], "severity": "info", "path": "",
        "updated": None, "source": "Testzahlen", "seconds": 20, "calm": False,
    }  # fmt: skip
    assert data["refresh"] == screens.REFRESH_SECONDS
    version = data["version"]
    assert client.get("/anzeige/rathaus-foyer/inhalt.json").json()["version"] == version
    slot = screen.slots.get(position=2)
    slot.seconds = 8
    slot.save()
    changed = client.get("/anzeige/rathaus-foyer/inhalt.json").json()["version"]
    assert changed != version
    SlotFactory(screen=screen, source="test.numbers", position=3)
    assert client.get("/anzeige/rathaus-foyer/inhalt.json").json()["version"] != changed


def test_the_page_embeds_the_same_content_and_version_as_the_json(screen):
    client = Client()
    html = client.get("/anzeige/rathaus-foyer/").content.decode()
    data = client.get("/anzeige/rathaus-foyer/inhalt.json").json()
    assert f'"version": "{data["version"]}"' in html
    assert 'data-content-url="/anzeige/rathaus-foyer/inhalt.json"' in html


def test_last_seen_is_written_at_most_once_a_minute(screen, django_assert_num_queries):
    client = Client()
    assert screen.last_seen_at is None
    client.get("/anzeige/rathaus-foyer/inhalt.json")
    screen.refresh_from_db()
    first = screen.last_seen_at
    assert first is not None
    client.get("/anzeige/rathaus-foyer/inhalt.json")
    screen.refresh_from_db()
    assert screen.last_seen_at == first
    Screen.objects.filter(pk=screen.pk).update(last_seen_at=first - dt.timedelta(seconds=61))
    client.get("/anzeige/rathaus-foyer/")
    screen.refresh_from_db()
    assert screen.last_seen_at > first - dt.timedelta(seconds=61)
    # a preview of staff does not count as the screen asking
    Screen.objects.filter(pk=screen.pk).update(last_seen_at=None)
    client.get("/anzeige/rathaus-foyer/?vorschau=1")
    client.get("/anzeige/rathaus-foyer/inhalt.json?vorschau=1")
    screen.refresh_from_db()
    assert screen.last_seen_at is None


def test_touch_skips_the_write_within_a_minute(screen, django_assert_num_queries):
    now = timezone.now()
    assert screens.touch(screen, now)
    with django_assert_num_queries(0):
        assert not screens.touch(screen, now + dt.timedelta(seconds=59))
    with django_assert_num_queries(1):
        assert screens.touch(screen, now + dt.timedelta(seconds=60))


def test_an_unknown_or_inactive_screen_is_a_plain_404_that_looks_again(screen):
    client = Client()
    for address in ("/anzeige/gibt-es-nicht/", "/anzeige/gibt-es-nicht/inhalt.json"):
        assert client.get(address).status_code == 404
    html = client.get("/anzeige/gibt-es-nicht/").content.decode()
    assert "Anzeige nicht gefunden" in html
    assert '<meta http-equiv="refresh" content="300">' in html
    Screen.objects.filter(pk=screen.pk).update(active=False)
    assert client.get("/anzeige/rathaus-foyer/").status_code == 404
    assert client.get("/anzeige/rathaus-foyer/inhalt.json").json() == {
        "error": "no active screen with this address"
    }


def test_a_screen_without_content_shows_the_town_and_the_date(screen):
    screen.slots.all().delete()
    client = Client()
    html = client.get("/anzeige/rathaus-foyer/").content.decode()
    assert '<h1 class="screen-title">Gemeinde Barleben</h1>' in html
    assert "screen-slide--calm" in html
    assert REFRESH.search(html).groups() == ("60", "0")
    data = client.get("/anzeige/rathaus-foyer/inhalt.json").json()
    assert [slide["calm"] for slide in data["slides"]] == [True]
    # only failing sources: the same calm page, not an error
    SlotFactory(screen=screen, source="test.broken")
    SlotFactory(screen=screen, source="gone.source")
    assert "screen-slide--calm" in client.get("/anzeige/rathaus-foyer/").content.decode()


def test_the_screen_answers_in_a_fixed_number_of_queries(screen, django_assert_max_num_queries):
    for count in (1, 5):
        screen.slots.filter(position=0).update(options={"count": count})
        with django_assert_max_num_queries(4):
            assert Client().get("/anzeige/rathaus-foyer/inhalt.json").status_code == 200
