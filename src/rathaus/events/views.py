"""Public event pages below ``/veranstaltungen/``: the upcoming events (filter by kind and
target group), one event with its free places and the registration form, and the pages behind
the links of the e-mails (confirm, cancel). Links from e-mails only show a button on GET: mail
scanners that open links must neither confirm nor cancel a registration."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from rathaus.accounts import altcha
from rathaus.core import ratelimit
from rathaus.events import public, services
from rathaus.events.forms import (
    AccountRegistrationForm,
    EventFilter,
    RegistrationForm,
    consent_text,
)

PAGE_SIZE = 30
FORMS_PER_CLIENT_PER_HOUR = 20
SESSION_SENT = "rathaus_event_registration"


def _account(request: HttpRequest) -> Any:
    user = request.user
    if not user.is_authenticated:
        return None
    return getattr(user, "account", None) if hasattr(user, "account") else None


@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    authority = public.authority_or_404(request)
    form = EventFilter(request.GET or None)
    kind, audience = form.chosen()
    found = public.upcoming(authority)
    if kind:
        found = found.filter(kind=kind)
    if audience:
        found = found.filter(audience=audience)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("seite"))
    query = "&".join(f"{key}={request.GET[key]}" for key in ("art", "fuer") if request.GET.get(key)
                     and not form.errors)  # fmt: skip
    context = {"form": form, "page": page, "events": list(page.object_list),
               "filtered": bool(kind or audience),
               "page_query": f"{query}&" if query else ""}  # fmt: skip
    return render(request, "events/list.html", context, status=400 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
def event_detail(request: HttpRequest, uid: uuid.UUID) -> HttpResponseBase:
    authority = public.authority_or_404(request)
    event = public.visible(authority).filter(uid=uid).first()
    if event is None:
        raise Http404("no such public event")
    account = _account(request)
    form_class = AccountRegistrationForm if account is not None else RegistrationForm
    initial: dict[str, str] = {}
    if account is not None:
        user = request.user
        initial = {"name": user.get_full_name(), "email": user.email}  # type: ignore[union-attr]
    error = ""
    if request.method == "POST":
        wait = ratelimit.hit(
            f"events-register:{ratelimit.client_address(request)}", FORMS_PER_CLIENT_PER_HOUR,
            timedelta(hours=1),
        )  # fmt: skip
        if wait:
            return ratelimit.too_many(request, wait)
    form = form_class(request.POST or None, event=event, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = services.register(
                event, name=data["name"], email=data["email"], places=data["places"],
                consent_text=consent_text(event), account=account,
            )  # fmt: skip
        except services.RegistrationRefused as refused:
            error = str(refused.message)
        else:
            request.session[SESSION_SENT] = registration.email
            return redirect("events:sent")
    availability = services.availability(event)
    context = {
        "event": event,
        "availability": availability,
        "form": form,
        "error": error,
        "place": event.address_lines(),
        "person_check": account is None,
        **(altcha.page_context() if account is None else {}),
    }
    status = 200
    if error:
        status = 409
    elif form.is_bound:
        status = 422
    return render(request, "events/event.html", context, status=status)


@never_cache
@require_safe
def challenge(request: HttpRequest) -> JsonResponse:
    """A fresh ALTCHA challenge for the registration form."""
    return JsonResponse(altcha.new_challenge())


@never_cache
@require_safe
def sent(request: HttpRequest) -> HttpResponse:
    public.authority_or_404(request)
    return render(request, "events/sent.html", {
        "email": request.session.get(SESSION_SENT, ""), "hours": services.CONFIRM_HOURS,
    })  # fmt: skip


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    public.authority_or_404(request)
    if request.method == "GET":
        return render(request, "events/confirm.html", {})
    result = services.confirm(token)
    if result.registration is None:
        return render(request, "events/message.html", {
            "title": _("This link is not valid"),
            "text": _("The link is unknown, or the registration was not confirmed within "
                      "%(hours)s hours, or registration for the event has closed. Please "
                      "register again if places are still free.")
            % {"hours": services.CONFIRM_HOURS},
        }, status=404)  # fmt: skip
    registration = result.registration
    return render(request, "events/confirmed.html", {
        "registration": registration, "event": registration.event, "before": result.before,
        "cancel_url": reverse("events:cancel", args=[services.cancel_code(registration)]),
    })  # fmt: skip


@never_cache
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, code: str) -> HttpResponse:
    public.authority_or_404(request)
    registration = services.registration_of(code)
    if registration is None:
        return render(request, "events/message.html", {
            "title": _("This link is not valid"),
            "text": _("Please use the link from the latest e-mail about your registration. If "
                      "the event is long over, the registration has been deleted."),
        }, status=404)  # fmt: skip
    if request.method == "GET":
        return render(request, "events/cancel.html", {
            "registration": registration, "event": registration.event,
            "already": registration.status in (services.Status.CANCELLED, services.Status.EXPIRED),
        })  # fmt: skip
    result = services.cancel(registration)
    text = (
        _("This registration was cancelled before. Nothing has changed.")
        if result.before
        else _(
            "Your registration for “%(title)s” is cancelled. Thank you for letting us know: "
            "your place goes to the next person on the waiting list."
        )
        % {"title": registration.event.title}
    )
    return render(request, "events/message.html", {
        "title": _("Cancelled before") if result.before else _("Your registration is cancelled"),
        "text": text, "event": registration.event,
    })  # fmt: skip
