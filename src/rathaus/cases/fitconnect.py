"""A submission's metadata as FIT-Connect expects it (metadata schema 1.0.0).

FIT-Connect sends a submission as three parts: the form data (Fachdaten), the attachments and a
metadata document that describes both with SHA-512 hashes. This module builds the metadata
document for a stored submission and checks it against the published schema; sending it is not
done here.

- The data is sent as canonical JSON (:func:`submission_data_bytes`); the hash in
  ``contentStructure.data.hash`` is taken over exactly these bytes.
- ``submissionSchema.schemaUri`` names the form version,
  ``urn:rathaus:form:<authority>:<form>:v<n>`` (the schema only asks for a URI; a URN is one, and
  FIT-Connect does not require the schema to be retrievable). The form's JSON Schema is the
  schema of the data, so ``mimeType`` is ``application/json``.
- Attachments carry their upload id (as a hyphenated UUID), the SHA-512 stored when they were
  uploaded, the original file name, the media type and the purpose ``attachment``. The data names
  the same uploads by the 32-digit hex form of that UUID.
- ``publicServiceType`` is given when the submission's offer is for a LeiKa service
  (``urn:de:fim:leika:leistung:<key>``); ``replyChannel`` is ``eMail`` when there is an address
  for the receipt; ``additionalReferenceInfo`` carries our reference and the application date.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker

from rathaus.forms.models import Submission, SubmissionAttachment

SCHEMA_PATH = Path(__file__).resolve().parent / "data" / "fit-connect-metadata.schema.v1.0.0.json"
"""The FIT-Connect metadata schema 1.0.0 (published by FITKO), shipped with the package."""

LEIKA_URN_PREFIX = "urn:de:fim:leika:leistung:"
DATA_MIME_TYPE = "application/json"
HASH_TYPE = "sha512"
FALLBACK_MIME_TYPE = "application/octet-stream"


def submission_data_bytes(submission: Submission) -> bytes:
    """The form data exactly as it would be sent: canonical JSON in UTF-8."""
    return json.dumps(
        submission.data, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode()


def schema_uri(submission: Submission) -> str:
    """A stable URI for the form version the data follows."""
    version = submission.form_version
    definition = version.definition
    parts = (definition.authority.slug, definition.slug, f"v{version.number}")
    return "urn:rathaus:form:" + ":".join(quote(part, safe="-._~") for part in parts)


def public_service_type(submission: Submission) -> dict[str, str] | None:
    """The LeiKa service of the submission's offer; None without offer or LeiKa key."""
    offer = submission.offer
    if offer is None:
        return None
    service = offer.service
    if not service.leika_key:
        return None
    return {"name": service.name, "identifier": f"{LEIKA_URN_PREFIX}{service.leika_key}"}


def attachment_metadata(attachment: SubmissionAttachment) -> dict[str, Any]:
    media_type = attachment.content_type.split(";", 1)[0].strip().lower()
    return {
        "attachmentId": str(attachment.upload_id),
        "hash": {"type": HASH_TYPE, "content": attachment.sha512.strip().lower()},
        "filename": attachment.original_name,
        "mimeType": media_type or FALLBACK_MIME_TYPE,
        "purpose": "attachment",
    }


def submission_metadata(submission: Submission) -> dict[str, Any]:
    """The FIT-Connect metadata document (schema 1.0.0) describing the submission."""
    document: dict[str, Any] = {
        "contentStructure": {
            "data": {
                "hash": {
                    "type": HASH_TYPE,
                    "content": hashlib.sha512(submission_data_bytes(submission)).hexdigest(),
                },
                "submissionSchema": {
                    "schemaUri": schema_uri(submission),
                    "mimeType": DATA_MIME_TYPE,
                },
            },
            "attachments": [
                attachment_metadata(attachment) for attachment in submission.attachments.all()
            ],
        },
    }
    service_type = public_service_type(submission)
    if service_type is not None:
        document["publicServiceType"] = service_type
    if submission.contact_email:
        document["replyChannel"] = {"eMail": {"address": submission.contact_email}}
    document["additionalReferenceInfo"] = {
        "senderReference": submission.reference,
        "applicationDate": timezone.localdate(submission.submitted_at).isoformat(),
    }
    return document


# --- validation ----------------------------------------------------------------------------------

# RFC 3986: a scheme, then only characters a URI may contain (reserved, unreserved, %XX).
_URI = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})*"
)
# RFC 3339 date-time (full-date "T" full-time).
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})")


def _is_uri(instance: object) -> bool:
    return not isinstance(instance, str) or _URI.fullmatch(instance) is not None


def _is_date_time(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    if _DATE_TIME.fullmatch(instance) is None:
        return False
    try:
        datetime.datetime.fromisoformat(instance.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _format_checker() -> FormatChecker:
    """jsonschema's 2020-12 format checks, plus "uri" and "date-time" where they would be skipped.

    jsonschema checks those two formats only when optional packages (rfc3987, rfc3339-validator)
    are installed; without them a malformed value would pass silently.
    """
    checker = FormatChecker(formats=list(Draft202012Validator.FORMAT_CHECKER.checkers))
    if "uri" not in checker.checkers:
        checker.checks("uri")(_is_uri)
    if "date-time" not in checker.checkers:
        checker.checks("date-time")(_is_date_time)
    return checker


@functools.cache
def _validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=_format_checker())


def validate_metadata(document: dict[str, Any]) -> list[str]:
    """Problems of a metadata document against the FIT-Connect schema 1.0.0; [] if valid.

    Each message starts with the JSON path of the offending value, e.g.
    ``$.contentStructure.data.hash.type: 'md5' is not one of ['sha512']``.
    """
    errors = sorted(
        _validator().iter_errors(document),
        key=lambda error: ([str(part) for part in error.absolute_path], error.message),
    )
    return [f"{error.json_path}: {error.message}" for error in errors]
