"""The e-mail subscription pages below ``/bekanntmachungen/abonnieren/`` (double opt-in, rules
in :mod:`rathaus.noticeboard.subscriptions`). Links from e-mails only show a button on GET:
mail scanners that open links must neither confirm nor end a subscription for the reader."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from rathaus.core import ratelimit
from rathaus.noticeboard import public, subscriptions
from rathaus.noticeboard.public_forms import SubscriptionForm
from rathaus.noticeboard.views import authority_or_404


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    authority = authority_or_404(request)
    if request.method == "POST":
        wait = ratelimit.hit(
            f"noticeboard-subscribe:{ratelimit.client_address(request)}",
            subscriptions.FORMS_PER_CLIENT_PER_HOUR, timedelta(hours=1),
        )  # fmt: skip
        if wait:
            return ratelimit.too_many(request, wait)
    chosen = request.GET.get("bereich", "")
    initial = {"categories": [chosen] if chosen in public.SLUGS else []}
    form = SubscriptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        subscriptions.subscribe(
            form.cleaned_data["email"], form.chosen(), authority,
            site=request.build_absolute_uri("/"),
        )  # fmt: skip
        return redirect(reverse("noticeboard:subscribe_sent"))
    return render(
        request, "noticeboard/subscribe.html", {"form": form, "days": subscriptions.CONFIRM_DAYS},
        status=422 if form.is_bound else 200,
    )  # fmt: skip


@require_safe
def subscribe_sent(request: HttpRequest) -> HttpResponse:
    authority_or_404(request)
    return render(request, "noticeboard/message.html", {
        "title": _("Please confirm your e-mail address"),
        "text": _(
            "We have sent you an e-mail with a link. Your subscription starts when you open the "
            "link and confirm. The link is valid for %(days)s days. If no e-mail arrives, please "
            "also look in your spam folder."
        ) % {"days": subscriptions.CONFIRM_DAYS},
    })  # fmt: skip


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    authority_or_404(request)
    if request.method == "GET":
        return render(request, "noticeboard/confirm.html", {})
    confirmed = subscriptions.confirm(token)
    if not confirmed:
        return render(request, "noticeboard/message.html", {
            "title": _("This link is not valid"),
            "text": _("The link is unknown or older than %(days)s days. Please subscribe again.")
            % {"days": subscriptions.CONFIRM_DAYS},
            "again": True,
        }, status=404)  # fmt: skip
    return render(request, "noticeboard/message.html", {
        "title": _("Your subscription is confirmed"),
        "text": _(
            "We will send you an e-mail when a new official notice is put up. Every e-mail has a "
            "link to end the subscription."
        ),
        "categories": [public.category_label(row.category) for row in confirmed],
    })  # fmt: skip


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, code: str) -> HttpResponse:
    authority_or_404(request)
    if request.method == "GET":
        return render(request, "noticeboard/unsubscribe.html", {
            "category": subscriptions.category_of(code),
        })  # fmt: skip
    everything = request.POST.get("umfang") == "alle"
    category = subscriptions.category_of(code)
    if not subscriptions.unsubscribe(code, everything=everything):
        return render(request, "noticeboard/message.html", {
            "title": _("This link is not valid"),
            "text": _("Please use the link from the latest e-mail about official notices."),
        }, status=404)  # fmt: skip
    return render(request, "noticeboard/message.html", {
        "title": _("Your subscription has ended"),
        "text": _("You will receive no more e-mails about official notices from us.")
        if everything
        else _("You will receive no more e-mails about official notices of the category "
               "“%(category)s”.") % {"category": category}
        if category
        else _("This subscription has ended already."),
        "again": True,
    })  # fmt: skip
