"""Forms of the dashboards: the alert subscription and, for staff, the thresholds."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rathaus.opendata.models import Datastream, Threshold, Topic

TOPIC_CHOICES = [
    ("", _("All topics")),
    *[(value, label) for value, label in Topic.choices if value != Topic.OTHER],
]


def kern_widgets(form: forms.BaseForm) -> None:
    """The KERN UX classes on the controls; Django adds aria-invalid and aria-describedby."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "kern-form-input__select")
        elif isinstance(widget, forms.widgets.Input) and not isinstance(
            widget, forms.CheckboxInput
        ):
            widget.attrs.setdefault("class", "kern-form-input__input")


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
        label=_("Datastream"), queryset=Datastream.objects.none(), empty_label=None
    )

    class Meta:
        model = Threshold
        fields = ["datastream", "name", "direction", "value", "minutes", "active"]
        help_texts = {
            "name": _("Shown on the dashboard and in alert e-mails, e.g. “EU limit value”."),
            "value": _("In the unit of the datastream."),
            "minutes": _("0: alert at the first value beyond the limit."),
        }

    def __init__(self, *args: Any, datastreams: Any = None, **kwargs: Any) -> None:
        """``datastreams``: those the staff member keeps (the choices); default all."""
        super().__init__(*args, **kwargs)
        streams = Datastream.objects.all() if datastreams is None else datastreams
        self.fields["datastream"].queryset = (  # type: ignore[attr-defined]
            streams.select_related("thing").order_by("thing__name", "name")
        )
        kern_widgets(self)
