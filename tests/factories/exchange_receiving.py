"""What a sender sends to our receiving exchange API, built from real submissions and keys.

``Parcel`` holds the real FIT-Connect metadata of a submission made in the test
(``cases.fitconnect.submission_metadata``), its data and its attachments; they are encrypted with
``crypto.encrypt`` to our public key. The functions speak the wire protocol through the test
client: announce, upload, submit.
"""

from __future__ import annotations

import copy
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.test import Client
from django_tasks_db.models import DBTaskResult

from rathaus.cases.fitconnect import submission_data_bytes, submission_metadata
from rathaus.exchange import crypto
from rathaus.exchange.models import Incoming, OwnDestination
from rathaus.forms.models import Channel, FormVersion, Submission
from rathaus.forms.submissions import AttachmentSpec, create_submission
from tests.factories.core import StoredFileFactory
from tests.support import pdf

PLAN = pdf()
SECOND_PLAN = pdf(content=b"BT /F1 12 Tf 72 720 Td (Route) Tj ET")
OTHER_PLAN = pdf(content=b"BT /F1 12 Tf 72 720 Td (Anders) Tj ET")

LEIKA = "99089016000000"
API = "/api/v1/exchange"
PROCESS = "rathaus.exchange.tasks.process_incoming"
CALLBACK = "rathaus.exchange.tasks.send_callback"

SCHEMA = {
    "type": "object",
    "properties": {
        "thema": {"type": "string", "maxLength": 200},
        "email": {"type": "string", "format": "email"},
        "plan": {"type": "array", "items": {"type": "string", "format": "upload"}, "maxItems": 3},
    },
    "required": ["thema"],
}
LAYOUT = {
    "steps": [
        {
            "id": "angaben",
            "title": "Angaben",
            "elements": [
                {"field": "thema", "widget": "text", "label": "Thema"},
                {"field": "email", "widget": "email", "label": "E-Mail"},
                {
                    "field": "plan",
                    "widget": "file",
                    "label": "Lageplan",
                    "accept": ["application/pdf"],
                    "max_size": 1024 * 1024,
                },
            ],
        }
    ]
}


def client_for(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def submission_with_files(
    version: FormVersion, files: tuple[bytes, ...] = (PLAN,), email: str = "ilse@example.org"
) -> Submission:
    """A submission as the sending installation stored it (here in the same database)."""
    specs = []
    for index, content in enumerate(files):
        specs.append(
            AttachmentSpec(
                upload_id=uuid.uuid4().hex, field="plan",
                file=StoredFileFactory(content=content, name=f"plan-{index}.pdf"),
                original_name=f"plan-{index}.pdf", content_type="application/pdf",
                size=len(content), sha512=hashlib.sha512(content).hexdigest(),
            )
        )  # fmt: skip
    data: dict[str, Any] = {"thema": "Für mehr Radwege", "email": email}
    if specs:
        data["plan"] = [spec.upload_id for spec in specs]
    submission, _ = create_submission(
        authority=version.definition.authority, form_version=version, data=data,
        trust_level="none", channel=Channel.WEB, offer=version.definition.offer,
        contact_email=email, attachments=specs,
    )  # fmt: skip
    return Submission.objects.get(pk=submission.pk)


@dataclass
class Parcel:
    """Everything a sender sends for one submission, encrypted to our key."""

    metadata: dict[str, Any]
    data: bytes
    attachments: dict[str, bytes] = field(default_factory=dict)  # attachment id → plaintext

    def encrypted_attachments(self) -> dict[str, str]:
        key = crypto.encryption_key()
        return {
            ident: crypto.encrypt(content, key, "application/pdf")
            for ident, content in self.attachments.items()
        }

    def submit_body(self) -> dict[str, str]:
        key = crypto.encryption_key()
        return {
            "encryptedMetadata": crypto.encrypt(
                json.dumps(self.metadata).encode(), key, "application/json"
            ),
            "encryptedData": crypto.encrypt(self.data, key, "application/json"),
        }


def parcel_of(submission: Submission) -> Parcel:
    metadata = submission_metadata(submission)
    attachments = {
        str(attachment.upload_id): attachment.file.read_bytes()
        for attachment in submission.attachments.select_related("file")
    }
    return Parcel(copy.deepcopy(metadata), submission_data_bytes(submission), attachments)


def announce(
    api: Client, destination: OwnDestination, attachment_ids: list[str], **headers: str
) -> Any:
    body = {
        "destinationId": str(destination.destination_id),
        "announcedAttachments": attachment_ids,
        "serviceType": {
            "name": "Versammlung anzeigen",
            "identifier": f"urn:de:fim:leika:leistung:{LEIKA}",
        },
        "callback": {"url": "http://127.0.0.1:9/api/v1/exchange/callbacks/x", "secret": "s" * 40},
    }
    return api.post(f"{API}/submissions", body, content_type="application/json", headers=headers)


def upload(api: Client, submission_id: str, attachment_id: str, jwe: str) -> Any:
    return api.put(
        f"{API}/submissions/{submission_id}/attachments/{attachment_id}",
        jwe,
        content_type="application/jose",
    )


def send(api: Client, destination: OwnDestination, parcel: Parcel) -> Incoming:
    """Announce, upload every attachment and submit, as a sender does; the incoming row."""
    answer = announce(api, destination, list(parcel.attachments))
    assert answer.status_code == 201, answer.content
    submission_id = answer.json()["submissionId"]
    for ident, jwe in parcel.encrypted_attachments().items():
        assert upload(api, submission_id, ident, jwe).status_code == 204
    answer = api.put(
        f"{API}/submissions/{submission_id}", parcel.submit_body(), content_type="application/json"
    )
    assert answer.status_code == 202, answer.content
    return Incoming.objects.get(submission_uuid=submission_id)


def queued(task_path: str) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=task_path).order_by("enqueued_at"))
