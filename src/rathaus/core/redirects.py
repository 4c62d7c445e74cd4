"""Where to go after a login or a form: the ``next`` parameter, if it stays on this site."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

CITIZEN_LOGIN = "accounts:login"


def safe_next_url(request: HttpRequest, default_url_name: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse(default_url_name)


def to_login(request: HttpRequest, login_url_name: str = CITIZEN_LOGIN) -> HttpResponseRedirect:
    """To the login, and after it back to this page (``?next=``)."""
    query = urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(f"{reverse(login_url_name)}?{query}")
