"""The citizen's details for a booking, with the person check used at registration."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from rathaus.accounts.forms import PersonCheckForm, email_field


class BookingForm(PersonCheckForm):
    name = forms.CharField(
        label=_("Name"), max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )  # fmt: skip
    email = email_field(_("We send you a link to confirm the appointment to this address."))
    phone = forms.CharField(
        label=_("Phone"), max_length=40, required=False,
        help_text=_("Only used if we have to reach you at short notice."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )  # fmt: skip

    def clean_phone(self) -> str:
        from rathaus.appointments.services import normal_phone

        phone: str = self.cleaned_data["phone"]
        try:
            normal_phone(phone)
        except ValueError:
            raise forms.ValidationError(
                _("Please enter a phone number with its area code, e.g. 039203 5650.")
            ) from None
        return phone
