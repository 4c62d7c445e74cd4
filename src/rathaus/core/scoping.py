"""Org-unit scoping: which units a member of staff works for.

Staff work on what belongs to the units they are members of and to every unit below them,
whatever their role there. Cases, appointment locations and later apps filter by these units in
SQL, so another unit's records are never found (404), not merely hidden.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rathaus.core.models import Membership, OrgUnit


def unit_ids(user: Any, *, roles: Iterable[str] | None = None) -> set[int]:
    """The units whose work the user does: their memberships and every unit below them.

    With ``roles``, only the memberships in those roles count (the units a head manages).
    """
    if user is None or not user.is_authenticated or not user.is_staff:
        return set()
    memberships = Membership.objects.filter(user=user)
    if roles is not None:
        memberships = memberships.filter(role__name__in=list(roles))
    direct = set(memberships.values_list("org_unit_id", flat=True))
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
