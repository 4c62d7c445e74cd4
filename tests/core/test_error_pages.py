"""Error pages: German, in the portal's frame, with a way back; the API answers problem+json."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client, RequestFactory
from django.utils import translation

from rathaus.core import views
from rathaus.core.problems import PROBLEM_CONTENT_TYPE

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("handler", "exception", "status", "heading"),
    [
        (
            views.bad_request,
            SuspiciousOperation(),
            400,
            "Die Anfrage konnte nicht bearbeitet werden",
        ),
        (views.permission_denied, PermissionDenied(), 403, "Kein Zugriff"),
        (views.page_not_found, Exception(), 404, "Seite nicht gefunden"),
    ],
)
def test_pages_say_what_happened_in_german_and_lead_back(handler, exception, status, heading):
    with translation.override("de"):  # as the language middleware sets it for the request
        response = handler(RequestFactory().get("/konto/etwas/"), exception)
    assert response.status_code == status
    html = response.content.decode()
    assert f'<h1 class="kern-heading-large">{heading}</h1>' in html
    assert "Zur Startseite" in html
    assert 'lang="de"' in html


@pytest.mark.parametrize(
    ("handler", "status"),
    [(views.bad_request, 400), (views.permission_denied, 403), (views.page_not_found, 404)],
)
def test_the_api_gets_problem_json(handler, status):
    response = handler(RequestFactory().get("/api/v1/irgendwas"), Exception())
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    assert json.loads(response.content)["status"] == status


def test_an_unknown_api_address_is_a_problem_not_a_web_page():
    response = Client().get("/api/v1/gibt-es-nicht")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE


def test_an_expired_form_explains_itself_and_offers_the_page_again():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/verwaltung/anmelden/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Das Formular ist abgelaufen" in html
    assert 'href="/verwaltung/anmelden/">Seite noch einmal öffnen</a>' in html


def test_the_server_error_page_leads_back_to_the_start():
    with translation.override("de"):
        html = views.server_error(RequestFactory().get("/")).content.decode()
    assert '<a class="kern-link" href="/">Zur Startseite</a>' in html


def test_a_database_lost_in_a_middleware_is_a_503_not_a_500(monkeypatch, django_user_model):
    """The session is read before the view runs: a database restart at that moment is "try
    again in a minute", as when the view itself loses the database."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import OperationalError

    client = Client(raise_request_exception=False)
    client.force_login(django_user_model.objects.create_user("neu", password="x"))

    def lost(self):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(SessionStore, "load", lost)
    response = client.get("/verwaltung/")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "Vorübergehend nicht erreichbar" in response.content.decode()


def test_any_other_failure_in_a_middleware_stays_a_500(monkeypatch, django_user_model):
    from django.contrib.sessions.backends.db import SessionStore

    client = Client(raise_request_exception=False)
    client.force_login(django_user_model.objects.create_user("neu", password="x"))

    def broken(self):
        raise RuntimeError("a bug")

    monkeypatch.setattr(SessionStore, "load", broken)
    assert client.get("/verwaltung/").status_code == 500
