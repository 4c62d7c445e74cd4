"""Logging out, the same for citizens and staff: audited, then a message on the next page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from rathaus.core import audit
from rathaus.core.tenancy import current_authority


def log_out(request: HttpRequest, event: str, to: str) -> HttpResponse:
    """End the session, record ``event`` for the user who was logged in, go to the URL ``to``."""
    if request.user.is_authenticated:
        audit.record(event, actor=request.user, authority=current_authority(request))
    logout(request)
    messages.info(request, _("You have been logged out."))
    response = redirect(to)
    # The browser drops what it kept of the logged-in pages (ASVS 5.0 V14.3.1); cookies stay,
    # so the message above and the language reach the next page.
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response
