"""The browser security headers of every kind of response, with the production settings
(docs/security.md, ASVS 5.0 V3.4 and V14.3)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.support import citizen_client, log_in


@pytest.fixture
def production(settings):
    """What settings.py sets in production mode (tests/test_configuration.py pins those)."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^health$", r"^api/"]
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.LANGUAGE_COOKIE_SECURE = True
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    settings.CSRF_COOKIE_NAME = "__Host-csrftoken"
    settings.LANGUAGE_COOKIE_NAME = "__Host-language"
    return settings


PATHS = [
    "/",  # a page
    "/gibt-es-nicht/",  # an error page
    "/api/v1/services",  # the API
    "/static/rathaus/rathaus.css",  # a static file
    "/konto/anmelden/",  # a form
]


@pytest.mark.parametrize("path", PATHS)
def test_every_kind_of_response_carries_the_browser_security_headers(production, barleben, path):
    response = Client().get(path, secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    if "html" in response["Content-Type"]:
        # Static files (CSS, scripts, fonts, images) are no documents to frame: WhiteNoise
        # answers them before the frame and policy middlewares.
        assert response["X-Frame-Options"] == "DENY"
        policy = response["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy
        assert "object-src 'none'" in policy
        assert "default-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy
    # Only public files are readable from other origins (WhiteNoise: "*", never with credentials).
    expected = "*" if path.startswith("/static/") else None
    assert response.get("Access-Control-Allow-Origin") == expected
    assert "Access-Control-Allow-Credentials" not in response


def test_plain_http_is_redirected_to_https_except_the_health_check(production, barleben):
    response = Client().get("/kontakt/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/kontakt/"
    assert Client().get("/health").status_code in (200, 503)


def test_the_api_over_plain_http_is_refused_not_redirected(production, barleben):
    response = Client().get("/api/v1/services", HTTP_AUTHORIZATION="Bearer rh_secret")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "HTTPS required"
    assert "Location" not in response
    assert Client().post("/api/v1/services", {}).status_code == 403
    assert Client().get("/api/v1/health", secure=True).status_code in (200, 503)
    assert Client().get("/api/v1/health").status_code == 403


def test_cookies_are_secure_httponly_where_scripts_need_them_not_and_same_site(
    production, barleben
):
    client = Client()
    form = client.get("/konto/anmelden/", secure=True)
    csrf = form.cookies["__Host-csrftoken"]
    # what browsers demand of a __Host- cookie: Secure, the whole site, no Domain
    assert (csrf["secure"], csrf["path"], csrf["domain"]) == (True, "/", "")
    assert csrf["samesite"] == "Lax"
    from rathaus.accounts.demo import CITIZEN_EMAIL
    from rathaus.core.demo import DEMO_PASSWORD

    login = client.post(
        "/konto/anmelden/", {"email": CITIZEN_EMAIL, "password": DEMO_PASSWORD}, secure=True
    )
    session = login.cookies["__Host-sessionid"]
    assert (session["secure"], session["path"], session["domain"]) == (True, "/", "")
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    switched = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/"}, secure=True,
        HTTP_ORIGIN="https://testserver",
    )  # fmt: skip
    language = switched.cookies["__Host-language"]
    assert language.value == "en"
    assert (language["secure"], language["path"], language["domain"]) == (True, "/", "")
    assert client.get("/", secure=True).headers["Content-Language"] == "en"


def test_logging_out_clears_what_the_browser_kept_of_the_logged_in_pages(barleben):
    citizen = citizen_client()
    response = citizen.post("/konto/abmelden/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    clerk = log_in(Client(), "buergerbuero")
    response = clerk.post("/verwaltung/abmelden/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert clerk.get("/verwaltung/").status_code == 302, "the session is over"


@pytest.mark.parametrize(
    "path", ["/konto/", "/konto/postfach/", "/konto/profil/", "/konto/daten/", "/konto/antraege/"]
)
def test_a_citizens_own_pages_are_not_stored_by_browsers_or_proxies(barleben, path):
    response = citizen_client().get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("path", ["/", "/konto/anmelden/", "/api/v1/services"])
def test_no_trace_request_is_echoed(barleben, path):
    client = Client()
    client.cookies["sessionid"] = "geheim-und-nur-im-cookie"
    response = client.generic("TRACE", path, HTTP_X_SECRET="auch-geheim")
    assert response.status_code in (404, 405)
    body = response.content.decode()
    assert "geheim-und-nur-im-cookie" not in body
    assert "auch-geheim" not in body
