"""Sessions end after a time without activity, citizens' sessions also after a fixed time.

The login time, the last request and the account's session generation (``session_epoch``) are
kept in the session itself, so the check works with any number of processes and needs no state in
memory. A citizen's account carries a generation number in the database; "log out everywhere" and
a password reset raise it, and every session that remembers a lower number is ended here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.messages.storage import default_storage
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rathaus.core import audit
from rathaus.core.tenancy import current_authority

LOGIN_AT = "rathaus_login_at"
LAST_ACTIVITY = "rathaus_last_activity"
EPOCH = "rathaus_session_epoch"
# The last activity is written at most this often, so not every request saves the session.
ACTIVITY_RESOLUTION_SECONDS = 30


def _account(user: Any) -> Any:
    # A user without account raises RelatedObjectDoesNotExist, an AttributeError.
    return getattr(user, "account", None)


def on_user_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Start the clocks of a new session (connected to ``user_logged_in``)."""
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[LOGIN_AT] = now
    request.session[LAST_ACTIVITY] = now
    account = None if user.is_staff else _account(user)
    if account is not None:
        request.session[EPOCH] = account.session_epoch


class SessionTimeoutMiddleware:
    """Logs out expired sessions and sends the visitor to the matching login page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            expired = self._check(request, user)
            if expired is not None:
                return self._end(request, user, *expired)
        return self.get_response(request)

    def _check(self, request: HttpRequest, user: Any) -> tuple[str, str] | None:
        """``(reason, message)`` when the session has to end, else ``None``."""
        session = request.session
        now = int(time.time())
        last = int(session.get(LAST_ACTIVITY, now))
        login_at = int(session.get(LOGIN_AT, now))
        account = None if user.is_staff else _account(user)
        idle_minutes = (
            settings.RATHAUS_STAFF_IDLE_MINUTES
            if user.is_staff
            else settings.RATHAUS_CITIZEN_IDLE_MINUTES
        )
        if now - last > idle_minutes * 60:
            return "idle", ngettext(
                "You were logged out after %(minutes)d minute without activity.",
                "You were logged out after %(minutes)d minutes without activity.",
                idle_minutes,
            ) % {"minutes": idle_minutes}
        if account is not None:
            hours = settings.RATHAUS_CITIZEN_SESSION_HOURS
            if now - login_at > hours * 3600:
                return "absolute", ngettext(
                    "You were logged out %(hours)d hour after your login. Please log in again.",
                    "You were logged out %(hours)d hours after your login. Please log in again.",
                    hours,
                ) % {"hours": hours}
            if int(session.get(EPOCH, 0)) < account.session_epoch:
                return "revoked", _(
                    "You were logged out because all sessions of your account were ended."
                )
        if LOGIN_AT not in session:
            session[LOGIN_AT] = login_at
        if now - last >= ACTIVITY_RESOLUTION_SECONDS or LAST_ACTIVITY not in session:
            session[LAST_ACTIVITY] = now
        return None

    def _end(self, request: HttpRequest, user: Any, reason: str, message: str) -> HttpResponse:
        audit.record(
            "session.expired",
            actor=user,
            authority=current_authority(request),
            details={"reason": reason},
        )
        logout(request)
        login_url = reverse("staff:login" if user.is_staff else "accounts:login")
        if request.method == "GET":
            login_url = f"{login_url}?{urlencode({'next': request.get_full_path()})}"
        response = HttpResponseRedirect(login_url)
        # The message middleware comes later in the chain and does not run for this response.
        storage = default_storage(request)
        request._messages = storage  # type: ignore[attr-defined]
        messages.info(request, message)
        storage.update(response)
        return response
