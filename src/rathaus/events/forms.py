"""Forms of the public event pages: the filter of the list and the registration."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rathaus.accounts.forms import KernForm, PersonCheckForm, email_field
from rathaus.events.models import Audience, Event, Kind

KIND_SLUGS = {"kurs": Kind.COURSE, "workshop": Kind.WORKSHOP, "sprechzeit": Kind.OPEN_HOURS}
AUDIENCE_SLUGS = {
    "alle": Audience.ALL,
    "senioren": Audience.SENIORS,
    "kinder-jugendliche": Audience.YOUNG,
    "erwachsene": Audience.ADULTS,
    "arbeitsgruppen": Audience.WORKING_GROUPS,
}


class EventFilter(forms.Form):
    art = forms.ChoiceField(
        label=_("Kind"), required=False,
        choices=lambda: [("", _("All kinds"))] + [(s, k.label) for s, k in KIND_SLUGS.items()],
    )  # fmt: skip
    fuer = forms.ChoiceField(
        label=_("Target group"), required=False,
        choices=lambda: [("", _("All target groups"))]
        + [(s, a.label) for s, a in AUDIENCE_SLUGS.items()],
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "kern-form-input__select"

    def chosen(self) -> tuple[str, str]:
        """(kind, audience) as model values; "" where no filter applies."""
        if not self.is_bound or not self.is_valid():
            return "", ""
        kind = KIND_SLUGS.get(self.cleaned_data["art"])
        audience = AUDIENCE_SLUGS.get(self.cleaned_data["fuer"])
        return (kind.value if kind else "", audience.value if audience else "")


def consent_text(event: Event) -> str:
    return str(
        _(
            "I agree that the town stores my name, e-mail address and number of places for "
            "“%(title)s” to keep my place, to write to me about this event and to note my "
            "attendance. I can cancel at any time with the link in every e-mail; the data is "
            "deleted 90 days after the event."
        )
        % {"title": event.title}
    )


class _RegistrationFields(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )  # fmt: skip
    email = email_field(_("We send you a link to confirm the registration to this address."))
    places = forms.TypedChoiceField(label=_("Number of places"), coerce=int)
    consent = forms.BooleanField(
        error_messages={"required": _("Please agree, so that we may store your registration.")},
    )

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        places = self.fields["places"]
        places.choices = [(n, str(n)) for n in range(1, event.max_places + 1)]  # type: ignore[attr-defined]
        places.widget.attrs["class"] = "kern-form-input__select"
        places.error_messages["invalid_choice"] = _(
            "Please choose between 1 and %(max)s places."
        ) % {"max": event.max_places}
        self.fields["consent"].label = consent_text(event)


class RegistrationForm(_RegistrationFields, PersonCheckForm):
    """For visitors who are not logged in: with the person check (ALTCHA or a question)."""


class AccountRegistrationForm(_RegistrationFields, KernForm):
    """For logged-in citizens: name and address are filled in, no person check."""
