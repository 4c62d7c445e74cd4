"""The Atom feed of the notices: valid XML with stable ids, only what is public and recent, per
category with ?bereich=, and the list page announces it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from defusedxml import ElementTree
from django.test import Client

from rathaus.noticeboard.models import Category, Notice
from tests.factories import AuthorityFactory, NoticeFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def town():
    return AuthorityFactory(slug="barleben", name="Gemeinde Barleben")


def entries(path: str) -> tuple[Any, list[Any]]:
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    return feed, feed.findall(f"{ATOM}entry")


def test_the_feed_has_the_public_recent_notices_with_stable_ids(town):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    newest = NoticeFactory(
        authority=town, title="Haushaltssatzung <2027>", category=Category.BUDGET,
        summary="Der Haushalt & die Anlagen.", put_up_at=now - dt.timedelta(hours=1),
    )  # fmt: skip
    older = NoticeFactory(authority=town, title="Wahlbekanntmachung",
                          category=Category.ELECTIONS, put_up_at=now - dt.timedelta(days=2))  # fmt: skip
    withdrawn = NoticeFactory(
        authority=town, title="Einladung", status=Notice.Status.WITHDRAWN,
        withdrawn_reason="Termin verlegt", put_up_at=now - dt.timedelta(days=3),
    )  # fmt: skip
    NoticeFactory(authority=town, title="Alt", status=Notice.Status.ENDED,
                  put_up_at=now - dt.timedelta(days=40))  # fmt: skip
    NoticeFactory(authority=town, title="Entwurf", status=Notice.Status.DRAFT, put_up_at=None)
    NoticeFactory(authority=town, title="Geplant", status=Notice.Status.SCHEDULED,
                  display_from=now + dt.timedelta(days=1), put_up_at=None)  # fmt: skip
    NoticeFactory(authority=AuthorityFactory(), title="Anderer Ort")

    feed, found = entries("/bekanntmachungen/feed.atom")

    assert feed.findtext(f"{ATOM}title") == "Bekanntmachungen – Gemeinde Barleben"
    assert [entry.findtext(f"{ATOM}title") for entry in found] == [
        "Haushaltssatzung <2027>", "Wahlbekanntmachung", "Einladung",
    ]  # fmt: skip
    first = found[0]
    assert first.findtext(f"{ATOM}id") == f"urn:uuid:{newest.uid}"
    assert dt.datetime.fromisoformat(first.findtext(f"{ATOM}updated")) == newest.put_up_at
    link = first.find(f"{ATOM}link").get("href")
    assert link == f"http://testserver/bekanntmachungen/{newest.uid}/"
    summary = first.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert "Der Haushalt &amp; die Anlagen." in summary.text  # escaped once more for HTML
    assert "Haushalt" in summary.text
    assert found[1].findtext(f"{ATOM}id") == f"urn:uuid:{older.uid}"
    assert "Zurückgezogen: Termin verlegt" in found[2].find(f"{ATOM}summary").text
    assert found[2].findtext(f"{ATOM}id") == f"urn:uuid:{withdrawn.uid}"


def test_the_feed_of_one_category_and_a_bad_category(town):
    NoticeFactory(authority=town, title="Wahlbekanntmachung", category=Category.ELECTIONS)
    NoticeFactory(authority=town, title="Hundesteuersatzung", category=Category.STATUTES)

    feed, found = entries("/bekanntmachungen/feed.atom?bereich=wahlen")

    assert [entry.findtext(f"{ATOM}title") for entry in found] == ["Wahlbekanntmachung"]
    assert feed.findtext(f"{ATOM}title") == "Bekanntmachungen: Wahlen – Gemeinde Barleben"
    self_link = next(link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self")
    assert self_link.get("href") == "http://testserver/bekanntmachungen/feed.atom?bereich=wahlen"

    bad = Client().get("/bekanntmachungen/feed.atom?bereich=alles")
    assert bad.status_code == 400
    assert bad["Content-Type"] == "application/problem+json"
    assert "wahlen" in bad.json()["detail"]


def test_the_list_page_announces_the_feed_of_its_category(town):
    html = Client().get("/bekanntmachungen/?bereich=haushalt").content.decode()

    assert (
        '<link rel="alternate" type="application/atom+xml" title="Bekanntmachungen als '
        'Nachrichten-Feed: Haushalt" href="/bekanntmachungen/feed.atom?bereich=haushalt">'
    ) in html
