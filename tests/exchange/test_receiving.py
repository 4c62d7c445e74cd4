"""The worker's check of a received submission: everything right → a case in the destination's
unit and a signed accept event; anything wrong → a signed reject event and nothing stored."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import pytest
from django.test import Client

from rathaus.cases import services as case_services
from rathaus.cases.models import Case, CaseEvent
from rathaus.core.files import store
from rathaus.core.models import StoredFile
from rathaus.exchange import crypto, receiving
from rathaus.exchange.models import Incoming, OwnDestination
from rathaus.forms.models import Channel, FormVersion, Submission
from tests.factories.core import AuthorityFactory, OrgUnitFactory
from tests.factories.exchange_receiving import (
    CALLBACK,
    OTHER_PLAN,
    PLAN,
    PROCESS,
    SECOND_PLAN,
    parcel_of,
    queued,
    send,
    submission_with_files,
)

pytestmark = [pytest.mark.django_db, pytest.mark.database]  # locks rows: runs on PostgreSQL too


def rejected_with(incoming: Incoming) -> list[str]:
    """The problem types of the reject event, after checking that nothing else was stored."""
    incoming.refresh_from_db()
    assert incoming.status == Incoming.Status.REJECTED
    assert incoming.submission is None
    (event,) = incoming.events.all()
    claims = crypto.verify_event(event.token, [crypto.signature_key()])
    kind, payload = crypto.event_kind(claims)
    assert (kind, event.kind) == ("reject-submission", "reject-submission")
    assert payload["problems"] == incoming.problems
    return [problem["type"].rsplit("/", 1)[-1] for problem in payload["problems"]]


def test_a_valid_submission_becomes_a_case_in_the_destination_unit_with_an_accept_event(
    api: Client, destination: OwnDestination, version: FormVersion
) -> None:
    original = submission_with_files(version, files=(PLAN, SECOND_PLAN))
    parcel = parcel_of(original)
    incoming = send(api, destination, parcel)
    assert [task.args_kwargs["args"] for task in queued(PROCESS)] == [[str(incoming.pk)]]

    assert receiving.process(str(incoming.pk)) == "accepted"

    incoming.refresh_from_db()
    received = incoming.submission
    assert incoming.status == Incoming.Status.ACCEPTED
    assert received is not None
    assert received.pk != original.pk
    assert received.channel == Channel.EXCHANGE
    assert received.data == original.data
    assert received.contact_email == "ilse@example.org"
    assert received.form_version == version
    contents = {a.upload_id: a.file.read_bytes() for a in received.attachments.all()}
    assert contents == {a.upload_id: a.file.read_bytes() for a in original.attachments.all()}
    case = Case.objects.get(submission=received)
    assert case.org_unit == destination.org_unit
    entry = CaseEvent.objects.get(case=case, kind="exchange_received")
    assert entry.detail["sender"] == "Gemeinde Barleben"
    assert entry.detail["sender_reference"] == original.reference

    (event,) = incoming.events.all()
    claims = crypto.verify_event(event.token, [crypto.signature_key()])
    kind, payload = crypto.event_kind(claims)
    assert kind == "accept-submission"
    assert claims["iss"] == str(destination.destination_id)
    assert claims["sub"] == f"submission:{incoming.submission_uuid}"
    assert claims["txn"] == f"case:{incoming.case_uuid}"
    tags = payload["authenticationTags"]
    assert tags["metadata"] == incoming.encrypted_metadata.rsplit(".", 1)[1]
    assert tags["data"] == incoming.encrypted_data.rsplit(".", 1)[1]
    assert tags["attachments"] == {
        str(upload.attachment_id): upload.file.read_bytes().decode().rsplit(".", 1)[1]
        for upload in incoming.attachments.all()
    }
    assert [task.args_kwargs["args"] for task in queued(CALLBACK)] == [[event.pk]]


def test_processing_twice_stores_one_submission_and_one_event(
    api: Client, destination: OwnDestination, version: FormVersion
) -> None:
    incoming = send(api, destination, parcel_of(submission_with_files(version)))
    before = Submission.objects.count()

    assert receiving.process(str(incoming.pk)) == "accepted"
    assert receiving.process(str(incoming.pk)) == "already accepted"

    assert Submission.objects.count() == before + 1
    assert incoming.events.count() == 1


def test_a_tampered_data_ciphertext_is_rejected(
    api: Client, destination: OwnDestination, version: FormVersion
) -> None:
    incoming = send(api, destination, parcel_of(submission_with_files(version)))
    header, key, iv, ciphertext, tag = incoming.encrypted_data.split(".")
    flipped = ("A" if ciphertext[0] != "A" else "B") + ciphertext[1:]
    Incoming.objects.filter(pk=incoming.pk).update(
        encrypted_data=".".join([header, key, iv, flipped, tag])
    )
    submissions, files = Submission.objects.count(), StoredFile.objects.count()

    assert receiving.process(str(incoming.pk)) == "rejected"

    assert rejected_with(incoming) == ["encryption-issue"]
    assert (Submission.objects.count(), StoredFile.objects.count()) == (submissions, files)
    assert not Case.objects.exclude(submission__channel=Channel.WEB).exists()


def test_an_attachment_whose_hash_differs_is_rejected_and_nothing_is_half_stored(
    api: Client, destination: OwnDestination, version: FormVersion
) -> None:
    parcel = parcel_of(submission_with_files(version, files=(PLAN, SECOND_PLAN)))
    first = next(iter(parcel.attachments))
    parcel.attachments[first] = OTHER_PLAN  # the metadata keeps the old hash
    incoming = send(api, destination, parcel)
    submissions, files = Submission.objects.count(), StoredFile.objects.count()

    assert receiving.process(str(incoming.pk)) == "rejected"

    assert rejected_with(incoming) == ["hash-mismatch"]
    assert first in incoming.problems[0]["detail"]
    assert (Submission.objects.count(), StoredFile.objects.count()) == (submissions, files)


def test_data_whose_hash_differs_from_the_metadata_is_rejected(
    api: Client, destination: OwnDestination, version: FormVersion
) -> None:
    parcel = parcel_of(submission_with_files(version, files=()))
    parcel.data = json.dumps({"thema": "Etwas anderes"}).encode()
    incoming = send(api, destination, parcel)

    assert receiving.process(str(incoming.pk)) == "rejected"

    assert rejected_with(incoming) == ["hash-mismatch"]


def test_metadata_that_does_not_validate_is_rejected_with_the_schema_problems(
    api: Client, destination: OwnDestination, version: FormVersion
) -> None:
    parcel = parcel_of(submission_with_files(version, files=()))
    parcel.metadata["contentStructure"]["data"]["hash"]["type"] = "md5"
    incoming = send(api, destination, parcel)

    assert receiving.process(str(incoming.pk)) == "rejected"

    assert rejected_with(incoming) == ["invalid-metadata"]
    assert "md5" in incoming.problems[0]["detail"]


def test_an_attachment_described_but_not_announced_is_rejected(
    api: Client, destination: OwnDestination, version: FormVersion
) -> None:
    parcel = parcel_of(submission_with_files(version))
    parcel.attachments = {}  # announce and upload none; the metadata still describes one
    incoming = send(api, destination, parcel)

    assert receiving.process(str(incoming.pk)) == "rejected"

    assert rejected_with(incoming) == ["attachments-mismatch"]
    assert "described but not announced" in incoming.problems[0]["detail"]


def test_data_that_does_not_fit_the_receiving_form_is_rejected(
    api: Client, destination: OwnDestination, version: FormVersion
) -> None:
    original = submission_with_files(version, files=())
    Submission.objects.filter(pk=original.pk).update(data={"unbekannt": "x"})
    original.refresh_from_db()
    incoming = send(api, destination, parcel_of(original))

    assert receiving.process(str(incoming.pk)) == "rejected"

    assert rejected_with(incoming) == ["schema-violation"]


def test_a_service_without_a_form_here_is_rejected(
    api: Client, destination: OwnDestination, version: FormVersion
) -> None:
    parcel = parcel_of(submission_with_files(version, files=()))
    version.definition.offer = None
    version.definition.slug = "umbenannt"
    version.definition.save()
    incoming = send(api, destination, parcel)

    assert receiving.process(str(incoming.pk)) == "rejected"

    assert rejected_with(incoming) == ["unsupported-schema"]


def test_the_form_is_found_by_the_schema_uri_without_a_leika_service(
    api: Client, destination: OwnDestination, version: FormVersion
) -> None:
    parcel = parcel_of(submission_with_files(version, files=()))
    del parcel.metadata["publicServiceType"]
    version.definition.offer = None
    version.definition.save()
    destination.leika_keys = []  # a destination for any service
    destination.save()
    incoming = send(api, destination, parcel)

    assert receiving.process(str(incoming.pk)) == "accepted"


def test_a_form_of_a_service_the_destination_does_not_take_is_rejected(
    api: Client, destination: OwnDestination, version: FormVersion
) -> None:
    """The schema URI names a form of the authority whose service the destination does not
    accept: no case of another service lands in the destination's unit."""
    parcel = parcel_of(submission_with_files(version, files=()))
    del parcel.metadata["publicServiceType"]
    version.definition.offer = None
    version.definition.save()
    incoming = send(api, destination, parcel)

    assert receiving.process(str(incoming.pk)) == "rejected"

    assert rejected_with(incoming) == ["unsupported-service"]


def test_metadata_naming_another_service_than_announced_is_rejected(
    api: Client, destination: OwnDestination, version: FormVersion
) -> None:
    parcel = parcel_of(submission_with_files(version, files=()))
    parcel.metadata["publicServiceType"]["identifier"] = "urn:de:fim:leika:leistung:99050012104000"
    incoming = send(api, destination, parcel)

    assert receiving.process(str(incoming.pk)) == "rejected"

    assert rejected_with(incoming) == ["service-mismatch"]


def test_a_compressed_part_is_refused_before_it_is_inflated(keys: Any) -> None:
    from jwcrypto import jwe, jwk

    key = jwk.JWK(**crypto.encryption_key())
    header = {"alg": "RSA-OAEP-256", "enc": "A256GCM", "zip": "DEF"}
    token = jwe.JWE(b"{" + b" " * 1_000_000 + b"}", protected=json.dumps(header))
    token.add_recipient(key)
    with pytest.raises(crypto.CryptoError, match="zip"):
        crypto.decrypt(token.serialize(compact=True))


def test_a_destination_without_unit_opens_the_case_by_the_authority_rules(
    api: Client, destination: OwnDestination, version: FormVersion
) -> None:
    OwnDestination.objects.filter(pk=destination.pk).update(org_unit=None)
    incoming = send(api, destination, parcel_of(submission_with_files(version, files=())))

    assert receiving.process(str(incoming.pk)) == "accepted"

    incoming.refresh_from_db()
    assert Case.objects.get(submission=incoming.submission).authority == destination.authority


def test_forwarding_a_received_case_issues_a_forward_event(
    api: Client,
    destination: OwnDestination,
    version: FormVersion,
    django_capture_on_commit_callbacks: Any,
) -> None:
    incoming = send(api, destination, parcel_of(submission_with_files(version, files=())))
    receiving.process(str(incoming.pk))
    incoming.refresh_from_db()
    case = Case.objects.get(submission=incoming.submission)
    other = AuthorityFactory(slug="nachbarkreis", name="Nachbarkreis")
    OrgUnitFactory(authority=other)

    with django_capture_on_commit_callbacks(execute=True):  # the domain event is sent on commit
        case_services.forward(case, other)

    forward = incoming.events.get(kind="forward-submission")
    claims = crypto.verify_event(forward.token, [crypto.signature_key()])
    assert crypto.event_kind(claims) == ("forward-submission", {"destinationName": "Nachbarkreis"})


def test_a_failure_while_storing_leaves_no_decrypted_file_behind(
    api: Client, destination: OwnDestination, version: FormVersion, monkeypatch: Any
) -> None:
    parcel = parcel_of(submission_with_files(version))
    (ident,) = parcel.attachments
    parcel.attachments[ident] = OTHER_PLAN  # content no other stored file has
    parcel.metadata["contentStructure"]["attachments"][0]["hash"]["content"] = hashlib.sha512(
        OTHER_PLAN
    ).hexdigest()
    incoming = send(api, destination, parcel)

    def no_unit(*args: Any) -> Any:
        raise receiving.Rejected([{"type": "x/service-mismatch", "title": "t", "detail": "d"}])

    monkeypatch.setattr(receiving, "_open_case", no_unit)

    assert receiving.process(str(incoming.pk)) == "rejected"

    assert rejected_with(incoming) == ["service-mismatch"]
    assert not store.blob_exists(store.blob_key(hashlib.sha256(OTHER_PLAN).hexdigest()))
    assert not Submission.objects.filter(channel=Channel.EXCHANGE).exists()


def test_data_that_is_no_json_object_is_rejected(
    api: Client, destination: OwnDestination, version: FormVersion
) -> None:
    parcel = parcel_of(submission_with_files(version, files=()))
    parcel.data = b"[1, 2]"
    parcel.metadata["contentStructure"]["data"]["hash"]["content"] = hashlib.sha512(
        parcel.data
    ).hexdigest()
    incoming = send(api, destination, parcel)

    assert receiving.process(str(incoming.pk)) == "rejected"

    assert rejected_with(incoming) == ["syntax-violation"]


def test_processing_an_incoming_that_is_gone_does_nothing(db: Any) -> None:
    assert receiving.process(str(uuid.uuid4())) == "gone"
