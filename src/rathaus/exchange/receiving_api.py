"""The receiving exchange API, ``/api/v1/exchange/`` (FIT-Connect Submission API shape, ADR 0052).

Routes, public destinations and their keys need no authentication. Announcing, uploading,
submitting and reading the event log need a sender token (``Authorization: Bearer <token>``,
made with ``rathaus exchange-own sender``); refused tokens are counted per client address and
answered with 429 once there are too many. Every refusal is a problem document whose ``type``
names the reason (``…/submission-api/problems/<reason>``).
"""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from rathaus.cases.fitconnect import LEIKA_URN_PREFIX
from rathaus.core import ratelimit
from rathaus.core.problems import ProblemOut, problem
from rathaus.exchange import crypto, receiving
from rathaus.exchange.models import Event, Incoming, OwnDestination, Sender
from rathaus.exchange.receiving import API_PROBLEMS, Refused

router = Router(tags=["exchange (receiving)"])

REFUSED_TOKENS_PER_MINUTE = 20
# Together below Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MiB), so that every submit the
# schema allows is read, not refused as too large.
MAX_ENCRYPTED_METADATA = 500_000
MAX_ENCRYPTED_DATA = 2_000_000
JWE_OVERHEAD = 64 * 1024
AREA_URN = "urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs:"
_BEARER = re.compile(r"Bearer ([A-Za-z0-9._~+/=-]{1,200})")


def max_attachment_chars() -> int:
    """A JWE of the largest file the portal accepts: base64url (4/3) plus the header."""
    return settings.RATHAUS_UPLOAD_MAX_BYTES * 4 // 3 + JWE_OVERHEAD


def _refused(request: HttpRequest, refusal: Refused) -> HttpResponse:
    return problem(
        request, refusal.status, refusal.title, refusal.detail, type=API_PROBLEMS + refusal.slug
    )


def _sender(request: HttpRequest) -> Sender | HttpResponse:
    """The sender of the bearer token, or the problem document that refuses the request."""
    match = _BEARER.fullmatch(request.headers.get("Authorization", ""))
    sender = receiving.sender_for(match.group(1)) if match else None
    if sender is not None:
        return sender
    wait = ratelimit.hit(
        f"exchange-token-refused:{ratelimit.client_address(request)}",
        REFUSED_TOKENS_PER_MINUTE,
        dt.timedelta(minutes=1),
    )
    if wait:
        response = problem(
            request,
            429,
            "Too Many Requests",
            "Too many requests with a wrong token; try again later.",
            type=API_PROBLEMS + "too-many-refused-tokens",
        )
        response["Retry-After"] = str(wait)
        return response
    detail = (
        "The sender token is not known or not active."
        if match
        else "Send the sender token: Authorization: Bearer <token>."
    )
    response = problem(request, 401, "Unauthorized", detail, type=API_PROBLEMS + "unauthorized")
    response["WWW-Authenticate"] = 'Bearer realm="rathaus exchange"'
    return response


# --- routing and destinations (no authentication) ----------------------------------------------


class ExchangeRouteOut(Schema):
    destinationId: str
    destinationSignature: str
    destinationName: str


class ExchangeRoutesOut(Schema):
    count: int
    offset: int
    totalCount: int
    routes: list[ExchangeRouteOut]


def _destination_signature(
    request: HttpRequest, destination: OwnDestination, leika: str, ars: str
) -> str:
    claims = {
        "submissionHost": request.get_host(),
        "iss": request.build_absolute_uri("/").rstrip("/"),
        "iat": int(time.time()),
        "jti": str(uuid.uuid4()),
        "destinationId": str(destination.destination_id),
        "services": [{"gebietIDs": [AREA_URN + ars], "leistungIDs": [LEIKA_URN_PREFIX + leika]}],
    }
    return crypto.sign_claims(claims)


class RoutesQuery(Schema):
    leikaKey: str = Field(pattern=r"^[0-9]{14}$", description="LeiKa key, 14 digits")
    ars: str = Field(pattern=r"^[0-9]{1,12}$", description="regional key (ARS), 1 to 12 digits")


@router.get(
    "/routes",
    response={200: ExchangeRoutesOut},
    summary="Our destinations for a service in an area (Routing API shape)",
    description="`leikaKey`: 14 digits; `ars`: the regional key (1 to 12 digits). Each "
    "route's `destinationSignature` is a PS512 JWS with our signature key.",
)
def routes(request: HttpRequest, query: Query[RoutesQuery]) -> Any:
    leikaKey, ars = query.leikaKey, query.ars
    found = receiving.routes(leikaKey, ars)
    return {
        "count": len(found),
        "offset": 0,
        "totalCount": len(found),
        "routes": [
            {
                "destinationId": str(destination.destination_id),
                "destinationSignature": _destination_signature(request, destination, leikaKey, ars),
                "destinationName": destination.name,
            }
            for destination in found
        ],
    }


def _not_ours(request: HttpRequest, destination_id: uuid.UUID) -> HttpResponse:
    return problem(
        request,
        404,
        "Destination not found",
        f"There is no active destination {destination_id} here.",
        type=API_PROBLEMS + "destination-not-found",
    )


@router.get(
    "/destinations/{destinationId}",
    response={200: dict[str, Any], 404: ProblemOut},
    summary="A destination of ours, as senders see it",
)
def destination(request: HttpRequest, destinationId: uuid.UUID) -> Any:
    """Its services and areas, the kid of its encryption key and the metadata versions it reads;
    404 if it is not ours or not active."""
    found = receiving.own_destination(destinationId)
    if found is None:
        return _not_ours(request, destinationId)
    return {
        "destinationId": str(found.destination_id),
        "status": "active",
        "services": [
            {
                "identifier": LEIKA_URN_PREFIX + key,
                "submissionSchemas": [],
                "regions": [AREA_URN + area for area in found.areas],
            }
            for key in found.leika_keys
        ],
        "encryptionKid": crypto.encryption_key()["kid"],
        "metadataVersions": ["1.0.0"],
        "replyChannels": {},
    }


@router.get(
    "/destinations/{destinationId}/keys/{kid}",
    response={200: dict[str, Any], 404: ProblemOut},
    summary="A public key of a destination (encryption or signature), as JWK",
)
def key(request: HttpRequest, destinationId: uuid.UUID, kid: str) -> Any:
    """The public JWK with this kid: the encryption key (RSA-OAEP-256) or the signature key
    (PS512) that verifies our events; 404 for another destination or kid."""
    if receiving.own_destination(destinationId) is None:
        return _not_ours(request, destinationId)
    for public in crypto.public_keys()["keys"]:
        if public.get("kid") == kid:
            return public
    return problem(
        request,
        404,
        "Key not found",
        "The destination has no key with this kid.",
        type=API_PROBLEMS + "key-not-found",
    )


# --- submissions (sender token) ----------------------------------------------------------------


class ExchangeServiceTypeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=300)
    identifier: str = Field(max_length=300)


class ExchangeCallbackIn(Schema):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=500, pattern=r"^https?://[!-~]+$")
    secret: str = Field(min_length=32, max_length=100)


class ExchangeAnnounceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    destinationId: uuid.UUID
    announcedAttachments: list[uuid.UUID] = Field([], max_length=receiving.MAX_ATTACHMENTS)
    serviceType: ExchangeServiceTypeIn
    callback: ExchangeCallbackIn | None = None


class ExchangeSubmissionOut(Schema):
    destinationId: str
    submissionId: str
    caseId: str


class ExchangeSubmitIn(Schema):
    model_config = ConfigDict(extra="forbid")

    encryptedMetadata: str = Field(max_length=MAX_ENCRYPTED_METADATA)
    encryptedData: str = Field(max_length=MAX_ENCRYPTED_DATA)


class ExchangeEventLogOut(Schema):
    eventLog: list[str]


def _ids(incoming: Incoming) -> dict[str, str]:
    return {
        "destinationId": str(incoming.destination.destination_id),
        "submissionId": str(incoming.submission_uuid),
        "caseId": str(incoming.case_uuid),
    }


_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,200}")
_SUBMISSION_ERRORS: dict[int, Any] = {
    401: ProblemOut,
    404: ProblemOut,
    409: ProblemOut,
    413: ProblemOut,
    415: ProblemOut,
    422: ProblemOut,
    429: ProblemOut,
}


@router.post(
    "/submissions",
    response={200: ExchangeSubmissionOut, 201: ExchangeSubmissionOut, **_SUBMISSION_ERRORS},
    summary="Announce a submission to one of our destinations",
    description="An `Idempotency-Key` header makes a retry safe: the same sender and key get "
    "the same ids (200).",
)
def announce(request: HttpRequest, payload: ExchangeAnnounceIn) -> Any:
    sender = _sender(request)
    if isinstance(sender, HttpResponse):
        return sender
    key = request.headers.get("Idempotency-Key", "")
    if key and not _IDEMPOTENCY_KEY.fullmatch(key):
        return problem(
            request,
            422,
            "Invalid Idempotency-Key",
            "The Idempotency-Key header must be 1 to 200 visible ASCII characters.",
            type=API_PROBLEMS + "invalid-idempotency-key",
        )
    try:
        incoming, created = receiving.announce(
            sender,
            destination_id=payload.destinationId,
            attachments=payload.announcedAttachments,
            service_type=payload.serviceType.dict(),
            callback_url=payload.callback.url if payload.callback else "",
            callback_secret=payload.callback.secret if payload.callback else "",
            idempotency_key=key,
        )
    except Refused as refusal:
        return _refused(request, refusal)
    return Status(201 if created else 200, _ids(incoming))


@router.put(
    "/submissions/{submissionId}/attachments/{attachmentId}",
    response={204: None, **_SUBMISSION_ERRORS},
    summary="Upload an announced attachment (a compact JWE, Content-Type application/jose)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/jose": {"schema": {"type": "string"}}},
        }
    },
)
def upload(request: HttpRequest, submissionId: uuid.UUID, attachmentId: uuid.UUID) -> Any:
    """204 when kept (or kept before with the same content); 422 not announced, 404 another
    sender's submission, 409 after the submit or with other content, 413 too large."""
    sender = _sender(request)
    if isinstance(sender, HttpResponse):
        return sender
    if (request.content_type or "") != "application/jose":
        return problem(
            request,
            415,
            "Unsupported Media Type",
            "Send the attachment as a compact JWE with Content-Type application/jose.",
            type=API_PROBLEMS + "unsupported-media-type",
        )
    limit = max_attachment_chars()
    length = request.META.get("CONTENT_LENGTH") or ""
    if not length.isdigit() or int(length) > limit:
        return problem(
            request,
            413,
            "Content Too Large",
            f"An encrypted attachment may have at most {limit} bytes.",
            type=API_PROBLEMS + "attachment-too-large",
        )
    body = request.read(limit + 1)
    try:
        compact = body.decode("ascii").strip()
        receiving.upload_attachment(sender, submissionId, attachmentId, compact)
    except UnicodeDecodeError:
        return problem(
            request,
            422,
            "Not a JWE",
            "A compact JWE is ASCII text.",
            type=API_PROBLEMS + "invalid-jwe",
        )
    except Refused as refusal:
        return _refused(request, refusal)
    return Status(204, None)


@router.put(
    "/submissions/{submissionId}",
    response={202: ExchangeSubmissionOut, **_SUBMISSION_ERRORS},
    summary="Submit the announced submission: its encrypted metadata and data",
    description="Checked by the worker; the answer is an accept-submission or "
    "reject-submission event in the event log. A replay answers 202 and changes nothing.",
)
def submit(request: HttpRequest, submissionId: uuid.UUID, payload: ExchangeSubmitIn) -> Any:
    sender = _sender(request)
    if isinstance(sender, HttpResponse):
        return sender
    try:
        incoming = receiving.submit(
            sender, submissionId, payload.encryptedMetadata, payload.encryptedData
        )
    except Refused as refusal:
        return _refused(request, refusal)
    return Status(202, _ids(incoming))


@router.get(
    "/cases/{caseId}/events",
    response={200: ExchangeEventLogOut, 401: ProblemOut, 404: ProblemOut, 429: ProblemOut},
    summary="The event log of a submission's case (signed SETs, oldest first)",
)
def event_log(request: HttpRequest, caseId: uuid.UUID) -> Any:
    """The events we issued for the case (accept, reject, forward), each a PS512-signed SET;
    only the sender of the case may read it (404 for anybody else)."""
    sender = _sender(request)
    if isinstance(sender, HttpResponse):
        return sender
    incoming = Incoming.objects.filter(case_uuid=caseId, sender=sender).first()
    if incoming is None:
        return problem(
            request,
            404,
            "Case not found",
            f"There is no case {caseId} of this sender.",
            type=API_PROBLEMS + "case-not-found",
        )
    tokens = Event.objects.filter(incoming=incoming, direction=Event.Direction.ISSUED).order_by(
        "issued_at", "pk"
    )
    return {"eventLog": list(tokens.values_list("token", flat=True))}
