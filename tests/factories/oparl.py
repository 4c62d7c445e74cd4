"""A small but complete council for the OParl server's tests: every object type and the edge
cases a server must handle (a deleted paper, a non-public agenda item with its own file, an
imported file without stored content, a file derived from another)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from rathaus.core.models import Authority
from tests.factories.council import (
    AgendaItemFactory,
    BodyFactory,
    ConsultationFactory,
    FileFactory,
    LegislativeTermFactory,
    LocationFactory,
    MeetingFactory,
    MembershipFactory,
    OrganizationFactory,
    PaperFactory,
    PersonFactory,
)

CC_BY = "https://creativecommons.org/licenses/by/4.0/"


def realistic_council(authority: Authority) -> SimpleNamespace:
    body = BodyFactory(
        authority=authority, name="Gemeinderat Barleben", short_name="Gemeinderat",
        website="https://www.barleben.de/", ags="15083040", rgs="150835303040",
        equivalent=["https://www.wikidata.org/wiki/Q558637"],
        contact_email="ratsbuero@barleben.example", contact_name="Ratsbüro",
        license=CC_BY, license_valid_since=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        oparl_since=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )  # fmt: skip
    term = LegislativeTermFactory(body=body)
    hall = LocationFactory(
        body=body,
        geojson={"type": "Feature", "geometry": {"type": "Point",
                 "coordinates": [11.6224, 52.2036]}, "properties": {}},
    )  # fmt: skip
    council = OrganizationFactory(
        body=body, name="Gemeinderat", short_name="GR", classification="Gemeinderat",
        location=hall, post=["Vorsitzende", "Mitglied"], start_date=dt.date(2024, 7, 1),
    )  # fmt: skip
    committee = OrganizationFactory(
        body=body, name="Bauausschuss", sub_organization_of=council, website="https://example.org/"
    )
    faction = OrganizationFactory(
        body=body, name="Fraktion Beispiel", organization_type="Fraktion", classification="Fraktion"
    )
    chair = PersonFactory(
        body=body, given_name="Erika", family_name="Beispielfrau", title=["Dr."],
        gender="female", email=["erika.beispielfrau@barleben.example"], phone=["+49 39203 0"],
        status=["Ratsmitglied"], life="Seit 2019 im Gemeinderat.", life_source="eigene Angabe",
        location=hall,
    )  # fmt: skip
    member = PersonFactory(body=body, given_name="Max", family_name="Mustermensch")
    MembershipFactory(body=body, person=chair, organization=council, role="Vorsitzende",
                      on_behalf_of=faction)  # fmt: skip
    MembershipFactory(body=body, person=chair, organization=faction)
    MembershipFactory(body=body, person=member, organization=committee, voting_right=False,
                      end_date=dt.date(2026, 6, 30))  # fmt: skip
    gone = PersonFactory(body=body, given_name="Ausgeschieden", family_name="Person")
    gone.deleted = True
    gone.save()

    invitation = FileFactory(body=body, name="Einladung", license=CC_BY)
    protocol = FileFactory(body=body, name="Ergebnisprotokoll", file_license=CC_BY)
    derived = FileFactory(body=body, name="Ergebnisprotokoll (barrierefrei)", master_file=protocol)
    extra = FileFactory(body=body, name="Nachtrag zur Tagesordnung")
    meeting = MeetingFactory(
        body=body, name="12. Sitzung des Gemeinderates", location=hall, invitation=invitation,
        results_protocol=protocol, meeting_state="durchgeführt", keyword=["Haushalt"],
    )  # fmt: skip
    meeting.organizations.add(council)
    meeting.participants.add(chair, member)
    meeting.auxiliary_files.add(extra, derived)

    resolution = FileFactory(body=body, name="Beschluss Digitalisierung")
    public_item = AgendaItemFactory(
        body=body, meeting=meeting, number="5.", order=4, name="Digitalisierung der Verwaltung",
        result="einstimmig beschlossen", resolution_text="Der Gemeinderat beschließt …",
        resolution_file=resolution,
    )  # fmt: skip
    secret_file = FileFactory(body=body, name="Kaufvertrag Grundstück")
    closed_item = AgendaItemFactory(
        body=body, meeting=meeting, number="9.", order=8, name="Grundstücksangelegenheit",
        public=False, result="beschlossen", resolution_text="Verkauf an …",
        resolution_file=secret_file,
    )  # fmt: skip

    main = FileFactory(body=body, name="Informationsvorlage IV-0012/2020")
    imported = FileFactory(
        body=body, name="Anlage aus dem alten System", stored=None, size=1234,
        external_access_url="https://ris.example.org/files/77.pdf",
        external_download_url="https://ris.example.org/files/77.pdf?download=1",
        origin="https://ris.example.org/oparl/file/77",
    )  # fmt: skip
    paper = PaperFactory(body=body, name="Digitalisierung der Verwaltung",
                         reference="IV-0012/2020", main_file=main)  # fmt: skip
    paper.auxiliary_files.add(imported)
    paper.locations.add(hall)
    paper.originator_persons.add(chair)
    paper.under_direction_of.add(committee)
    paper.originator_organizations.add(faction)
    older = PaperFactory(body=body, name="Breitbandausbau", reference="BV-0081/2020",
                         paper_type="Beschlussvorlage")  # fmt: skip
    paper.related_papers.add(older)
    paper.superordinated_papers.add(older)
    consultation = ConsultationFactory(body=body, paper=paper, meeting=meeting,
                                       agenda_item=public_item)  # fmt: skip
    consultation.organizations.add(council)
    withdrawn = PaperFactory(body=body, name="Zurückgezogen")
    withdrawn.deleted = True
    withdrawn.save()
    return SimpleNamespace(**locals())
