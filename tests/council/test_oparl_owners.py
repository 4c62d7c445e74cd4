"""Security review of issue 19: what OParl serves once its owner is gone or closed.

A file is served only while a live public owner has it; deleting a paper, an agenda item or a
meeting marks deleted the files nothing else uses, and touches the objects that embed what
changed. A non-public agenda item keeps only its place, in OParl as on /rat/.
"""

from __future__ import annotations

import pytest
from django.test import Client

from rathaus.core import roles
from rathaus.council.keepers import ROLE
from rathaus.council.models import AgendaItem, File, Meeting, Paper
from tests.factories import PASSWORD, AuthorityFactory
from tests.factories.core import OrgUnitFactory
from tests.factories.council import (
    AgendaItemFactory,
    BodyFactory,
    ConsultationFactory,
    FileFactory,
    MeetingFactory,
    PaperFactory,
)
from tests.support import clerk_of, log_in

pytestmark = pytest.mark.django_db
STAFF = "/verwaltung/rat/"


@pytest.fixture
def body():
    return BodyFactory(authority=AuthorityFactory(slug="barleben", name="Gemeinde Barleben"))


def keeper(body) -> Client:
    unit = OrgUnitFactory(authority=body.authority, name="Ratsbüro")
    user = clerk_of(unit, "ratsbuero", is_staff=True)
    user.memberships.update(role=roles.role(ROLE))
    return log_in(Client(), "ratsbuero", PASSWORD)


def file_list(body) -> dict[int, dict]:
    data = Client().get(f"/oparl/v1/body/{body.pk}/file/").json()["data"]
    return {int(entry["id"].rsplit("/", 1)[1]): entry for entry in data}


def served(file: File) -> list[int]:
    client = Client()
    return [
        client.get(f"/oparl/v1/file/{file.pk}").status_code,
        client.get(f"/oparl/v1/file/{file.pk}/inhalt").status_code,
        client.get(f"/oparl/v1/file/{file.pk}/download").status_code,
    ]


def test_the_files_of_a_deleted_paper_are_no_longer_served(body):
    main, annex, shared = FileFactory(body=body), FileFactory(body=body), FileFactory(body=body)
    paper = PaperFactory(body=body, main_file=main)
    paper.auxiliary_files.add(annex, shared)
    PaperFactory(body=body).auxiliary_files.add(shared)
    assert served(main) == [200, 200, 200]
    response = keeper(body).post(f"{STAFF}vorlagen/{paper.pk}/loeschen/", {"confirm": "yes"})
    assert response.status_code == 302
    for gone in (main, annex):
        before = gone.modified
        gone.refresh_from_db()
        assert gone.deleted
        assert gone.modified > before
        assert served(gone) == [200, 404, 404]  # the object says deleted: true, nothing more
        assert file_list(body)[gone.pk] == {
            key: value for key, value in file_list(body)[gone.pk].items()
            if key in ("id", "type", "created", "modified", "deleted")
        }  # fmt: skip
        assert Client().get(f"/oparl/v1/file/{gone.pk}").json()["deleted"] is True
    shared.refresh_from_db()
    assert not shared.deleted  # the other paper still has it
    assert served(shared) == [200, 200, 200]


def test_a_file_whose_owners_were_deleted_before_is_not_served_either(body):
    # deleted by an import or an older version: the file itself was never marked
    orphan, loose = FileFactory(body=body), FileFactory(body=body)
    PaperFactory(body=body, main_file=orphan, deleted=True)
    meeting = MeetingFactory(body=body, deleted=True)
    AgendaItemFactory(body=body, meeting=meeting, public=True, resolution_file=loose)
    item_file = FileFactory(body=body)
    AgendaItemFactory(body=body, meeting=MeetingFactory(body=body), public=True,
                      deleted=True).auxiliary_files.add(item_file)  # fmt: skip
    for file in (orphan, loose, item_file, FileFactory(body=body)):
        assert served(file) == [404, 404, 404]
        assert file.pk not in file_list(body)


def test_removing_an_agenda_item_retires_its_files_and_touches_meeting_and_paper(body):
    meeting = MeetingFactory(body=body)
    item = AgendaItemFactory(body=body, meeting=meeting, public=True)
    resolution, annex = FileFactory(body=body), FileFactory(body=body)
    item.resolution_file = resolution
    item.save()
    item.auxiliary_files.add(annex)
    paper = PaperFactory(body=body)
    ConsultationFactory(body=body, paper=paper, meeting=meeting, agenda_item=item)
    before = {"meeting": Meeting.objects.get(pk=meeting.pk).modified,
              "paper": Paper.objects.get(pk=paper.pk).modified}  # fmt: skip
    assert served(annex) == [200, 200, 200]
    response = keeper(body).post(f"{STAFF}sitzungen/{meeting.pk}/tagesordnung/{item.pk}/entfernen/")
    assert response.status_code == 302
    for file in (resolution, annex):
        assert File.objects.get(pk=file.pk).deleted
        assert served(file)[1:] == [404, 404]
    assert Meeting.objects.get(pk=meeting.pk).modified > before["meeting"]
    assert Paper.objects.get(pk=paper.pk).modified > before["paper"]
    since = before["paper"].isoformat().replace("+", "%2B")
    changed = Client().get(f"/oparl/v1/body/{body.pk}/paper/?modified_since={since}").json()
    assert [entry["id"] for entry in changed["data"]] == [
        f"http://testserver/oparl/v1/paper/{paper.pk}"
    ]


def test_deleting_a_meeting_retires_its_items_files_but_not_a_papers(body):
    meeting = MeetingFactory(body=body)
    item = AgendaItemFactory(body=body, meeting=meeting, public=True)
    own, papers = FileFactory(body=body), FileFactory(body=body)
    item.auxiliary_files.add(own, papers)
    paper = PaperFactory(body=body, main_file=papers)
    ConsultationFactory(body=body, paper=paper, meeting=meeting, agenda_item=item)
    before = Paper.objects.get(pk=paper.pk).modified
    client = keeper(body)
    assert client.post(f"{STAFF}sitzungen/{meeting.pk}/loeschen/",
                       {"confirm": "yes"}).status_code == 302  # fmt: skip
    assert File.objects.get(pk=own.pk).deleted
    assert served(own)[1:] == [404, 404]
    assert not File.objects.get(pk=papers.pk).deleted
    assert served(papers) == [200, 200, 200]
    assert Paper.objects.get(pk=paper.pk).modified > before  # its consultation went


def test_removing_a_consultation_touches_the_agenda_item_and_its_meeting(body):
    meeting = MeetingFactory(body=body)
    item = AgendaItemFactory(body=body, meeting=meeting, public=True)
    paper = PaperFactory(body=body)
    consultation = ConsultationFactory(body=body, paper=paper, meeting=meeting, agenda_item=item)
    before = AgendaItem.objects.get(pk=item.pk).modified
    response = keeper(body).post(
        f"{STAFF}vorlagen/{paper.pk}/beratungen/{consultation.pk}/entfernen/"
    )
    assert response.status_code == 302
    assert AgendaItem.objects.get(pk=item.pk).modified > before
    assert Meeting.objects.get(pk=meeting.pk).modified > before
    data = Client().get(f"/oparl/v1/agendaitem/{item.pk}").json()
    assert "consultation" not in data


def test_a_non_public_agenda_item_shows_only_its_place(body):
    meeting = MeetingFactory(body=body)
    closed = AgendaItemFactory(
        body=body, meeting=meeting, public=False, number="N 7", name="Grundstücksverkauf Müller",
        result="vertraulich", resolution_text="Verkauf an Herrn Beispiel",
    )  # fmt: skip
    closed.auxiliary_files.add(FileFactory(body=body))
    paper = PaperFactory(body=body)
    consultation = ConsultationFactory(body=body, paper=paper, meeting=meeting, agenda_item=closed)
    client = Client()
    alone = client.get(f"/oparl/v1/agendaitem/{closed.pk}").json()
    place = {"id", "type", "meeting", "order", "number", "public", "created", "modified"}
    assert set(alone) == place
    assert alone["public"] is False
    assert alone["number"] == "N 7"
    (embedded,) = client.get(f"/oparl/v1/meeting/{meeting.pk}").json()["agendaItem"]
    assert set(embedded) == place - {"meeting"}
    listed = client.get(f"/oparl/v1/body/{body.pk}/agendaitem/").json()["data"]
    assert set(listed[0]) == place
    for url in (f"/oparl/v1/consultation/{consultation.pk}", f"/oparl/v1/paper/{paper.pk}"):
        text = client.get(url).content.decode()
        assert f"agendaitem/{closed.pk}" not in text
        assert "Grundstück" not in text
    shown = client.get(f"/oparl/v1/consultation/{consultation.pk}").json()
    assert shown["meeting"] == f"http://testserver/oparl/v1/meeting/{meeting.pk}"
    public = AgendaItemFactory(body=body, meeting=meeting, public=True, name="Haushalt")
    open_one = ConsultationFactory(body=body, paper=paper, meeting=meeting, agenda_item=public)
    shown = client.get(f"/oparl/v1/consultation/{open_one.pk}").json()
    assert shown["agendaItem"] == f"http://testserver/oparl/v1/agendaitem/{public.pk}"


def test_a_file_alone_names_only_its_live_public_owners(body):
    file = FileFactory(body=body)
    paper = PaperFactory(body=body, main_file=file)
    PaperFactory(body=body, deleted=True).auxiliary_files.add(file)
    closed = AgendaItemFactory(body=body, meeting=MeetingFactory(body=body), public=False)
    closed.auxiliary_files.add(file)
    hidden = FileFactory(body=body, master_file=file)
    AgendaItemFactory(body=body, public=False, resolution_file=hidden)
    data = Client().get(f"/oparl/v1/file/{file.pk}").json()
    assert data["paper"] == [f"http://testserver/oparl/v1/paper/{paper.pk}"]
    assert "agendaItem" not in data
    assert "derivativeFile" not in data
