"""The public list and a project's page load their pictures and phases in a fixed number of
queries, however many projects there are (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import ProjectFactory, ProjectPhaseFactory, ProjectPictureFactory
from tests.support import make_authority

pytestmark = [pytest.mark.django_db, pytest.mark.database]


@pytest.fixture(autouse=True)
def authority(settings):
    settings.RATHAUS_DEFAULT_AUTHORITY = "zaehlort"
    return make_authority("zaehlort")


def queries_for(address: str, shown: int) -> int:
    client = Client()
    client.get(address)  # the first request also looks up sessions, sites and the like
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200
    assert response.content.decode().count('class="project-picture"' if "zaehlen" in address
                                           else 'class="project-item"') == shown  # fmt: skip
    return len(captured.captured_queries)


def test_the_list_needs_the_same_queries_for_two_and_for_twelve_projects(authority):
    for _ in range(2):
        ProjectPictureFactory(project=ProjectFactory(authority=authority))
    few = queries_for("/baustellen/bauvorhaben/", 2)
    for _ in range(10):
        ProjectPictureFactory(project=ProjectFactory(authority=authority))
    assert queries_for("/baustellen/bauvorhaben/", 12) == few


def test_a_project_page_needs_the_same_queries_for_one_and_for_ten_phases_and_pictures(
    authority,
):
    project = ProjectFactory(authority=authority, slug="zaehlen")
    ProjectPhaseFactory(project=project)
    ProjectPictureFactory(project=project)
    few = queries_for("/baustellen/bauvorhaben/zaehlen/", 1)
    for _ in range(9):
        ProjectPhaseFactory(project=project)
        ProjectPictureFactory(project=project)
    assert queries_for("/baustellen/bauvorhaben/zaehlen/", 10) == few
