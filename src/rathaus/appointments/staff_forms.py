"""Forms of the staff side: block a resource, cancel a day, choose a statistics period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rathaus.accounts.forms import KernForm
from rathaus.appointments.availability import TZ
from rathaus.appointments.models import Location, Resource
from rathaus.core.forms import BoundedDateField, DateInput, TimeInput

MAX_STATISTICS_DAYS = 92


class _LocationForm(KernForm):
    def __init__(self, location: Location, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.location = location
        resource = self.fields.get("resource")
        if isinstance(resource, forms.ModelChoiceField):
            resource.queryset = Resource.objects.filter(location=location).order_by("name")
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "kern-form-input__select")


class BlockForm(_LocationForm):
    resource = forms.ModelChoiceField(label=_("Desk or person"), queryset=Resource.objects.none())
    date = BoundedDateField(label=_("Date"), widget=DateInput())
    start = forms.TimeField(label=pgettext_lazy("period", "From"), widget=TimeInput())
    end = forms.TimeField(label=pgettext_lazy("period", "Until"), widget=TimeInput())
    reason = forms.CharField(
        label=_("Reason"), max_length=200,
        help_text=_("For your colleagues, e.g. team meeting. Citizens do not see it."),
    )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The end must be after the start."))
        return data

    def period(self) -> tuple[dt.datetime, dt.datetime]:
        data = self.cleaned_data
        return (
            dt.datetime.combine(data["date"], data["start"], tzinfo=TZ),
            dt.datetime.combine(data["date"], data["end"], tzinfo=TZ),
        )


class CancelDayForm(_LocationForm):
    date = BoundedDateField(label=_("Date"), widget=DateInput())
    resource = forms.ModelChoiceField(
        label=_("Desk or person"), queryset=Resource.objects.none(), required=False,
        empty_label=_("the whole location"),
    )  # fmt: skip
    reason = forms.CharField(
        label=_("Reason"), max_length=200,
        help_text=_("Everyone affected reads it in the e-mail, e.g. closed because of illness."),
    )  # fmt: skip

    def clean_date(self) -> dt.date:
        day: dt.date = self.cleaned_data["date"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("A day in the past cannot be cancelled."))
        return day


class PeriodForm(KernForm):
    first = BoundedDateField(label=pgettext_lazy("period", "From"), widget=DateInput())
    last = BoundedDateField(label=pgettext_lazy("period", "Until"), widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first"), data.get("last")
        if first and last:
            if last < first:
                self.add_error("last", _("The end must not be before the start."))
            elif (last - first).days >= MAX_STATISTICS_DAYS:
                self.add_error(
                    "last",
                    _("Please choose at most %(days)s days.") % {"days": MAX_STATISTICS_DAYS},
                )
        return data
