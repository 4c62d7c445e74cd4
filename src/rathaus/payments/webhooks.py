"""The providers' notifications: ``POST /api/v1/payments/webhooks/{provider}`` (ADR 0047).

No staff key and no CSRF token: the provider's signature is the authentication. The raw body
is read (at most :data:`MAX_BODY` bytes) and handed to the provider's ``verify``; every
verified notice is applied by :func:`rathaus.payments.services.apply`. What is rejected is kept
too (``services.record_rejected``). Answers: 200 applied, duplicate or no change; 202 a
notification for a payment rathaus does not know (kept, not applied; answered 2xx so that the
provider stops sending it); 400 signed but unreadable, or an amount or currency that differs;
401 signature, key or timestamp not accepted; 404 no such provider; 413 too large.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from rathaus.core import ratelimit
from rathaus.core.plugins import UnknownPlugin
from rathaus.core.problems import ProblemOut, problem
from rathaus.core.tenancy import portal_url
from rathaus.payments import services
from rathaus.payments.models import Notification
from rathaus.payments.providers.base import (
    MalformedNotification,
    NotificationRejected,
    providers,
)

REJECTED_PER_MINUTE = 60
"""Refused notifications kept per client address and minute; more are refused unkept."""

MAX_BODY = 64 * 1024
Outcome = Notification.Outcome

# The sandbox's notification as the schema shows it; the endpoint reads the body raw and the
# provider's ``verify`` decides what it accepts.
NOTIFICATION_SCHEMA = {
    "type": "object",
    "properties": {
        "eventId": {"type": "string", "description": "The provider's id of the notification"},
        "paymentInformation": {
            "type": "object",
            "description": "XBezahldienste paymentInformation: transactionId, status, "
            "grosAmount, currency, requestId, paymentMethod, transactionTimestamp",
        },
    },
    "required": ["eventId", "paymentInformation"],
    "additionalProperties": False,
}

router = Router(tags=["payments (provider notifications)"])


class WebhookOut(Schema):
    outcomes: list[str] = Field(
        description="What became of each notification of the body: applied, duplicate "
        "(applied before), ignored (no change by the status table), unknown (no such payment)"
    )


def notify_url(provider_id: str) -> str:
    """The absolute address to which the provider sends its notifications."""
    path = reverse("api-v1:payments_webhook", kwargs={"provider": provider_id})
    return portal_url(None, path)


@router.post(
    "/{provider}",
    url_name="payments_webhook",
    response={
        200: WebhookOut,
        202: WebhookOut,
        400: ProblemOut,
        401: ProblemOut,
        404: ProblemOut,
        413: ProblemOut,
        429: ProblemOut,
    },
    summary="Receive a payment provider's notification",
    description=(
        "Called by the payment provider, not by people. The body is the provider's signed "
        "notification, read as sent (the sandbox: JSON `{eventId, paymentInformation}`, signed "
        "with HMAC-SHA256 over `timestamp.body` in the headers `X-Sandbox-Key-Id`, "
        "`X-Sandbox-Timestamp` and `X-Sandbox-Signature`; see docs/payments.md). 200: applied, "
        "already applied or no change; 202: kept, but the payment is unknown; 400: signed but "
        "unreadable, or the amount or currency differs; 401: the signature, key or timestamp "
        "is not accepted; 404: no such provider."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": NOTIFICATION_SCHEMA}},
        }
    },
)
def receive(request: HttpRequest, provider: str) -> Any:
    try:
        plugin = providers.get(provider)
    except UnknownPlugin:
        return problem(request, 404, "Not Found", "There is no payment provider of this name.")
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > MAX_BODY:
        return problem(
            request, 413, "Content Too Large", f"A notification may have at most {MAX_BODY} bytes."
        )
    body = request.body
    headers = dict(request.headers.items())
    try:
        notices = plugin.verify(body, headers)
    except NotificationRejected as exc:
        reason = str(exc) or exc.__class__.__name__
        wait = ratelimit.hit(
            f"payment-webhook-rejected:{ratelimit.client_address(request)}",
            REJECTED_PER_MINUTE,
            dt.timedelta(minutes=1),
        )
        if wait:  # a flood of forged notifications is not kept, only refused
            response = problem(request, 429, "Too Many Requests", "Too many refused notifications.")
            response["Retry-After"] = str(wait)
            return response
        services.record_rejected(provider, body, reason, key_id=_key_id(headers))
        if isinstance(exc, MalformedNotification):
            return problem(
                request, 400, "Bad Request", f"The notification is not readable: {reason}"
            )
        return problem(request, 401, "Unauthorized", f"The notification is not accepted: {reason}")
    outcomes = [services.apply(provider, notice, body).outcome for notice in notices]
    if Outcome.REJECTED in outcomes:
        return problem(
            request,
            400,
            "Bad Request",
            "The amount or currency differs from the payment request.",
            outcomes=outcomes,
        )
    if outcomes and all(outcome == Outcome.UNKNOWN for outcome in outcomes):
        return Status(202, {"outcomes": outcomes})
    return Status(200, {"outcomes": outcomes})


def _key_id(headers: dict[str, str]) -> str:
    for name, value in headers.items():
        if name.lower().endswith("key-id"):
            return value[:60]
    return ""
