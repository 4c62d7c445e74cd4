"""Moving a booking to a new time by its secret link, and the waiting list pages.

Moving: the manage link leads to the month calendar and the free times of the booking's type
(or of all the services of a combined booking, which it keeps);
choosing a time asks once more and then moves the booking in one transaction
(:func:`rathaus.appointments.services.reschedule`). The old time stays reserved until the new
one is taken. A time that is gone meanwhile shows the day again with the nearest free times.

Waiting list: a citizen who finds no free time enters name and e-mail (with the person check),
confirms by the e-mailed link, and gets the next freed time offered by e-mail
(:mod:`rathaus.appointments.waitlist`). The same link shows the entry and leaves the list.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from rathaus.accounts import altcha
from rathaus.appointments import mail, services, waitlist
from rathaus.appointments.forms import BookingForm
from rathaus.appointments.models import Booking, WaitingListEntry
from rathaus.appointments.views import (
    INVALID_MESSAGE,
    TAKEN_MESSAGE,
    booking_by_link,
    booking_limit,
    browsing,
    parse_day,
    parse_start,
    render_day,
    render_month,
    type_of,
)
from rathaus.core.tenancy import current_authority


def _movable(request: HttpRequest, token: str) -> Booking | HttpResponse:
    booking = booking_by_link(request, token)
    if booking.status not in Booking.ACTIVE or (
        booking.status == Booking.Status.HELD
        and booking.hold_expires_at is not None
        and booking.hold_expires_at <= timezone.now()
    ):
        messages.warning(request, _("Only an active appointment can be moved."))
        return redirect("appointments:manage", token)
    return booking


def _base(token: str) -> str:
    return reverse("appointments:reschedule", args=[token])


@never_cache
@require_http_methods(["GET"])
@browsing
def reschedule(request: HttpRequest, token: str) -> HttpResponse:
    booking = _movable(request, token)
    if isinstance(booking, HttpResponse):
        return booking
    return render_month(request, booking.visit, _base(token),
                        {"moving": booking, "token": token})  # fmt: skip


@never_cache
@require_http_methods(["GET"])
@browsing
def reschedule_day(request: HttpRequest, token: str, date: str) -> HttpResponse:
    booking = _movable(request, token)
    if isinstance(booking, HttpResponse):
        return booking
    return render_day(request, booking.visit, parse_day(date), base_url=_base(token),
                      extra={"moving": booking, "token": token})  # fmt: skip


@never_cache
@require_http_methods(["GET", "POST"])
@booking_limit
def reschedule_time(request: HttpRequest, token: str, date: str, time: str) -> HttpResponseBase:
    booking = _movable(request, token)
    if isinstance(booking, HttpResponse):
        return booking
    start = parse_start(parse_day(date), time)
    appointment_type = booking.visit
    if request.method == "POST":
        retry = {"base_url": _base(token), "extra": {"moving": booking, "token": token},
                 "wanted": start}  # fmt: skip
        try:
            moved = services.reschedule(token, start)
        except services.SlotTaken:
            return render_day(request, appointment_type, start.date(), status=409,
                              error=str(TAKEN_MESSAGE) % {"time": start.strftime("%H:%M")},
                              **retry)  # type: ignore[arg-type]  # fmt: skip
        except services.InvalidSlot:
            return render_day(request, appointment_type, start.date(), status=400,
                              error=str(INVALID_MESSAGE), **retry)  # type: ignore[arg-type]  # fmt: skip
        except services.SameTime:
            messages.info(request, _("This is already the time of your appointment."))
            return redirect("appointments:manage", token)
        except (services.AlreadyCancelled, services.HoldExpired):
            messages.warning(request, _("Only an active appointment can be moved."))
            return redirect("appointments:manage", token)
        mail.send_moved(booking, moved, token)
        messages.success(request, _("Your appointment has a new time. We have sent you an e-mail."))
        return redirect("appointments:manage", token)
    return render(
        request,
        "appointments/reschedule.html",
        {
            "booking": booking,
            "token": token,
            "appointment_type": appointment_type,
            "location": booking.location,
            "start": start,
            "end": start + dt.timedelta(minutes=appointment_type.duration_minutes),
        },
    )


# --- waiting list ---------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@booking_limit
def waiting_join(request: HttpRequest, location_slug: str, type_id: int) -> HttpResponseBase:
    appointment_type = type_of(request, location_slug, type_id)
    form = BookingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            waitlist.join(
                appointment_type,
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                language=get_language() or "de",
            )
        except waitlist.AlreadyWaiting:
            form.add_error(
                "email",
                _("This e-mail address is already on the waiting list for this appointment."),
            )
        else:
            joined = {"email": data["email"], "appointment_type": appointment_type}
            return render(request, "appointments/waiting_joined.html", joined)
    return render(
        request,
        "appointments/waiting_join.html",
        {
            "appointment_type": appointment_type,
            "location": appointment_type.location,
            "form": form,
            **altcha.page_context(),
            "offer_minutes": settings.RATHAUS_APPOINTMENT_OFFER_MINUTES,
        },
        status=400 if form.errors else 200,
    )


def _entry(request: HttpRequest, token: str) -> WaitingListEntry:
    try:
        entry = waitlist.by_token(token)
    except waitlist.UnknownEntry:
        raise Http404("no waiting list entry with this link") from None
    authority = current_authority(request)
    if authority is None or entry.appointment_type.location.authority_id != authority.pk:
        raise Http404("no waiting list entry with this link")
    return entry


@never_cache
@require_http_methods(["GET", "POST"])
def waiting(request: HttpRequest, token: str) -> HttpResponseBase:
    """GET shows the entry (link checkers must not confirm); POST confirms or leaves."""
    entry = _entry(request, token)
    if request.method == "POST":
        if request.POST.get("action") == "leave":
            try:
                waitlist.leave(token)
            except services.BookingError:
                messages.warning(
                    request,
                    _("A time is being offered to you. Please confirm or cancel it with the "
                      "link in the offer e-mail."),
                )  # fmt: skip
            else:
                messages.success(request, _("You have left the waiting list."))
        else:
            entry = waitlist.confirm(token)
            if entry.status == WaitingListEntry.Status.WAITING:
                messages.success(
                    request,
                    _("You are on the waiting list. When a time becomes free, we offer it to "
                      "you by e-mail."),
                )  # fmt: skip
        return redirect("appointments:waiting", token)
    return render(request, "appointments/waiting.html", {"entry": entry, "token": token,
                  "ahead": _ahead(entry)})  # fmt: skip


def _ahead(entry: WaitingListEntry) -> int | None:
    """How many confirmed people wait longer than this entry (None unless it is waiting)."""
    if entry.status != WaitingListEntry.Status.WAITING or entry.confirmed_at is None:
        return None
    return WaitingListEntry.objects.filter(
        appointment_type_id=entry.appointment_type_id,
        status=WaitingListEntry.Status.WAITING,
        confirmed_at__lt=entry.confirmed_at,
    ).count()
