"""The citizen's way to an appointment under /termine/, without JavaScript.

Type (or several combinable types of one location, chosen with checkboxes; the URL carries
them as ``3-5``) → month calendar → free times of a day → details with the person check →
the slot is held and a confirmation link is e-mailed → the link confirms → the secret manage
link shows the appointment, offers the .ics file and cancels.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from rathaus.accounts import altcha
from rathaus.appointments import calendar, ics, mail, services
from rathaus.appointments.availability import TZ, Slot, free_slots
from rathaus.appointments.forms import BookingForm
from rathaus.appointments.hours import weekly_hours
from rathaus.appointments.models import (
    MAX_COMBINED,
    AppointmentType,
    Booking,
    Location,
    OpeningHours,
    Resource,
    Visit,
)
from rathaus.core import ratelimit
from rathaus.core.bounds import bounded_day, parse_id
from rathaus.core.models import Authority
from rathaus.core.tenancy import current_authority

SESSION_HELD = "rathaus_appointment_held"
NEAREST = 6

# Calendar and free times: per minute; anything that reserves a time: per hour.
browsing = ratelimit.limit(
    "appointments.availability", "RATHAUS_RATE_LIMIT_AVAILABILITY", dt.timedelta(minutes=1)
)
booking_limit = ratelimit.limit(
    "appointments.booking", "RATHAUS_RATE_LIMIT_BOOKING", dt.timedelta(hours=1), methods=("POST",)
)


def type_url(appointment_type: AppointmentType | Visit) -> str:
    """The month page of the type or visit; its days and times are addressed below it."""
    return reverse(
        "appointments:month", args=[appointment_type.location.slug, appointment_type.key]
    )


def type_of(request: HttpRequest, location_slug: str, type_id: int) -> AppointmentType:
    return get_object_or_404(
        AppointmentType.objects.select_related("location"),
        pk=type_id,
        location__slug=location_slug,
        location__authority=current_authority(request),
    )


def visit_of(request: HttpRequest, location_slug: str, type_ids: tuple[int, ...]) -> Visit:
    """The types of the URL in their order; 404 unless they exist here and may be combined."""
    found = (
        AppointmentType.objects.select_related("location")
        .filter(location__slug=location_slug, location__authority=current_authority(request))
        .in_bulk([pk for pk in type_ids if pk < 2**31])
    )
    if len(found) != len(set(type_ids)) or len(type_ids) != len(set(type_ids)):
        raise Http404("no such appointment type here")
    visit = Visit([found[pk] for pk in type_ids])
    if visit.problem():
        raise Http404(visit.problem())
    return visit


def parse_day(text: str) -> dt.date:
    day = bounded_day(text)
    if day is None:
        raise Http404("not a date")
    return day


def parse_start(day: dt.date, text: str) -> dt.datetime:
    try:
        moment = dt.time(int(text[:2]), int(text[2:])) if len(text) == 4 else None
    except ValueError:
        moment = None
    if moment is None:
        raise Http404("not a time")
    return dt.datetime.combine(day, moment, tzinfo=TZ)


def booking_by_link(request: HttpRequest, token: str) -> Booking:
    booking = (
        Booking.objects.select_related("appointment_type", "location")
        .prefetch_related("items__appointment_type")
        .filter(
            token_hash=services.token_hash(token),
            location__authority=current_authority(request),
        )
        .first()
    )
    if booking is None:
        raise Http404("no booking with this link")
    return booking


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(TZ)


def _day_slots(appointment_type: AppointmentType | Visit, day: dt.date) -> list[dt.datetime]:
    return [_local(slot.start) for slot in free_slots(appointment_type, day, day)]


def nearest(appointment_type: AppointmentType | Visit, wanted: dt.datetime) -> list[dt.datetime]:
    """The free times closest to the wanted one, two weeks either side, in time order."""
    day = _local(wanted).date()
    slots: Sequence[Slot] = free_slots(
        appointment_type, day - dt.timedelta(days=14), day + dt.timedelta(days=14)
    )
    closest = sorted(slots, key=lambda slot: abs(slot.start - wanted))[:NEAREST]
    return sorted(_local(slot.start) for slot in closest)


# --- choose ---------------------------------------------------------------------------------------


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    return _render_index(request, _locations(current_authority(request)))


def _locations(authority: Authority | None) -> QuerySet[Location]:
    active = Resource.objects.filter(active=True).prefetch_related("hours")
    return (
        Location.objects.filter(authority=authority)
        .prefetch_related("types", Prefetch("resources", queryset=active))
        .order_by("name")
    )


def _render_index(
    request: HttpRequest,
    locations: Iterable[Location],
    *,
    error_at: Location | None = None,
    error: str = "",
    chosen: Sequence[int] = (),
) -> HttpResponse:
    groups = []
    for location in locations:
        types = sorted(location.types.all(), key=lambda kind: kind.name)
        if types:
            combinable = [kind for kind in types if kind.combinable]
            hours = weekly_hours(
                entry for resource in location.resources.all() for entry in resource.hours.all()
            )
            groups.append((location, types, combinable if len(combinable) > 1 else [], hours))
    return render(
        request,
        "appointments/index.html",
        {
            "groups": groups,
            "max_combined": MAX_COMBINED,
            "error_at": error_at,
            "error": error,
            "chosen": [str(pk) for pk in chosen],
        },
        status=400 if error else 200,
    )


@require_safe
def combine(request: HttpRequest, location_slug: str) -> HttpResponse:
    """The checkboxes of the start page: go to the calendar of the chosen services."""
    authority = current_authority(request)
    location = get_object_or_404(Location, authority=authority, slug=location_slug)
    combinable = {
        kind.pk: kind for kind in AppointmentType.objects.filter(location=location, combinable=True)
    }
    chosen: list[int] = []
    for raw in request.GET.getlist("typ"):
        value = parse_id(raw)
        if value in combinable and value not in chosen:
            chosen.append(value)
    error = ""
    if not chosen:
        error = _("Please choose at least one service.")
    elif len(chosen) > MAX_COMBINED:
        error = _("Please choose at most %(count)s services for one appointment.") % {
            "count": MAX_COMBINED
        }
    if error:
        locations = _locations(authority)
        return _render_index(request, locations, error_at=location, error=error, chosen=chosen)
    return redirect(type_url(Visit([combinable[pk] for pk in chosen])))


@require_safe
@browsing
def month(request: HttpRequest, location_slug: str, type_id: tuple[int, ...]) -> HttpResponse:
    appointment_type = visit_of(request, location_slug, type_id)
    extra: dict[str, object] = {}
    if all(kind.combinable for kind in appointment_type.types):
        combinable = list(
            AppointmentType.objects.filter(
                location_id=appointment_type.location_id, combinable=True
            ).order_by("name")
        )
        if len(combinable) > 1:  # the services can be changed here, the chosen ones ticked
            extra = {
                "combinable": combinable,
                "chosen": [str(pk) for pk in appointment_type.ids],
                "max_combined": MAX_COMBINED,
            }
    return render_month(request, appointment_type, type_url(appointment_type), extra)


def render_month(
    request: HttpRequest,
    appointment_type: AppointmentType | Visit,
    base_url: str,
    extra: dict[str, object] | None = None,
) -> HttpResponse:
    now = timezone.now()
    today = timezone.localtime(now, TZ).date()
    first = calendar.parse_month(request.GET.get("monat"), today)
    if not calendar.in_range(appointment_type, first, now):
        first = today.replace(day=1)
    view = calendar.month_view(appointment_type, first, now=now)
    return render(
        request,
        "appointments/month.html",
        {
            "appointment_type": appointment_type,
            "location": appointment_type.location,
            "month": view,
            "weekdays": [str(label) for _value, label in OpeningHours.Weekday.choices],
            "base_url": base_url,
            **(extra or {}),
        },
    )


def render_day(
    request: HttpRequest,
    appointment_type: AppointmentType | Visit,
    day: dt.date,
    *,
    error: str = "",
    wanted: dt.datetime | None = None,
    status: int = 200,
    base_url: str = "",
    extra: dict[str, object] | None = None,
) -> HttpResponse:
    times = _day_slots(appointment_type, day)
    closest = nearest(appointment_type, wanted) if wanted is not None else []
    return render(
        request,
        "appointments/day.html",
        {
            "appointment_type": appointment_type,
            "location": appointment_type.location,
            "day": day,
            "times": times,
            "nearest": closest,
            "error": error,
            "month_param": day.strftime("%Y-%m"),
            "base_url": base_url or type_url(appointment_type),
            **(extra or {}),
        },
        status=status,
    )


@require_safe
@browsing
def day(
    request: HttpRequest, location_slug: str, type_id: tuple[int, ...], date: str
) -> HttpResponse:
    appointment_type = visit_of(request, location_slug, type_id)
    return render_day(request, appointment_type, parse_day(date))


TAKEN_MESSAGE = gettext_lazy(
    "Someone else has just booked %(time)s. Please choose another time; these are the nearest "
    "free times."
)
COMBINED_LIMIT_HINT = gettext_lazy("The limit counts for each of the chosen services on its own.")
INVALID_MESSAGE = gettext_lazy(
    "This time cannot be booked: it has passed, is too soon, or the office is closed then. "
    "Please choose one of the free times."
)


@never_cache
@require_http_methods(["GET", "POST"])
@booking_limit
def details(
    request: HttpRequest, location_slug: str, type_id: tuple[int, ...], date: str, time: str
) -> HttpResponseBase:
    appointment_type = visit_of(request, location_slug, type_id)
    start = parse_start(parse_day(date), time)
    form = BookingForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            booking = services.book(
                appointment_type,
                start,
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                hold_minutes=settings.RATHAUS_APPOINTMENT_HOLD_MINUTES,
            )
        except services.SlotTaken:
            return render_day(
                request,
                appointment_type,
                start.date(),
                error=str(TAKEN_MESSAGE) % {"time": start.strftime("%H:%M")},
                wanted=start,
                status=409,
            )
        except services.InvalidSlot:
            return render_day(
                request,
                appointment_type,
                start.date(),
                error=str(INVALID_MESSAGE),
                wanted=start,
                status=400,
            )
        except services.TooManyBookings as refused:
            if isinstance(refused, services.TooManyForPhone):
                error = _(
                    "This phone number already has the maximum number of appointments of this "
                    "kind. Please cancel one with the link in its e-mail before you book another."
                )
            else:
                error = _(
                    "This e-mail address already has the maximum number of appointments of this "
                    "kind. Please cancel one with the link in its e-mail before you book another."
                )
            if appointment_type.combined:
                error += " " + str(COMBINED_LIMIT_HINT)
        else:
            token: str = booking.manage_token  # type: ignore[attr-defined]
            mail.send_held(booking, token)
            request.session[SESSION_HELD] = booking.email
            return redirect("appointments:held")
    context = {
        "appointment_type": appointment_type,
        "location": appointment_type.location,
        "start": start,
        "end": start + dt.timedelta(minutes=appointment_type.duration_minutes),
        "form": form,
        "error": error,
        **altcha.page_context(),
        "hold_minutes": settings.RATHAUS_APPOINTMENT_HOLD_MINUTES,
    }
    return render(request, "appointments/details.html", context, status=409 if error else 200)


@never_cache
@require_safe
def challenge(request: HttpRequest) -> JsonResponse:
    """A fresh ALTCHA challenge for the booking form."""
    return JsonResponse(altcha.new_challenge())


@never_cache
@require_safe
def held(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "appointments/held.html",
        {
            "email": request.session.get(SESSION_HELD, ""),
            "hold_minutes": settings.RATHAUS_APPOINTMENT_HOLD_MINUTES,
        },
    )


# --- the secret link ------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponseBase:
    """GET shows what is confirmed (link checkers must not confirm); POST confirms."""
    booking = booking_by_link(request, token)
    if request.method == "POST":
        try:
            booking = services.confirm(token)
        except services.AlreadyCancelled:
            messages.error(request, _("This appointment was cancelled and cannot be confirmed."))
        except services.HoldExpired:
            messages.error(
                request,
                _(
                    "The time to confirm has run out and the appointment was released. "
                    "Please book a new one."
                ),
            )
        else:
            mail.send_confirmed(booking, token)
            messages.success(
                request, _("Your appointment is confirmed. We have sent you an e-mail.")
            )
        return redirect("appointments:manage", token)
    if booking.status != Booking.Status.HELD:
        return redirect("appointments:manage", token)
    return render(request, "appointments/confirm.html", {"booking": booking, "token": token})


@never_cache
@require_safe
def manage(request: HttpRequest, token: str) -> HttpResponse:
    booking = booking_by_link(request, token)
    expired = booking.status == Booking.Status.EXPIRED or (
        booking.status == Booking.Status.HELD
        and booking.hold_expires_at is not None
        and booking.hold_expires_at <= timezone.now()
    )
    return render(
        request,
        "appointments/manage.html",
        {
            "booking": booking,
            "token": token,
            "expired": expired,
            "active": booking.status in Booking.ACTIVE and not expired,
        },
    )


@never_cache
@require_safe
def ics_file(request: HttpRequest, token: str) -> HttpResponse:
    booking = booking_by_link(request, token)
    response = HttpResponse(ics.booking_ics(booking), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="termin.ics"'
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponseBase:
    booking = booking_by_link(request, token)
    if request.method == "GET":
        if booking.status not in Booking.ACTIVE:
            return redirect("appointments:manage", token)
        return render(request, "appointments/cancel.html", {"booking": booking, "token": token})
    return _do_cancel(request, token)


def _do_cancel(request: HttpRequest, token: str) -> HttpResponseBase:
    try:
        booking = services.cancel(token)
    except services.UnknownBooking:
        raise Http404("no booking with this link") from None
    except services.AlreadyCancelled:
        messages.warning(request, _("This appointment was already cancelled."))
    except services.HoldExpired:
        messages.warning(
            request, _("This appointment was not confirmed in time and is no longer reserved.")
        )
    else:
        mail.send_cancelled(booking, token)
        messages.success(request, _("Your appointment is cancelled. We have sent you an e-mail."))
    return redirect("appointments:manage", token)
