"""The receiving exchange API as a sender uses it: routes, destinations and keys without a token;
announce, upload, submit and the event log with one; every refusal a problem document."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client
from jwcrypto import jwk, jws
from jwcrypto.common import json_decode

from rathaus.exchange import crypto, receiving
from rathaus.exchange.models import Incoming, IncomingAttachment, OwnDestination
from rathaus.forms.models import FormVersion
from tests.factories.exchange_receiving import (
    API,
    LEIKA,
    PROCESS,
    announce,
    client_for,
    parcel_of,
    queued,
    send,
    submission_with_files,
    upload,
)

pytestmark = pytest.mark.django_db


def problem_type(answer: Any) -> str:
    assert answer["Content-Type"] == "application/problem+json"
    body = answer.json()
    assert body["title"]
    assert body["detail"]
    return str(body["type"].rsplit("/", 1)[-1])


# --- routes, destinations, keys ----------------------------------------------------------------


def test_routes_name_our_destination_for_the_service_in_its_area_with_a_signature(
    destination: OwnDestination,
) -> None:
    answer = Client().get(f"{API}/routes", {"leikaKey": LEIKA, "ars": "150835555555"})

    assert answer.status_code == 200
    body = answer.json()
    assert (body["count"], body["totalCount"], body["offset"]) == (1, 1, 0)
    (route,) = body["routes"]
    assert route["destinationId"] == str(destination.destination_id)
    assert route["destinationName"] == destination.name
    signed = jws.JWS()
    signed.deserialize(route["destinationSignature"])
    signed.verify(jwk.JWK(**crypto.signature_key()), alg="PS512")
    claims = json_decode(signed.payload)
    assert claims["destinationId"] == str(destination.destination_id)
    assert claims["services"] == [
        {
            "gebietIDs": ["urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs:150835555555"],
            "leistungIDs": [f"urn:de:fim:leika:leistung:{LEIKA}"],
        }
    ]


@pytest.mark.parametrize(
    ("leika", "ars"), [(LEIKA, "150910000000"), ("99050012104000", "150835555555")]
)
def test_routes_are_empty_for_another_area_or_service(
    destination: OwnDestination, leika: str, ars: str
) -> None:
    answer = Client().get(f"{API}/routes", {"leikaKey": leika, "ars": ars})

    assert answer.json()["routes"] == []


def test_routes_refuse_a_malformed_key(destination: OwnDestination) -> None:
    answer = Client().get(f"{API}/routes", {"leikaKey": "123", "ars": "15083"})

    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "query.leikaKey"


def test_a_destination_shows_its_services_and_encryption_key(destination: OwnDestination) -> None:
    answer = Client().get(f"{API}/destinations/{destination.destination_id}")

    body = answer.json()
    assert body["status"] == "active"
    assert body["encryptionKid"] == crypto.encryption_key()["kid"]
    assert body["services"][0]["identifier"] == f"urn:de:fim:leika:leistung:{LEIKA}"
    key = Client().get(
        f"{API}/destinations/{destination.destination_id}/keys/{body['encryptionKid']}"
    )
    assert key.json() == crypto.encryption_key()
    assert "d" not in key.json()


def test_a_destination_that_is_not_ours_or_inactive_is_not_found(
    destination: OwnDestination,
) -> None:
    assert problem_type(Client().get(f"{API}/destinations/{uuid.uuid4()}")) == (
        "destination-not-found"
    )
    OwnDestination.objects.filter(pk=destination.pk).update(active=False)
    answer = Client().get(f"{API}/destinations/{destination.destination_id}")
    assert answer.status_code == 404
    unknown_key = Client().get(f"{API}/destinations/{uuid.uuid4()}/keys/x")
    assert unknown_key.status_code == 404


# --- tokens ------------------------------------------------------------------------------------


def test_announcing_needs_a_known_token(destination: OwnDestination) -> None:
    missing = announce(Client(), destination, [])
    wrong = announce(client_for("falsch"), destination, [])

    assert (missing.status_code, wrong.status_code) == (401, 401)
    assert problem_type(missing) == "unauthorized"
    assert "Bearer" in missing["WWW-Authenticate"]
    assert not Incoming.objects.exists()


def test_repeated_wrong_tokens_are_throttled(destination: OwnDestination) -> None:
    answers = [announce(client_for(f"falsch-{n}"), destination, []) for n in range(21)]

    assert [a.status_code for a in answers] == [401] * 20 + [429]
    assert problem_type(answers[-1]) == "too-many-refused-tokens"
    assert int(answers[-1]["Retry-After"]) > 0


def test_an_inactive_sender_is_refused(
    api: Client, destination: OwnDestination, sender: Any
) -> None:
    sender.active = False
    sender.save()

    assert announce(api, destination, []).status_code == 401


# --- announce ----------------------------------------------------------------------------------


def test_announcing_gives_new_ids(api: Client, destination: OwnDestination) -> None:
    answer = announce(api, destination, [str(uuid.uuid4())])

    assert answer.status_code == 201
    incoming = Incoming.objects.get()
    assert answer.json() == {
        "destinationId": str(destination.destination_id),
        "submissionId": str(incoming.submission_uuid),
        "caseId": str(incoming.case_uuid),
    }
    assert incoming.callback_url.endswith("/callbacks/x")


def test_the_same_idempotency_key_gives_the_same_ids(
    api: Client, destination: OwnDestination
) -> None:
    first = announce(api, destination, [], **{"Idempotency-Key": "outgoing-1"})
    again = announce(api, destination, [], **{"Idempotency-Key": "outgoing-1"})
    other = announce(api, destination, [], **{"Idempotency-Key": "outgoing-2"})

    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    assert again.json() == first.json()
    assert other.json()["submissionId"] != first.json()["submissionId"]


def test_a_destination_we_do_not_own_is_refused(api: Client, destination: OwnDestination) -> None:
    destination.destination_id = uuid.uuid4()  # not saved: someone else's id

    answer = announce(api, destination, [])

    assert answer.status_code == 404
    assert problem_type(answer) == "destination-not-found"


def test_a_service_the_destination_does_not_accept_is_refused(
    api: Client, destination: OwnDestination
) -> None:
    body = {
        "destinationId": str(destination.destination_id),
        "announcedAttachments": [],
        "serviceType": {
            "name": "Gewerbe",
            "identifier": "urn:de:fim:leika:leistung:99050012104000",
        },
    }
    answer = api.post(f"{API}/submissions", body, content_type="application/json")

    assert answer.status_code == 422
    assert problem_type(answer) == "service-not-accepted"


def test_a_callback_that_is_no_web_address_is_refused(
    api: Client, destination: OwnDestination
) -> None:
    body = {
        "destinationId": str(destination.destination_id),
        "serviceType": {"name": "x", "identifier": "x"},
        "callback": {"url": "file:///etc/passwd", "secret": "s" * 40},
    }
    answer = api.post(f"{API}/submissions", body, content_type="application/json")

    assert answer.status_code == 422
    assert not Incoming.objects.exists()


# --- upload and submit -------------------------------------------------------------------------


@pytest.fixture
def announced(api: Client, destination: OwnDestination) -> tuple[str, str]:
    attachment_id = str(uuid.uuid4())
    answer = announce(api, destination, [attachment_id])
    return answer.json()["submissionId"], attachment_id


def a_jwe(content: bytes = b"%PDF-1.7 Plan") -> str:
    return crypto.encrypt(content, crypto.encryption_key(), "application/pdf")


def test_an_attachment_is_kept_as_sent_and_again_with_the_same_content(
    api: Client, announced: tuple[str, str]
) -> None:
    submission_id, attachment_id = announced
    jwe = a_jwe()

    assert upload(api, submission_id, attachment_id, jwe).status_code == 204
    assert upload(api, submission_id, attachment_id, jwe).status_code == 204
    (kept,) = IncomingAttachment.objects.all()
    assert kept.file.read_bytes() == jwe.encode()
    changed = upload(api, submission_id, attachment_id, a_jwe(b"anders"))
    assert changed.status_code == 409
    assert problem_type(changed) == "attachment-exists"


def test_an_attachment_that_was_not_announced_is_refused(
    api: Client, announced: tuple[str, str]
) -> None:
    submission_id, _attachment_id = announced

    answer = upload(api, submission_id, str(uuid.uuid4()), a_jwe())

    assert answer.status_code == 422
    assert problem_type(answer) == "attachment-not-announced"
    assert not IncomingAttachment.objects.exists()


def test_another_senders_submission_is_not_found(announced: tuple[str, str]) -> None:
    submission_id, attachment_id = announced
    _other, token = receiving.create_sender("Jemand anderes")

    answer = upload(client_for(token), submission_id, attachment_id, a_jwe())

    assert answer.status_code == 404
    assert problem_type(answer) == "submission-not-found"


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [("kein jwe", "application/jose", 422), ("a.b.c.d.e", "application/json", 415)],
)
def test_an_upload_that_is_no_jwe_is_refused(
    api: Client, announced: tuple[str, str], body: str, content_type: str, status: int
) -> None:
    submission_id, attachment_id = announced

    answer = api.put(
        f"{API}/submissions/{submission_id}/attachments/{attachment_id}",
        body,
        content_type=content_type,
    )

    assert answer.status_code == status
    assert not IncomingAttachment.objects.exists()


def test_an_upload_larger_than_the_limit_is_refused(
    api: Client, announced: tuple[str, str], settings: Any
) -> None:
    settings.RATHAUS_UPLOAD_MAX_BYTES = 1000
    submission_id, attachment_id = announced

    answer = upload(api, submission_id, attachment_id, a_jwe(b"x" * 60_000))

    assert answer.status_code == 413
    assert problem_type(answer) == "attachment-too-large"


def test_submitting_without_every_announced_attachment_is_refused(
    api: Client, announced: tuple[str, str]
) -> None:
    submission_id, attachment_id = announced
    body = {"encryptedMetadata": a_jwe(b"{}"), "encryptedData": a_jwe(b"{}")}

    answer = api.put(f"{API}/submissions/{submission_id}", body, content_type="application/json")

    assert answer.status_code == 422
    assert problem_type(answer) == "missing-attachments"
    assert attachment_id in answer.json()["detail"]
    assert Incoming.objects.get().status == Incoming.Status.ANNOUNCED


def test_submitting_twice_answers_the_same_and_queues_one_check(
    api: Client, destination: OwnDestination, version: FormVersion
) -> None:
    parcel = parcel_of(submission_with_files(version))
    incoming = send(api, destination, parcel)
    first_metadata = incoming.encrypted_metadata

    again = api.put(
        f"{API}/submissions/{incoming.submission_uuid}",
        parcel.submit_body(),  # encrypted anew: other bytes, same submission id
        content_type="application/json",
    )

    assert again.status_code == 202
    assert again.json()["submissionId"] == str(incoming.submission_uuid)
    incoming.refresh_from_db()
    assert incoming.encrypted_metadata == first_metadata
    assert len(queued(PROCESS)) == 1
    (attachment_id,) = parcel.attachments
    late = upload(api, str(incoming.submission_uuid), attachment_id, a_jwe())
    assert late.status_code == 409


def test_the_event_log_is_for_the_sender_of_the_case_only(
    api: Client, destination: OwnDestination, version: FormVersion
) -> None:
    incoming = send(api, destination, parcel_of(submission_with_files(version)))
    receiving.process(str(incoming.pk))
    _other, token = receiving.create_sender("Jemand anderes")

    log = api.get(f"{API}/cases/{incoming.case_uuid}/events")
    foreign = client_for(token).get(f"{API}/cases/{incoming.case_uuid}/events")

    (token_text,) = log.json()["eventLog"]
    claims = crypto.verify_event(token_text, [crypto.signature_key()])
    assert crypto.event_kind(claims)[0] == "accept-submission"
    assert foreign.status_code == 404
    assert problem_type(foreign) == "case-not-found"
