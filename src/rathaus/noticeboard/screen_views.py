"""The full-screen pages of the digital notice board (``/anzeige/<slug>/``, ADR 0067).

Without JavaScript the server shows one page per request (``?n=``) and a refresh to the next
one, so even a simple kiosk browser cycles. With JavaScript ``screen.js`` takes the pages from
``inhalt.json`` and cycles locally, keeping the last good content through network loss. An
unknown or inactive screen is a plain 404 page that looks again every few minutes.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from rathaus.noticeboard import screens

MISSING_RETRY_SECONDS = 300


def _missing(request: HttpRequest) -> HttpResponse:
    html = render_to_string(
        "noticeboard/screen_missing.html", {"retry": MISSING_RETRY_SECONDS}, request=request
    )
    return HttpResponse(html, status=404)


def _index(value: str, count: int) -> int:
    try:
        number = int(value)
    except ValueError:
        return 0
    return number % count if number >= 0 else 0


def _labels() -> dict[str, str]:
    return {
        "source": _("Source: %(source)s") % {"source": "{source}"},
        "page": _("Page %(number)s of %(count)s") % {"number": "{number}", "count": "{count}"},
        "offline": _("No connection since %(time)s") % {"time": "{time}"},
    }


@never_cache
@require_safe
def screen(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        shown_screen = screens.active_screen(slug)
    except Http404:
        return _missing(request)
    preview = request.GET.get("vorschau") == "1"
    if not preview:
        screens.touch(shown_screen)
    shown = screens.pages(shown_screen)
    number = _index(request.GET.get("n", "0"), len(shown))
    page = shown[number]
    following = f"?n={(number + 1) % len(shown)}" + ("&vorschau=1" if preview else "")
    context = {
        "screen": shown_screen,
        "town": shown_screen.authority.name,
        "page": page,
        "number": number,
        "count": len(shown),
        "next_url": following,
        "now": timezone.localtime(),
        "content": screens.content(shown_screen, shown),
        "content_url": reverse("screens:content", args=[shown_screen.slug])
        + ("?vorschau=1" if preview else ""),
        "labels": _labels(),
        "time_zone": timezone.get_current_timezone_name(),
    }
    return render(request, "noticeboard/screen.html", context)


@never_cache
@require_safe
def content(request: HttpRequest, slug: str) -> JsonResponse:
    try:
        shown_screen = screens.active_screen(slug)
    except Http404:
        return JsonResponse({"error": "no active screen with this address"}, status=404)
    if request.GET.get("vorschau") != "1":
        screens.touch(shown_screen)
    return JsonResponse(screens.content(shown_screen), json_dumps_params={"ensure_ascii": False})
