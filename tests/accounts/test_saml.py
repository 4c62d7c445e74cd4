"""Login with BundID over SAML 2.0, against a real SAML identity provider on 127.0.0.1.

The identity provider (``tests.support.SamlIdentityProvider``) is pysaml2's own ``Server``
behind an HTTP server: it publishes its metadata, takes our AuthnRequest with the HTTP-Redirect
binding (and refuses it unless our signature verifies against our published metadata), and
answers with the HTTP-POST binding: a page with a form holding a signed, and by default
encrypted, response. Each test can make it misbehave (no encryption, no signature, another key,
an error status, a foreign InResponseTo) or change the answer on its way back, to see us refuse
it. Keys and certificates of both sides are made fresh for each test.
"""

from __future__ import annotations

import base64
import datetime
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from urllib.request import urlopen

import pytest
import time_machine
from defusedxml import ElementTree as ET

from rathaus.accounts.models import ExternalIdentity, TrustLevel, UsedSamlMessage
from rathaus.accounts.providers import saml
from rathaus.core.models import AuditEvent
from tests.support import (
    SamlIdentityProvider,
    assert_first_external_login,
    require_xmlsec1,
    running_saml_identity_provider,
    saml_certificate_base64,
    saml_form_fields,
    saml_key_pair,
)

# The replay check relies on a unique constraint and a transaction (ADR 0036).
pytestmark = pytest.mark.database


@pytest.fixture(autouse=True)
def _xmlsec1() -> None:
    require_xmlsec1()


NS = {
    "md": "urn:oasis:names:tc:SAML:2.0:metadata",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
}


@pytest.fixture
def idp(settings, tmp_path, client, barleben) -> Iterator[SamlIdentityProvider]:
    with running_saml_identity_provider(settings, tmp_path) as provider:
        metadata = client.get("/konto/saml/metadaten/")
        assert metadata.status_code == 200, metadata.content
        provider.trust(metadata.content.decode())
        yield provider


def authenticate(client, start: str = "/konto/anmelden/saml/") -> dict[str, str]:
    """Start at our login, let the IdP answer; the fields its page would post to our ACS."""
    response = client.get(start)
    assert response.status_code == 302, response.content
    location = response["Location"]
    assert location.startswith("http://127.0.0.1:"), location
    query = parse_qs(urlsplit(location).query)
    assert set(query) >= {"SAMLRequest", "SigAlg", "Signature"}
    assert query["SigAlg"] == ["http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"]
    with urlopen(location, timeout=10) as answer:
        page = answer.read().decode()
    action, fields = saml_form_fields(page)
    assert action == "http://testserver/konto/anmelden/saml/antwort/"
    return fields


def post_answer(client, fields: dict[str, str]):
    return client.post("/konto/anmelden/saml/antwort/", fields)


def assert_rejected(response, reason_start: str | tuple[str, ...], status: int = 400) -> None:
    assert response.status_code == status, response.content
    page = response.content.decode()
    assert "Die Anmeldung mit BundID hat nicht geklappt" in page
    assert 'href="/konto/anmelden/"' in page
    event = AuditEvent.objects.filter(action="account.login.saml_rejected").last()
    assert event is not None
    assert event.details["reason"].startswith(reason_start), event.details
    assert "_auth_user_id" not in response.wsgi_request.session


def response_xml(fields: dict[str, str]) -> str:
    return base64.b64decode(fields["SAMLResponse"]).decode()


def with_xml(fields: dict[str, str], document: str) -> dict[str, str]:
    return {**fields, "SAMLResponse": base64.b64encode(document.encode()).decode()}


def test_login_page_offers_bundid_only_when_configured(client, barleben, settings):
    settings.RATHAUS_SAML_IDP_METADATA = ""
    page = client.get("/konto/anmelden/").content.decode()
    assert "/konto/anmelden/saml/" not in page
    assert client.get("/konto/anmelden/saml/").status_code == 404
    assert client.get("/konto/saml/metadaten/").status_code == 404
    assert client.post("/konto/anmelden/saml/antwort/").status_code == 404

    settings.RATHAUS_SAML_IDP_METADATA = "/nicht/da.xml"
    page = client.get("/konto/anmelden/").content.decode()
    assert 'href="/konto/anmelden/saml/' in page
    assert "Mit BundID anmelden" in page


def test_first_login_creates_the_account_and_the_second_finds_it(client, idp):
    response = post_answer(client, authenticate(client))
    assert response.status_code == 302, response.content
    assert response["Location"] == "/konto/"
    account = assert_first_external_login(
        client, provider="saml", issuer=idp.entity_id, subject="bPK2-Erika-4711"
    )
    # The assertion came encrypted for our key, and the request was signed and asked for
    # substantial at least.
    request = idp.requests[-1].message
    context = request.requested_authn_context
    assert context.comparison == "minimum"
    assert [ref.text for ref in context.authn_context_class_ref] == ["STORK-QAA-Level-3"]

    client.post("/konto/abmelden/")
    idp.level = "STORK-QAA-Level-4"
    assert post_answer(client, authenticate(client))["Location"] == "/konto/"
    assert ExternalIdentity.objects.count() == 1
    assert client.session["_auth_user_id"] == str(account.user.pk)
    assert client.session["rathaus_trust_level"] == "high"
    assert client.session["rathaus_login_provider"] == "saml"


def test_metadata_read_from_an_address_works_too(client, idp, settings):
    settings.RATHAUS_SAML_IDP_METADATA = f"{idp.base}/idp/metadata"
    assert post_answer(client, authenticate(client))["Location"] == "/konto/"
    assert ExternalIdentity.objects.get().provider == idp.entity_id


def test_the_answer_is_encrypted_and_signed(client, idp):
    document = response_xml(authenticate(client))
    root = ET.fromstring(document)
    assert root.findall("saml:Assertion", NS) == []
    assert len(root.findall("saml:EncryptedAssertion", NS)) == 1
    assert "Erika" not in document


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("STORK-QAA-Level-1", TrustLevel.BASIC),
        ("STORK-QAA-Level-2", TrustLevel.BASIC),
        ("STORK-QAA-Level-3", TrustLevel.SUBSTANTIAL),
        ("STORK-QAA-Level-4", TrustLevel.HIGH),
        ("http://eidas.europa.eu/LoA/low", TrustLevel.BASIC),
        ("http://eidas.europa.eu/LoA/substantial", TrustLevel.SUBSTANTIAL),
        ("http://eidas.europa.eu/LoA/high", TrustLevel.HIGH),
        ("urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport", TrustLevel.BASIC),
    ],
)
def test_the_confirmed_level_is_the_trust_level(client, idp, level, expected):
    idp.level = level
    assert post_answer(client, authenticate(client)).status_code == 302
    assert client.session["rathaus_trust_level"] == expected


def test_a_service_that_needs_high_asks_for_high(client, idp):
    authenticate(client, "/konto/anmelden/saml/?niveau=high")
    context = idp.requests[-1].message.requested_authn_context
    assert [ref.text for ref in context.authn_context_class_ref] == ["STORK-QAA-Level-4"]


def test_the_answer_without_the_session_cookie_is_posted_again_from_our_site(client, idp):
    from django.test import Client

    fields = authenticate(client)
    # The IdP's cross-site POST comes without our SameSite=Lax session cookie.
    stranger = Client()
    page = stranger.post("/konto/anmelden/saml/antwort/", fields)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Weiter" in text
    assert "auto-submit.js" in text
    action, again = saml_form_fields(text)
    assert action == "/konto/anmelden/saml/antwort/"
    assert again["SAMLResponse"] == fields["SAMLResponse"]
    # From our site the browser sends the cookie along, and the login goes through.
    assert client.post(action, again)["Location"] == "/konto/"
    # Posted again without the session it is refused, not shown once more.
    assert_rejected(stranger.post(action, again), "no_pending_login")


def test_the_same_answer_twice_is_refused(client, idp):
    from django.test import Client

    fields = authenticate(client)
    pending = dict(client.session[saml.SESSION_KEY])
    assert post_answer(client, fields).status_code == 302
    assert UsedSamlMessage.objects.count() == 2
    # Posted again by another browser: it has no login waiting for this answer.
    other = Client()
    assert post_answer(other, fields).status_code == 200  # the page that posts it once more
    assert_rejected(post_answer(other, {**fields, "rathaus_resent": "1"}), "no_pending_login")
    # Even a session that still waits for exactly this answer does not take it twice.
    session = other.session
    session[saml.SESSION_KEY] = pending
    session.save()
    assert_rejected(post_answer(other, fields), "replayed")
    assert ExternalIdentity.objects.count() == 1


def test_a_changed_byte_in_the_signed_assertion_is_refused(client, idp, settings):
    settings.RATHAUS_SAML_REQUIRE_ENCRYPTED = False
    idp.encrypt = False
    fields = authenticate(client)
    document = response_xml(fields)
    assert ">Erika<" in document
    assert_rejected(post_answer(client, with_xml(fields, document.replace(">Erika<", ">Erikb<"))),
                    "bad_signature")  # fmt: skip
    assert not ExternalIdentity.objects.exists()


def test_a_changed_byte_in_the_encrypted_assertion_is_refused(client, idp):
    fields = authenticate(client)
    document = response_xml(fields)
    values = re.findall(r"<(?:\w+:)?CipherValue>([^<]+)<", document)
    cipher = values[-1]
    raw = bytearray(base64.b64decode(cipher))
    raw[len(raw) // 2] ^= 0x01
    changed = document.replace(cipher, base64.b64encode(bytes(raw)).decode())
    # Depending on where the flipped bit lands, the plaintext is no text, no XML, or XML whose
    # signature no longer matches; refused in every case.
    assert_rejected(
        post_answer(client, with_xml(fields, changed)),
        ("not_decryptable", "not_one_assertion", "bad_signature", "invalid_response"),
    )
    assert not ExternalIdentity.objects.exists()


def test_an_unencrypted_assertion_is_refused_when_encryption_is_required(client, idp):
    idp.encrypt = False
    assert_rejected(post_answer(client, authenticate(client)), "assertion_not_encrypted")


def test_an_unsigned_assertion_is_refused(client, idp, settings):
    settings.RATHAUS_SAML_REQUIRE_ENCRYPTED = False
    idp.encrypt = False
    idp.sign_assertion = False
    assert_rejected(post_answer(client, authenticate(client)), "bad_signature")


def test_an_assertion_signed_with_another_key_is_refused(client, idp, tmp_path):
    idp.signing_key_file, _cert = saml_key_pair(tmp_path, "intruder")
    assert_rejected(post_answer(client, authenticate(client)), "bad_signature")
    assert not ExternalIdentity.objects.exists()


def test_an_answer_for_another_service_provider_is_refused(client, idp, settings):
    fields = authenticate(client)
    settings.RATHAUS_SAML_SP_ENTITY_ID = "https://anderes-portal.example.de/saml"
    assert_rejected(post_answer(client, fields), "wrong_audience")


def test_an_expired_answer_is_refused(client, idp):
    fields = authenticate(client)
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=10)):
        assert_rejected(post_answer(client, fields), "expired")
    assert not ExternalIdentity.objects.exists()


def test_an_answer_to_another_request_is_refused(client, idp):
    idp.in_response_to = "_a-request-we-never-sent"
    assert_rejected(post_answer(client, authenticate(client)), "unsolicited")


def test_an_answer_without_a_started_login_is_refused(client, idp):
    fields = authenticate(client)
    session = client.session
    del session[saml.SESSION_KEY]
    session.save()
    assert_rejected(post_answer(client, {**fields, "rathaus_resent": "1"}), "no_pending_login")


def test_a_cancelled_login_gives_the_plain_page(client, idp):
    from saml2.samlp import STATUS_AUTHN_FAILED

    idp.status = (STATUS_AUTHN_FAILED, "Der Nutzer hat abgebrochen")
    assert_rejected(post_answer(client, authenticate(client)), "idp_status:AuthnFailed")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "missing_response"),
        ("kein base64 !", "response_not_base64"),
        (base64.b64encode(b"<html/>").decode(), "not_a_response"),
        (base64.b64encode(b"<<<").decode(), "response_not_xml"),
        ("x" * 600_000, "response_too_large"),
    ],
)
def test_garbage_is_refused_without_a_traceback(client, idp, value, reason):
    authenticate(client)
    assert_rejected(post_answer(client, {"SAMLResponse": value}), reason)


def test_metadata_names_our_keys_and_endpoint_and_is_signed(client, idp):
    response = client.get("/konto/saml/metadaten/")
    assert response["Content-Type"].startswith("application/samlmetadata+xml")
    root = ET.fromstring(response.content)
    assert root.tag == "{urn:oasis:names:tc:SAML:2.0:metadata}EntityDescriptor"
    assert root.get("entityID") == "http://testserver/konto/saml/metadaten/"
    assert root.find("ds:Signature", NS) is not None
    descriptor = root.find("md:SPSSODescriptor", NS)
    assert descriptor.get("AuthnRequestsSigned") == "true"
    assert descriptor.get("WantAssertionsSigned") == "true"
    ours = saml_certificate_base64(idp.sp_cert)
    uses = {
        key.get("use"): key.find("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS).text
        for key in descriptor.findall("md:KeyDescriptor", NS)
    }
    assert {use: "".join(text.split()) for use, text in uses.items()} == {
        "signing": ours,
        "encryption": ours,
    }
    acs = descriptor.find("md:AssertionConsumerService", NS)
    assert acs.get("Binding") == "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
    assert acs.get("Location") == "http://testserver/konto/anmelden/saml/antwort/"


def test_a_broken_configuration_gives_the_plain_page_and_503(client, idp, settings):
    settings.RATHAUS_SAML_SP_KEY = str(Path(settings.RATHAUS_SAML_SP_KEY).with_name("nope.key"))
    assert_rejected(client.get("/konto/anmelden/saml/"), "configuration_invalid", status=503)
    assert client.get("/konto/saml/metadaten/").status_code == 503


def test_without_xmlsec1_the_login_says_so_in_the_log(client, idp, monkeypatch):
    monkeypatch.setattr(saml, "xmlsec_binary", lambda: None)
    assert_rejected(client.get("/konto/anmelden/saml/"), "xmlsec1_missing", status=503)


def test_the_start_check_names_what_is_missing(settings, monkeypatch):
    from django.core import checks

    settings.RATHAUS_SAML_IDP_METADATA = "/nicht/da.xml"
    settings.RATHAUS_SAML_SP_KEY = ""
    settings.RATHAUS_SAML_SP_CERT = ""
    monkeypatch.setattr(saml, "xmlsec_binary", lambda: None)
    messages = [message.msg for message in checks.run_checks() if message.id == "rathaus.E035"]
    assert messages == [
        "The BundID login (SAML) cannot work: the xmlsec1 program is not installed "
        "(apt-get install xmlsec1).",
        "The BundID login (SAML) cannot work: RATHAUS_SAML_SP_KEY is not set.",
        "The BundID login (SAML) cannot work: RATHAUS_SAML_SP_CERT is not set.",
        "The BundID login (SAML) cannot work: RATHAUS_SAML_IDP_METADATA: cannot read "
        "/nicht/da.xml.",
    ]
    settings.RATHAUS_SAML_IDP_METADATA = ""
    assert not [message for message in checks.run_checks() if message.id == "rathaus.E035"]


def test_the_settings_parser_knows_the_claims_and_levels():
    from rathaus import conf

    assert conf.SAML_CLAIMS == saml.CLAIMS
    assert tuple(TrustLevel.values) == conf.TRUST_LEVELS
    assert set(saml.REQUESTED_CONTEXT) == set(TrustLevel)
