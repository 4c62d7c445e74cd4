"""The FIT-Connect metadata of a submission: complete, with hashes over exactly what is sent, and
always valid against the published metadata schema 1.0.0."""

from __future__ import annotations

import copy
import datetime
import hashlib
import io
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from rathaus.accounts.models import Account
from rathaus.cases import fitconnect
from rathaus.cases.fitconnect import (
    SCHEMA_PATH,
    submission_data_bytes,
    submission_metadata,
    validate_metadata,
)
from rathaus.catalog.models import Offer, Service
from rathaus.core.models import Authority
from rathaus.forms import services as form_services
from rathaus.forms.models import Channel, FormVersion, Submission
from rathaus.forms.submissions import AttachmentSpec, create_submission
from tests.factories import StoredFileFactory
from tests.support import database_env, rathaus

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

LEIKA_KEY = "99050012104000"  # Gewerbe anmelden

SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 100},
        "email": {"type": "string", "format": "email"},
        "belege": {
            "type": "array",
            "items": {"type": "string", "format": "upload"},
            "maxItems": 3,
        },
    },
    "required": ["name"],
}
LAYOUT = {
    "steps": [
        {
            "id": "angaben",
            "title": "Angaben",
            "elements": [
                {"field": "name", "widget": "text", "label": "Name"},
                {"field": "email", "widget": "email", "label": "E-Mail"},
                {
                    "field": "belege",
                    "widget": "file",
                    "label": "Belege",
                    "accept": ["application/pdf", "image/png"],
                    "max_size": 1024 * 1024,
                },
            ],
        }
    ]
}


@pytest.fixture
def version(barleben: Authority) -> FormVersion:
    draft = form_services.create_definition(
        authority=barleben,
        slug="gewerbe-anmelden",
        title="Gewerbe anmelden",
        schema=SCHEMA,
        layout=LAYOUT,
        receipt_email_field="email",
    )
    return form_services.publish(draft)


@pytest.fixture
def leika_offer(barleben: Authority) -> Offer:
    service, _ = Service.objects.get_or_create(
        leika_key=LEIKA_KEY, defaults={"name": "Gewerbe anmelden"}
    )  # the demo catalogue may have it already
    offer, _ = Offer.objects.get_or_create(authority=barleben, service=service)
    return offer


@pytest.fixture
def offer_without_key(barleben: Authority) -> Offer:
    service = Service.objects.create(leika_key=None, name="Sperrmüll abholen lassen (Test)")
    return Offer.objects.create(authority=barleben, service=service)


@pytest.fixture
def account(db: Any) -> Account:
    user = get_user_model().objects.create_user(
        username="kim@example.org", email="kim@example.org", first_name="Kim"
    )
    return Account.objects.create(user=user, kind=Account.Kind.PERSON)


def attachment(content: bytes, name: str, content_type: str = "application/pdf") -> AttachmentSpec:
    upload_id = uuid.uuid4()
    return AttachmentSpec(
        upload_id=upload_id.hex,
        field="belege",
        file=StoredFileFactory(content=content, name=name, media_type=content_type),
        original_name=name,
        content_type=content_type,
        size=len(content),
        sha512=hashlib.sha512(content).hexdigest(),
    )


def submit(
    version: FormVersion,
    *,
    data: dict[str, Any] | None = None,
    attachments: tuple[AttachmentSpec, ...] = (),
    account: Account | None = None,
    offer: Offer | None = None,
    contact_email: str = "",
) -> Submission:
    if data is None:
        data = {"name": "Kim Müller"}
    if attachments:
        data = {**data, "belege": [spec.upload_id for spec in attachments]}
    submission, created = create_submission(
        authority=version.definition.authority,
        form_version=version,
        data=data,
        trust_level="basic" if account is not None else "none",
        channel=Channel.WEB,
        account=account,
        offer=offer,
        contact_email=contact_email,
        attachments=attachments,
    )
    assert created
    return Submission.objects.get(pk=submission.pk)  # as read back from the database


# --- the document --------------------------------------------------------------------------------


@pytest.mark.parametrize("with_attachments", [False, True], ids=["no-files", "files"])
@pytest.mark.parametrize("with_account", [False, True], ids=["anonymous", "account"])
@pytest.mark.parametrize("offer_kind", ["none", "leika", "no-key"])
def test_metadata_is_valid_for_every_kind_of_submission(
    request: pytest.FixtureRequest,
    version: FormVersion,
    with_attachments: bool,
    with_account: bool,
    offer_kind: str,
) -> None:
    fixture = {"none": None, "leika": "leika_offer", "no-key": "offer_without_key"}[offer_kind]
    offer = request.getfixturevalue(fixture) if fixture is not None else None
    user = request.getfixturevalue("account") if with_account else None
    files = (
        (attachment(b"%PDF-1.7 Gewerbeschein", "gewerbeschein.pdf"),
         attachment(b"\x89PNG ausweis", "ausweis.png", "image/png"))
        if with_attachments
        else ()
    )  # fmt: skip
    submission = submit(
        version,
        attachments=files,
        account=user,
        offer=offer,
        contact_email="kim@example.org" if with_account else "",
    )

    document = submission_metadata(submission)

    assert validate_metadata(document) == []
    assert len(document["contentStructure"]["attachments"]) == len(files)
    assert ("publicServiceType" in document) is (offer_kind == "leika")
    assert ("replyChannel" in document) is with_account


def test_data_hash_is_taken_over_the_canonical_json_that_is_sent(version: FormVersion) -> None:
    submission = submit(
        version, data={"name": "Jörg Übel", "email": "joerg@example.org"}, contact_email=""
    )

    sent = submission_data_bytes(submission)
    document = submission_metadata(submission)

    assert sent == '{"email":"joerg@example.org","name":"Jörg Übel"}'.encode()
    data = document["contentStructure"]["data"]
    assert data["hash"] == {"type": "sha512", "content": hashlib.sha512(sent).hexdigest()}
    assert data["submissionSchema"] == {
        "schemaUri": "urn:rathaus:form:barleben:gewerbe-anmelden:v1",
        "mimeType": "application/json",
    }
    assert json.loads(sent) == submission.data


def test_data_hash_does_not_depend_on_key_order(version: FormVersion) -> None:
    first = submit(version, data={"name": "A", "email": "a@example.org"})
    second = submit(version, data={"email": "a@example.org", "name": "A"})

    assert submission_data_bytes(first) == submission_data_bytes(second)


def test_schema_uri_names_the_form_version(version: FormVersion) -> None:
    second = form_services.publish(
        form_services.new_version(version.definition, schema=SCHEMA, layout=LAYOUT)
    )
    submission = submit(second)

    schema = submission_metadata(submission)["contentStructure"]["data"]["submissionSchema"]
    assert schema["schemaUri"] == "urn:rathaus:form:barleben:gewerbe-anmelden:v2"


def test_attachments_carry_upload_id_stored_hash_name_and_type(version: FormVersion) -> None:
    pdf = attachment(b"%PDF-1.7 Gewerbeschein", "Gewerbeschein (Kopie).pdf")
    png = attachment(b"\x89PNG ausweis", "ausweis.png", "image/png; charset=binary")
    submission = submit(version, attachments=(pdf, png))

    listed = submission_metadata(submission)["contentStructure"]["attachments"]

    stored = list(submission.attachments.all())
    assert [item["hash"]["content"] for item in listed] == [row.sha512 for row in stored]
    assert listed == [
        {
            "attachmentId": str(uuid.UUID(pdf.upload_id)),
            "hash": {"type": "sha512", "content": hashlib.sha512(b"%PDF-1.7 Gewerbeschein").hexdigest()},
            "filename": "Gewerbeschein (Kopie).pdf",
            "mimeType": "application/pdf",
            "purpose": "attachment",
        },
        {
            "attachmentId": str(uuid.UUID(png.upload_id)),
            "hash": {"type": "sha512", "content": hashlib.sha512(b"\x89PNG ausweis").hexdigest()},
            "filename": "ausweis.png",
            "mimeType": "image/png",
            "purpose": "attachment",
        },
    ]  # fmt: skip
    # The data names the same uploads (32 hex digits, the form's upload ids).
    assert [str(uuid.UUID(item)) for item in submission.data["belege"]] == [
        item["attachmentId"] for item in listed
    ]


def test_leika_service_is_named_with_its_urn(version: FormVersion, leika_offer: Offer) -> None:
    submission = submit(version, offer=leika_offer)

    document = submission_metadata(submission)

    assert document["publicServiceType"] == {
        "name": leika_offer.service.name,
        "identifier": f"urn:de:fim:leika:leistung:{LEIKA_KEY}",
    }


def test_offer_without_leika_key_gives_no_public_service_type(
    version: FormVersion, offer_without_key: Offer
) -> None:
    document = submission_metadata(submit(version, offer=offer_without_key))

    assert "publicServiceType" not in document
    assert validate_metadata(document) == []


def test_reply_channel_is_the_receipt_address(version: FormVersion) -> None:
    with_address = submit(version, contact_email="kim@example.org")
    without = submit(version)

    assert submission_metadata(with_address)["replyChannel"] == {
        "eMail": {"address": "kim@example.org"}
    }
    assert "replyChannel" not in submission_metadata(without)


def test_reference_info_has_our_reference_and_the_local_application_date(
    version: FormVersion,
) -> None:
    # 23:30 UTC on 1 March is already 2 March in Barleben.
    with time_machine.travel(datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC)):
        submission = submit(version)

    info = submission_metadata(submission)["additionalReferenceInfo"]

    assert info == {"senderReference": submission.reference, "applicationDate": "2026-03-02"}
    assert submission.reference.startswith("BAR-2026-")


# --- validation ----------------------------------------------------------------------------------


@pytest.fixture
def valid_document(version: FormVersion, leika_offer: Offer) -> dict[str, Any]:
    submission = submit(
        version,
        attachments=(attachment(b"%PDF-1.7", "a.pdf"),),
        offer=leika_offer,
        contact_email="kim@example.org",
    )
    document = submission_metadata(submission)
    assert validate_metadata(document) == []
    return document


def tampered(document: dict[str, Any], change: Any) -> dict[str, Any]:
    copied = copy.deepcopy(document)
    change(copied)
    return copied


def test_missing_content_structure_is_reported(valid_document: dict[str, Any]) -> None:
    problems = validate_metadata(tampered(valid_document, lambda d: d.pop("contentStructure")))

    assert problems == ["$: 'contentStructure' is a required property"]


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (
            lambda d: d["contentStructure"]["data"]["hash"].update(type="md5"),
            "$.contentStructure.data.hash.type",
            "'md5' is not one of ['sha512']",
        ),
        (
            lambda d: d["contentStructure"]["data"]["hash"].update(content="ABC"),
            "$.contentStructure.data.hash.content",
            "does not match",
        ),
        (
            lambda d: d["contentStructure"]["attachments"][0]["hash"].update(type="md5"),
            "$.contentStructure.attachments[0].hash.type",
            "'md5' is not one of ['sha512']",
        ),
        (
            lambda d: d["contentStructure"]["attachments"][0].update(attachmentId="x" * 32),
            "$.contentStructure.attachments[0].attachmentId",
            "is not a 'uuid'",
        ),
        (
            lambda d: d["contentStructure"]["attachments"][0].update(purpose="evidence"),
            "$.contentStructure.attachments[0].purpose",
            "is not one of",
        ),
        (
            lambda d: d["contentStructure"]["attachments"][0].pop("mimeType"),
            "$.contentStructure.attachments[0]",
            "'mimeType' is a required property",
        ),
        (
            lambda d: d["contentStructure"]["data"]["submissionSchema"].update(
                schemaUri="not a uri"
            ),
            "$.contentStructure.data.submissionSchema.schemaUri",
            "is not a 'uri'",
        ),
        (
            lambda d: d["publicServiceType"].update(identifier="LeiKa 99050012104000"),
            "$.publicServiceType.identifier",
            "does not match",
        ),
        (
            lambda d: d["replyChannel"]["eMail"].update(address="kim at example.org"),
            "$.replyChannel.eMail.address",
            "is not a 'email'",
        ),
        (
            lambda d: d["replyChannel"].update(deMail={"address": "kim@example.de-mail.de"}),
            "$.replyChannel",
            "has too many properties",
        ),
        (
            lambda d: d["additionalReferenceInfo"].update(applicationDate="02.03.2026"),
            "$.additionalReferenceInfo.applicationDate",
            "is not a 'date'",
        ),
        (
            lambda d: d.update(
                paymentInformation={
                    "transactionReference": "K-1",
                    "transactionId": "t-1",
                    "paymentMethod": "INVOICE",
                    "status": "BOOKED",
                    "transactionTimestamp": "yesterday",
                }
            ),
            "$.paymentInformation.transactionTimestamp",
            "is not a 'date-time'",
        ),
    ],
    ids=[
        "data-hash-md5",
        "data-hash-content",
        "attachment-hash-md5",
        "attachment-id",
        "purpose",
        "mime-type-missing",
        "schema-uri",
        "leika-urn",
        "email",
        "two-reply-channels",
        "application-date",
        "payment-timestamp",
    ],
)
def test_tampered_document_is_reported_with_its_path(
    valid_document: dict[str, Any], change: Any, path: str, words: str
) -> None:
    problems = validate_metadata(tampered(valid_document, change))

    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}: ")
    assert words in problems[0]


def test_valid_date_time_and_https_uri_pass(valid_document: dict[str, Any]) -> None:
    def change(document: dict[str, Any]) -> None:
        document["contentStructure"]["data"]["submissionSchema"]["schemaUri"] = (
            "https://schema.fitko.de/fim/s00000096_1.0.schema.json"
        )
        document["paymentInformation"] = {
            "transactionReference": "K-1",
            "transactionId": "t-1",
            "paymentMethod": "INVOICE",
            "status": "BOOKED",
            "transactionTimestamp": "2026-03-02T10:15:00+01:00",
        }

    assert validate_metadata(tampered(valid_document, change)) == []


# SHA-256 of metadata.schema.v1.0.0.json as FITKO published it (see src/rathaus/cases/data/README.md).
PUBLISHED_SCHEMA_SHA256 = "d61ad55c5d084195dbd403f512b39c0ff40ca66471b3d5902cb4401982948916"


def test_shipped_schema_is_the_published_one() -> None:
    assert hashlib.sha256(SCHEMA_PATH.read_bytes()).hexdigest() == PUBLISHED_SCHEMA_SHA256
    assert (Path(fitconnect.__file__).parent / "data" / "README.md").exists()


# --- the command ---------------------------------------------------------------------------------


def test_command_prints_the_valid_metadata(version: FormVersion, leika_offer: Offer) -> None:
    submission = submit(version, attachments=(attachment(b"%PDF-1.7", "a.pdf"),), offer=leika_offer)
    out = io.StringIO()

    call_command("export_fitconnect", submission.reference, stdout=out)

    printed = json.loads(out.getvalue())
    assert printed == submission_metadata(submission)
    assert validate_metadata(printed) == []


def test_command_writes_the_file(version: FormVersion, tmp_path: Path) -> None:
    submission = submit(version, data={"name": "Jörg"})
    target = tmp_path / "metadata.json"
    out = io.StringIO()

    call_command("export_fitconnect", submission.reference, "--output", str(target), stdout=out)

    assert json.loads(target.read_text(encoding="utf-8")) == submission_metadata(submission)
    assert submission.reference in out.getvalue()


def test_command_refuses_an_unknown_reference(db: Any) -> None:
    with pytest.raises(CommandError, match="BAR-1999-000042"):
        call_command("export_fitconnect", "BAR-1999-000042", stdout=io.StringIO())


def test_command_refuses_an_invalid_document(version: FormVersion, tmp_path: Path) -> None:
    broken = AttachmentSpec(
        upload_id=uuid.uuid4().hex,
        field="belege",
        file=StoredFileFactory(content=b"x", name="x.pdf"),
        original_name="x.pdf",
        content_type="application/pdf",
        size=1,
        sha512="not a hash",
    )
    submission = submit(version, attachments=(broken,))
    target = tmp_path / "metadata.json"
    err = io.StringIO()

    with pytest.raises(CommandError, match="not valid"):
        call_command("export_fitconnect", submission.reference, "--output", str(target), stderr=err)

    assert "$.contentStructure.attachments[0].hash.content" in err.getvalue()
    assert not target.exists()


@pytest.mark.django_db(transaction=True)
def test_rathaus_export_fitconnect_exit_status(barleben: Authority) -> None:
    draft = form_services.create_definition(
        authority=barleben, slug="gewerbe-anmelden", title="Gewerbe anmelden",
        schema=SCHEMA, layout=LAYOUT,
    )  # fmt: skip
    submission = submit(form_services.publish(draft), contact_email="kim@example.org")
    env = database_env()

    found = rathaus("export-fitconnect", submission.reference, env=env)
    unknown = rathaus("export-fitconnect", "BAR-1999-000042", env=env)

    assert found.returncode == 0, found.stderr
    assert validate_metadata(json.loads(found.stdout)) == []
    assert json.loads(found.stdout)["additionalReferenceInfo"]["senderReference"] == (
        submission.reference
    )
    assert unknown.returncode != 0
    assert "BAR-1999-000042" in unknown.stderr
