"""Who may see and work on which cases: staff of the case's unit (and of units above it).

Every query for cases goes through :func:`visible_cases`, so a case of another unit is never
found (404), not merely hidden.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from rathaus.cases.models import Case
from rathaus.core.models import Membership, OrgUnit


def unit_ids(user: Any) -> set[int]:
    """The units whose cases the user works on: their memberships and every unit below them."""
    if user is None or not user.is_authenticated or not user.is_staff:
        return set()
    direct = set(Membership.objects.filter(user=user).values_list("org_unit_id", flat=True))
    if not direct:
        return set()
    authorities = OrgUnit.objects.filter(pk__in=direct).values_list("authority_id", flat=True)
    children: dict[int | None, list[int]] = {}
    for pk, parent in OrgUnit.objects.filter(authority_id__in=authorities).values_list(
        "pk", "parent_id"
    ):
        children.setdefault(parent, []).append(pk)
    result: set[int] = set()
    stack = list(direct)
    while stack:
        unit = stack.pop()
        if unit in result:
            continue
        result.add(unit)
        stack.extend(children.get(unit, []))
    return result


def visible_cases(user: Any) -> QuerySet[Case]:
    return Case.objects.filter(org_unit_id__in=unit_ids(user))


def colleagues(case: Case) -> QuerySet[Any]:
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
