"""The public pages of construction projects: the list by state, a project's page, pictures."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from rathaus.construction import project_demo
from rathaus.construction.models import Project, ProjectPicture, Publication
from rathaus.construction.projects import budget_in_words, time_frame
from rathaus.core.demo import Tally
from rathaus.core.models import Locality
from tests.factories import ProjectFactory, ProjectPhaseFactory, ProjectPictureFactory
from tests.support import get_page, log_in, make_authority

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("cents", "words"),
    [
        (2_450_000_00, "2,45 Mio. €"),
        (1_000_000_00, "1 Mio. €"),
        (1_204_999_00, "1,2 Mio. €"),
        (850_000_00, "850.000 €"),
        (12_345_67, "12.345,67 €"),
        (0, "0 €"),
        (None, ""),
    ],
)
def test_budgets_are_said_as_people_say_them(cents, words):
    # (with no-break spaces, so that an amount never breaks across lines)
    assert budget_in_words(cents) == words.replace(" ", "\u00a0")


def test_the_list_groups_published_projects_by_state(barleben):
    Project.objects.filter(authority=barleben).delete()
    village = Locality.objects.get(authority=barleben, name="Ebendorf")
    ProjectFactory(authority=barleben, title="Anbau Grundschule", locality=village,
                   starts_on=dt.date(2025, 3, 1), ends_on=dt.date(2026, 12, 31))  # fmt: skip
    ProjectFactory(authority=barleben, title="Radweg", state=Project.State.PLANNED,
                   budget_cents=980_000_00)  # fmt: skip
    ProjectFactory(authority=barleben, title="Dorfhaus", state=Project.State.COMPLETED)
    ProjectFactory(authority=barleben, title="Geheimer Entwurf", status=Publication.DRAFT)
    ProjectFactory(authority=make_authority("anderswo"), title="Fremdes Vorhaben")
    html = get_page(Client(), "/baustellen/bauvorhaben/")
    under, planned, completed = (html.index(label) for label in ("Im Bau", "Geplant",
                                                                 "Fertiggestellt"))  # fmt: skip
    assert under < html.index("Anbau Grundschule") < planned < html.index("Radweg") < completed
    assert completed < html.index("Dorfhaus")
    assert "Geheimer Entwurf" not in html
    assert "Fremdes Vorhaben" not in html
    assert "2,45\u00a0Mio.\u00a0€" in html
    assert "980.000\u00a0€" in html
    assert "Ebendorf" in html
    assert "März 2025 bis Dezember 2026" in html
    assert 'href="/baustellen/"' in html


def test_the_list_says_so_when_nothing_is_published(db, settings):
    settings.RATHAUS_DEFAULT_AUTHORITY = "leer"
    ProjectFactory(authority=make_authority("leer"), status=Publication.DRAFT)
    html = get_page(Client(), "/baustellen/bauvorhaben/")
    assert "Es sind noch keine Bauvorhaben veröffentlicht." in html


def test_the_project_page_shows_phases_in_order_pictures_and_the_place(barleben, settings):
    settings.RATHAUS_MAP_TILE_URL = "https://tiles.example/{z}/{x}/{y}.png"
    village = Locality.objects.get(authority=barleben, name="Meitzendorf")
    project = ProjectFactory(
        authority=barleben, slug="dorfhaus", title="Sanierung Dorfhaus", locality=village,
        funding="Landesförderung: 390.000 €.", description="Neues Dach.",
        geometry={"type": "Point", "coordinates": [11.56, 52.21]},
    )  # fmt: skip
    ProjectPhaseFactory(project=project, title="Zweiter Abschnitt", position=2, state="planned",
                        starts_on=dt.date(2027, 5, 1))  # fmt: skip
    ProjectPhaseFactory(project=project, title="Erster Abschnitt", position=1, state="done")
    ProjectPictureFactory(project=project, alt_text="Plan des Dachs", caption="Dachplan")
    html = get_page(Client(), "/baustellen/bauvorhaben/dorfhaus/")
    assert html.index("Erster Abschnitt") < html.index("Zweiter Abschnitt")
    assert "Abgeschlossen" in html
    assert "ab Mai 2027" in html
    assert 'alt="Plan des Dachs"' in html
    assert "<figcaption" in html
    assert "Dachplan" in html
    assert "Landesförderung: 390.000 €." in html
    assert "Meitzendorf" in html
    options = json.loads(html.split('id="project-map-options" type="application/json">')[1]
                         .split("</script>")[0])  # fmt: skip
    assert options["geometry"]["type"] == "Point"
    assert "Die Karte braucht JavaScript." in html


def test_without_a_tile_server_the_page_says_the_place_in_words_only(barleben, settings):
    settings.RATHAUS_MAP_TILE_URL = ""
    ProjectFactory(authority=barleben, slug="ohne-karte", locality=None,
                   geometry={"type": "Point", "coordinates": [11.56, 52.21]})  # fmt: skip
    html = get_page(Client(), "/baustellen/bauvorhaben/ohne-karte/")
    assert "project-map-options" not in html
    assert "im ganzen Gemeindegebiet" in html


def test_drafts_and_other_authorities_projects_are_not_found(barleben):
    ProjectFactory(authority=barleben, slug="entwurf", status=Publication.DRAFT)
    ProjectFactory(authority=make_authority("anderswo"), slug="fremd")
    assert Client().get("/baustellen/bauvorhaben/entwurf/").status_code == 404
    assert Client().get("/baustellen/bauvorhaben/fremd/").status_code == 404


def test_staff_who_keep_the_projects_preview_a_draft_and_its_pictures(barleben):
    project = ProjectFactory(authority=barleben, slug="entwurf", status=Publication.DRAFT)
    picture = ProjectPictureFactory(project=project)
    address = f"/baustellen/bauvorhaben/entwurf/bilder/{picture.pk}/"
    assert Client().get(address).status_code == 404
    keeper = log_in(Client(), "bauamt")
    page = get_page(keeper, "/baustellen/bauvorhaben/entwurf/")
    assert "Entwurf: Nur Mitarbeitende sehen diese Seite." in page
    response = keeper.get(address)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    clerk = log_in(Client(), "buergerbuero")
    assert clerk.get("/baustellen/bauvorhaben/entwurf/").status_code == 404


def test_pictures_of_published_projects_are_served_inline_and_only_under_their_project(barleben):
    project = ProjectFactory(authority=barleben, slug="offen")
    other = ProjectFactory(authority=barleben, slug="anderes")
    picture = ProjectPictureFactory(project=project)
    response = Client().get(f"/baustellen/bauvorhaben/offen/bilder/{picture.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == picture.file.read_bytes()
    original = Client().get(f"/baustellen/bauvorhaben/offen/bilder/{picture.pk}/original/")
    assert original.status_code == 200
    elsewhere = f"/baustellen/bauvorhaben/{other.slug}/bilder/{picture.pk}/"
    assert Client().get(elsewhere).status_code == 404


def test_the_demo_has_published_projects_of_barleben_with_plan_drawings(barleben):
    html = get_page(Client(), "/baustellen/bauvorhaben/")
    for title in ("Erweiterung der Grundschule Barleben", "Radweg zwischen Ebendorf und Barleben",
                  "Sanierung des Dorfgemeinschaftshauses Meitzendorf"):  # fmt: skip
        assert title in html
    assert "Neubau des Feuerwehrhauses Ebendorf" not in html  # a draft
    page = get_page(Client(), "/baustellen/bauvorhaben/erweiterung-grundschule-barleben/")
    assert "Plandarstellung" in page
    assert "kein Foto" in page
    assert "Beispiel für die Demo" in page
    pictures = ProjectPicture.objects.filter(project__authority=barleben).count()
    again = Tally()
    project_demo.load(again)
    assert not again.changed, again
    assert ProjectPicture.objects.filter(project__authority=barleben).count() == pictures


def test_a_time_frame_within_one_month_names_it_once():
    assert time_frame(dt.date(2027, 8, 2), dt.date(2027, 8, 30)) == "August 2027"
    assert time_frame(dt.date(2027, 8, 2), dt.date(2028, 8, 30)) == "August 2027 bis August 2028"
