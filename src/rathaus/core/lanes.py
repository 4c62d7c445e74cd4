"""Who works in a BPMN lane (ADR 0031, ADR 0037): one rule for completing a task, for the
staff task list and for the task page.

A lane named like an organisational unit of the case's authority (its name or short name) is
that unit: only its members work in it. Otherwise a lane named like a role (Sachbearbeitung,
Leitung, …) needs that role in some unit. A lane that names neither restricts nothing. Names
are compared without case and surrounding spaces.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower, Trim

from rathaus.core.models import Membership, OrgUnit


@dataclass(frozen=True)
class LaneRule:
    """The lanes one user works in, per authority: three queries, then no more."""

    restricting: dict[int, frozenset[str]]  # authority → lane names that restrict (units, roles)
    allowed: dict[int, frozenset[str]]  # authority → those of them the user works in
    roles: frozenset[str]  # every role name (restricting in any authority)

    def allows(self, lane: str, authority_id: int) -> bool:
        name = lane.strip().lower()
        if not name:
            return True
        restricting = self.restricting.get(authority_id, self.roles)
        return name not in restricting or name in self.allowed.get(authority_id, frozenset())

    def filter(self, tasks: QuerySet[Any], authority: str = "case__org_unit__authority_id") -> Any:
        """The tasks of ``tasks`` whose lane lets the user work on them."""
        tasks = tasks.annotate(lane_name=Lower(Trim("lane")))
        allowed = Q(lane_name="")
        for authority_id, restricting in self.restricting.items():
            allowed |= Q(**{authority: authority_id}) & (
                ~Q(lane_name__in=sorted(restricting))
                | Q(lane_name__in=sorted(self.allowed.get(authority_id, frozenset())))
            )
        return tasks.filter(allowed)


def lane_rule(user: Any, authority_ids: Iterable[int] = ()) -> LaneRule:
    """The lane rule of ``user`` for the authorities of their units (and ``authority_ids``)."""
    memberships = list(
        Membership.objects.filter(user=user).values_list(
            "org_unit__authority_id", "org_unit_id", "role__name"
        )
    )
    authorities = {authority for authority, _unit, _role in memberships} | set(authority_ids)
    roles = frozenset(name.strip().lower() for name in Group.objects.values_list("name", flat=True))
    mine_units = {unit for _authority, unit, _role in memberships}
    mine_roles = {(role or "").strip().lower() for _authority, _unit, role in memberships}
    restricting: dict[int, set[str]] = {authority: set(roles) for authority in authorities}
    unit_names: dict[int, set[str]] = {authority: set() for authority in authorities}
    allowed: dict[int, set[str]] = {authority: set() for authority in authorities}
    units = OrgUnit.objects.filter(authority_id__in=authorities).values_list(
        "authority_id", "pk", "name", "slug"
    )
    for authority, pk, name, slug in units:
        names = {name.strip().lower(), slug.strip().lower()}
        restricting[authority] |= names
        unit_names[authority] |= names
        if pk in mine_units:
            allowed[authority] |= names
    for authority in authorities:
        allowed[authority] |= (mine_roles & roles) - unit_names[authority]
    return LaneRule(
        restricting={key: frozenset(value) for key, value in restricting.items()},
        allowed={key: frozenset(value) for key, value in allowed.items()},
        roles=roles,
    )
