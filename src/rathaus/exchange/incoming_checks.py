"""Decrypting and checking a received submission before anything of it is stored (ADR 0052).

:func:`check` decrypts the metadata, the data and every attachment with our private key and
checks them: the metadata against the FIT-Connect schema 1.0.0, the SHA-512 of the data and of
each attachment against the metadata, the announced attachments against the described ones, the
data against the receiving form (the authority's online offer of the LeiKa service, else the
form the schema URI names), each file against the form's file question (type, size, virus
scanner). A problem raises :class:`Rejected` with FIT-Connect problem objects; what passed is
returned with the files still in private temporary files, stored by nobody yet.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from django.core.files.uploadedfile import SimpleUploadedFile

from rathaus.cases import fitconnect
from rathaus.core.files import UploadRejected, UploadRules
from rathaus.core.files.checks import CheckedUpload, check_upload
from rathaus.exchange import crypto
from rathaus.exchange.models import Incoming, OwnDestination
from rathaus.forms.models import FormDefinition, FormVersion

EVENT_PROBLEMS = "https://schema.fitko.de/fit-connect/events/problems/"
"""Reasons of a reject-submission event, named as FIT-Connect names them."""

_SCHEMA_URI = re.compile(r"urn:rathaus:form:([^:]+):([^:]+):v(\d+)")


@dataclass
class Rejected(Exception):
    """The worker rejects a submission with these problems (FIT-Connect problem objects)."""

    problems: list[dict[str, str]] = field(default_factory=list)


def problem(slug: str, title: str, detail: str) -> dict[str, str]:
    return {"type": EVENT_PROBLEMS + slug, "title": title, "detail": detail[:2000]}


# --- the check (worker) -------------------------------------------------------------------------


@dataclass
class Checked:
    """What a submission turned out to be once decrypted and checked (nothing stored yet)."""

    metadata: dict[str, Any]
    data: dict[str, Any]
    version: FormVersion
    attachments: list[tuple[dict[str, Any], CheckedUpload, str]]  # metadata entry, file, field

    def discard(self) -> None:
        for _entry, checked, _field in self.attachments:
            checked.discard()


def _decrypt(compact: str, what: str) -> bytes:
    try:
        return crypto.decrypt(compact)
    except crypto.CryptoError as error:
        raise Rejected(
            [
                problem(
                    "encryption-issue",
                    "Decryption failed",
                    f"The {what} cannot be decrypted: {error}",
                )
            ]
        ) from None


def _json_object(content: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise Rejected(
            [problem("syntax-violation", "Not JSON", f"The {what} is not JSON: {error!r}"[:500])]
        ) from None
    if not isinstance(value, dict):
        raise Rejected(
            [problem("syntax-violation", "Not a JSON object", f"The {what} must be a JSON object.")]
        )
    return value


def _leika_key(incoming: Incoming, metadata: dict[str, Any]) -> str:
    identifier = (metadata.get("publicServiceType") or {}).get("identifier", "") or str(
        incoming.service_type.get("identifier", "")
    )
    if identifier.startswith(fitconnect.LEIKA_URN_PREFIX):
        return identifier[len(fitconnect.LEIKA_URN_PREFIX) :]
    return ""


def receiving_version(
    destination: OwnDestination, leika_key: str, schema_uri: str
) -> FormVersion | None:
    """The form that receives the data: the authority's online offer of the LeiKa service, else
    the form whose address the schema URI names (``urn:rathaus:form:<authority>:<form>:v<n>``)."""
    forms = FormDefinition.objects.filter(authority=destination.authority, retired_at__isnull=True)
    definition = None
    if leika_key:
        definition = forms.filter(offer__service__leika_key=leika_key).order_by("pk").first()
    if definition is None:
        match = _SCHEMA_URI.fullmatch(schema_uri)
        if match:
            definition = forms.filter(slug=unquote(match.group(2))).first()
    return definition.published_version() if definition is not None else None


def _values(value: Any, parts: list[str]) -> list[Any]:
    if not parts:
        return value if isinstance(value, list) else [value]
    head, rest = parts[0], parts[1:]
    if head == "*" and isinstance(value, list):
        return [found for item in value for found in _values(item, rest)]
    if isinstance(value, dict) and head in value:
        return _values(value[head], rest)
    return []


def _file_fields(spec: Any, data: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    """The upload ids the data names, each with its file question (path template, element)."""
    named: dict[str, tuple[str, Any]] = {}
    for path, element in spec.field_templates.items():
        if element.widget == "file":
            for value in _values(data, path.split(".")):
                named.setdefault(str(value), (path, element))
    return named


def _check_data(version: FormVersion, data: dict[str, Any]) -> None:
    from rathaus.forms import area
    from rathaus.forms.selectors import spec_for

    spec = spec_for(version)
    errors: dict[str, list[str]] = {}
    for path in spec.unexpected_paths(data):
        errors.setdefault(path, []).append("unknown field")
    for path, messages in area.errors(version, spec, spec.prune(copy.deepcopy(data))).items():
        errors.setdefault(path, []).extend(str(message) for message in messages)
    if errors:
        detail = "; ".join(
            f"{path or '$'}: {' '.join(messages)}" for path, messages in errors.items()
        )
        raise Rejected(
            [
                problem(
                    "schema-violation",
                    "Data not valid for the form",
                    f"The data does not fit the form {version.title!r}: {detail}",
                )
            ]
        )


def check(incoming: Incoming) -> Checked:
    """Decrypt and check everything; :class:`Rejected` with the problems, else what to store."""
    metadata = _json_object(_decrypt(incoming.encrypted_metadata, "metadata"), "metadata")
    problems = fitconnect.validate_metadata(metadata)
    if problems:
        raise Rejected(
            [
                problem("invalid-metadata", "Metadata not valid", message)
                for message in problems[:20]
            ]
        )
    structure = metadata["contentStructure"]
    data_part = structure.get("data")
    if not data_part:
        raise Rejected([problem("missing-data", "No data", "The metadata describes no data.")])
    data_bytes = _decrypt(incoming.encrypted_data, "data")
    if hashlib.sha512(data_bytes).hexdigest() != str(data_part["hash"]["content"]).lower():
        raise Rejected(
            [
                problem(
                    "hash-mismatch",
                    "Hash of the data differs",
                    "The SHA-512 of the data differs from the metadata's.",
                )
            ]
        )
    data = _json_object(data_bytes, "data")
    described = {
        str(entry["attachmentId"]).lower(): entry for entry in structure.get("attachments", [])
    }
    announced = {item.lower() for item in incoming.announced_attachments}
    if set(described) != announced:
        details = []
        if announced - set(described):
            details.append(
                "announced but not described: " + ", ".join(sorted(announced - set(described)))
            )
        if set(described) - announced:
            details.append(
                "described but not announced: " + ", ".join(sorted(set(described) - announced))
            )
        raise Rejected([problem("attachments-mismatch", "Attachments differ", "; ".join(details))])
    schema_uri = str(data_part.get("submissionSchema", {}).get("schemaUri", ""))
    version = receiving_version(incoming.destination, _leika_key(incoming, metadata), schema_uri)
    if version is None:
        raise Rejected(
            [
                problem(
                    "unsupported-schema",
                    "No form for this service",
                    f"{incoming.destination.authority.name} has no online form for "
                    f"this service or schema ({schema_uri}).",
                )
            ]
        )
    _check_service(incoming, metadata, version)
    _check_data(version, data)
    return Checked(metadata, data, version, _check_attachments(incoming, version, data, described))


def _check_service(incoming: Incoming, metadata: dict[str, Any], version: FormVersion) -> None:
    """The service named in the metadata is the one announced, and the receiving form serves a
    service the destination accepts: a destination's unit gets only its own cases."""
    described = str((metadata.get("publicServiceType") or {}).get("identifier", ""))
    announced = str(incoming.service_type.get("identifier", ""))
    if described and announced and described != announced:
        raise Rejected(
            [
                problem(
                    "service-mismatch",
                    "Service differs from the announcement",
                    f"The metadata names {described}, the announcement {announced}.",
                )
            ]
        )
    accepted = incoming.destination.leika_keys
    offer = version.definition.offer
    service_key = offer.service.leika_key if offer is not None else ""
    if accepted and service_key not in accepted:
        raise Rejected(
            [
                problem(
                    "unsupported-service",
                    "Service not accepted here",
                    f"This destination accepts {', '.join(accepted)}; the form "
                    f"{version.title!r} serves {service_key or 'no catalogue service'}.",
                )
            ]
        )


def _check_attachments(
    incoming: Incoming, version: FormVersion, data: dict[str, Any], described: dict[str, Any]
) -> list[tuple[dict[str, Any], CheckedUpload, str]]:
    from rathaus.forms.selectors import spec_for

    fields = _file_fields(spec_for(version), data)
    unknown = sorted(set(fields) - {uuid.UUID(key).hex for key in described})
    if unknown:
        raise Rejected(
            [
                problem(
                    "attachments-mismatch",
                    "Files missing",
                    "The data names files that are not attached: " + ", ".join(unknown),
                )
            ]
        )
    checked: list[tuple[dict[str, Any], CheckedUpload, str]] = []
    try:
        for upload in incoming.attachments.select_related("file"):
            entry = described[str(upload.attachment_id).lower()]
            content = _decrypt(
                upload.file.read_bytes().decode("ascii", "replace"),
                f"attachment {upload.attachment_id}",
            )
            if hashlib.sha512(content).hexdigest() != str(entry["hash"]["content"]).lower():
                raise Rejected(
                    [
                        problem(
                            "hash-mismatch",
                            "Hash of an attachment differs",
                            f"The SHA-512 of attachment {upload.attachment_id} "
                            "differs from the metadata's.",
                        )
                    ]
                )
            path, element = fields.get(upload.attachment_id.hex, ("", None))
            if element is None:
                raise Rejected(
                    [
                        problem(
                            "attachments-mismatch",
                            "Attachment not named",
                            f"The data names no attachment {upload.attachment_id}.",
                        )
                    ]
                )
            name = str(entry.get("filename") or f"{upload.attachment_id}")
            try:
                file = check_upload(
                    SimpleUploadedFile(name, content, str(entry.get("mimeType", ""))),
                    UploadRules(accept=element.accept, max_bytes=element.max_size),
                )
            except UploadRejected as rejected:
                raise Rejected(
                    [
                        problem(
                            "unsupported-attachment",
                            "Attachment not accepted",
                            f"Attachment {upload.attachment_id}: {rejected}",
                        )
                    ]
                ) from None
            checked.append((entry, file, path))
    except BaseException:
        for _entry, file, _path in checked:
            file.discard()
        raise
    return checked
