"""The public legal pages of the request's authority (ADR 0024)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from rathaus.accounts import trust
from rathaus.core import privacy, ratelimit
from rathaus.core.files.views import url as file_url
from rathaus.core.models import Authority
from rathaus.core.pagecache import public_page
from rathaus.core.tenancy import current_authority, portal_url
from rathaus.legal import accessibility, feedback
from rathaus.legal.forms import FeedbackForm
from rathaus.legal.services import texts_for

FEEDBACK_PER_HOUR = 10  # reports per client address and hour


def _page(request: HttpRequest, template: str, **context: object) -> HttpResponse:
    authority = current_authority(request)
    if authority is None:
        return render(request, "core/no_authority.html", status=503)
    texts = texts_for(authority)
    return render(request, template, {"texts": texts, **context})


@public_page()
@require_safe
def imprint(request: HttpRequest) -> HttpResponse:
    return _page(request, "legal/imprint.html")


@public_page()
@require_safe
def privacy_notice(request: HttpRequest) -> HttpResponse:
    return _page(request, "legal/privacy.html", activities=privacy.activities())


@require_http_methods(["GET", "POST"])
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    authority = current_authority(request)
    if authority is None:
        return render(request, "core/no_authority.html", status=503)
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        wait = ratelimit.hit(f"legal.feedback:{ratelimit.client_address(request)}",
                             FEEDBACK_PER_HOUR, dt.timedelta(hours=1))  # fmt: skip
        if wait:
            return ratelimit.too_many(request, wait)
        if form.is_valid():
            account = (
                getattr(request.user, "account", None) if request.user.is_authenticated else None
            )
            level = trust.current_level(request)
            submission = feedback.submit(
                authority, form.answers(), account=account,
                trust_level=str(level.value) if level is not None else "none",
                key=form.cleaned_data["key"] or "", portal_url=portal_url(authority),
            )  # fmt: skip
            messages.success(
                request,
                _("Thank you. Your report was received with the reference %(reference)s. "
                  "We will look into it.") % {"reference": submission.reference},
            )  # fmt: skip
            return redirect("legal:accessibility")
    return _statement(request, authority, form, status=400 if form.is_bound else 200)


def _statement(
    request: HttpRequest, authority: Authority, form: FeedbackForm, status: int
) -> HttpResponse:
    texts = texts_for(authority)
    statement = accessibility.statement(texts)
    context = {"texts": texts, "statement": statement, "form": form}
    return render(request, "legal/accessibility.html", context, status=status)


@public_page()
@require_safe
def easy_language(request: HttpRequest) -> HttpResponse:
    return _page(request, "legal/easy_language.html")


@public_page()
@require_safe
def sign_language(request: HttpRequest) -> HttpResponse:
    authority = current_authority(request)
    if authority is None:
        return render(request, "core/no_authority.html", status=503)
    texts = texts_for(authority)
    video = texts.sign_language_video
    captions = texts.sign_language_captions
    context = {
        "texts": texts,
        "video_url": file_url(video) if video is not None else "",
        "video_type": video.media_type if video is not None else "",
        "captions_url": file_url(captions) if captions is not None else "",
    }
    return render(request, "legal/sign_language.html", context)
