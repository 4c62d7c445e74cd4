"""Who keeps the construction sites and projects of an authority — one rule for both pages and
the staff navigation.

A user keeps them when they are a superuser, or a member of one of the authority's units and
either have the role "Administration" or "Baustellen" there, or a role with the permission
``construction.change_project`` (the migration gives it to "Baustellen"), or hold that
permission themselves (directly or as a member of the group "Baustellen", as the demo clerk
``bauamt`` does).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from rathaus.core import roles
from rathaus.core.models import Authority

CHANGE = "construction.change_project"
ROLE = "Baustellen"
"""The role of the staff who keep construction sites and projects (Ordnungsamt, Bauamt)."""
KEEPING_ROLES = (roles.ADMINISTRATOR, ROLE)


def _staff(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_staff
        and user.is_active
    )


def _keeping_membership() -> Q:
    return Q(org_units__memberships__role__name__in=KEEPING_ROLES) | Q(
        org_units__memberships__role__permissions__codename="change_project",
        org_units__memberships__role__permissions__content_type__app_label="construction",
    )


def kept_authorities(user: Any) -> QuerySet[Authority]:
    """The authorities whose construction sites and projects ``user`` keeps."""
    if not _staff(user):
        return Authority.objects.none()
    if user.is_superuser:
        return Authority.objects.order_by("name")
    member = Authority.objects.filter(org_units__memberships__user=user)
    if user.has_perm(CHANGE):
        return member.distinct().order_by("name")
    return Authority.objects.filter(
        pk__in=Authority.objects.filter(
            _keeping_membership(), org_units__memberships__user=user
        ).values("pk")
    ).order_by("name")


def may_keep(user: Any, authority: Authority | None) -> bool:
    """Whether ``user`` keeps the construction sites and projects of ``authority``."""
    if authority is None:
        return False
    return kept_authorities(user).filter(pk=authority.pk).exists()


def keeps(staff: Any) -> bool:
    """The staff navigation's test (without an authority at hand), without a query of its own:
    superusers, the keeping roles, and holders of the permission (the user's permissions are
    read once per request anyway). A member whose only claim is a custom role with the
    permission finds the pages by address; the pages themselves apply :func:`may_keep`."""
    user = staff.user
    if user.is_superuser or set(KEEPING_ROLES) & set(staff.role_names):
        return True
    return bool(user.has_perm(CHANGE))
