"""The council's papers: the list searches reference, title and the text of the papers' files,
filters by kind and year, pages, and shows an escaped snippet of where the words matched; a
paper's page shows its files, submitters, consultations and related papers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tests.factories import (
    AgendaItemFactory,
    AuthorityFactory,
    BodyFactory,
    CouncilFileFactory,
    CouncilLocationFactory,
    MeetingFactory,
    OrganizationFactory,
    PaperFactory,
    PersonFactory,
)
from tests.factories.council import ConsultationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def body(settings):
    settings.RATHAUS_DEFAULT_AUTHORITY = "barleben"
    town = AuthorityFactory(slug="barleben", name="Gemeinde Barleben")
    return BodyFactory(authority=town, name="Gemeinderat Barleben")


def listed(response) -> str:
    return response.content.decode().split('role="status"')[1]


def test_the_search_finds_words_only_in_a_further_file_and_marks_them(body):
    paper = PaperFactory(body=body, reference="IV-0012/2020", name="Digitale Verwaltung")
    annex = CouncilFileFactory(body=body, text="Anlage: Der Glasfaserausbau <b>erreicht</b> "
                                               "alle Ortsteile bis 2027.")  # fmt: skip
    paper.auxiliary_files.add(annex)
    PaperFactory(body=body, name="Haushalt")

    response = Client().get("/rat/vorlagen/?q=glasfaserausbau")

    assert response.status_code == 200
    found = listed(response)
    assert "1 Vorlage" in found
    assert "IV-0012/2020" in found
    assert "Haushalt" not in found
    assert "<mark>Glasfaserausbau</mark>" in found
    assert "&lt;b&gt;erreicht&lt;/b&gt;" in found
    assert "<b>erreicht</b>" not in found


def test_the_search_looks_in_the_main_file_reference_and_title_and_needs_every_word(body):
    main = CouncilFileFactory(body=body, text="Die Gemeinde beschafft Tablets für den Rat.")
    tablets = PaperFactory(body=body, name="Ausstattung", main_file=main)
    reference = PaperFactory(body=body, reference="BV-0081/2020", name="Bebauungsplan")
    PaperFactory(body=body, name="Tablets im Archiv", deleted=True)
    gone = CouncilFileFactory(body=body, text="Tablets", deleted=True)
    PaperFactory(body=body, name="Alte Datei", main_file=gone)
    client = Client()

    assert f"/rat/vorlagen/{tablets.pk}/" in listed(client.get("/rat/vorlagen/?q=tablets"))
    only = listed(client.get("/rat/vorlagen/?q=tablets"))
    assert "1 Vorlage" in only
    assert "Alte Datei" not in only
    assert f"/rat/vorlagen/{reference.pk}/" in listed(client.get("/rat/vorlagen/?q=bv-0081"))
    both = listed(client.get("/rat/vorlagen/?q=Tablets+Gemeinde"))
    assert "1 Vorlage" in both
    neither = listed(client.get("/rat/vorlagen/?q=Tablets+Schwimmbad"))
    assert "0 Vorlagen" in neither
    assert "Keine Vorlage passt" in neither


def test_the_filters_by_kind_and_year_and_bad_values(body):
    PaperFactory(body=body, name="Antrag Radweg", paper_type="Antrag", date=dt.date(2025, 3, 1))
    PaperFactory(body=body, name="Info Radweg", paper_type="Informationsvorlage",
                 date=dt.date(2026, 3, 1))  # fmt: skip
    client = Client()

    kind = listed(client.get("/rat/vorlagen/?art=Antrag"))
    assert "Antrag Radweg" in kind
    assert "Info Radweg" not in kind
    year = listed(client.get("/rat/vorlagen/?jahr=2026"))
    assert "Info Radweg" in year
    assert "Antrag Radweg" not in year
    bad = client.get("/rat/vorlagen/?jahr=1999&art=Quatsch")
    assert bad.status_code == 400
    assert "Bitte wählen Sie einen Wert aus der Liste." in bad.content.decode()
    assert "Antrag Radweg" in listed(bad)


def test_the_list_pages_and_keeps_the_search(body):
    for number in range(25):
        PaperFactory(body=body, name=f"Radweg {number}", date=dt.date(2026, 1, 1))
    client = Client()

    first = client.get("/rat/vorlagen/?q=Radweg").content.decode()
    assert "Seite 1 von 2" in first
    assert 'href="?q=Radweg&amp;seite=2"' in first
    second = client.get("/rat/vorlagen/?q=Radweg&seite=2").content.decode()
    assert second.count('class="council-paper"') == 5


def test_a_paper_shows_files_submitters_consultations_and_relations(body):
    main = CouncilFileFactory(body=body, name="Beschlussvorlage Text")
    hidden = CouncilFileFactory(body=body, name="Gelöschte Anlage", deleted=True)
    paper = PaperFactory(body=body, reference="BV-0081/2020", name="Radweg Ebendorf",
                         paper_type="Beschlussvorlage", date=dt.date(2026, 11, 2),
                         main_file=main)  # fmt: skip
    paper.auxiliary_files.add(hidden)
    person = PersonFactory(body=body, name="Erika Beispiel")
    paper.originator_persons.add(person)
    unit = OrganizationFactory(body=body, name="Bauamt", organization_type="Verwaltungsbereich")
    paper.under_direction_of.add(unit)
    committee = OrganizationFactory(body=body, name="Bauausschuss")
    meeting = MeetingFactory(body=body, name="3. Sitzung des Bauausschusses")
    item = AgendaItemFactory(body=body, meeting=meeting, number="4.", name="Radweg Ebendorf",
                             result="zugestimmt")  # fmt: skip
    consultation = ConsultationFactory(body=body, paper=paper, meeting=meeting, agenda_item=item,
                                       role="Vorberatung", authoritative=False)  # fmt: skip
    consultation.organizations.add(committee)
    private = AgendaItemFactory(body=body, meeting=meeting, number="9.", public=False,
                                name="Geheim", result="vertraulich")  # fmt: skip
    ConsultationFactory(body=body, paper=paper, meeting=meeting, agenda_item=private)
    ConsultationFactory(body=body, paper=paper, meeting=meeting, role="Gelöscht", deleted=True)
    parent = PaperFactory(body=body, name="Radverkehrskonzept")
    paper.superordinated_papers.add(parent)
    paper.related_papers.add(PaperFactory(body=body, name="Gelöschte Vorlage", deleted=True))
    paper.locations.add(CouncilLocationFactory(body=body, description="Breiteweg Ebendorf"))

    page = Client().get(f"/rat/vorlagen/{paper.pk}/").content.decode()

    assert "BV-0081/2020" in page
    assert "Beschlussvorlage" in page
    assert "2. November 2026" in page
    assert "Bauamt" in page
    assert f'href="/rat/personen/{person.pk}/"' in page
    assert "Beschlussvorlage Text" in page
    assert "Gelöschte Anlage" not in page
    assert f'href="/rat/sitzungen/{meeting.pk}/"' in page
    assert "Bauausschuss" in page
    assert "Vorberatung" in page
    assert "zugestimmt" in page
    assert "Nicht öffentlich" in page
    for hidden_text in ("Geheim", "vertraulich", "Gelöscht</", "Gelöschte Vorlage"):
        assert hidden_text not in page
    assert f'href="/rat/vorlagen/{parent.pk}/"' in page
    assert "Breiteweg Ebendorf" in page


def test_unknown_deleted_and_foreign_papers_are_not_found(body):
    deleted = PaperFactory(body=body, deleted=True)
    foreign = PaperFactory(body=BodyFactory())
    for pk in (deleted.pk, foreign.pk, 999999):
        assert Client().get(f"/rat/vorlagen/{pk}/").status_code == 404


def test_a_file_imported_without_its_content_links_to_its_source(body):
    imported = CouncilFileFactory(body=body, name="Vorlage aus dem Altsystem", stored=None,
                                  external_access_url="https://ris.example.org/f/7/inhalt",
                                  external_download_url="https://ris.example.org/f/7.pdf")  # fmt: skip
    only_access = CouncilFileFactory(body=body, name="Nur Ansicht", stored=None,
                                     external_access_url="https://ris.example.org/f/8")  # fmt: skip
    here = CouncilFileFactory(body=body, name="Hier gespeichert",
                              external_download_url="https://ris.example.org/f/9.pdf")  # fmt: skip
    paper = PaperFactory(body=body, main_file=imported)
    paper.auxiliary_files.add(only_access, here)
    page = Client().get(f"/rat/vorlagen/{paper.pk}/").content.decode()
    assert 'href="https://ris.example.org/f/7/inhalt"' in page
    assert 'href="https://ris.example.org/f/8"' in page
    assert f'href="/oparl/v1/file/{here.pk}/inhalt"' in page
    assert f"/oparl/v1/file/{imported.pk}/inhalt" not in page
