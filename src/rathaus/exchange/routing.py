"""Which destination elsewhere receives a submission: LeiKa key × ARS (ADR 0053).

Our :class:`~rathaus.exchange.models.Destination` rows name the services (LeiKa keys) and the
areas (ARS prefixes) a receiver accepts. An area entry covers every ARS that starts with it
("15083" covers every Gemeinde of the Landkreis Börde); among the destinations that match, the
most specific area wins (the longest prefix), then the name. Inactive destinations never match.

:func:`remote_routes` asks a remote's Routing API (``GET /routes``) and keeps only the routes
whose ``destinationSignature`` the remote's signature key verifies; ``rathaus
exchange-destination add`` uses it.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rathaus.exchange import crypto
from rathaus.exchange.models import Destination
from rathaus.exchange.transports import Remote, TransportError, transports

if TYPE_CHECKING:
    from rathaus.core.models import Authority
    from rathaus.forms.models import Submission

logger = logging.getLogger(__name__)

LEIKA_URN = "urn:de:fim:leika:leistung:"
ARS_URN = "urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs:"


def _specificity(destination: Destination, leika_key: str, ars_values: list[str]) -> int:
    """The length of the longest area of the destination that covers one of the ARS; 0: none."""
    if not destination.active or leika_key not in (destination.leika_keys or []):
        return 0
    best = 0
    for area in destination.areas or []:
        area = str(area).strip()
        if area and any(ars.startswith(area) for ars in ars_values):
            best = max(best, len(area))
    return best


def find(leika_key: str, ars_values: list[str]) -> Destination | None:
    """The active destination for the service in one of these areas, the most specific one."""
    if not leika_key or not ars_values:
        return None
    scored = [
        (_specificity(destination, leika_key, ars_values), destination)
        for destination in Destination.objects.filter(active=True).order_by("name", "pk")
    ]
    matching = [(score, destination) for score, destination in scored if score]
    if not matching:
        return None
    best = max(score for score, _destination in matching)
    return next(destination for score, destination in matching if score == best)


def applicant_ars(submission: Submission) -> list[str]:
    """The ARS of the applicant's area (by postal code, as the routing to cases finds it),
    most local first, then that of the authority that received the submission."""
    from rathaus.cases.services import applicant_postal_code
    from rathaus.catalog import responsibility

    values: list[str] = []
    postal_code = applicant_postal_code(submission)
    if postal_code:
        with contextlib.suppress(responsibility.UnknownArea):
            values.extend(responsibility.area_for_postal_code(postal_code).ars_values)
    if submission.authority.ars:
        values.append(submission.authority.ars)
    return list(dict.fromkeys(values))


def leika_key_of(submission: Submission) -> str:
    offer = submission.offer
    return (offer.service.leika_key or "") if offer is not None else ""


def destination_for(submission: Submission, target: Authority | None = None) -> Destination | None:
    """The destination of a submission: by service × area, else an active destination that
    stands for the authority the routing chose (``target``), preferring one for the service."""
    leika_key = leika_key_of(submission)
    found = find(leika_key, applicant_ars(submission))
    if found is not None or target is None:
        return found
    candidates = list(
        Destination.objects.filter(active=True, authority=target).order_by("name", "pk")
    )
    for candidate in candidates:
        if leika_key and leika_key in (candidate.leika_keys or []):
            return candidate
    return candidates[0] if candidates else None


# --- a remote's Routing API -------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    destination_id: str
    name: str
    claims: dict[str, Any]
    token: str


class RoutingError(Exception):
    """The remote's answer cannot be used; the message says why."""


def _covers(claims: dict[str, Any], leika_key: str) -> bool:
    services = claims.get("services")
    if not isinstance(services, list):
        return False
    wanted = LEIKA_URN + leika_key
    return any(
        isinstance(service, dict) and wanted in (service.get("leistungIDs") or [])
        for service in services
    )


def _verified(transport: Any, remote: Remote, entry: dict[str, Any], leika_key: str) -> Route:
    destination_id = str(entry.get("destinationId", ""))
    token = entry.get("destinationSignature")
    if not destination_id or not isinstance(token, str):
        raise RoutingError("a route lacks destinationId or destinationSignature")
    try:
        header, _claims = crypto.read_event(token)
        key = transport.key(remote, destination_id, str(header.get("kid", "")))
        claims = crypto.verify_signature(token, [key])
    except crypto.CryptoError as error:
        raise RoutingError(f"route {destination_id}: {error}") from None
    if str(claims.get("destinationId")) != destination_id:
        raise RoutingError(f"route {destination_id}: the signature names another destination")
    if not _covers(claims, leika_key):
        raise RoutingError(f"route {destination_id}: the signature does not name the service")
    return Route(destination_id, str(entry.get("destinationName", "")), claims, token)


def remote_routes(
    url: str, leika_key: str, ars: str, transport_id: str = "fitconnect"
) -> list[Route]:
    """The routes a remote offers for the service in the area, each with a verified signature.

    :class:`RoutingError` when the answer is unusable or a signature does not verify;
    :class:`TransportError` when the remote cannot be asked."""
    transport = transports.get(transport_id)
    remote = Remote(url)
    answer = transport.routes(remote, leika_key, ars)
    entries = answer.get("routes")
    if not isinstance(entries, list):
        raise RoutingError("the answer has no list of routes")
    return [
        _verified(transport, remote, entry, leika_key)
        for entry in entries
        if isinstance(entry, dict)
    ]


__all__ = [
    "Route", "RoutingError", "TransportError", "applicant_ars", "destination_for", "find",
    "leika_key_of", "remote_routes",
]  # fmt: skip
