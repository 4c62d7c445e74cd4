"""A staff member changes their own password (/verwaltung/konto/passwort/).

The current password is checked through ``authenticate`` like at the staff login, so wrong
attempts count towards the same lock (django-axes) and a session left open on a shared computer
does not become a way to try passwords. The second factor (TOTP) stays as it is. After the change
every other session of the staff member ends (Django's session hash), this one stays, and the
staff member gets an e-mail in case it was not them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import (
    authenticate,
    get_user_model,
    password_validation,
    update_session_auth_hash,
)
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from rathaus.core import audit
from rathaus.core.mail import send_mail
from rathaus.core.staff_auth import staff_member
from rathaus.core.staff_views import staff_required
from rathaus.core.tenancy import current_authority


def _password_field(label: Any, autocomplete: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class StaffPasswordForm(forms.Form):
    current_password = _password_field(gettext_lazy("Current password"), "current-password")
    password1 = _password_field(gettext_lazy("New password"), "new-password")
    password2 = _password_field(gettext_lazy("New password again"), "new-password")

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user = staff_member(request)
        super().__init__(*args, **kwargs)

    def clean_current_password(self) -> str:
        value: str = self.cleaned_data["current_password"]
        checked = authenticate(self.request, username=self.user.get_username(), password=value)
        if checked is None or checked.pk != self.user.pk:
            audit.record(
                "staff.password_change.failed",
                actor=self.user,
                authority=current_authority(self.request),
            )
            raise forms.ValidationError(_("The current password is not correct."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        new, again = data.get("password1"), data.get("password2")
        if new and again and new != again:
            self.add_error("password2", _("The two passwords are not the same."))
        elif new:
            try:
                password_validation.validate_password(new, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
            if new == data.get("current_password"):
                self.add_error("password1", _("The new password must differ from the current one."))
        return data


def change_password(request: HttpRequest, password: str) -> None:
    """Set the new password; other sessions end, this one goes on; audit entry and e-mail."""
    authority = current_authority(request)
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=staff_member(request).pk)
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record("staff.password_changed", actor=user, authority=authority)
        if user.email:
            send_mail(
                to=user.email,
                subject=_("Your staff password was changed"),
                template="staff/email/password_changed",
                context={"user": user},
                authority=authority,
            )
    update_session_auth_hash(request, user)


@never_cache
@sensitive_post_parameters("current_password", "password1", "password2")
@require_http_methods(["GET", "POST"])
@staff_required
def password_view(request: HttpRequest) -> HttpResponse:
    form = StaffPasswordForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        change_password(request, form.cleaned_data["password1"])
        messages.success(
            request, _("Your new password is saved. On other devices you are logged out.")
        )
        return redirect("staff:home")
    return render(request, "staff/password.html", {"form": form})
