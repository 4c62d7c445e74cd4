"""The demo outbox under /demo/postausgang/: read the e-mails rathaus would have sent.

These pages exist only outside production mode; in production every one of them is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from rathaus.core import files
from rathaus.core.mail import OUTBOX_BACKEND, sender_for
from rathaus.core.models import OutgoingAttachment, OutgoingEmail

View = Callable[..., HttpResponseBase]

LIST_LENGTH = 50

# The HTML part of an e-mail is foreign markup: no scripts, images, fonts, forms or frames, and
# a sandbox that gives it an origin of its own; only its inline styles apply.
HTML_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'; sandbox allow-popups allow-popups-to-escape-sandbox"
)


def demo_only(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if settings.RATHAUS_PRODUCTION:
            raise Http404("demo pages are off in production mode")
        return view(request, *args, **kwargs)

    return wrapper


def _context() -> dict[str, object]:
    return {
        "outbox_only": settings.EMAIL_BACKEND == OUTBOX_BACKEND,
        "sender": settings.DEFAULT_FROM_EMAIL,
    }


@never_cache
@require_safe
@demo_only
def outbox(request: HttpRequest) -> HttpResponse:
    emails = OutgoingEmail.objects.only(
        "id", "created_at", "to", "subject", "status", "transport"
    ).order_by("-created_at", "-id")[:LIST_LENGTH]
    return render(request, "demo/outbox.html", {"emails": emails, **_context()})


@never_cache
@require_safe
@demo_only
def outbox_email(request: HttpRequest, pk: int) -> HttpResponse:
    email = get_object_or_404(OutgoingEmail.objects.select_related("authority"), pk=pk)
    context = {**_context(), "sender": sender_for(email.authority)}
    return render(request, "demo/outbox_email.html", {"email": email, **context})


@never_cache
@require_safe
@demo_only
def outbox_email_html(request: HttpRequest, pk: int) -> HttpResponse:
    email = get_object_or_404(OutgoingEmail.objects.only("html_body"), pk=pk)
    if not email.html_body:
        raise Http404("this e-mail has no HTML version")
    response = HttpResponse(email.html_body, content_type="text/html; charset=utf-8")
    # Set here, so the site-wide policy (django-csp) leaves this response alone.
    response["Content-Security-Policy"] = HTML_POLICY
    response["X-Frame-Options"] = "DENY"
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
@require_safe
@demo_only
def outbox_attachment(request: HttpRequest, pk: int, attachment: int) -> HttpResponseBase:
    """An attachment as a download (never shown inline: it may be anything the app attached)."""
    found = get_object_or_404(
        OutgoingAttachment.objects.select_related("file"), pk=attachment, email_id=pk
    )
    return files.response(found.file, filename=found.filename, content_type=found.content_type)
