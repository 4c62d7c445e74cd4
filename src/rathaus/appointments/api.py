"""Appointment API: free times, holding a time, confirming and cancelling — the pages' rules.

The same services as the pages decide (:mod:`rathaus.appointments.services`), the same rate
limits count per client address, and errors are RFC 7807 problem documents.

Protection: creating a hold needs the same ALTCHA proof-of-work as the booking page (``altcha``:
the base64 payload of a solved challenge from ``GET /appointments/challenge``); a solution
works once. The response to a new hold does not contain the manage token: like on the page, the
booking is confirmed by the link e-mailed to the address (double opt-in), so an API client
cannot book in someone else's name. An app that opens that link passes its token to
``/bookings/{token}/confirm`` and ``/cancel``.

Combined appointments: instead of one ``type``, ``types`` names up to ``MAX_COMBINED``
combinable types of the same location (``types=3,5`` in the query, a list in the body); the
free times are those of one visit for all of them, and the limits count per type.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from rathaus.accounts import altcha
from rathaus.appointments import mail, services
from rathaus.appointments.availability import TZ, free_slots
from rathaus.appointments.models import MAX_COMBINED, AppointmentType, Booking, Visit
from rathaus.appointments.views import INVALID_MESSAGE, TAKEN_MESSAGE, nearest
from rathaus.core import ratelimit
from rathaus.core.bounds import Day, Id, Key, Moment, Slug, Text
from rathaus.core.problems import ProblemOut, problem
from rathaus.core.tenancy import current_authority

router = Router(tags=["appointments"])

MAX_RANGE_DAYS = 92


class BookingProblemOut(ProblemOut):
    nearest: list[dt.datetime] | None = Field(
        None, description="The free times nearest to the wanted one (slot taken or invalid)"
    )


class AvailabilityQuery(Schema):
    type: Id | None = Field(None, description="Id of the appointment type")
    types: str | None = Field(
        None,
        description=(
            f"Instead of `type`: up to {MAX_COMBINED} ids of combinable appointment types of "
            "the location, separated by commas (e.g. `3,5`), booked as one appointment"
        ),
        pattern=r"^[0-9]{1,18}(,[0-9]{1,18})*$",
        max_length=200,
    )
    location: Slug = Field(..., description="Short name (slug) of the location")
    date_from: Day | None = Field(None, alias="from", description="First day; default today")
    date_to: Day | None = Field(
        None, alias="to", description="Last day (inclusive); default 13 days after `from`"
    )


class SlotOut(Schema):
    start: dt.datetime
    end: dt.datetime
    free: int = Field(..., description="How many desks are free at this time")


class AvailabilityOut(Schema):
    type: int = Field(..., description="The (first) appointment type")
    types: list[int] = Field(..., description="All appointment types of the visit, in order")
    location: str
    date_from: dt.date = Field(..., alias="from")
    date_to: dt.date = Field(..., alias="to")
    slots: list[SlotOut]


class BookingIn(Schema):
    model_config = ConfigDict(extra="forbid")
    type: Id | None = Field(None, description="Id of the appointment type")
    types: list[Id] | None = Field(
        None,
        description=(
            f"Instead of `type`: up to {MAX_COMBINED} ids of combinable appointment types of "
            "the location, booked as one appointment"
        ),
        min_length=1,
        max_length=MAX_COMBINED,
    )
    location: Slug
    start: Moment = Field(..., description="Start with time zone, as listed as free")
    name: Text = Field(..., min_length=1, max_length=200)
    email: Text = Field(..., max_length=254)
    phone: Text = Field("", max_length=40)
    altcha: Text = Field(
        ..., max_length=2000, description="base64 payload of a solved ALTCHA challenge"
    )


class BookingOut(Schema):
    status: str
    type: int = Field(..., description="The (first) appointment type")
    types: list[int] = Field(..., description="All appointment types of the booking, in order")
    location: str
    start: dt.datetime
    end: dt.datetime
    hold_expires_at: dt.datetime | None
    message: str


def _limited(request: HttpRequest, scope: str, setting: str, window: dt.timedelta) -> Any:
    wait = ratelimit.hit(
        f"{scope}:{ratelimit.client_address(request)}", getattr(settings, setting), window
    )
    if not wait:
        return None
    minutes = math.ceil(wait / 60)
    response = problem(
        request,
        429,
        "Too Many Requests",
        ngettext(
            "Please try again in %(minutes)s minute.",
            "Please try again in %(minutes)s minutes.",
            minutes,
        )
        % {"minutes": minutes},
    )
    response["Retry-After"] = str(wait)
    return response


def _visit(
    request: HttpRequest, type_id: int | None, type_ids: list[int] | None, location: str, where: str
) -> Visit | HttpResponse:
    """The type or the combined types of a request, or the problem with them."""
    if (type_id is None) == (type_ids is None):
        message = "Give either `type` or `types`."
        return problem(
            request, 422, "Invalid request", message,
            errors=[{"field": f"{where}.type", "message": message}],
        )  # fmt: skip
    ids = [type_id] if type_id is not None else list(type_ids or [])
    found = (
        AppointmentType.objects.select_related("location__authority")
        .filter(location__slug=location, location__authority=current_authority(request))
        .in_bulk([pk for pk in ids if 0 < pk < 2**31])
    )
    kinds = [found[pk] for pk in ids if pk in found]
    if len(kinds) != len(ids):
        return problem(
            request, 404, "Not Found", "There is no appointment type with this id at this location."
        )
    visit = Visit(kinds)
    if visit.problem():
        message = f"These appointment types cannot be booked together: {visit.problem()}."
        return problem(
            request, 422, "Invalid request", message,
            errors=[{"field": f"{where}.types", "message": visit.problem()}],
        )  # fmt: skip
    return visit


def _booking_out(booking: Booking, message: str) -> dict[str, Any]:
    return {
        "status": booking.status,
        "type": booking.appointment_type_id,
        "types": list(booking.visit.ids),
        "location": booking.location.slug,
        "start": booking.start.astimezone(TZ),
        "end": booking.end.astimezone(TZ),
        "hold_expires_at": booking.hold_expires_at,
        "message": message,
    }


class ChallengeOut(Schema):
    algorithm: str
    challenge: str
    maxnumber: int
    salt: str
    signature: str


@router.get(
    "/challenge",
    response=ChallengeOut,
    summary="A fresh ALTCHA proof-of-work challenge for a booking",
)
def challenge(request: HttpRequest) -> dict[str, object]:
    """A new ALTCHA challenge (SHA-256 proof of work). Solve it and send the base64 payload of the
    solution as `altcha` when holding a time; a solution works once.
    """
    return altcha.new_challenge()


@router.get(
    "/availability",
    response={200: AvailabilityOut, 404: ProblemOut, 422: ProblemOut, 429: ProblemOut},
    summary="Free times of an appointment type (or of combined types) in a date range",
    description=f"At most {MAX_RANGE_DAYS} days at once. Times are in Europe/Berlin.",
    by_alias=True,
)
def availability(request: HttpRequest, query: Query[AvailabilityQuery]) -> Any:
    limited = _limited(
        request,
        "appointments.availability",
        "RATHAUS_RATE_LIMIT_AVAILABILITY",
        dt.timedelta(minutes=1),
    )
    if limited is not None:
        return limited
    type_ids = [int(part) for part in query.types.split(",")] if query.types else None
    found = _visit(request, query.type, type_ids, query.location, "query")
    if isinstance(found, HttpResponse):
        return found
    first = query.date_from or timezone.localtime(timezone.now(), TZ).date()
    last = query.date_to or first + dt.timedelta(days=13)
    if last < first or (last - first).days >= MAX_RANGE_DAYS:
        return problem(
            request,
            422,
            "Invalid request",
            f"`to` must be on or after `from`, and the range at most {MAX_RANGE_DAYS} days.",
            errors=[{"field": "query.to", "message": "outside the allowed range"}],
        )
    duration = dt.timedelta(minutes=found.duration_minutes)
    slots = [
        {"start": slot.start, "end": slot.start + duration, "free": len(slot.resource_ids)}
        for slot in free_slots(found, first, last)
    ]
    return {
        "type": found.pk,
        "types": list(found.ids),
        "location": found.location.slug,
        "from": first,
        "to": last,
        "slots": slots,
    }


def _invalid(request: HttpRequest, field: str, message: str) -> HttpResponse:
    return problem(
        request,
        422,
        "Invalid request",
        message,
        errors=[{"field": f"body.{field}", "message": message}],
    )


@router.post(
    "/bookings",
    response={
        202: BookingOut,
        404: ProblemOut,
        409: BookingProblemOut,
        422: BookingProblemOut,
        429: ProblemOut,
    },
    summary="Hold a free time; the person confirms it with the e-mailed link",
    description=(
        "Needs a solved ALTCHA challenge in `altcha`. Answers 202: the time is held for "
        "`hold_expires_at` and a confirmation link is e-mailed. 409 when the time was taken "
        "meanwhile (with `nearest` free times) or the e-mail address or phone number has "
        "reached the limit of active bookings of this type (of one of the types when combined)."
    ),
)
def create_booking(request: HttpRequest, payload: BookingIn) -> Any:
    limited = _limited(
        request, "appointments.booking", "RATHAUS_RATE_LIMIT_BOOKING", dt.timedelta(hours=1)
    )
    if limited is not None:
        return limited
    found = _visit(request, payload.type, payload.types, payload.location, "body")
    if isinstance(found, HttpResponse):
        return found
    try:
        validate_email(payload.email)
    except ValidationError:
        return _invalid(request, "email", _("Enter a valid email address."))
    try:
        services.normal_phone(payload.phone)
    except ValueError:
        return _invalid(
            request, "phone", _("Please enter a phone number with its area code, e.g. 039203 5650.")
        )
    if payload.start.tzinfo is None:
        return _invalid(request, "start", "The start needs a time zone, e.g. +01:00.")
    if not altcha.verify_widget(payload.altcha):
        return _invalid(request, "altcha", "The ALTCHA solution is invalid, expired or used.")
    start = payload.start.astimezone(TZ)
    try:
        booking = services.book(
            found,
            start,
            name=payload.name,
            email=payload.email,
            phone=payload.phone,
            hold_minutes=settings.RATHAUS_APPOINTMENT_HOLD_MINUTES,
        )
    except services.SlotTaken:
        return problem(
            request,
            409,
            "Slot taken",
            str(TAKEN_MESSAGE) % {"time": start.strftime("%H:%M")},
            nearest=[moment.isoformat() for moment in nearest(found, start)],
        )
    except services.InvalidSlot:
        return problem(
            request,
            422,
            "Invalid slot",
            str(INVALID_MESSAGE),
            errors=[{"field": "body.start", "message": str(INVALID_MESSAGE)}],
            nearest=[moment.isoformat() for moment in nearest(found, start)],
        )
    except services.TooManyBookings as refused:
        field = "phone" if isinstance(refused, services.TooManyForPhone) else "email"
        return problem(
            request,
            409,
            "Too many bookings",
            f"This {field} already has the maximum of active bookings of this type.",
            errors=[{"field": f"body.{field}", "message": "limit reached"}],
        )
    token: str = booking.manage_token  # type: ignore[attr-defined]
    mail.send_held(booking, token)
    return Status(202, _booking_out(booking, "Confirm the booking with the link sent by e-mail."))


def _by_token(request: HttpRequest, token: str) -> Booking | HttpResponse:
    booking = (
        Booking.objects.select_related("appointment_type", "location__authority")
        .prefetch_related("items__appointment_type")
        .filter(
            token_hash=services.token_hash(token), location__authority=current_authority(request)
        )
        .first()
    )
    if booking is None:
        return problem(request, 404, "Not Found", "There is no booking with this token.")
    return booking


def _gone(request: HttpRequest) -> HttpResponse:
    return problem(
        request,
        410,
        "Hold expired",
        "The booking was not confirmed in time and the time was released.",
    )


@router.post(
    "/bookings/{token}/confirm",
    response={200: BookingOut, 404: ProblemOut, 409: ProblemOut, 410: ProblemOut},
    summary="Confirm a held booking with the token from the e-mailed link",
)
def confirm_booking(request: HttpRequest, token: Key) -> Any:
    """Confirms the held booking whose token came in the e-mailed link. Confirming again is
    harmless. 404 for an unknown token, 409 for a cancelled booking, 410 when the hold expired
    before.
    """
    found = _by_token(request, token)
    if isinstance(found, HttpResponse):
        return found
    was_held = found.status == Booking.Status.HELD
    try:
        booking = services.confirm(token)
    except services.AlreadyCancelled:
        return problem(request, 409, "Cancelled", "The booking was cancelled.")
    except services.HoldExpired:
        return _gone(request)
    if was_held:
        mail.send_confirmed(booking, token)
    return _booking_out(booking, "The booking is confirmed.")


@router.post(
    "/bookings/{token}/cancel",
    response={200: BookingOut, 404: ProblemOut, 409: ProblemOut, 410: ProblemOut},
    summary="Cancel a held or confirmed booking; the time is free again at once",
)
def cancel_booking(request: HttpRequest, token: Key) -> Any:
    """Cancels the booking whose token came in the e-mailed link and frees its time at once; a
    cancellation e-mail is sent. 404 for an unknown token, 409 when it is already cancelled,
    410 when the hold had expired.
    """
    found = _by_token(request, token)
    if isinstance(found, HttpResponse):
        return found
    try:
        booking = services.cancel(token)
    except services.AlreadyCancelled:
        return problem(request, 409, "Cancelled", "The booking was already cancelled.")
    except services.HoldExpired:
        return _gone(request)
    mail.send_cancelled(booking, token)
    return _booking_out(booking, "The booking is cancelled.")
