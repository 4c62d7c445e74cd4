"""Who may see and work on which cases: staff of the case's unit (and of units above it).

Every query for cases goes through :func:`visible_cases`, so a case of another unit is never
found (404), not merely hidden.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from rathaus.cases.models import Case
from rathaus.core.models import OrgUnit, StoredFile
from rathaus.core.scoping import unit_ids

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def visible_cases(user: Any) -> QuerySet[Case]:
    return Case.objects.filter(org_unit_id__in=unit_ids(user))


def colleagues(case: Case) -> QuerySet[User]:
    """Staff who may be assigned the case: members of its unit or a unit above it."""
    from django.contrib.auth import get_user_model

    units: list[int] = []
    unit: OrgUnit | None = case.org_unit
    while unit is not None:
        units.append(unit.pk)
        unit = unit.parent
    return (
        get_user_model()
        .objects.filter(memberships__org_unit_id__in=units, is_active=True, is_staff=True)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def may_download(request: HttpRequest, stored: StoredFile) -> bool:
    """Staff of a case's units may download its files: the attachments of the submission,
    documents sent later and the decision (``/dateien/…``, ADR 0019)."""
    from rathaus.core import staff_auth

    if not staff_auth.is_verified_staff(request.user):
        return False
    holds = Q(documents__file=stored) | Q(uploads__file=stored)
    holds |= Q(submission__attachments__file=stored)
    return visible_cases(request.user).filter(holds).exists()
