"""Who of the staff sees which payment requests, and who may act on them (ADR 0049).

- The cash office of an authority sees every payment request of the authority: members of one
  of its units who hold the permission ``payments.view_paymentrequest`` (given to a person or
  a group), and the heads and administrators of its units.
- Any other member of staff sees the payment requests of the cases of their units (the units
  they are members of and those below, :mod:`rathaus.core.scoping`); anything else is a 404.
- Recording money, cancelling and refunding take ``payments.change_paymentrequest`` (or a
  head's or administrator's role) in the request's authority; the fee table and the cash
  office settings are for the heads and administrators of the authority's units.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from rathaus.core import roles
from rathaus.core.models import Authority, Membership
from rathaus.core.scoping import unit_ids
from rathaus.payments.models import PaymentRequest

VIEW = "payments.view_paymentrequest"
CHANGE = "payments.change_paymentrequest"


def _staff(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_staff and user.is_active)


def member_authorities(user: Any) -> set[int]:
    if not _staff(user):
        return set()
    return set(
        Membership.objects.filter(user=user).values_list("org_unit__authority_id", flat=True)
    )


def managed_authorities(user: Any) -> set[int]:
    """Authorities where the user heads or administers a unit (a superuser: all theirs)."""
    if not _staff(user):
        return set()
    if user.is_superuser:
        return member_authorities(user)
    return set(
        Membership.objects.filter(user=user, role__name__in=roles.MANAGING).values_list(
            "org_unit__authority_id", flat=True
        )
    )


def cash_authorities(user: Any, permission: str = VIEW) -> set[int]:
    """Authorities whose payments the user works on as the cash office."""
    if not _staff(user):
        return set()
    if user.has_perm(permission):
        return member_authorities(user)
    return managed_authorities(user)


def visible_requests(user: Any) -> QuerySet[PaymentRequest]:
    cash = cash_authorities(user)
    units = unit_ids(user)
    if not cash and not units:
        return PaymentRequest.objects.none()
    # the case is one row per request: the join repeats no request
    return PaymentRequest.objects.filter(Q(authority_id__in=cash) | Q(case__org_unit_id__in=units))


def is_cash_office(user: Any, authority: Authority | int) -> bool:
    pk = authority if isinstance(authority, int) else authority.pk
    return pk in cash_authorities(user)


def may_act(user: Any, request: PaymentRequest) -> bool:
    """Whether the user may record money, cancel or refund this request."""
    return request.authority_id in cash_authorities(user, CHANGE)


def managed(user: Any) -> QuerySet[Authority]:
    """The authorities whose fee table and cash office settings the user keeps."""
    return Authority.objects.filter(pk__in=managed_authorities(user)).order_by("name")
