"""Competitions as citizens meet them: sending an entry with a picture and consent, voting
with a verified login (and the refusals), the results only after their time, and the result
record that detects a changed vote."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from rathaus.participation import result_records
from rathaus.participation.models import Ballot, Entry, ResultRecord
from tests.factories import AccountFactory
from tests.factories.participation import CompetitionFactory, EntryFactory, ProcessFactory


@pytest.fixture
def competition(town):
    process = ProcessFactory(authority=town, slug="logo", eligibility="residents",
                             min_trust_level="substantial")  # fmt: skip
    return CompetitionFactory(process=process, title="Logo für Barleben", votes_per_person=2)


def _client(postal_code: str = "39179", level: str | None = "substantial") -> tuple[Client, object]:
    account = AccountFactory(postal_code=postal_code)
    client = Client()
    client.force_login(account.user)
    if level:
        session = client.session
        session["rathaus_trust_level"] = level
        session.save()
    return client, account.user


def _url(competition, name: str = "competition") -> str:
    return reverse(f"participation:{name}", args=[competition.process.slug, competition.uid])


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "#c0392b").save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_resident_votes_twice_then_has_no_votes_left(competition):
    entries = [EntryFactory(competition=competition, title=f"Entwurf {n}") for n in "ABC"]
    client, _user = _client()
    page = client.get(_url(competition))
    assert "Sie haben 0 von 2 Stimmen vergeben." in page.content.decode()
    assert f'alt="{entries[0].description}"' in page.content.decode()
    answer = client.post(_url(competition, "vote"), {"eintrag": str(entries[0].uid)})
    assert answer.status_code == 302
    again = client.post(_url(competition, "vote"), {"eintrag": str(entries[0].uid)})
    assert again.status_code == 409
    assert "Sie haben für diesen Beitrag schon gestimmt." in again.content.decode()
    client.post(_url(competition, "vote"), {"eintrag": str(entries[1].uid)})
    page = client.get(_url(competition)).content.decode()
    assert "Sie haben 2 von 2 Stimmen vergeben." in page
    third = client.post(_url(competition, "vote"), {"eintrag": str(entries[2].uid)})
    assert third.status_code == 409
    assert "Sie haben alle Ihre Stimmen vergeben (2)." in third.content.decode()
    assert Ballot.objects.count() == 2


def test_votes_need_the_trust_level_and_an_address_in_the_town(competition):
    entry = EntryFactory(competition=competition)
    basic, _user = _client(level=None)
    refused = basic.post(_url(competition, "vote"), {"eintrag": str(entry.uid)})
    assert refused.status_code == 403
    assert "Vertrauensniveau „substantiell“" in refused.content.decode()
    outside, _user = _client(postal_code="10115")
    refused = outside.post(_url(competition, "vote"), {"eintrag": str(entry.uid)})
    assert refused.status_code == 403
    assert "(10115)" in refused.content.decode()
    anonymous = Client().post(_url(competition, "vote"), {"eintrag": str(entry.uid)})
    assert anonymous.status_code == 403
    assert Ballot.objects.count() == 0


def test_an_entry_needs_consent_and_a_picture_that_is_not_svg(competition):
    competition.entries_from = timezone.now() - dt.timedelta(days=1)
    competition.entries_until = timezone.now() + dt.timedelta(days=1)
    competition.save()
    client, user = _client()
    data = {"title": "Kanal und Kirche", "description": "Eine blaue Welle unter einem Turm",
            "author_name": "Ilse Beispiel"}  # fmt: skip
    svg = SimpleUploadedFile("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>',
                             content_type="image/svg+xml")  # fmt: skip
    refused = client.post(_url(competition, "entry_new"), data | {"image": svg})
    assert refused.status_code in (413, 422)
    html = refused.content.decode()
    assert "Bitte stimmen Sie der Veröffentlichung zu" in html
    assert 'value="Kanal und Kirche"' in html
    svg.seek(0)
    refused = client.post(_url(competition, "entry_new"), data | {"image": svg, "consent": "on"})
    assert refused.status_code == 422
    assert Entry.objects.count() == 0
    png = SimpleUploadedFile("logo.png", _png(), content_type="image/png")
    sent = client.post(_url(competition, "entry_new"), data | {"image": png, "consent": "on"})
    assert sent.status_code == 302
    entry = Entry.objects.get()
    assert entry.state == Entry.State.SUBMITTED
    assert entry.submitted_by == user
    assert entry.consent_at is not None
    # not shown before the administration admits it
    assert Client().get(
        reverse("participation:entry_picture",
                args=[competition.process.slug, competition.uid, entry.uid])
    ).status_code == 404  # fmt: skip


def test_results_are_hidden_before_their_time_then_recorded_once(competition):
    first, second = EntryFactory(competition=competition), EntryFactory(competition=competition)
    for _n in range(3):
        client, _user = _client()
        client.post(_url(competition, "vote"), {"eintrag": str(first.uid)})
    client.post(_url(competition, "vote"), {"eintrag": str(second.uid)})
    early = Client().get(_url(competition, "competition_results")).content.decode()
    assert "Die Ergebnisse werden am" in early
    assert ResultRecord.objects.count() == 0
    competition.vote_until = timezone.now() - dt.timedelta(minutes=2)
    competition.results_at = timezone.now() - dt.timedelta(minutes=1)
    competition.save()
    page = Client().get(_url(competition, "competition_results")).content.decode()
    Client().get(_url(competition, "competition_results"))
    record = ResultRecord.objects.get()
    assert record.ballot_count == 4
    assert record.counts == {str(first.uid): 3, str(second.uid): 1}
    assert record.ballots_sha256 in page
    assert record.audit_previous_hash
    assert result_records.verify(record).matches


def test_the_record_detects_a_changed_vote(competition):
    first, second = EntryFactory(competition=competition), EntryFactory(competition=competition)
    client, _user = _client()
    client.post(_url(competition, "vote"), {"eintrag": str(first.uid)})
    record = result_records.publish_if_due(competition, now=competition.results_at)
    assert result_records.verify(record).matches
    Ballot.objects.update(entry=second)
    check = result_records.verify(record)
    assert not check.matches
    assert check.stored != check.computed


def test_deleting_an_account_keeps_the_vote_and_the_hash(competition):
    entry = EntryFactory(competition=competition)
    client, user = _client()
    client.post(_url(competition, "vote"), {"eintrag": str(entry.uid)})
    record = result_records.publish_if_due(competition, now=competition.results_at)
    user.delete()
    ballot = Ballot.objects.get()
    assert ballot.user is None
    assert result_records.verify(record).matches


def test_the_demo_logo_competition_is_in_its_vote_with_drawn_entries(town):
    from rathaus.core.demo import Tally
    from rathaus.participation import competition_demo
    from rathaus.participation.models import Competition

    tally = Tally()
    competition_demo.load(tally)
    competition_demo.load(tally)
    assert tally["Competition: created"] == 1
    assert tally["Competition: unchanged"] == 1
    competition = Competition.objects.get(title="Logo für SmartCity Barleben")
    assert competition.entries.count() == 5
    assert Ballot.objects.filter(competition=competition).count() == 44
    html = Client().get(_url(competition)).content.decode()
    assert "Welle und Turm" in html
    assert "Zum Abstimmen anmelden" in html
    entry = competition.entries.first()
    picture = Client().get(reverse("participation:entry_picture", args=[
        competition.process.slug, competition.uid, entry.uid]))  # fmt: skip
    assert picture["Content-Type"] == "image/png"
    assert b"".join(picture.streaming_content).startswith(b"\x89PNG")


def test_changing_votes_and_the_record_together_still_shows(competition):
    first, second = EntryFactory(competition=competition), EntryFactory(competition=competition)
    client, _user = _client()
    client.post(_url(competition, "vote"), {"eintrag": str(first.uid)})
    record = result_records.publish_if_due(competition, now=competition.results_at)
    Ballot.objects.update(entry=second)
    record.ballots_sha256 = result_records.ballots_hash(competition)
    record.save()
    assert not result_records.verify(record).matches  # the audit entry keeps the first hash


def test_the_command_line_check_reports_a_changed_vote(competition):
    from django.core.management import CommandError, call_command

    first, second = EntryFactory(competition=competition), EntryFactory(competition=competition)
    client, _user = _client()
    client.post(_url(competition, "vote"), {"eintrag": str(first.uid)})
    result_records.publish_if_due(competition, now=competition.results_at)
    out = io.StringIO()
    call_command("verify_results", stdout=out)
    assert "1 result record(s) match." in out.getvalue()
    Ballot.objects.update(entry=second)
    with pytest.raises(CommandError, match="1 result record"):
        call_command("verify_results", stdout=io.StringIO(), stderr=io.StringIO())


def test_the_data_copy_lists_the_accounts_votes(competition):
    from rathaus.participation.setup import export

    entry = EntryFactory(competition=competition, title="Kanal")
    client, user = _client()
    client.post(_url(competition, "vote"), {"eintrag": str(entry.uid)})
    copy = export(user.account)
    assert [vote["entry"] for vote in copy["competition_votes"]] == ["Kanal"]
    assert copy["competition_entries"] == []
