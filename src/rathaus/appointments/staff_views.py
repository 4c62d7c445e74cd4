"""The staff side of appointments under /verwaltung/termine/ and the call-up display /aufruf/.

Staff see only locations of their units (:func:`access.visible_locations`); another location is
a 404. Every change is a POST form that works without JavaScript and goes through
:mod:`rathaus.appointments.staff_services`, which writes the audit log.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count, Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rathaus.appointments import staff_services, statistics
from rathaus.appointments.access import visible_locations
from rathaus.appointments.availability import TZ
from rathaus.appointments.models import (
    AppointmentType,
    Block,
    Booking,
    Location,
    Resource,
    Ticket,
)
from rathaus.appointments.staff_forms import BlockForm, CancelDayForm, PeriodForm
from rathaus.appointments.staff_services import DeskActionRefused, day_range, local_day
from rathaus.core.bounds import bounded_day, parse_id
from rathaus.core.staff_auth import staff_member
from rathaus.core.staff_views import staff_required
from rathaus.core.tenancy import current_authority

DISPLAY_REFRESH_SECONDS = 10
DISPLAY_NUMBERS = 6
SESSION_DESK = "rathaus_appointment_desk"

_Row = TypeVar("_Row", bound=Model)


def _location(request: HttpRequest, pk: int) -> Location:
    return get_object_or_404(visible_locations(request.user).select_related("authority"), pk=pk)


def _day_param(request: HttpRequest, name: str, default: dt.date) -> dt.date:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    day = bounded_day(raw)
    if day is None:
        messages.error(request, _("“%(value)s” is not a date; today is shown.") % {"value": raw})
        return default
    return day


def _resource_param(request: HttpRequest, location: Location) -> Resource | None:
    raw = request.GET.get("ressource", "")
    if not raw:
        return None
    resource = Resource.objects.filter(location=location, pk=parse_id(raw) or 0).first()
    if resource is None:
        messages.error(request, _("This desk does not belong to the location; all are shown."))
    return resource


def _list_url(location: Location, day: dt.date | None = None, resource: Any = None) -> str:
    params = {"tag": day.isoformat() if day else "", "ressource": resource or ""}
    query = urlencode({key: value for key, value in params.items() if value})
    return reverse("appointments_staff:day", args=[location.pk]) + (f"?{query}" if query else "")


def _bookings(
    location: Location, first: dt.date, last: dt.date, resource: Resource | None
) -> QuerySet[Booking]:
    begin = day_range(first)[0]
    end = day_range(last)[1]
    query = (
        Booking.objects.filter(location=location, start__gte=begin, start__lt=end)
        .filter(Q(status__in=Booking.ACTIVE) | ~Q(attendance=""))
        .exclude(status=Booking.Status.HELD, hold_expires_at__lte=timezone.now())
        .select_related("appointment_type", "resource", "ticket")
        .prefetch_related("items__appointment_type")
        .order_by("start", "resource__name")
    )
    return query if resource is None else query.filter(resource=resource)


@never_cache
@require_safe
@staff_required
def locations(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    begin, end = day_range(today)
    rows = (
        visible_locations(request.user)
        .select_related("authority", "org_unit")
        .annotate(
            today_count=Count(
                "bookings",
                filter=Q(
                    bookings__status=Booking.Status.CONFIRMED,
                    bookings__start__gte=begin,
                    bookings__start__lt=end,
                ),
            )
        )
        .order_by("authority__name", "name")
    )
    return render(request, "appointments/staff/locations.html", {"locations": rows})


def _desks(location: Location) -> list[Resource]:
    return list(Resource.objects.filter(location=location, active=True).order_by("name"))


@never_cache
@require_safe
@staff_required
def day_list(request: HttpRequest, pk: int) -> HttpResponse:
    location = _location(request, pk)
    today = timezone.localdate()
    day = _day_param(request, "tag", today)
    resource = _resource_param(request, location)
    bookings = list(_bookings(location, day, day, resource))
    begin, end = day_range(day)
    now = timezone.now()
    context: dict[str, Any] = {
        "location": location,
        "day": day,
        "now": now,
        "soon": now + dt.timedelta(hours=1),
        "today": today,
        "is_today": day == today,
        "resource": resource,
        "resources": list(Resource.objects.filter(location=location).order_by("name")),
        "bookings": bookings,
        "blocks": list(
            Block.objects.filter(resource__location=location, start__lt=end, end__gt=begin)
            .select_related("resource")
            .order_by("start")
        ),
        "previous_url": _list_url(location, day - dt.timedelta(days=1), resource and resource.pk),
        "next_url": _list_url(location, day + dt.timedelta(days=1), resource and resource.pk),
        "week_url": reverse("appointments_staff:week", args=[location.pk])
        + f"?woche={day.isoformat()}",
    }
    if day == today:
        tickets = (
            Ticket.objects.filter(location=location, day=today)
            .select_related("desk", "appointment_type", "booking__appointment_type")
            .prefetch_related("booking__items__appointment_type")
        )
        context["waiting"] = list(
            staff_services.waiting_queue(location, today)
            .select_related("appointment_type", "booking__appointment_type")
            .prefetch_related("booking__items__appointment_type")
        )
        context["called"] = list(tickets.filter(status=Ticket.Status.CALLED).order_by("-called_at"))
        context["walk_ins"] = [
            ticket for ticket in tickets if ticket.booking_id is None and ticket.status in
            (Ticket.Status.WAITING, Ticket.Status.CALLED)
        ]  # fmt: skip
        context["desks"] = _desks(location)
        context["desk_id"] = request.session.get(f"{SESSION_DESK}_{location.pk}")
        context["types"] = list(AppointmentType.objects.filter(location=location).order_by("name"))
    return render(request, "appointments/staff/day.html", context)


@never_cache
@require_safe
@staff_required
def week_list(request: HttpRequest, pk: int) -> HttpResponse:
    location = _location(request, pk)
    anchor = _day_param(request, "woche", timezone.localdate())
    monday = anchor - dt.timedelta(days=anchor.weekday())
    sunday = monday + dt.timedelta(days=6)
    resource = _resource_param(request, location)
    by_day: dict[dt.date, list[Booking]] = {
        monday + dt.timedelta(days=offset): [] for offset in range(7)
    }
    for booking in _bookings(location, monday, sunday, resource):
        by_day[local_day(booking.start)].append(booking)
    resource_id = resource.pk if resource else ""
    return render(
        request,
        "appointments/staff/week.html",
        {
            "location": location,
            "monday": monday,
            "sunday": sunday,
            "resource": resource,
            "resources": list(Resource.objects.filter(location=location).order_by("name")),
            "days": [(day, _list_url(location, day, resource_id), rows)
                     for day, rows in by_day.items()],
            "previous_url": "?" + urlencode({"woche": (monday - dt.timedelta(days=7)).isoformat(),
                                             "ressource": resource_id}),
            "next_url": "?" + urlencode({"woche": (monday + dt.timedelta(days=7)).isoformat(),
                                         "ressource": resource_id}),
        },
    )  # fmt: skip


def _desk(request: HttpRequest, location: Location) -> Resource:
    raw = request.POST.get("desk", "")
    desk = Resource.objects.filter(location=location, pk=parse_id(raw) or 0).first()
    if desk is None:
        raise DeskActionRefused(_("Please choose your desk."))
    request.session[f"{SESSION_DESK}_{location.pk}"] = desk.pk
    return desk


def _posted(request: HttpRequest, name: str, query: QuerySet[_Row]) -> _Row:
    """The row of `query` whose id was posted as `name`; 404 if there is none."""
    raw = request.POST.get(name, "")
    found = query.filter(pk=parse_id(raw) or 0).select_related("location").first()
    if found is None:
        raise Http404(f"no such {name} at this location")
    return found


def _ticket(request: HttpRequest, location: Location) -> Ticket:
    return _posted(request, "ticket", Ticket.objects.filter(location=location))


def _booking(request: HttpRequest, location: Location) -> Booking:
    return _posted(request, "booking", Booking.objects.filter(location=location))


def _called(request: HttpRequest, ticket: Ticket, desk: Resource) -> None:
    messages.success(
        request,
        _("Number %(number)s is called to %(desk)s.") % {"number": ticket.label, "desk": desk.name},
    )


@never_cache
@require_POST
@staff_required
def act(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One desk action from the day list; back to the list with a message."""
    location = _location(request, pk)
    action = request.POST.get("action", "")
    user = staff_member(request)
    try:
        if action == "check_in":
            ticket = staff_services.check_in(_booking(request, location), user)
            messages.success(
                request, _("Checked in. Waiting number: %(number)s") % {"number": ticket.label}
            )
        elif action == "walk_in":
            raw = request.POST.get("appointment_type", "")
            kind = (
                AppointmentType.objects.filter(location=location, pk=parse_id(raw) or 0).first()
                if raw
                else None
            )
            if raw and kind is None:
                raise DeskActionRefused(_("This appointment type is not offered here."))
            ticket = staff_services.walk_in(location, user, kind)
            messages.success(
                request, _("Walk-in ticket: number %(number)s") % {"number": ticket.label}
            )
        elif action == "call_next":
            desk = _desk(request, location)
            called = staff_services.call_next(location, desk, user)
            if called is None:
                messages.info(request, _("Nobody is waiting."))
            else:
                _called(request, called, desk)
        elif action == "call":
            desk = _desk(request, location)
            _called(request, staff_services.call(_ticket(request, location), desk, user), desk)
        elif action == "finish":
            ticket = staff_services.finish(_ticket(request, location), user)
            messages.success(request, _("Number %(number)s is done.") % {"number": ticket.label})
        elif action == "ticket_no_show":
            ticket = _ticket(request, location)
            staff_services.ticket_no_show(ticket, user)
            messages.success(
                request, _("Number %(number)s did not come.") % {"number": ticket.label}
            )
        elif action == "done":
            staff_services.mark_done(_booking(request, location), user)
            messages.success(request, _("The appointment is marked as done."))
        elif action == "no_show":
            staff_services.mark_no_show(_booking(request, location), user)
            messages.success(request, _("The appointment is marked as not attended."))
        else:
            messages.error(request, _("Unknown action."))
    except DeskActionRefused as refused:
        messages.error(request, str(refused))
    day = bounded_day(request.POST.get("tag", ""))
    resource = parse_id(request.POST.get("ressource"))
    return redirect(_list_url(location, day, str(resource) if resource else ""))


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def blocks(request: HttpRequest, pk: int) -> HttpResponseBase:
    location = _location(request, pk)
    if request.method == "POST" and parse_id(request.POST.get("remove")):
        found = get_object_or_404(
            Block.objects.select_related("resource__location"),
            pk=parse_id(request.POST.get("remove")),
            resource__location=location,
        )
        staff_services.unblock(found, staff_member(request))
        messages.success(request, _("The blocked time is free for booking again."))
        return redirect("appointments_staff:blocks", location.pk)
    form = BlockForm(location, request.POST or None)
    if request.method == "POST" and form.is_valid():
        start, end = form.period()
        try:
            created, kept = staff_services.block(
                form.cleaned_data["resource"], start, end, form.cleaned_data["reason"],
                staff_member(request),
            )  # fmt: skip
        except DeskActionRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                _("%(resource)s is blocked on %(day)s from %(start)s to %(end)s.")
                % {
                    "resource": created.resource.name,
                    "day": date_format(start, "SHORT_DATE_FORMAT"),
                    "start": f"{start:%H:%M}",
                    "end": f"{end:%H:%M}",
                },
            )
            if kept:
                listed = ", ".join(
                    f"{timezone.localtime(booking.start, TZ):%H:%M} {booking.name} "
                    f"({booking.visit.name})"
                    for booking in kept
                )
                messages.warning(
                    request,
                    _(
                        "These appointments lie in the blocked time and were kept: %(list)s. "
                        "Please serve them or cancel the day for them."
                    )
                    % {"list": listed},
                )
            return redirect(_list_url(location, start.date()))
    upcoming = (
        Block.objects.filter(resource__location=location, end__gt=timezone.now())
        .select_related("resource", "created_by")
        .order_by("start")[:100]
    )
    return render(
        request,
        "appointments/staff/blocks.html",
        {"location": location, "form": form, "blocks": list(upcoming)},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def cancel_day(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Form → confirmation with the number of appointments affected → cancellation."""
    location = _location(request, pk)
    initial = {"date": _day_param(request, "tag", timezone.localdate())}
    form = CancelDayForm(location, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        day = form.cleaned_data["date"]
        resource = form.cleaned_data["resource"]
        if request.POST.get("step") == "confirm":
            try:
                result = staff_services.cancel_day(
                    location,
                    day,
                    form.cleaned_data["reason"],
                    staff_member(request),
                    resource=resource,
                )
            except DeskActionRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(
                    request,
                    ngettext(
                        "The day is closed. %(count)s appointment was cancelled; the person "
                        "affected gets an e-mail.",
                        "The day is closed. %(count)s appointments were cancelled; everyone "
                        "affected gets an e-mail.",
                        result.cancelled,
                    )
                    % {"count": result.cancelled},
                )
                return redirect(_list_url(location, day, resource.pk if resource else ""))
        else:
            affected = list(
                staff_services.bookings_of_day(location, day, resource)
                .select_related("appointment_type", "resource")
                .prefetch_related("items__appointment_type")
            )
            return render(
                request,
                "appointments/staff/cancel_confirm.html",
                {"location": location, "form": form, "affected": affected, "day": day,
                 "resource": resource},
            )  # fmt: skip
    return render(
        request, "appointments/staff/cancel_day.html", {"location": location, "form": form}
    )


@never_cache
@require_safe
@staff_required
def statistics_view(request: HttpRequest, pk: int) -> HttpResponse:
    location = _location(request, pk)
    today = timezone.localdate()
    data = request.GET if request.GET else None
    form = PeriodForm(
        data,
        initial={"first": today - dt.timedelta(days=29), "last": today},
    )
    figures = None
    if data is None:
        figures = statistics.compute(location, today - dt.timedelta(days=29), today)
    elif form.is_valid():
        figures = statistics.compute(
            location, form.cleaned_data["first"], form.cleaned_data["last"]
        )
    context: dict[str, Any] = {"location": location, "form": form, "figures": figures}
    if figures is not None:
        bars = statistics.bars(figures)
        context.update(
            summary=[
                (_("Utilisation (booked of offered time)"), _percent(figures.utilisation)),
                (_("Offered time"), _hours(figures.offered)),
                (_("Booked time"), _hours(figures.booked)),
                (_("Confirmed appointments"), str(figures.appointments)),
                (_("Of these with several services"), str(figures.combined)),
                (_("Services in confirmed appointments"), str(figures.services)),
                (_("No-show rate (of appointments with a recorded outcome)"),
                 _percent(figures.no_show_rate)),
                (_("Mean lead time (booking to appointment)"), _duration(figures.lead_time)),
                (_("Mean waiting time (check-in to call)"), _duration(figures.waiting_time)),
            ],
            bars=bars,
            chart_width=statistics.chart_width(bars),
            chart_height=statistics.CHART_HEIGHT + statistics.TOP + 32,
            axis_y=statistics.TOP + statistics.CHART_HEIGHT,
            label_y=statistics.TOP + statistics.CHART_HEIGHT + 20,
            gridlines=statistics.gridlines(),
            bar_width=statistics.BAR_WIDTH,
            shown_days=[
                (day, _percent(day.utilisation), _hours(day.offered), _hours(day.booked))
                for day in figures.days if day.offered
            ],
        )  # fmt: skip
    return render(request, "appointments/staff/statistics.html", context)


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{round(share * 100)} %"


def _hours(minutes: int) -> str:
    return _("%(hours)s h") % {"hours": number_format(minutes / 60, 1)}


def _duration(delta: dt.timedelta | None) -> str:
    if delta is None:
        return "–"
    minutes = delta.total_seconds() / 60
    if minutes < 120:
        return _("%(minutes)s min") % {"minutes": round(minutes)}
    if minutes < 48 * 60:
        return _("%(hours)s h") % {"hours": number_format(minutes / 60, 1)}
    return _("%(days)s days") % {"days": number_format(minutes / 60 / 24, 1)}


def _display_locations(request: HttpRequest) -> QuerySet[Location]:
    return Location.objects.filter(authority=current_authority(request))


@never_cache
@require_safe
def display(request: HttpRequest, slug: str) -> HttpResponse:
    """The call-up screen in the waiting area: numbers and desks only, never names."""
    location = get_object_or_404(_display_locations(request), slug=slug)
    today = local_day(timezone.now())
    called = list(
        Ticket.objects.filter(location=location, day=today, called_at__isnull=False)
        .exclude(status=Ticket.Status.NO_SHOW)
        .select_related("desk")
        .order_by("-called_at")[:DISPLAY_NUMBERS]
    )
    waiting = Ticket.objects.filter(
        location=location, day=today, status=Ticket.Status.WAITING
    ).count()
    paused = "anhalten" in request.GET
    response = render(
        request,
        "appointments/display.html",
        {
            "location": location,
            "latest": called[0] if called else None,
            "earlier": called[1:],
            "waiting": waiting,
            "paused": paused,
            "now": timezone.localtime(timezone.now(), TZ),
        },
    )
    if not paused:
        # The Refresh header reloads the screen without JavaScript, like a meta refresh; the
        # page offers to stop it (WCAG 2.2.1), which a meta element could not honour.
        response["Refresh"] = str(DISPLAY_REFRESH_SECONDS)
    return response
