"""The page cache: public pages for anonymous visitors, shared, replaced at once when what they
show changes, and never anything personal (docs/page-cache.md).

The tests count on the hit marker ``X-Page-Cache: hit`` and on what the pages show. Some use
this module as the URL configuration, with small views that do one personal thing each.
"""

from __future__ import annotations

import pytest
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.test import Client
from django.urls import include, path

from rathaus.core.pagecache import public_page
from tests.factories import (
    PASSWORD,
    AuthorityFactory,
    AuthorityHostFactory,
    LegalTextsFactory,
    OfferFactory,
    OrgUnitFactory,
    OutgoingEmailFactory,
)
from tests.support import clerk_of, log_in

pytestmark = pytest.mark.database  # counts queries (two cache reads with the database cache)


def _render(request: HttpRequest, source: str) -> HttpResponse:
    return HttpResponse(engines["django"].from_string(source).render({}, request))


@public_page()
def _sets_a_cookie(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("hallo")
    response.set_cookie("seen", "yes")
    return response


@public_page()
def _form_with_token(request: HttpRequest) -> HttpResponse:
    return _render(request, '<form method="post">{% csrf_token %}</form>')


@public_page()
def _shows_a_message(request: HttpRequest) -> HttpResponse:
    messages.info(request, "Gespeichert.")
    return _render(request, "{% for message in messages %}{{ message }}{% endfor %}")


@public_page()
def _script_with_nonce(request: HttpRequest) -> HttpResponse:
    return _render(request, '<script nonce="{{ request.csp_nonce }}" src="/x.js"></script>')


@public_page()
def _plain(request: HttpRequest) -> HttpResponse:
    return HttpResponse("für alle gleich")


urlpatterns = [
    path("probe/cookie/", _sets_a_cookie),
    path("probe/token/", _form_with_token),
    path("probe/message/", _shows_a_message),
    path("probe/nonce/", _script_with_nonce),
    path("probe/plain/", _plain),
    path("", include("rathaus.urls")),
]


@pytest.fixture
def authority(db, settings):
    return AuthorityFactory(slug=settings.RATHAUS_DEFAULT_AUTHORITY, name="Gemeinde Eichenau")


def _hit(response: HttpResponse) -> bool:
    return response.get("X-Page-Cache") == "hit"


def _twice(client: Client, address: str, **extra: str) -> HttpResponse:
    first = client.get(address, **extra)
    assert first.status_code == 200
    assert not _hit(first)
    return client.get(address, **extra)


def test_the_second_visit_comes_from_the_cache_with_at_most_two_queries(
    client, authority, django_assert_max_num_queries
):
    first = client.get("/")
    with django_assert_max_num_queries(2):
        second = client.get("/")
    assert _hit(second)
    assert second.content == first.content
    assert "Gemeinde Eichenau" in second.content.decode()
    assert second["X-Frame-Options"] == "DENY"
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_a_hit_within_a_second_of_the_last_reads_nothing(
    client, authority, django_assert_num_queries, monkeypatch
):
    from rathaus.core import pagecache

    monkeypatch.setattr(pagecache, "TOKEN_SECONDS", 3600)
    client.get("/")
    with django_assert_num_queries(0):
        assert _hit(client.get("/"))


def test_a_change_made_by_another_process_shows_once_the_tokens_are_read_again(
    client, authority, monkeypatch
):
    """Another process replaces the token in the shared cache; this process trusts the token it
    read for TOKEN_SECONDS, then reads it again."""
    from django.core.cache import cache

    from rathaus.core import pagecache

    monkeypatch.setattr(pagecache, "TOKEN_SECONDS", 3600)
    assert _hit(_twice(client, "/kontakt/"))
    cache.set(pagecache._generation_key(authority.pk), "set-by-another-process", None)
    assert _hit(client.get("/kontakt/")), "within TOKEN_SECONDS the token read before counts"
    monkeypatch.setattr(pagecache, "TOKEN_SECONDS", 0)
    assert not _hit(client.get("/kontakt/"))
    assert _hit(client.get("/kontakt/"))


@pytest.mark.parametrize(
    "address", ["/", "/kontakt/", "/leistungen/", "/leistungen/?nur=online", "/impressum/"]
)
def test_public_pages_are_kept(client, authority, address):
    LegalTextsFactory(authority=authority)
    assert _hit(_twice(client, address))


def test_a_renamed_authority_shows_at_once(client, authority):
    _twice(client, "/")
    authority.name = "Gemeinde Lindenau"
    authority.save()
    response = client.get("/")
    assert not _hit(response)
    assert "Gemeinde Lindenau" in response.content.decode()


def test_a_new_offer_shows_at_once_in_the_catalogue(client, authority):
    _twice(client, "/leistungen/")
    OfferFactory(authority=authority, service__name="Hundesteuer anmelden")
    assert "Hundesteuer anmelden" in client.get("/leistungen/").content.decode()


def test_a_changed_service_shows_at_once_on_its_page(client, authority):
    offer = OfferFactory(authority=authority, service__name="Fischereischein erteilen")
    address = f"/leistungen/{offer.service.leika_key}/"
    assert _hit(_twice(client, address))
    offer.service.name = "Fischereischein verlängern"
    offer.service.save()
    assert "Fischereischein verlängern" in client.get(address).content.decode()


def test_a_new_office_shows_at_once_on_the_contact_page(client, authority):
    _twice(client, "/kontakt/")
    OrgUnitFactory(authority=authority, name="Ordnungsamt Nord")
    assert "Ordnungsamt Nord" in client.get("/kontakt/").content.decode()


def test_changed_legal_texts_show_at_once(client, authority):
    texts = LegalTextsFactory(authority=authority)
    _twice(client, "/impressum/")
    texts.representative = "Max Mustermann, Bürgermeister"
    texts.save()
    assert "Max Mustermann" in client.get("/impressum/").content.decode()


def test_each_authority_has_its_own_pages_and_keeps_them_when_another_changes(client, authority):
    other = AuthorityHostFactory(hostname="lindenau.localhost", authority__name="Stadt Lindenau")
    assert "Stadt Lindenau" in _twice(client, "/", HTTP_HOST="lindenau.localhost").content.decode()
    assert "Gemeinde Eichenau" in _twice(client, "/").content.decode()
    OrgUnitFactory(authority=other.authority)
    assert _hit(client.get("/"))
    assert not _hit(client.get("/", HTTP_HOST="lindenau.localhost"))


def test_each_language_has_its_own_page(client, authority):
    german = _twice(client, "/")
    client.cookies["django_language"] = "en"
    english = _twice(client, "/")
    assert _hit(english)
    assert '<html lang="en"' in english.content.decode()
    assert '<html lang="de"' in german.content.decode()


def test_an_unchanged_page_is_answered_with_304_and_a_changed_one_in_full(client, authority):
    first = client.get("/")
    etag = first["ETag"]
    assert "no-cache" in first["Cache-Control"]
    again = client.get("/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    authority.name = "Gemeinde Lindenau"
    authority.save()
    changed = client.get("/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_the_language_switch_on_kept_pages_has_no_token(client, authority):
    html = _twice(client, "/").content.decode()
    assert "csrfmiddlewaretoken" not in html
    assert "Set-Cookie" not in str(client.get("/").cookies)


def test_a_service_page_with_its_postal_code_form_is_kept_without_a_token(client, authority):
    offer = OfferFactory(authority=authority)
    response = _twice(client, f"/leistungen/{offer.service.leika_key}/")
    assert _hit(response)
    assert 'name="plz"' in response.content.decode()
    assert "csrfmiddlewaretoken" not in response.content.decode()


def test_a_postal_code_answer_and_other_queries_are_not_kept(client, authority):
    offer = OfferFactory(authority=authority)
    assert not _hit(_twice(client, f"/leistungen/{offer.service.leika_key}/?plz=39179"))
    assert not _hit(_twice(client, "/?utm=x"))


def test_only_listed_query_values_are_kept_and_their_spellings_share_one_entry(client, authority):
    # Any other value would let anyone fill the cache with one entry per value.
    assert not _hit(_twice(client, "/leistungen/?nur=x1"))
    assert not _hit(_twice(client, "/leistungen/?nur=online&nur=online"))
    client.get("/leistungen/?nur=online")
    assert _hit(client.get("/leistungen/?&nur=online&"))


def test_a_logged_in_visitor_is_never_answered_from_the_cache_nor_kept(client, authority):
    clerk_of(OrgUnitFactory(authority=authority), "clerk")
    staff = log_in(Client(), "clerk", PASSWORD)
    assert not _hit(_twice(staff, "/"))
    assert "ETag" not in staff.get("/")
    assert not _hit(client.get("/"))  # nothing the logged-in visitor saw was kept


def test_a_visitor_with_a_session_cookie_is_not_answered_from_the_cache(client, authority):
    _twice(client, "/")
    client.cookies["sessionid"] = "abc"
    assert not _hit(client.get("/"))


def test_post_is_not_answered_from_the_cache(client, authority):
    _twice(client, "/")
    assert client.post("/").status_code == 405


@pytest.mark.parametrize(
    "address", ["/probe/cookie/", "/probe/token/", "/probe/message/", "/probe/nonce/"]
)
def test_personal_responses_are_not_kept(client, authority, settings, address):
    settings.ROOT_URLCONF = __name__
    assert not _hit(_twice(client, address))


def test_a_plain_probe_is_kept(client, authority, settings):
    settings.ROOT_URLCONF = __name__  # the probes above fail for their reason, not for the setup
    assert _hit(_twice(client, "/probe/plain/"))


def test_the_demo_mailbox_is_not_kept(client, authority):
    _twice(client, "/demo/postausgang/")
    OutgoingEmailFactory(authority=authority, subject="Ihr Termin am Montag")
    response = client.get("/demo/postausgang/")
    assert not _hit(response)
    assert "Ihr Termin am Montag" in response.content.decode()


def test_off_when_the_setting_is_zero(client, authority, settings):
    settings.RATHAUS_PAGE_CACHE_SECONDS = 0
    assert not _hit(_twice(client, "/"))


def test_off_in_debug_mode_so_that_a_changed_template_shows_at_once(client, authority, settings):
    settings.DEBUG = True
    assert not _hit(_twice(client, "/"))


def test_a_changed_setting_shows_at_once(client, authority, settings):
    LegalTextsFactory(authority=authority)
    scanning = "Prüfung hochgeladener Dateien auf Viren"
    settings.RATHAUS_VIRUS_SCANNER = "none"
    assert scanning not in _twice(client, "/datenschutz/").content.decode()
    settings.RATHAUS_VIRUS_SCANNER = "clamav"  # after a restart with another configuration
    assert scanning in client.get("/datenschutz/").content.decode()


def test_the_language_switch_refuses_another_site(client, authority):
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/"}, HTTP_ORIGIN="https://evil.example"
    )
    assert response.status_code == 403
    assert "django_language" not in response.cookies


def test_the_language_switch_works_from_the_own_site(client, authority):
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/"}, HTTP_ORIGIN="http://testserver"
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


def test_the_language_switch_over_https_needs_the_own_referer(client, authority, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    data = {"language": "en", "next": "/"}
    https = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_HOST": "testserver"}
    assert client.post("/i18n/setlang/", data, **https).status_code == 403
    own = client.post("/i18n/setlang/", data, HTTP_REFERER="https://testserver/", **https)
    assert own.status_code == 302
