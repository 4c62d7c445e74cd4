"""Appointment statistics as open data: ``/termine/statistik.csv`` (ADR 0064).

Per month, location and service over the last twelve complete calendar months (by the time of
the appointment, German time): appointments booked (confirmed, not cancelled), cancelled, and of
the booked ones those staff marked as kept or as "did not come" — the same definitions as the
staff statistics (:mod:`rathaus.appointments.statistics`): a combined booking counts once for
each of its services. Held and expired reservations are not bookings and are not counted.

No personal data: only counts, and only of what a citizen could book publicly. Privacy:

- Only appointment types on the public booking pages that can be booked there (served by at
  least one active resource, the rule :mod:`rathaus.appointments.ways` gives the service
  catalogue). The model has no "internal" flag; a type kept only for staff (no active resource)
  never appears, so a row cannot tell that someone had such an appointment.
- A row (month, location, service) with fewer than 3 booked appointments is left out entirely:
  "<3 Schuldnerberatung in Ebendorf in March" would already say that someone went there.
- In the rows shown, cancelled, kept and "did not come" counts of 1 and 2 are written "<3";
  0 stays 0 (it tells nothing about anyone). There are no totals.

The current month is not included until it is over, so the file changes once a month (and
when staff record an outcome late). No rows → 404 and no dataset in the catalogue.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Max, Q
from django.db.models.functions import TruncMonth
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from rathaus.appointments.availability import TZ
from rathaus.appointments.models import AppointmentType, Booking, BookingItem
from rathaus.core import datasets
from rathaus.core.models import Authority
from rathaus.core.spreadsheets import csv_response
from rathaus.core.tenancy import current_authority

MONTHS = 12
SUPPRESS_BELOW = 3
COUNTED = (Booking.Status.CONFIRMED, Booking.Status.CANCELLED)
FIGURES = ("booked", "cancelled", "kept", "no_show")


def period(today: dt.date | None = None) -> tuple[dt.datetime, dt.datetime]:
    """From the first day of the month twelve months ago to the first day of this month."""
    today = today or timezone.localdate(timezone=TZ)
    end = dt.datetime(today.year, today.month, 1, tzinfo=TZ)
    year, month = divmod(today.year * 12 + today.month - 1 - MONTHS, 12)
    return dt.datetime(year, month + 1, 1, tzinfo=TZ), end


def _bookings(authority: Authority, start: dt.datetime, end: dt.datetime) -> Any:
    return Booking.objects.filter(
        location__authority=authority, start__gte=start, start__lt=end, status__in=COUNTED
    )


def public_types(authority: Authority) -> Any:
    """The appointment types citizens can book on the public booking pages: at least one active
    resource serves them (as a subquery of ids)."""
    return (
        AppointmentType.objects.filter(location__authority=authority, resources__active=True)
        .values("pk")
        .distinct()
    )


def _public_bookings(authority: Authority, start: dt.datetime, end: dt.datetime) -> Any:
    """Bookings that count in the file: a single booking of a public type, or a combined one
    with at least one public type among its services."""
    public = public_types(authority)
    return _bookings(authority, start, end).filter(
        Q(items__isnull=True, appointment_type__in=public) | Q(items__appointment_type__in=public)
    )


def _counts(prefix: str) -> dict[str, Any]:
    status, attendance = f"{prefix}status", f"{prefix}attendance"
    confirmed = Q(**{status: Booking.Status.CONFIRMED})
    return {
        "booked": Count("pk", filter=confirmed),
        "cancelled": Count("pk", filter=Q(**{status: Booking.Status.CANCELLED})),
        "kept": Count("pk", filter=confirmed & Q(**{attendance: Booking.Attendance.DONE})),
        "no_show": Count("pk", filter=confirmed & Q(**{attendance: Booking.Attendance.NO_SHOW})),
    }


def figures(
    authority: Authority, today: dt.date | None = None
) -> list[tuple[dt.date, str, str, dict[str, int]]]:
    """(month, location, service, counts) sorted by month, location and service; two queries."""
    start, end = period(today)
    table: dict[tuple[dt.date, str, str], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(FIGURES, 0)
    )
    public = public_types(authority)
    single = (
        _bookings(authority, start, end)
        .filter(items__isnull=True, appointment_type__in=public)
        .annotate(month=TruncMonth("start", tzinfo=TZ))
        .values_list("month", "location__name", "appointment_type__name")
        .annotate(**_counts(""))
        .order_by()
    )
    combined = (
        BookingItem.objects.filter(
            booking__in=_bookings(authority, start, end), appointment_type__in=public
        )
        .annotate(month=TruncMonth("booking__start", tzinfo=TZ))
        .values_list("month", "booking__location__name", "appointment_type__name")
        .annotate(**_counts("booking__"))
        .order_by()
    )
    for query in (single, combined):
        for month, location, service, *counts in query:
            day = month.date() if isinstance(month, dt.datetime) else month
            row = table[(day, location, service)]
            for name, value in zip(FIGURES, counts, strict=True):
                row[name] += value
    return [
        (month, location, service, counts)
        for (month, location, service), counts in sorted(table.items())
        if counts["booked"] >= SUPPRESS_BELOW
    ]


def shown(count: int) -> int | str:
    return "<3" if 0 < count < SUPPRESS_BELOW else count


@require_safe
def statistics_csv(request: HttpRequest) -> HttpResponse:
    authority = current_authority(request)
    if authority is None:
        raise Http404("no authority on this host")
    rows = figures(authority)
    if not rows:
        raise Http404("no appointments in the last twelve months")
    table: list[list[Any]] = [
        [
            gettext("Month"),
            gettext("Location"),
            gettext("Service"),
            gettext("Appointments booked"),
            gettext("Cancelled"),
            gettext("Kept"),
            gettext("Did not come"),
        ]
    ]
    for month, location, service, counts in rows:
        table.append(
            [f"{month:%Y-%m}", location, service, *(shown(counts[name]) for name in FIGURES)]
        )
    response = csv_response(table)
    response["Content-Disposition"] = f'attachment; filename="termine-{authority.slug}.csv"'
    return response


def _modified(authority: Authority) -> dt.datetime | None:
    found = _public_bookings(authority, *period()).aggregate(
        Max("created_at"), Max("cancelled_at"), Max("attendance_at")
    )
    times = [value for value in found.values() if value is not None]
    return max(times) if times else None


def _applies(authority: Authority) -> bool:
    """Only when the file has rows: the catalogue never links to a 404."""
    return bool(figures(authority))


def _distributions(authority: Authority) -> list[datasets.SourceDistribution]:
    if not _applies(authority):
        return []  # nothing to show: the catalogue withdraws the dataset
    return [
        datasets.SourceDistribution(
            gettext("Appointments per month as CSV"), "/termine/statistik.csv", "text/csv", "CSV",
            gettext(
                "Per month, location and service: booked, cancelled, kept, did not come. "
                "Only services booked at least 3 times in the month; other counts below 3 are "
                "shown as “<3”."
            ),
        )
    ]  # fmt: skip


def _temporal_start(authority: Authority) -> dt.date:
    return period()[0].date()


def register() -> None:
    datasets.register(
        datasets.DatasetSource(
            key="appointments.statistics",
            title=_("Appointments at the town hall per month"),
            description=_(
                "How many appointments citizens booked per month, location and service over "
                "the last twelve complete months, how many were cancelled, kept or missed. "
                "Only counts, no personal data, only services citizens can book online; a "
                "service booked fewer than 3 times in a month is left out, other counts below "
                "3 are shown as “<3”."
            ),
            themes=("GOVE", "SOCI"),
            keywords=(_("appointments"), _("town hall"), _("statistics")),
            frequency="MONTHLY",
            applies=_applies,
            distributions=_distributions,
            modified=_modified,
            temporal_start=_temporal_start,
            slug="terminstatistik",
            landing_path="/termine/",
        )
    )
