"""The page's language: German unless the visitor chose another one with the switch (a cookie).

The switch on every public page is a form without a CSRF token, so that the page holds nothing
personal and can be shared from the page cache (docs/page-cache.md). A switch forged from
another site is refused by the browser's Origin (or, over HTTPS, Referer) header instead, the
same checks Django's CSRF protection makes before it looks at the token.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language


def request_language(request: HttpRequest) -> str:
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen and any(chosen == code for code, _name in settings.LANGUAGES):
        return chosen
    return str(settings.LANGUAGE_CODE)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _same_site(request: HttpRequest) -> bool:
    if request.META.get("HTTP_SEC_FETCH_SITE", "same-origin") not in {"same-origin", "none"}:
        return False
    own = {f"{request.scheme}://{request.get_host()}".lower()}
    own |= {origin.lower() for origin in settings.CSRF_TRUSTED_ORIGINS}
    origin = request.META.get("HTTP_ORIGIN")
    if origin is not None:
        return origin.lower() in own
    if request.is_secure():
        referer = request.META.get("HTTP_REFERER", "")
        return bool(referer) and _origin(referer) in own
    return True


@csrf_exempt
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, for requests from the portal's own pages only."""
    if not _same_site(request):
        from rathaus.core.views import csrf_failure

        return csrf_failure(request, "language switch from another site")
    return django_set_language(request)
