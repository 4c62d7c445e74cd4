"""``/antrag/versammlungsanzeige/``: the stable address of the assembly notice on every portal.

On the portal of the authority whose form it is (the Landkreis's assembly authority) it is the
form's start page. On another portal (Barleben's), it leads to the form of the authority
responsible for the place: the catalogue's responsibility rules for LeiKa 99089016000000 and the
portal's area, else the Landkreis of the area, else the parent authorities. When that authority's
portal has another host, the browser is sent there; otherwise the page names the authority and
links to its form.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse

from rathaus.assemblies import install
from rathaus.catalog import responsibility
from rathaus.catalog.models import Service
from rathaus.core.models import Authority
from rathaus.core.tenancy import current_authority, portal_url
from rathaus.forms import views as form_views


def responsible_authority(here: Authority) -> Authority | None:
    """The authority with a published notice form that serves ``here``'s area."""
    candidates: list[Authority] = []
    service = Service.objects.filter(leika_key=install.LEIKA_KEY).first()
    if service is not None and here.ars:
        try:
            answer = responsibility.find(service, responsibility.area_for_ars(here.ars))
        except responsibility.UnknownArea:
            answer = None
        if answer is not None:
            candidates += [item for item in (answer.authority, answer.fallback) if item]
    parent = here.parent
    while parent is not None and len(candidates) < 10:
        candidates.append(parent)
        parent = parent.parent
    for candidate in candidates:
        if install.notice_form(candidate) is not None:
            return candidate
    return None


def notice(request: HttpRequest) -> HttpResponseBase:
    here = current_authority(request)
    if here is None:
        return render(request, "core/no_authority.html", status=503)
    if install.notice_form(here) is not None:
        return form_views.start(request, install.FORM_SLUG)
    responsible = responsible_authority(here)
    if responsible is None:
        return render(request, "assemblies/not_here.html", {"authority": here}, status=404)
    target = portal_url(responsible, reverse("forms:start", args=[install.FORM_SLUG]))
    if request.method in ("GET", "HEAD") and urlsplit(target).netloc != request.get_host():
        return redirect(target)
    response: HttpResponse = render(
        request, "assemblies/elsewhere.html", {"responsible": responsible, "target": target}
    )
    return response
