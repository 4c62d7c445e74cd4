"""The council office keeps the meetings at /verwaltung/rat/: who may, a meeting with its agenda
(add, edit, reorder, remove, papers on items), cancelling with a confirmation, soft delete and
the audit log."""

from __future__ import annotations

import pytest
from django.test import Client

from rathaus.core import roles
from rathaus.core.models import AuditEvent
from rathaus.council.keepers import ROLE
from rathaus.council.models import AgendaItem, Body, Consultation, Meeting
from tests.factories import PASSWORD, AuthorityFactory
from tests.factories.core import OrgUnitFactory
from tests.factories.council import (
    AgendaItemFactory,
    BodyFactory,
    MeetingFactory,
    OrganizationFactory,
    PaperFactory,
)
from tests.factories.council import (
    FileFactory as CouncilFileFactory,
)
from tests.support import clerk_of, log_in

pytestmark = pytest.mark.django_db
HOME = "/verwaltung/rat/"


@pytest.fixture
def town():
    return AuthorityFactory(slug="barleben", name="Gemeinde Barleben")


def keeper(town, username="ratsbuero", role=ROLE) -> Client:
    unit = OrgUnitFactory(authority=town, name="Ratsbüro")
    user = clerk_of(unit, username, is_staff=True)
    user.memberships.update(role=roles.role(role))
    return log_in(Client(), username, PASSWORD)


def meeting_data(**changes: str) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "12. Sitzung des Gemeinderates", "start": "2026-03-12T18:00",
        "end": "2026-03-12T21:00", "location": "", "meeting_state": "terminiert",
    }  # fmt: skip
    data.update(changes)
    return data


def test_the_council_is_made_on_first_use_and_a_keeper_adds_a_meeting(town):
    client = keeper(town)
    nav = client.get("/verwaltung/").content.decode()
    assert f'href="{HOME}"' in nav
    assert ">Gemeinderat</a>" in nav
    page = client.get(HOME)
    assert page.status_code == 200
    body = Body.objects.get(authority=town)
    assert body.name == "Gemeinderat Barleben"
    council = OrganizationFactory(body=body, name="Gemeinderat")

    saved = client.post(f"{HOME}sitzungen/neu/", meeting_data(organizations=[council.pk]))
    assert saved.status_code == 302
    meeting = Meeting.objects.get(body=body)
    assert list(meeting.organizations.all()) == [council]
    assert saved["Location"] == f"{HOME}sitzungen/{meeting.pk}/"
    assert AuditEvent.objects.filter(action="council.meeting.created", object_id=str(meeting.pk),
                                     authority=town).exists()  # fmt: skip
    assert "12. Sitzung des Gemeinderates" in client.get(f"{HOME}?zeit=vergangen").content.decode()


def test_an_end_before_the_start_is_refused_and_nothing_typed_is_lost(town):
    client = keeper(town)
    response = client.post(f"{HOME}sitzungen/neu/", meeting_data(end="2026-03-12T17:00"))
    assert response.status_code == 422
    html = response.content.decode()
    assert "Das Ende kann nicht vor dem Beginn liegen." in html
    assert 'value="12. Sitzung des Gemeinderates"' in html
    assert not Meeting.objects.exists()


def test_cancelling_needs_a_confirmation(town):
    client = keeper(town)
    meeting = MeetingFactory(body=BodyFactory(authority=town))
    url = f"{HOME}sitzungen/{meeting.pk}/"
    refused = client.post(url, meeting_data(cancelled="on"))
    assert refused.status_code == 422
    meeting.refresh_from_db()
    assert not meeting.cancelled
    assert client.post(url, meeting_data(cancelled="on", confirm_cancel="on")).status_code == 302
    meeting.refresh_from_db()
    assert meeting.cancelled
    assert AuditEvent.objects.filter(action="council.meeting.cancelled").exists()


def test_the_agenda_is_kept_without_javascript(town):
    client = keeper(town)
    meeting = MeetingFactory(body=BodyFactory(authority=town))
    url = f"{HOME}sitzungen/{meeting.pk}/"
    for number, name in (("Ö 1", "Eröffnung"), ("Ö 2", "Haushalt 2027"), ("N 3", "Grundstück")):
        response = client.post(f"{url}tagesordnung/", {"new-number": number, "new-name": name,
                                                       "new-public": "on" if number[0] == "Ö"
                                                       else ""})  # fmt: skip
        assert response.status_code == 302
    first, second, third = AgendaItem.objects.filter(meeting=meeting).order_by("order")
    assert not third.public

    client.post(f"{url}tagesordnung/{third.pk}/verschieben/", {"direction": "up"})
    names = list(meeting.agenda_items.order_by("order").values_list("name", flat=True))
    assert names == ["Eröffnung", "Grundstück", "Haushalt 2027"]

    edit = client.post(f"{url}tagesordnung/{second.pk}/", {
        f"item{second.pk}-number": "Ö 3", f"item{second.pk}-name": "Haushalt 2027",
        f"item{second.pk}-public": "on", f"item{second.pk}-result": "beschlossen",
        f"item{second.pk}-resolution_text": "Der Gemeinderat beschließt den Haushalt.",
    })  # fmt: skip
    assert edit.status_code == 302
    second.refresh_from_db()
    assert second.result == "beschlossen"

    empty = client.post(f"{url}tagesordnung/{second.pk}/", {f"item{second.pk}-name": ""})
    assert empty.status_code == 422

    client.post(f"{url}tagesordnung/{first.pk}/entfernen/")
    first.refresh_from_db()
    assert first.deleted
    client.get(url)  # shows the message "… was removed" once
    assert "Eröffnung" not in client.get(url).content.decode()


def test_a_paper_is_put_on_an_agenda_item(town):
    client = keeper(town)
    body = BodyFactory(authority=town)
    council = OrganizationFactory(body=body, name="Gemeinderat")
    meeting = MeetingFactory(body=body)
    meeting.organizations.add(council)
    item = AgendaItemFactory(meeting=meeting, body=body)
    paper = PaperFactory(body=body, reference="BV-0081/2020")
    response = client.post(f"{HOME}sitzungen/{meeting.pk}/vorlagen/", {
        "link-agenda_item": item.pk, "link-paper": paper.pk, "link-role": "Entscheidung",
        "link-authoritative": "on",
    })  # fmt: skip
    assert response.status_code == 302
    consultation = Consultation.objects.get(paper=paper)
    assert consultation.agenda_item == item
    assert consultation.meeting == meeting
    assert consultation.authoritative
    assert consultation.role == "Entscheidung"
    assert list(consultation.organizations.all()) == [council]
    assert "BV-0081/2020" in client.get(f"{HOME}sitzungen/{meeting.pk}/").content.decode()


def test_deleting_is_soft_confirmed_and_audited(town):
    client = keeper(town)
    meeting = MeetingFactory(body=BodyFactory(authority=town))
    item = AgendaItemFactory(meeting=meeting, body=meeting.body)
    meeting.invitation = CouncilFileFactory(body=meeting.body)
    meeting.save()
    before = meeting.modified
    url = f"{HOME}sitzungen/{meeting.pk}/loeschen/"
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 422
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    meeting.refresh_from_db()
    item.refresh_from_db()
    assert meeting.deleted
    assert item.deleted
    assert meeting.modified > before
    assert meeting.invitation.deleted
    assert client.get(f"{HOME}sitzungen/{meeting.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="council.meeting.deleted").exists()


def test_a_clerk_and_other_authorities_are_kept_out(town):
    other = AuthorityFactory(slug="wolmirstedt", name="Stadt Wolmirstedt")
    foreign = MeetingFactory(body=BodyFactory(authority=other))
    clerk = keeper(town, "buergerbuero", role=roles.CLERK)
    assert clerk.get(HOME).status_code == 403
    assert ">Gemeinderat</a>" not in clerk.get("/verwaltung/").content.decode()
    client = keeper(town)
    assert client.get(f"{HOME}sitzungen/{foreign.pk}/").status_code == 404
    assert client.post(f"{HOME}sitzungen/{foreign.pk}/loeschen/",
                       {"confirm": "yes"}).status_code == 404  # fmt: skip
    foreign.refresh_from_db()
    assert not foreign.deleted


def test_the_council_details_are_kept_in_a_small_form(town):
    client = keeper(town)
    response = client.post(f"{HOME}gemeinderat/?behoerde=barleben", {
        "name": "Gemeinderat der Gemeinde Barleben", "short_name": "GR", "website": "",
        "contact_name": "Ratsbüro", "contact_email": "ratsbuero@example.org",
    })  # fmt: skip
    assert response.status_code == 302
    assert Body.objects.get(authority=town).name == "Gemeinderat der Gemeinde Barleben"


def test_committees_are_chosen_by_checkboxes_without_the_factions(town):
    client = keeper(town)
    client.get(HOME)
    body = Body.objects.get(authority=town)
    council = OrganizationFactory(body=body, name="Gemeinderat", position=0)
    building = OrganizationFactory(body=body, name="Bauausschuss", position=1)
    faction = OrganizationFactory(
        body=body, name="Fraktion Offene Liste", organization_type="Fraktion"
    )

    page = client.get(f"{HOME}sitzungen/neu/").content.decode()
    form = page.split('<fieldset class="kern-fieldset"')[1].split("</fieldset>")[0]
    assert f'type="checkbox" name="organizations" value="{council.pk}"' in form
    assert f'type="checkbox" name="organizations" value="{building.pk}"' in form
    assert "Fraktion Offene Liste" not in page
    assert "<legend" in form
    assert "<select" not in form

    client.post(f"{HOME}sitzungen/neu/", meeting_data(organizations=[council.pk, building.pk]))
    meeting = Meeting.objects.get(body=body)
    assert set(meeting.organizations.all()) == {council, building}
    # an organisation a meeting already has (imported) stays choosable: saving loses nothing
    meeting.organizations.add(faction)
    edit = client.get(f"{HOME}sitzungen/{meeting.pk}/").content.decode()
    assert "checked" in edit.split(f'name="organizations" value="{faction.pk}"')[1].split(">")[0]
