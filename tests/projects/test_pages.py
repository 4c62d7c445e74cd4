"""Who sees what: the staff pages need the role "Projekte" (or "Administration") of the
project's authority; /digitalisierung/ and the API show only the projects marked public."""

from __future__ import annotations

import pytest
from django.test import Client

from rathaus.core import roles
from rathaus.projects.keepers import ROLE
from rathaus.projects.models import Project
from tests.factories import (
    PASSWORD,
    AuthorityFactory,
    DigitalProjectFactory,
    GrantFactory,
    MilestoneFactory,
)
from tests.support import clerk_of, log_in

pytestmark = [pytest.mark.django_db, pytest.mark.database]  # runs on PostgreSQL too (ADR 0036)


@pytest.fixture
def town():
    return AuthorityFactory(slug="barleben", name="Gemeinde Barleben")


def staff(project, username, role) -> Client:
    user = clerk_of(project.unit, username, is_staff=True)
    user.memberships.update(role=roles.role(role))
    return log_in(Client(), username, PASSWORD)


def test_the_staff_pages_need_the_role_of_the_authority(town):
    project = DigitalProjectFactory(authority=town, title="5G-Campus")
    other = DigitalProjectFactory(title="Fremdes Projekt")
    clerk = staff(project, "sachbearbeitung", roles.CLERK)
    for address in ("/verwaltung/projekte/", f"/verwaltung/projekte/{project.pk}/",
                    "/verwaltung/projekte/bericht/", "/verwaltung/projekte/neu/"):  # fmt: skip
        assert clerk.get(address).status_code == 403, address
    assert 'href="/verwaltung/projekte/"' not in clerk.get("/verwaltung/").content.decode()
    keeper = staff(project, "projekte", ROLE)
    assert 'href="/verwaltung/projekte/"' in keeper.get("/verwaltung/").content.decode()
    listing = keeper.get("/verwaltung/projekte/")
    assert listing.status_code == 200
    assert "5G-Campus" in listing.content.decode()
    assert "Fremdes Projekt" not in listing.content.decode()
    assert keeper.get(f"/verwaltung/projekte/{project.pk}/").status_code == 200
    assert keeper.get(f"/verwaltung/projekte/{other.pk}/").status_code == 404
    assert keeper.post(f"/verwaltung/projekte/{other.pk}/risk/", {}).status_code == 404


def test_a_keeper_creates_a_project_and_changes_its_status(town):
    project = DigitalProjectFactory(authority=town)
    keeper = staff(project, "projekte", ROLE)
    data = {"title": "Digitales Fundbüro", "goal": "Fundsachen online melden.",
            "unit": str(project.unit.pk), "responsible": "", "partners": "KITU eG",
            "status": "planned", "status_note": "", "position": "3"}  # fmt: skip
    response = keeper.post("/verwaltung/projekte/neu/?behoerde=barleben", data)
    assert response.status_code == 302
    created = Project.objects.get(title="Digitales Fundbüro")
    assert not created.public
    missing = keeper.post("/verwaltung/projekte/neu/?behoerde=barleben", {**data, "goal": ""})
    assert missing.status_code == 400
    assert 'value="Digitales Fundbüro"' in missing.content.decode()
    changed = {f"project-{key}": value for key, value in data.items()}
    changed.update({"project-status": "running", "project-public": "on"})
    assert keeper.post(f"/verwaltung/projekte/{created.pk}/project/", changed).status_code == 302
    created.refresh_from_db()
    assert (created.status, created.public) == ("running", True)


def test_the_public_page_shows_only_public_projects(town):
    shown = DigitalProjectFactory(authority=town, title="Smart City Barleben", public=True)
    GrantFactory(project=shown)
    MilestoneFactory(project=shown, title="Strategie beschlossen")
    DigitalProjectFactory(authority=town, title="Internes Vorhaben", public=False)
    html = Client().get("/digitalisierung/").content.decode()
    assert "Smart City Barleben" in html
    assert "Strategie beschlossen" in html
    assert "80.000,00 €" in html
    assert "Internes Vorhaben" not in html
    assert "OZG-Leistungen vollständig online: 0 von 0" in html


def test_the_api_lists_the_public_projects_and_is_in_the_schema(town):
    shown = DigitalProjectFactory(authority=town, title="Smart City Barleben")
    GrantFactory(project=shown)
    DigitalProjectFactory(authority=town, title="Internes Vorhaben", public=False)
    data = Client().get("/api/v1/projects?authority=barleben").json()
    assert [project["title"] for project in data["projects"]] == ["Smart City Barleben"]
    grant = data["projects"][0]["grants"][0]
    assert (grant["amount_cents"], grant["own_share_cents"], grant["own_share_percent"]) == (
        8_000_000, 2_000_000, 20.0)  # fmt: skip
    assert set(data["platform"]) >= {"ozg_online", "sensors_online"}
    assert Client().get("/api/v1/projects?authority=unbekannt").status_code == 404
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/projects" in schema["paths"]


def test_a_linked_council_paper_is_the_council_apps_paper_of_that_reference(town):
    from tests.factories.council import PaperFactory as CouncilPaperFactory

    project = DigitalProjectFactory(authority=town)
    paper = CouncilPaperFactory(body__authority=town, reference="IV-0012/2020")
    keeper = staff(project, "projekte", ROLE)
    address = f"/verwaltung/projekte/{project.pk}/paper/"
    data = {"paper-reference": "IV-0012/2020", "paper-title": "Gesamtübersicht"}
    assert keeper.post(address, data).status_code == 302
    assert project.papers.get().paper == paper
    html = keeper.get(f"/verwaltung/projekte/{project.pk}/").content.decode()
    assert f'href="/rat/vorlagen/{paper.pk}/"' in html
    again = keeper.post(address, data)
    assert again.status_code == 400
    assert "Diese Vorlage ist schon verknüpft." in again.content.decode()


def test_the_lists_read_a_fixed_number_of_queries(town):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(address: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(address).status_code == 200
        return len(queries)

    def more_projects(n: int) -> None:
        for _ in range(n):
            project = DigitalProjectFactory(authority=town)
            GrantFactory(project=project)
            MilestoneFactory(project=project)

    more_projects(1)
    few = (count("/digitalisierung/"), count("/api/v1/projects?authority=barleben"))
    more_projects(4)
    assert (count("/digitalisierung/"), count("/api/v1/projects?authority=barleben")) == few


def test_the_public_page_is_linked_from_the_footer(town):
    html = Client().get("/").content.decode()
    assert 'href="/digitalisierung/">Digitalprojekte</a>' in html


def test_a_second_project_of_the_same_title_is_refused(town):
    project = DigitalProjectFactory(authority=town, title="5G-Campus")
    keeper = staff(project, "projekte", ROLE)
    data = {"title": "5G-Campus", "goal": "Noch einmal.", "unit": str(project.unit.pk),
            "responsible": "", "partners": "", "status": "planned", "status_note": "",
            "position": "0"}  # fmt: skip
    response = keeper.post("/verwaltung/projekte/neu/?behoerde=barleben", data)
    assert response.status_code == 400
    assert "Ein Projekt mit diesem Titel gibt es schon." in response.content.decode()
    assert Project.objects.filter(title="5G-Campus").count() == 1
    changed = {f"project-{key}": value for key, value in data.items()}
    changed["project-title"] = ""
    page = keeper.post(f"/verwaltung/projekte/{project.pk}/project/", changed)
    assert page.status_code == 400
    assert '<h1 class="kern-heading-x-large">5G-Campus</h1>' in page.content.decode()
