"""Who keeps an app's public information for an authority — one rule for the pages and the
staff navigation, shared by the apps whose staff publish things (construction sites, council
information, official notices).

A user keeps them when they are a superuser, or a member of one of the authority's units and
either have the role "Administration" or the app's own role there (e.g. "Baustellen"), or a
role with the app's change permission (its migration gives it to the app's role), or hold that
permission themselves (directly or as a member of the app's group).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from rathaus.core import roles
from rathaus.core.models import Authority


def _staff(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_staff
        and user.is_active
    )


@dataclass(frozen=True)
class Keepers:
    role: str  # the app's role, e.g. "Baustellen"
    app_label: str  # e.g. "construction"
    codename: str  # the change permission that stands for the role, e.g. "change_project"

    @property
    def permission(self) -> str:
        return f"{self.app_label}.{self.codename}"

    @property
    def roles(self) -> tuple[str, ...]:
        return (roles.ADMINISTRATOR, self.role)

    def _keeping_membership(self) -> Q:
        return Q(org_units__memberships__role__name__in=self.roles) | Q(
            org_units__memberships__role__permissions__codename=self.codename,
            org_units__memberships__role__permissions__content_type__app_label=self.app_label,
        )

    def kept_authorities(self, user: Any) -> QuerySet[Authority]:
        """The authorities whose information ``user`` keeps."""
        if not _staff(user):
            return Authority.objects.none()
        if user.is_superuser:
            return Authority.objects.order_by("name")
        member = Authority.objects.filter(org_units__memberships__user=user)
        if user.has_perm(self.permission):
            return member.distinct().order_by("name")
        return Authority.objects.filter(
            pk__in=Authority.objects.filter(
                self._keeping_membership(), org_units__memberships__user=user
            ).values("pk")
        ).order_by("name")

    def may_keep(self, user: Any, authority: Authority | None) -> bool:
        """Whether ``user`` keeps the information of ``authority``."""
        if authority is None:
            return False
        return self.kept_authorities(user).filter(pk=authority.pk).exists()

    def keeps(self, staff: Any) -> bool:
        """The staff navigation's test (without an authority at hand), without a query of its
        own: superusers, the keeping roles, and holders of the permission (the user's
        permissions are read once per request anyway). A member whose only claim is a custom
        role with the permission finds the pages by address; the pages apply
        :meth:`may_keep`."""
        user = staff.user
        if user.is_superuser or set(self.roles) & set(staff.role_names):
            return True
        return bool(user.has_perm(self.permission))
