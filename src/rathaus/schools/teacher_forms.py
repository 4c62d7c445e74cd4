"""Forms of the teachers' pages under /schule/: login, setting the password, a request."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from rathaus.core.forms import kern_widgets
from rathaus.schools.models import Device, Room, School


class TeacherLoginForm(forms.Form):
    email = forms.EmailField(label=_("e-mail address"), max_length=254)
    password = forms.CharField(
        label=_("password"),
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kern_widgets(self)


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(
        label=_("new password"),
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters."),
    )
    password2 = forms.CharField(
        label=_("repeat the password"),
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, user: AbstractBaseUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        kern_widgets(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                password_validation.validate_password(first, self.user)  # type: ignore[arg-type]
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class ReportForm(forms.Form):
    device = forms.ModelChoiceField(
        label=_("device"),
        queryset=Device.objects.none(),
        required=False,
        empty_label=_("– no particular device –"),
    )
    room = forms.ModelChoiceField(
        label=_("room"),
        queryset=Room.objects.none(),
        required=False,
        empty_label=_("– no particular room –"),
    )
    text = forms.CharField(
        label=_("What is the problem?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What happens, since when, and what you tried."),
    )

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        devices = self.fields["device"]
        devices.queryset = school.devices.exclude(state=Device.State.RETIRED)  # type: ignore[attr-defined]
        devices.label_from_instance = lambda device: (  # type: ignore[attr-defined]
            f"{device.inventory_number} · {device.get_kind_display()} {device.model_name}"
        )
        self.fields["room"].queryset = school.rooms.all()  # type: ignore[attr-defined]
        kern_widgets(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        device = data.get("device")
        if device is not None and data.get("room") is None:
            data["room"] = device.room
        return data


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("photo"), help_text=_("JPEG or PNG, at most 10 MB."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["photo"].widget.attrs["accept"] = "image/jpeg,image/png"
        kern_widgets(self)
