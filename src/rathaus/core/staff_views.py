"""The staff area under /verwaltung/: login with password and TOTP, and the staff start page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth import authenticate, login, user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from rathaus.core import audit, staff_auth
from rathaus.core.forms import StaffLoginForm, TokenForm
from rathaus.core.logout import log_out
from rathaus.core.models import Membership
from rathaus.core.redirects import safe_next_url
from rathaus.core.tenancy import current_authority

View = Callable[..., HttpResponse]
V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def _next_url(request: HttpRequest) -> str:
    return safe_next_url(request, "staff:home")


def staff_required(view: V) -> V:
    """Only active staff who passed both factors; everyone else is sent to the login."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not staff_auth.is_verified_staff(request.user):
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('staff:login')}?{query}")
        return view(request, *args, **kwargs)

    return cast(V, wrapper)


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if staff_auth.is_verified_staff(request.user):
        return redirect(_next_url(request))
    form = StaffLoginForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is not None and not user.is_staff:
            # A citizen account is no staff account; answer as for a wrong password.
            user_login_failed.send(__name__, credentials={"username": username}, request=request)
            user = None
        if user is None:
            audit.record(
                "staff.login.failed",
                actor_name=username,
                authority=current_authority(request),
                details={"reason": "password"},
            )
            error = _("The user name or the password is wrong.")
        else:
            staff_auth.start_pending(request, user)
            step = "staff:verify" if staff_auth.confirmed_device(user) else "staff:enrol"
            query = urlencode({"next": _next_url(request)})
            return HttpResponseRedirect(f"{reverse(step)}?{query}")
    return render(
        request, "staff/login.html", {"form": form, "error": error, "next": _next_url(request)}
    )


def _finish_login(request: HttpRequest, pending: staff_auth.Pending, device: Any) -> None:
    login(request, pending.user, backend=pending.backend)  # type: ignore[arg-type]
    otp_login(request, device)
    staff_auth.clear_pending(request)
    audit.record("staff.login", actor=pending.user, authority=current_authority(request))


def _wrong_code(request: HttpRequest, pending: staff_auth.Pending, reason: str) -> str | None:
    failures = staff_auth.count_failure(request, pending)
    audit.record(
        "staff.login.otp_failed",
        actor_name=pending.user.get_username(),
        authority=current_authority(request),
        details={"reason": reason, "failures": failures},
    )
    if failures >= staff_auth.MAX_CODE_FAILURES:
        return None
    return _("The code is not correct. Check the time on your phone and try the current code.")


def _after_password(view: Callable[[HttpRequest, staff_auth.Pending], HttpResponse]) -> View:
    """A step of the login after the password: without a pending login, back to its start."""

    @never_cache
    @require_http_methods(["GET", "POST"])
    @wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        pending = staff_auth.get_pending(request)
        if pending is None:
            return redirect("staff:login")
        return view(request, pending)

    return wrapper


@_after_password
def verify_view(request: HttpRequest, pending: staff_auth.Pending) -> HttpResponse:
    device = staff_auth.confirmed_device(pending.user)
    if device is None:
        return redirect(f"{reverse('staff:enrol')}?{urlencode({'next': _next_url(request)})}")
    form = TokenForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        allowed, _info = device.verify_is_allowed()
        if not allowed:
            error = _("Too many wrong codes in a row. Wait a moment, then enter the current code.")
            audit.record(
                "staff.login.otp_throttled",
                actor_name=pending.user.get_username(),
                authority=current_authority(request),
            )
        elif device.verify_token(form.cleaned_data["token"]):
            _finish_login(request, pending, device)
            return redirect(_next_url(request))
        else:
            error = _wrong_code(request, pending, "wrong code")
            if error is None:
                messages.error(request, _("Too many wrong codes. Please log in again."))
                return redirect("staff:login")
    return render(
        request, "staff/verify.html", {"form": form, "error": error, "next": _next_url(request)}
    )


@_after_password
def enrol_view(request: HttpRequest, pending: staff_auth.Pending) -> HttpResponse:
    if staff_auth.confirmed_device(pending.user) is not None:
        return redirect(f"{reverse('staff:verify')}?{urlencode({'next': _next_url(request)})}")
    device = staff_auth.enrolment_device(pending.user)
    form = TokenForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            audit.record(
                "staff.otp.enrolled",
                actor=pending.user,
                obj=device,
                authority=current_authority(request),
            )
            _finish_login(request, pending, device)
            messages.success(request, _("Your authenticator app is set up."))
            return redirect(_next_url(request))
        error = _wrong_code(request, pending, "wrong enrolment code")
        if error is None:
            messages.error(request, _("Too many wrong codes. Please log in again."))
            return redirect("staff:login")
    qr_svg = segno.make(device.config_url, error="m").svg_inline(
        scale=4, dark="#000", light="#fff", title=_("QR code for your authenticator app")
    )
    context = {
        "form": form,
        "error": error,
        "next": _next_url(request),
        "qr_svg": qr_svg,
        "secret": staff_auth.base32_key(device),
        "username": pending.user.get_username(),
    }
    return render(request, "staff/enrol.html", context)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    return log_out(request, "staff.logout", "staff:login")


@never_cache
@staff_required
def home_view(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(user_id=request.user.pk or 0)
        .select_related("org_unit", "org_unit__authority", "role")
        .order_by("org_unit__authority__name", "org_unit__name", "role__name")
    )
    from rathaus.core.task_views import MANAGING_ROLES

    listed = list(memberships)
    managing = request.user.is_superuser or any(m.role.name in MANAGING_ROLES for m in listed)
    context = {"memberships": listed, "may_manage_tasks": managing}
    return render(request, "staff/home.html", context)
