"""Proposals and comments, as citizens and staff use them: submit with a place and a picture,
a script tag shown as text, pictures too large, support, comment, report, hide with a reason,
the official answer, links, eligibility and the rate limit, the API and the data copy."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rathaus.core import roles
from rathaus.core.models import AuditEvent, StoredFile
from rathaus.participation.keepers import ROLE
from rathaus.participation.models import (
    AbuseReport,
    Comment,
    Phase,
    Process,
    Proposal,
    Support,
)
from tests.factories import PASSWORD
from tests.factories.accounts import AccountFactory
from tests.factories.core import OrgUnitFactory
from tests.factories.participation import PhaseFactory, ProcessFactory, ProposalFactory
from tests.support import clerk_of, human_check, image, log_in


@pytest.fixture
def process(town):
    process = ProcessFactory(authority=town, slug="buergerpark", title="Ideen für den Bürgerpark",
                             eligibility=Process.Eligibility.RESIDENTS)  # fmt: skip
    PhaseFactory(process=process, kind=Phase.Kind.PROPOSALS)
    return process


def citizen(postal_code: str = "39179") -> tuple[Client, object]:
    account = AccountFactory(postal_code=postal_code)
    client = Client()
    client.force_login(account.user)
    return client, account.user


def url(process, proposal=None, suffix: str = "") -> str:
    base = f"/mitmachen/{process.slug}/vorschlaege/"
    return f"{base}{proposal.uid}/{suffix}" if proposal else f"{base}{suffix}"


def submit(client: Client, process, **fields) -> object:
    data = {"title": "Trinkbrunnen am Spielplatz", "text": "Im Sommer fehlt Wasser.",
            "latitude": "", "longitude": "", **human_check(), **fields}  # fmt: skip
    return client.post(url(process, suffix="neu/"), data)


def keeper(town) -> Client:
    unit = OrgUnitFactory(authority=town, name="Bürgerbüro")
    user = clerk_of(unit, "beteiligung", is_staff=True)
    user.memberships.update(role=roles.role(ROLE))
    return log_in(Client(), "beteiligung", PASSWORD)


def test_submit_with_a_place_and_a_picture(process):
    client, user = citizen()
    page = client.get(f"/mitmachen/{process.slug}/").content.decode()
    assert url(process) in page
    response = submit(client, process, latitude="52,2011", longitude="11,6203")
    proposal = Proposal.objects.get()
    assert response["Location"] == url(process, proposal, "bild/")
    assert (proposal.author, str(proposal.latitude), str(proposal.longitude)) == (
        user, "52.201100", "11.620300")  # fmt: skip
    upload = SimpleUploadedFile("brunnen.png", image("PNG", (1600, 800)), "image/png")
    response = client.post(url(process, proposal, "bild/"),
                           {"picture": upload, "alt": "Ein Brunnen aus Stein"})  # fmt: skip
    assert response["Location"] == url(process, proposal)
    page = client.get(url(process, proposal)).content.decode()
    assert 'alt="Ein Brunnen aus Stein"' in page
    assert "Im Sommer fehlt Wasser." in page
    assert "mlat=52.201100" in page  # the place without JavaScript
    picture = client.get(url(process, proposal, "bild/anzeigen/"))
    assert picture.status_code == 200
    assert picture["Content-Type"] == "image/png"
    proposal.refresh_from_db()
    assert proposal.picture_display.size < proposal.picture.size  # a display version


def test_a_place_outside_the_town_or_swapped_is_refused_and_the_text_kept(process):
    client, _user = citizen()
    response = submit(client, process, latitude="48.137", longitude="11.575")
    assert response.status_code == 422
    page = response.content.decode()
    assert "außerhalb der Gemeinde" in page
    assert "Im Sommer fehlt Wasser." in page
    response = submit(client, process, latitude="11.62", longitude="52.20")
    assert "vertauscht" in response.content.decode()
    assert not Proposal.objects.exists()


def test_a_script_tag_is_shown_as_text(process):
    client, _user = citizen()
    submit(client, process, title="<script>alert(1)</script>",
           text='<script>alert("x")</script> <b>fett</b>')  # fmt: skip
    proposal = Proposal.objects.get()
    for address in (url(process), url(process, proposal)):
        page = client.get(address).content.decode()
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;fett&lt;/b&gt;" in client.get(url(process, proposal)).content.decode()


def test_a_picture_over_the_limit_is_refused_and_the_proposal_kept(process):
    client, _user = citizen()
    submit(client, process)
    proposal = Proposal.objects.get()
    big = SimpleUploadedFile("foto.jpg", b"\xff\xd8\xff" + b"0" * (12 * 1024 * 1024), "image/jpeg")
    response = client.post(url(process, proposal, "bild/"),
                           {"picture": big, "alt": "Der Platz am Teich"})  # fmt: skip
    assert response.status_code == 413
    page = response.content.decode()
    assert "Die Datei ist größer als 10,0" in page
    assert 'value="Der Platz am Teich"' in page  # the description is kept
    # 30 MB: more than the installation takes at all; refused while it arrives
    huge = SimpleUploadedFile("foto.jpg", b"\xff\xd8\xff" + b"0" * (30 * 1024 * 1024))
    response = client.post(url(process, proposal, "bild/"), {"picture": huge, "alt": "x"})
    assert response.status_code == 413
    assert "Die Datei ist zu groß" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.picture_id is None
    assert proposal.text == "Im Sommer fehlt Wasser."  # the proposal itself is kept
    assert "Im Sommer fehlt Wasser." in client.get(url(process, proposal)).content.decode()


def test_the_person_check_is_needed(process):
    client, _user = citizen()
    response = client.post(url(process, suffix="neu/"), {"title": "Bank", "text": "Eine Bank."})
    assert response.status_code == 422
    assert "Bitte bestätigen Sie, dass Sie ein Mensch sind" in response.content.decode()
    assert 'value="Bank"' in response.content.decode()
    assert not Proposal.objects.exists()


def test_support_counts_once_per_account(process):
    proposal = ProposalFactory(process=process)
    client, _user = citizen()
    assert client.post(url(process, proposal, "unterstuetzen/")).status_code == 302
    client.post(url(process, proposal, "unterstuetzen/"))  # a second time: not counted
    other, _other = citizen()
    other.post(url(process, proposal, "unterstuetzen/"))
    assert Support.objects.filter(proposal=proposal).count() == 2
    page = client.get(url(process, proposal)).content.decode()
    assert "2 Personen unterstützen diesen Vorschlag." in page
    assert "Unterstützung zurückziehen" in page
    client.post(url(process, proposal, "unterstuetzen/"), {"zurueckziehen": "1"})
    assert Support.objects.filter(proposal=proposal).count() == 1
    listed = client.get(url(process) + "?sortierung=unterstuetzt").content.decode()
    assert proposal.title in listed


def test_the_list_sorts_by_supports_and_filters_answered(process):
    quiet = ProposalFactory(process=process, title="Ruhige Idee")
    popular = ProposalFactory(process=process, title="Beliebte Idee")
    Proposal.objects.filter(pk=quiet.pk).update(created_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    Support.objects.create(proposal=popular, user=AccountFactory().user)
    client, _user = citizen()
    newest = client.get(url(process)).content.decode()
    assert newest.index("Ruhige Idee") < newest.index("Beliebte Idee")
    supported = client.get(url(process) + "?sortierung=unterstuetzt").content.decode()
    assert supported.index("Beliebte Idee") < supported.index("Ruhige Idee")
    answered = client.get(url(process) + "?beantwortet=ja").content.decode()
    assert "Beliebte Idee" not in answered
    assert "0 Vorschläge" in answered


def test_comment_and_report(process):
    proposal = ProposalFactory(process=process)
    client, user = citizen()
    response = client.post(url(process, proposal, "kommentieren/"),
                           {"text": "<i>Gute</i> Idee!", **human_check()})  # fmt: skip
    assert response.status_code == 302
    comment = Comment.objects.get(proposal=proposal)
    assert comment.author == user
    page = client.get(url(process, proposal)).content.decode()
    assert "&lt;i&gt;Gute&lt;/i&gt; Idee!" in page
    empty = client.post(url(process, proposal, "kommentieren/"), {"text": "", **human_check()})
    assert empty.status_code == 422
    other, reporter = citizen()
    response = other.post(url(process, proposal, "melden/"),
                          {"kommentar": comment.pk, "reason": "Beleidigend"})  # fmt: skip
    assert response.status_code == 302
    report = AbuseReport.objects.get()
    assert (report.comment, report.reporter, report.reason) == (comment, reporter, "Beleidigend")


def test_staff_hide_with_a_reason_answer_and_link(process, town):
    proposal = ProposalFactory(process=process, title="Hundewiese")
    comment = Comment.objects.create(proposal=proposal, author=AccountFactory().user,
                                     text="Unsinn, ihr Idioten")  # fmt: skip
    AbuseReport.objects.create(proposal=proposal, comment=comment,
                               reporter=AccountFactory().user, reason="Beleidigung")  # fmt: skip
    staff = keeper(town)
    overview = staff.get("/verwaltung/mitmachen/vorschlaege/").content.decode()
    assert "Beleidigung" in overview
    assert "Hundewiese" in overview
    base = f"/verwaltung/mitmachen/vorschlaege/{proposal.pk}/"
    assert staff.post(f"{base}kommentare/{comment.pk}/sichtbarkeit/",
                      {"reason": "Beleidigung anderer"}).status_code == 302  # fmt: skip
    assert not AbuseReport.objects.filter(closed_at__isnull=True).exists()
    assert staff.post(f"{base}antwort/", {"text": "Wir prüfen die Fläche am Sportplatz."}
                      ).status_code == 302  # fmt: skip
    assert staff.post(f"{base}verknuepfungen/", {"paper_path": "/etwas/anderes/",
                                                 "paper_label": "BV 12"}).status_code == 422  # fmt: skip
    citizen_client, _user = citizen()
    page = citizen_client.get(url(process, proposal)).content.decode()
    assert "Offizielle Antwort der Gemeinde" in page
    assert "Wir prüfen die Fläche am Sportplatz." in page
    assert "Unsinn" not in page
    assert "Beleidigung anderer" in page
    assert staff.post(f"{base}sichtbarkeit/", {"reason": ""}).status_code == 422
    assert staff.post(f"{base}sichtbarkeit/", {"reason": "Doppelt eingereicht"}).status_code == 302
    assert citizen_client.get(url(process, proposal)).status_code == 404
    assert "Hundewiese" not in citizen_client.get(url(process)).content.decode()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"participation.comment.hidden", "participation.proposal.answered",
            "participation.proposal.hidden"} <= actions  # fmt: skip
    staff.post(f"{base}sichtbarkeit/", {"zeigen": "1"})
    assert citizen_client.get(url(process, proposal)).status_code == 200


def test_a_citizen_is_not_staff(process):
    client, _user = citizen()
    assert client.get("/verwaltung/mitmachen/vorschlaege/").status_code in (302, 403)


def test_a_non_resident_may_not_submit_support_or_comment(process):
    proposal = ProposalFactory(process=process)
    client, _user = citizen(postal_code="10115")
    response = submit(client, process)
    assert response.status_code == 403
    assert "nur Einwohnerinnen und Einwohner von Gemeinde Barleben" in response.content.decode()
    assert client.post(url(process, proposal, "unterstuetzen/")).status_code == 403
    response = client.post(url(process, proposal, "kommentieren/"), {"text": "Hallo"})
    assert response.status_code == 403
    assert not Support.objects.exists()
    assert Proposal.objects.count() == 1
    anonymous = Client().get(url(process, suffix="neu/"))
    assert anonymous.status_code == 403
    assert "anmelden" in anonymous.content.decode()


def test_outside_the_proposals_phase_nothing_is_taken(process):
    process.phases.update(starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2020, 2, 1))
    proposal = ProposalFactory(process=process)
    client, _user = citizen()
    assert submit(client, process)["Location"] == url(process)
    client.post(url(process, proposal, "unterstuetzen/"))
    assert not Support.objects.exists()
    assert Proposal.objects.count() == 1
    assert "Vorschlag einreichen" not in client.get(url(process)).content.decode()


def test_the_rate_limit(process):
    client, _user = citizen()
    for _number in range(5):
        assert submit(client, process).status_code == 302
    response = submit(client, process)
    assert response.status_code == 429
    assert response["Retry-After"]
    assert Proposal.objects.count() == 5


def test_the_api_lists_published_proposals_only(process):
    shown = ProposalFactory(process=process, title="Sichtbar", latitude="52.2", longitude="11.6")
    ProposalFactory(process=process, title="Versteckt", state=Proposal.State.HIDDEN)
    Support.objects.create(proposal=shown, user=AccountFactory().user)
    response = Client().get(f"/api/v1/participation/processes/{process.slug}/proposals")
    assert response.status_code == 200
    data = response.json()
    assert [(item["title"], item["supports"], item["latitude"]) for item in data] == [
        ("Sichtbar", 1, 52.2)]  # fmt: skip
    assert Client().get("/api/v1/participation/processes/gibtsnicht/proposals").status_code == 404
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/participation/processes/{slug}/proposals" in schema["paths"]


def test_the_data_copy_and_closing_the_account(process, django_capture_on_commit_callbacks):
    client, user = citizen()
    submit(client, process)
    proposal = Proposal.objects.get()
    upload = SimpleUploadedFile("bank.png", image("PNG"), "image/png")
    client.post(url(process, proposal, "bild/"), {"picture": upload, "alt": "Eine Bank"})
    proposal.refresh_from_db()
    pictures = [proposal.picture_id, proposal.picture_display_id]
    assert all(pictures)
    other = ProposalFactory(process=process)
    client.post(url(process, other, "unterstuetzen/"))
    client.post(url(process, other, "kommentieren/"), {"text": "Dafür!", **human_check()})
    from rathaus.accounts import gdpr

    data = gdpr.export_data(user.account)["participation_proposals"]  # type: ignore[attr-defined]
    assert [item["title"] for item in data["proposals"]] == [proposal.title]
    assert [item["text"] for item in data["comments"]] == ["Dafür!"]
    assert [item["proposal"] for item in data["supports"]] == [other.title]
    assert data["proposals"][0]["has_picture"] is True
    json.dumps(data)
    with django_capture_on_commit_callbacks(execute=True):
        gdpr.delete_account(user.account, None)  # type: ignore[attr-defined]
    assert not StoredFile.objects.filter(pk__in=pictures).exists()
    assert not Proposal.objects.filter(pk=proposal.pk).exists()
    assert not Comment.objects.exists()
    assert not Support.objects.exists()


def test_the_demo_has_proposals_with_supports_comments_and_an_answer(barleben):
    from rathaus.core.demo import Tally
    from rathaus.participation import proposal_demo

    process = Process.objects.get(authority=barleben, slug="ideen-buergerpark")
    found = list(Proposal.objects.filter(process=process))
    assert len(found) == 4
    assert Support.objects.filter(proposal__process=process).count() == 9
    page = Client().get("/mitmachen/ideen-buergerpark/vorschlaege/?sortierung=unterstuetzt")
    text = page.content.decode()
    assert text.index("Mehr Bänke mit Lehne") < text.index("Beleuchtung am Hauptweg")
    trinkbrunnen = next(item for item in found if item.title == "Trinkbrunnen am Spielplatz")
    detail = Client().get(url(process, trinkbrunnen)).content.decode()
    assert "Offizielle Antwort der Gemeinde" in detail
    assert "niedrigen Zapfstelle" in detail
    tally = Tally()
    proposal_demo.load(tally)
    assert not tally.changed
