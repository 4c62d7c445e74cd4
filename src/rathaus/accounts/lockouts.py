"""Failed logins: a lock per user name and client address, and a slow-down per user (ADR 0022).

Both logins (staff in ``core.staff_views``, citizens in ``accounts.views``) go through
``django.contrib.auth.authenticate``, whose first backend is :class:`LoginGuardBackend`:

- django-axes counts failures per (user name, client address) and, after
  ``RATHAUS_LOGIN_FAILURE_LIMIT``, refuses that pair for ``RATHAUS_LOGIN_COOLOFF_MINUTES``. The
  address is :func:`rathaus.core.ratelimit.client_address`, the one the rate limits use, so behind
  a trusted reverse proxy the attacker's address is locked, not the proxy's — and so not everyone.
- :class:`~rathaus.accounts.models.LoginDelay` counts failures per user from all addresses. From
  ``RATHAUS_LOGIN_SLOWDOWN_AFTER`` on, every failure doubles the wait before the next attempt (up
  to ``RATHAUS_LOGIN_SLOWDOWN_MAX_SECONDS``); an attempt before then is refused at once, without
  checking the password and without counting. Nothing sleeps: the wait is a time in the database.

A refused attempt is answered by axes' middleware with :func:`lockout_response`: 429 with
``Retry-After``. When the slow-down begins the holder gets an e-mail, and the next successful
login shows how many attempts failed since the last one.
"""

from __future__ import annotations

import ipaddress
import math
from datetime import datetime, timedelta
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rathaus.accounts.models import LoginDelay
from rathaus.core import audit
from rathaus.core.mail import send_mail
from rathaus.core.ratelimit import client_address
from rathaus.core.tenancy import current_authority

REFUSED = "rathaus_login_refused"  # request attribute: refused without checking the password
WAIT = "rathaus_login_wait"  # request attribute: seconds until the user may try again


def client_ip(request: HttpRequest) -> str | None:
    """The client address for django-axes; None when the connection has no IP address."""
    address = client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _username(credentials: dict[str, Any] | None) -> str:
    return str((credentials or {}).get("username") or "")[:150]


def seconds_to_wait(username: str) -> int:
    """How long the user name must wait before its next login attempt (0: it may try now)."""
    if not username:
        return 0
    now = timezone.now()
    next_attempt = (
        LoginDelay.objects.filter(user__username=username, next_attempt_at__gt=now)
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if next_attempt is None:
        return 0
    return max(1, math.ceil((next_attempt - now).total_seconds()))


class LoginGuardBackend(AxesStandaloneBackend):
    """First authentication backend: refuses locked pairs and slowed-down users; logs no one in."""

    def authenticate(
        self,
        request: HttpRequest,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        try:
            super().authenticate(request, username, password, **kwargs)
        except AxesBackendPermissionDenied:
            setattr(request, REFUSED, True)
            raise
        wait = seconds_to_wait(str(username or "")[:150])
        if wait:
            setattr(request, REFUSED, True)
            setattr(request, WAIT, wait)
            # axes then neither counts the attempt nor lets the view answer: its middleware
            # replaces the response with lockout_response().
            request.axes_locked_out = True  # type: ignore[attr-defined]
            raise PermissionDenied("login slowed down")


def _pair_wait(request: HttpRequest, credentials: dict[str, Any] | None) -> int:
    """Seconds until the axes lock of this user name and address ends."""
    # axes has no type information: the cool-off is a timedelta, the attempt time a datetime
    cool_off: timedelta = get_cool_off(request) or timedelta(minutes=15)
    last: datetime | None = AccessAttempt.objects.filter(
        username=_username(credentials), ip_address=getattr(request, "axes_ip_address", None)
    ).aggregate(last=Max("attempt_time"))["last"]
    if last is None:
        return math.ceil(cool_off.total_seconds())
    return max(1, math.ceil((last + cool_off - timezone.now()).total_seconds()))


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the 429 page with Retry-After, for both kinds of refusal."""
    slowed = getattr(request, WAIT, 0)
    wait = slowed or _pair_wait(request, credentials)
    response = render(
        request,
        "staff/locked.html",
        {"slowed": bool(slowed), "retry_minutes": math.ceil(wait / 60)},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


def _delay_seconds(failures: int) -> int:
    """1 s at the threshold, then doubling, capped."""
    step = failures - settings.RATHAUS_LOGIN_SLOWDOWN_AFTER
    return int(min(2 ** min(step, 30), settings.RATHAUS_LOGIN_SLOWDOWN_MAX_SECONDS))


def record_failure(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """``user_login_failed``: count a checked, wrong attempt for the user it names."""
    if request is None or getattr(request, REFUSED, False):
        return
    user = get_user_model().objects.filter(username=_username(credentials)).first()
    if user is None:
        return
    now = timezone.now()
    with transaction.atomic():
        delay, created = LoginDelay.objects.select_for_update().get_or_create(
            user=user, defaults={"first_failure_at": now, "last_failure_at": now, "failures": 1}
        )
        if not created:
            delay.failures += 1
            delay.last_failure_at = now
        if delay.failures >= settings.RATHAUS_LOGIN_SLOWDOWN_AFTER:
            delay.next_attempt_at = now + timedelta(seconds=_delay_seconds(delay.failures))
            if delay.warned_at is None:
                delay.warned_at = now
                _warn(request, user, delay)
        delay.save()


def _warn(request: HttpRequest, user: AbstractBaseUser, delay: LoginDelay) -> None:
    authority = current_authority(request)
    audit.record(
        "login.slowed_down",
        actor_name=user.get_username(),
        authority=authority,
        details={"failures": delay.failures},
    )
    email = getattr(user, "email", "")
    if email:
        send_mail(
            to=email,
            subject=_("Failed login attempts on your account"),
            template="accounts/email/login_failures",
            context={"user": user, "failures": delay.failures, "since": delay.first_failure_at},
            authority=authority,
        )


def after_login(sender: object, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """``user_logged_in``: tell the holder about failed attempts since the last login; reset."""
    delay = LoginDelay.objects.filter(user=user).first()
    if delay is None:
        return
    if request is not None and delay.failures >= settings.AXES_FAILURE_LIMIT:
        since = formats.date_format(timezone.localtime(delay.first_failure_at), "DATETIME_FORMAT")
        messages.warning(
            request,
            ngettext(
                "Since %(since)s there was %(count)d failed attempt to log in to your account. "
                "If that was not you, please change your password.",
                "Since %(since)s there were %(count)d failed attempts to log in to your account. "
                "If that was not you, please change your password.",
                delay.failures,
            )
            % {"since": since, "count": delay.failures},
        )
    delay.delete()
