"""Staff run a competition at /verwaltung/mitmachen/: create it, admit or reject entries with
a reason, shortlist for the vote, see counts only after the vote, check the result record;
the results in the API only after their time."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from rathaus.core.models import AuditEvent
from rathaus.participation import competitions
from rathaus.participation.models import Ballot, Competition, Entry
from tests.factories import AccountFactory
from tests.factories.participation import CompetitionFactory, EntryFactory, ProcessFactory
from tests.support import role_holder

pytestmark = pytest.mark.django_db
STAFF = "/verwaltung/mitmachen/"


def keeper(town, username: str = "beteiligung", role: str = "Beteiligung") -> Client:
    return role_holder(town, username, role)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "#16a085").save(buffer, format="PNG")
    return buffer.getvalue()


def test_staff_create_a_competition_and_decide_on_entries(town):
    client = keeper(town)
    process = ProcessFactory(authority=town, slug="logo")
    assert "Wettbewerb hinzufügen" in client.get(f"{STAFF}{process.pk}/").content.decode()
    now = timezone.now().replace(second=0, microsecond=0)
    times = {name: (now + dt.timedelta(days=offset)).strftime("%Y-%m-%dT%H:%M")
             for name, offset in [("entries_from", -1), ("entries_until", 5), ("jury_until", 7),
                                  ("vote_from", 8), ("vote_until", 15), ("results_at", 16)]}  # fmt: skip
    bad = client.post(f"{STAFF}{process.pk}/wettbewerbe/neu/", {
        "title": "Logo", "rules": "Ein Logo", "votes_per_person": "3",
        **times, "results_at": times["vote_from"]})  # fmt: skip
    assert bad.status_code == 422
    assert "Die Zeiten müssen aufeinander folgen" in bad.content.decode()
    made = client.post(f"{STAFF}{process.pk}/wettbewerbe/neu/", {
        "title": "Logo", "rules": "Ein Logo", "votes_per_person": "3", **times})  # fmt: skip
    competition = Competition.objects.get()
    url = f"{STAFF}wettbewerbe/{competition.pk}/"
    assert made["Location"] == url
    citizen = AccountFactory().user
    entry = competitions.submit_entry(
        competition, citizen, title="Welle", description="Eine Welle", author_name="Ilse",
        image=SimpleUploadedFile("welle.png", _png(), content_type="image/png"))  # fmt: skip
    page = client.get(url).content.decode()
    assert "Welle" in page
    assert "Die Stimmenzahlen werden gezeigt" in page
    assert client.get(f"{url}beitraege/{entry.pk}/bild/").status_code == 200
    client.post(f"{url}beitraege/{entry.pk}/", {"entscheidung": "ablehnen", "note": ""})
    entry.refresh_from_db()
    assert entry.state == Entry.State.SUBMITTED  # a rejection needs its reason
    client.post(f"{url}beitraege/{entry.pk}/", {"entscheidung": "zulassen", "note": ""})
    client.post(f"{url}beitraege/{entry.pk}/", {"entscheidung": "auswaehlen", "note": "Klar"})
    entry.refresh_from_db()
    assert entry.state == Entry.State.SHORTLISTED
    assert entry.jury_note == "Klar"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"participation.competition.created", "participation.entry.admitted",
            "participation.entry.shortlisted"} <= actions  # fmt: skip
    other = keeper(town, username="fremd", role="Bürgerbüro")
    assert other.get(url).status_code in (403, 404)


def test_counts_and_the_record_check_after_the_vote(town):
    client = keeper(town)
    competition = CompetitionFactory(process=ProcessFactory(authority=town, slug="logo"))
    entry = EntryFactory(competition=competition, title="Kanal")
    account = AccountFactory()
    competitions.cast_vote(competition, account.user, entry, "substantial")
    url = f"{STAFF}wettbewerbe/{competition.pk}/"
    assert "Kanal: 1" not in client.get(url).content.decode()
    api = f"/api/v1/participation/competitions/{competition.uid}/results"
    assert Client().get(api).status_code == 404
    Competition.objects.filter(pk=competition.pk).update(
        vote_until=timezone.now() - dt.timedelta(minutes=2),
        results_at=timezone.now() - dt.timedelta(minutes=1))  # fmt: skip
    page = client.get(url).content.decode()
    assert "Kanal: 1" in page
    assert "stimmen mit dem Ergebnisprotokoll überein" in page
    body = Client().get(api).json()
    assert body["ballots"] == 1
    assert body["ranking"] == [{"place": 1, "entry": str(entry.uid), "title": "Kanal",
                                "author": entry.author_name, "votes": 1}]  # fmt: skip
    Ballot.objects.update(slot=2)
    checked = client.post(f"{url}pruefen/", follow=True).content.decode()
    assert "stimmen NICHT mit dem Ergebnisprotokoll überein" in checked


def test_the_competition_results_are_in_the_openapi_schema(db):
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/participation/competitions/{uid}/results" in schema["paths"]
