"""Staff pages of events below ``/verwaltung/veranstaltungen/`` (ADR 0069).

Who may use them: :mod:`rathaus.events.keepers` — superusers, members with the role
"Administration" or "Veranstaltungen" in a unit of the authority, or holders of
``events.change_event``. Others get a 403; an event of an authority the user does not keep is a
404. Changes go through :mod:`rathaus.events.staff_services` and
:func:`rathaus.events.services.mark_attendance`, which audit them. The series pages are in
:mod:`rathaus.events.staff_series`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rathaus.core import audit
from rathaus.core.models import Authority
from rathaus.core.pdf import render_pdf
from rathaus.core.staff_views import staff_required
from rathaus.events import keepers, services, staff_services
from rathaus.events.models import Event, Registration
from rathaus.events.staff_forms import CancelForm, EventForm

Status = Registration.Status
ATTENDANCE: dict[str, bool | None] = {"ja": True, "nein": False, "offen": None}
PLACE_FIELDS = ("place_name", "room", "street", "postal_code", "city")


def authorities(request: HttpRequest) -> QuerySet[Authority]:
    found = keepers.kept_authorities(request.user)
    if not found.exists():
        raise PermissionDenied("keeps the events of no authority")
    return found


def chosen(request: HttpRequest, kept: QuerySet[Authority]) -> Authority:
    slug = request.GET.get("behoerde", "")[:100]
    found = kept.filter(slug=slug).first() if slug else None
    return found or kept.first()  # type: ignore[return-value]


def _event(request: HttpRequest, pk: int) -> Event:
    event = (
        Event.objects.select_related("authority", "series", "appointment_type")
        .filter(pk=pk, authority__in=authorities(request))
        .first()
    )
    if event is None:
        raise Http404("no event of the user's authorities")
    return event


def _url(event: Event) -> str:
    return reverse("events_staff:event", args=[event.pk])


@never_cache
@require_safe
@staff_required
def event_list(request: HttpRequest) -> HttpResponse:
    kept = authorities(request)
    authority = chosen(request, kept)
    past = request.GET.get("zeit") == "vergangen"
    now = timezone.now()
    events = Event.objects.filter(authority=authority).annotate(
        taken=Sum("registrations__places", filter=Q(registrations__status=Status.REGISTERED)),
        waiting=Count("registrations", filter=Q(registrations__status=Status.WAITING)),
    )
    events = (events.filter(ends_at__lte=now).order_by("-starts_at") if past
              else events.filter(ends_at__gt=now).order_by("starts_at"))  # fmt: skip
    context = {"authority": authority, "authorities": kept, "past": past,
               "events": events[:300]}  # fmt: skip
    return render(request, "events/staff/list.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def event_add(request: HttpRequest) -> HttpResponseBase:
    kept = authorities(request)
    authority = chosen(request, kept)
    form = EventForm(request.POST or None, authority=authority, initial=_initial_place(authority))
    if request.method == "POST" and form.is_valid():
        event = staff_services.create_event(authority, form.data_for_service(), request.user)
        messages.success(request, _("The draft “%(title)s” was saved.") % {"title": event.title})
        return redirect(_url(event))
    return render(request, "events/staff/edit.html", {"form": form, "authority": authority,
                  "event": None}, status=422 if form.is_bound else 200)  # fmt: skip


def _initial_place(authority: Authority) -> dict[str, object]:
    """A new event starts at the place of the authority's last event (most take place there)."""
    last = Event.objects.filter(authority=authority).order_by("-pk").first()
    if last is None:
        return {"street": authority.street, "postal_code": authority.postal_code,
                "city": authority.city, "place_name": authority.name}  # fmt: skip
    return {name: getattr(last, name) for name in PLACE_FIELDS}


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def event_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    event = _event(request, pk)
    form = EventForm(request.POST or None, instance=event, authority=event.authority)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                staff_services.update_event(event, form.data_for_service(), request.user)
            except staff_services.Refused as refused:
                messages.error(request, str(refused.message))
            else:
                messages.success(request, _("The changes were saved."))
            return redirect(_url(event))
        status = 422
        event.refresh_from_db()
    context = {"form": form, "authority": event.authority, "event": event,
               "availability": services.availability(event)}  # fmt: skip
    return render(request, "events/staff/edit.html", context, status=status)


@require_POST
@staff_required
def event_publish(request: HttpRequest, pk: int) -> HttpResponseBase:
    event = _event(request, pk)
    try:
        staff_services.publish(event, request.user)
    except staff_services.Refused as refused:
        messages.error(request, str(refused.message))
    else:
        messages.success(request, _("The event is published."))
    return redirect(_url(event))


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def event_cancel(request: HttpRequest, pk: int) -> HttpResponseBase:
    event = _event(request, pk)
    form = CancelForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            told = staff_services.cancel_event(event, form.cleaned_data["reason"], request.user)
        except staff_services.Refused as refused:
            error = str(refused.message)
        else:
            messages.success(request, _("The event is cancelled; %(count)s people were told by "
                                        "e-mail.") % {"count": told})  # fmt: skip
            return redirect(_url(event))
    people = event.registrations.filter(status__in=[Status.REGISTERED, Status.WAITING]).count()
    return render(request, "events/staff/cancel.html", {
        "event": event, "form": form, "error": error, "people": people,
    }, status=422 if form.is_bound else 200)  # fmt: skip


@never_cache
@require_safe
@staff_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The attendance list: registered people (to tick off, printable), then the waiting list."""
    event = _event(request, pk)
    found = event.registrations.filter(status__in=[Status.REGISTERED, Status.WAITING])
    registrations = list(found.order_by("status", "name", "pk"))
    registered = [r for r in registrations if r.status == Status.REGISTERED]
    context = {
        "event": event, "authority": event.authority, "registered": registered,
        "waiting": [r for r in registrations if r.status == Status.WAITING],
        "places": sum(r.places for r in registered),
        "present": sum(1 for r in registered if r.attended),
    }  # fmt: skip
    return render(request, "events/staff/attendance.html", context)


@require_POST
@staff_required
def mark(request: HttpRequest, pk: int, registration: int) -> HttpResponseBase:
    event = _event(request, pk)
    found = event.registrations.filter(pk=registration).first()
    if found is None:
        raise Http404("no such registration")
    choice = request.POST.get("anwesend", "")
    if choice not in ATTENDANCE:
        messages.error(request, _("Please choose present or absent."))
    else:
        try:
            services.mark_attendance(found, ATTENDANCE[choice], request.user)
        except services.RegistrationRefused as refused:
            messages.error(request, str(refused.message))
    return redirect(reverse("events_staff:attendance", args=[event.pk]) + f"#r{found.pk}")


@require_safe
@staff_required
def certificate(request: HttpRequest, pk: int, registration: int) -> HttpResponse:
    """The certificate of attendance (Teilnahmebescheinigung) of a person marked present."""
    event = _event(request, pk)
    found = event.registrations.filter(pk=registration, status=Status.REGISTERED,
                                       attended=True).first()  # fmt: skip
    if found is None:
        raise Http404("no attended registration")
    pdf = render_pdf("events/staff/certificate_pdf.html", {
        "event": event, "registration": found, "authority": event.authority,
        "place": ", ".join(event.address_lines()), "today": timezone.localdate(),
    })  # fmt: skip
    audit.record("events.certificate.issued", actor=request.user, authority=event.authority,
                 obj=found)  # fmt: skip
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="teilnahmebescheinigung-{found.pk}.pdf"'
    return response
