"""Which schools a staff member looks after: those of the authorities whose school IT they keep
(:mod:`rathaus.schools.keepers`), filtered in SQL. Others get a 403; a school, device or request
of another authority is a 404."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from rathaus.schools import keepers
from rathaus.schools.models import Device, Loan, School, SupportRequest


def schools(request: HttpRequest) -> QuerySet[School]:
    kept = keepers.kept_authorities(request.user)
    if not kept.exists():
        raise PermissionDenied("keeps the school IT of no authority")
    return School.objects.filter(authority__in=kept).select_related("authority")


def school(request: HttpRequest, pk: int) -> School:
    found = schools(request).filter(pk=pk).first()
    if found is None:
        raise Http404("no school of the user's authorities")
    return found


def device(request: HttpRequest, pk: int) -> Device:
    found = (
        Device.objects.select_related("school__authority", "room")
        .filter(pk=pk, school__in=schools(request))
        .first()
    )
    if found is None:
        raise Http404("no device of the user's schools")
    return found


def loan(request: HttpRequest, pk: int) -> Loan:
    found = (
        Loan.objects.select_related("device__school__authority", "device__room")
        .filter(pk=pk, device__school__in=schools(request))
        .first()
    )
    if found is None:
        raise Http404("no loan of the user's schools")
    return found


def support_request(request: HttpRequest, pk: int) -> SupportRequest:
    found = (
        SupportRequest.objects.select_related(
            "school__authority", "device", "room", "teacher", "photo"
        )
        .filter(pk=pk, school__in=schools(request))
        .first()
    )
    if found is None:
        raise Http404("no request of the user's schools")
    return found
