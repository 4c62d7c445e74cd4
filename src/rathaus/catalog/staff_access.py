"""What the staff pages for offers and for online forms share: the acting user, and the
authority chosen with ``?behoerde=<slug>`` among those the user has a membership in
(``selectors.OfferAccess``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import reverse

from rathaus.catalog.selectors import OfferAccess
from rathaus.core.models import Authority


def acting_user(request: HttpRequest) -> AbstractBaseUser:
    """The logged-in staff user (``staff_required`` lets no anonymous user through)."""
    user = request.user
    if not isinstance(user, AbstractBaseUser):
        raise PermissionDenied
    return user


def authority_list_url(viewname: str, authority: Authority) -> str:
    """The list page ``viewname`` showing the authority's entries."""
    return f"{reverse(viewname)}?{urlencode({'behoerde': authority.slug})}"


def chosen_access(request: HttpRequest, accesses: list[OfferAccess]) -> OfferAccess:
    """The authority named by ``?behoerde=<slug>``, by default the first by name; 404 for an
    authority the user has no membership in."""
    slug = request.GET.get("behoerde", "").strip()
    if not slug:
        return accesses[0]
    for access in accesses:
        if access.authority.slug == slug:
            return access
    raise Http404("not an authority of this user")


def list_context(access: OfferAccess, accesses: list[OfferAccess]) -> dict[str, Any]:
    """What ``staff/_authority_list_header.html`` shows: the chosen authority, and the others to
    choose from when there is more than one."""
    return {"access": access, "authority_choices": accesses if len(accesses) > 1 else []}
