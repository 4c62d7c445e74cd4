"""The staff page for personal API keys (/verwaltung/konto/api-schluessel/)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from rathaus.core import api_tokens
from rathaus.core.bounds import parse_id
from rathaus.core.staff_views import staff_required
from rathaus.core.tenancy import current_authority


class NewTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name of the key (what is it for?)"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    days = forms.TypedChoiceField(label=gettext_lazy("Valid for"), coerce=int, initial=90)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Labels in the request's language, so built here and not at import time.
        self.fields["days"].choices = [  # type: ignore[attr-defined]
            (days, ngettext("%(count)d day", "%(count)d days", days) % {"count": days})
            for days in api_tokens.VALIDITY_DAYS
        ]


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def api_tokens_view(request: HttpRequest) -> HttpResponse:
    form = NewTokenForm()
    new_key = ""
    if request.method == "POST" and request.POST.get("action") == "revoke":
        raw = request.POST.get("token", "")
        token_id = parse_id(raw)
        revoked = token_id is not None and api_tokens.revoke(
            request.user, token_id, authority=current_authority(request)
        )
        if revoked:
            messages.success(request, _("The key was revoked. It no longer works."))
        else:
            messages.error(request, _("This key does not exist or was already revoked."))
        return redirect("staff:api_tokens")
    if request.method == "POST":
        form = NewTokenForm(request.POST)
        if form.is_valid():
            try:
                made = api_tokens.create(
                    request.user, form.cleaned_data["name"], form.cleaned_data["days"],
                    authority=current_authority(request),
                )  # fmt: skip
            except api_tokens.TokenRefused as refused:
                form.add_error(None, str(refused))
            else:
                new_key = made.key
                form = NewTokenForm()
    return render(
        request,
        "staff/api_tokens.html",
        {
            "form": form,
            "new_key": new_key,
            "tokens": api_tokens.tokens_of(request.user),
            "now": timezone.now(),
        },
    )
