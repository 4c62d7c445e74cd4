"""Forms of the dashboards: the alert subscription and, for staff, the thresholds."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rathaus.core.forms import kern_widgets
from rathaus.opendata.models import Datastream, Threshold, Topic

TOPIC_CHOICES = [
    ("", _("All topics")),
    *[(value, label) for value, label in Topic.choices if value != Topic.OTHER],
]


class SubscriptionForm(forms.Form):
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)
    topic = forms.ChoiceField(
        label=_("Alerts about"), choices=TOPIC_CHOICES, required=False, initial=""
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kern_widgets(self)
        self.fields["email"].widget.attrs["autocomplete"] = "email"


class DatastreamChoice(forms.ModelChoiceField[Datastream]):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.thing.name}: {obj.name}"


class ThresholdForm(forms.ModelForm[Threshold]):
    datastream = DatastreamChoice(
        label=_("Datastream"), queryset=Datastream.objects.none(), empty_label=_("Please choose")
    )

    class Meta:
        model = Threshold
        fields = ["datastream", "name", "statistic", "direction", "value", "minutes", "active"]
        help_texts = {
            "name": _("Shown on the dashboard and in alert e-mails, e.g. “EU limit value”."),
            "statistic": _(
                "As the rule words it: each single value, the mean of a day (e.g. PM10) or the "
                "mean of a calendar year (e.g. PM2.5). Means are compared as they stand so far."
            ),
            "value": _("In the unit of the datastream."),
            "minutes": _(
                "Only for single values: an alert starts when every value during this time is "
                "beyond the limit. 0: alert at the first value beyond the limit. "
                "60 = 1 hour, 1440 = 1 day."
            ),
        }

    def __init__(self, *args: Any, datastreams: Any = None, **kwargs: Any) -> None:
        """``datastreams``: those the staff member keeps (the choices); default all."""
        super().__init__(*args, **kwargs)
        streams = Datastream.objects.all() if datastreams is None else datastreams
        self.fields["datastream"].queryset = (  # type: ignore[attr-defined]
            streams.select_related("thing").order_by("thing__name", "name")
        )
        choose = [("", _("Please choose"))]
        for name, choices in [
            ("statistic", Threshold.Statistic.choices),
            ("direction", Threshold.Direction.choices),
        ]:
            field = self.fields[name]
            field.choices = [*choose, *choices]  # type: ignore[attr-defined]
            field.required = True
        if self.instance.pk is None:
            # a new threshold starts with "Please choose": what the limit applies to matters
            self.initial.pop("statistic", None)
            self.fields["statistic"].initial = None
        kern_widgets(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        statistic, minutes = cleaned.get("statistic"), cleaned.get("minutes")
        if statistic and statistic != Threshold.Statistic.VALUE and minutes:
            self.add_error(
                "minutes",
                _("A mean is compared as it stands; enter 0 minutes for a daily or annual mean."),
            )
        return cleaned
