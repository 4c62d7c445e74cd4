"""Forms of the staff pages: an event, a series, cancelling and a cancelled date."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rathaus.appointments.models import AppointmentType
from rathaus.core.forms import kern_widgets
from rathaus.core.models import Authority
from rathaus.events.models import Event, Series

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%d.%m.%Y, %H:%M"]
WEEKDAYS = [
    (0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")),
    (4, _("Friday")), (5, _("Saturday")), (6, _("Sunday")),
]  # fmt: skip
OFFER = [
    "title", "description", "kind", "audience", "place_name", "room", "street", "postal_code",
    "city", "registration_required", "capacity", "max_places", "appointment_type",
]  # fmt: skip


def _moment(label: Any, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, required=required, input_formats=DATETIME_FORMATS,
        help_text=_("Day and time, e.g. 08.12.2026 15:00."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )  # fmt: skip


class _OfferForm(forms.ModelForm):  # type: ignore[type-arg]
    def __init__(self, *args: Any, authority: Authority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = self.fields["appointment_type"]
        types.queryset = AppointmentType.objects.filter(  # type: ignore[attr-defined]
            location__authority=authority
        ).select_related("location")
        types.label_from_instance = lambda kind: f"{kind.name} ({kind.location.name})"  # type: ignore[attr-defined]
        self.fields["description"].widget = forms.Textarea(attrs={"rows": 6})
        kern_widgets(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("registration_required") is False:
            data["capacity"] = None
        return data

    def offer_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in OFFER}


class EventForm(_OfferForm):
    starts_at = _moment(_("Start"))
    ends_at = _moment(_("End"))
    registration_deadline = _moment(_("Registration deadline"), required=False)

    class Meta:
        model = Event
        fields = [*OFFER, "starts_at", "ends_at", "registration_deadline"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("The end must be after the start."))
        deadline = data.get("registration_deadline")
        if start and deadline and deadline > start:
            self.add_error("registration_deadline", _("The deadline must not be after the start."))
        return data

    def data_for_service(self) -> dict[str, Any]:
        return {**self.offer_data(), **{name: self.cleaned_data[name] for name in (
            "starts_at", "ends_at", "registration_deadline")}}  # fmt: skip


class SeriesForm(_OfferForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Please choose at least one weekday.")},
    )  # fmt: skip

    class Meta:
        model = Series
        fields = [*OFFER, "weekdays", "start_time", "end_time", "first_day", "last_day",
                  "publish"]  # fmt: skip
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "first_day": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "last_day": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["weekdays"].widget.attrs["class"] = "kern-form-check__checkbox"
        for name in ("first_day", "last_day"):
            self.fields[name].input_formats = ["%Y-%m-%d", "%d.%m.%Y"]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            data.get("start_time")
            and data.get("end_time")
            and data["end_time"] <= data["start_time"]
        ):
            self.add_error("end_time", _("The end must be after the start."))
        if data.get("first_day") and data.get("last_day") and data["last_day"] < data["first_day"]:
            self.add_error("last_day", _("The last day must not be before the first day."))
        return data

    def data_for_service(self) -> dict[str, Any]:
        return {**self.offer_data(), **{name: self.cleaned_data[name] for name in (
            "weekdays", "start_time", "end_time", "first_day", "last_day", "publish")}}  # fmt: skip


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=300,
        help_text=_("Sent to everyone registered or on the waiting list."),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kern_widgets(self)


class ExceptionForm(forms.Form):
    day = forms.DateField(
        label=_("Day"), input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )  # fmt: skip
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args: Any, series: Series, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.series = series
        kern_widgets(self)

    def clean_day(self) -> Any:
        day = self.cleaned_data["day"]
        if not self.series.first_day <= day <= self.series.last_day:
            raise forms.ValidationError(_("The day is not in the period of the series."))
        if day.weekday() not in self.series.weekdays:
            raise forms.ValidationError(_("The series has no date on this weekday."))
        return day
