"""X-Forwarded-* headers count only from the reverse proxy (rathaus.core.proxy)."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings

from rathaus.core.proxy import TrustedProxyMiddleware, forwarded_allow_ips

TLS_PROXY = ("HTTP_X_FORWARDED_PROTO", "https")


def _seen(remote_addr: str, **headers: str) -> HttpRequest:
    seen: list[HttpRequest] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        return HttpResponse()

    request = RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)
    TrustedProxyMiddleware(view)(request)
    return seen[0]


@override_settings(SECURE_PROXY_SSL_HEADER=TLS_PROXY, RATHAUS_TRUSTED_PROXIES=["10.0.0.5"])
def test_a_listed_proxy_may_say_https_and_name_the_client():
    request = _seen("10.0.0.5", HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert request.is_secure()
    assert request.META["HTTP_X_FORWARDED_FOR"] == "1.2.3.4"


@override_settings(SECURE_PROXY_SSL_HEADER=TLS_PROXY, RATHAUS_TRUSTED_PROXIES=["10.0.0.0/24"])
@pytest.mark.parametrize("address", ["203.0.113.7", "127.0.0.1", "not-an-address", ""])
def test_anyone_else_loses_the_forwarded_headers(address):
    request = _seen(
        address,
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_FOR="1.2.3.4",
        HTTP_X_FORWARDED_HOST="evil.example",
        HTTP_FORWARDED="for=1.2.3.4;proto=https",
    )
    assert not request.is_secure()
    assert not any(key.startswith("HTTP_X_FORWARDED") for key in request.META)
    assert "HTTP_FORWARDED" not in request.META


@override_settings(SECURE_PROXY_SSL_HEADER=TLS_PROXY, RATHAUS_TRUSTED_PROXIES=[])
@pytest.mark.parametrize(("address", "secure"), [("127.0.0.1", True), ("::1", True),
                                                 ("::ffff:127.0.0.1", True),
                                                 ("192.0.2.10", False)])  # fmt: skip
def test_without_a_list_only_this_machine_counts_as_proxy(address, secure):
    assert _seen(address, HTTP_X_FORWARDED_PROTO="https").is_secure() is secure


@override_settings(
    SECURE_PROXY_SSL_HEADER=TLS_PROXY,
    RATHAUS_TRUSTED_PROXIES=["10.0.0.5"],
    SECURE_SSL_REDIRECT=True,
)
def test_a_direct_client_claiming_https_is_still_redirected(db):
    client = Client(REMOTE_ADDR="198.51.100.20")
    response = client.get("/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    proxied = Client(REMOTE_ADDR="10.0.0.5").get("/", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code != 301


@pytest.mark.parametrize(
    ("trusted", "expected"),
    [([], "127.0.0.0/8,::1/128"), (["10.0.0.5", "172.30.0.7/24"], "10.0.0.5/32,172.30.0.0/24")],
)
def test_gunicorn_takes_the_scheme_from_the_same_proxies(settings, trusted, expected):
    settings.RATHAUS_TRUSTED_PROXIES = trusted
    assert forwarded_allow_ips() == expected
