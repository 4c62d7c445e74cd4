"""Who of the staff sees the outbox of exchanged submissions (ADR 0053).

Administrators (role ``Administration``) of a unit of an authority see the outgoing submissions
that authority received from its applicants and those sent to destinations standing for it;
superusers see all. Anyone else gets a 403 for the list and a 404 for a submission.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from rathaus.core import roles
from rathaus.core.models import Authority, Membership
from rathaus.exchange.models import Outgoing


def _staff(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_staff and user.is_active)


def outbox_authorities(user: Any) -> set[int]:
    if not _staff(user):
        return set()
    if user.is_superuser:
        return set(Authority.objects.values_list("pk", flat=True))
    return set(
        Membership.objects.filter(user=user, role__name=roles.ADMINISTRATOR).values_list(
            "org_unit__authority_id", flat=True
        )
    )


def visible_outgoing(user: Any, authorities: set[int] | None = None) -> QuerySet[Outgoing]:
    allowed = outbox_authorities(user) if authorities is None else authorities
    return Outgoing.objects.filter(
        Q(submission__authority_id__in=allowed) | Q(destination__authority_id__in=allowed)
    )
