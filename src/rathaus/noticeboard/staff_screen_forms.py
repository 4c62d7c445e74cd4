"""Forms of the staff pages of the screens: a screen, and one slot (content and seconds).

Options of a source (days ahead, when a value counts as old) are fields of the slot form; they
are named here per source key, since ``core.signage`` sources only have a function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rathaus.core import signage
from rathaus.core.forms import kern_widgets
from rathaus.core.models import Authority
from rathaus.noticeboard.models import Screen, Slot

SECONDS_MIN, SECONDS_MAX = 5, 300


def _days() -> forms.Field:
    return forms.IntegerField(
        label=gettext_lazy("Days ahead"), min_value=1, max_value=90, initial=14,
        help_text=gettext_lazy("Meetings in the next 1 to 90 days."),
    )  # fmt: skip


def _hours() -> forms.Field:
    return forms.IntegerField(
        label=gettext_lazy("Mark values as not current after (hours)"), min_value=1,
        max_value=168, initial=6,
    )  # fmt: skip


def _topic() -> forms.Field:
    return forms.ChoiceField(
        label=gettext_lazy("Which values"), required=False, initial="",
        choices=[("", gettext_lazy("All dashboards")), ("air", gettext_lazy("Air quality")),
                 ("groundwater", gettext_lazy("Groundwater")), ("traffic", gettext_lazy("Traffic")),
                 ("bus", gettext_lazy("Bus"))],
    )  # fmt: skip


OPTIONS: dict[str, dict[str, Callable[[], forms.Field]]] = {
    "council.meetings": {"days": _days},
    "opendata.sensors": {"hours": _hours, "topic": _topic},
}


def source_label(key: str) -> str:
    source = signage.get(key)
    return str(source.label) if source else _("Unknown content (%(key)s)") % {"key": key}


class ScreenForm(forms.ModelForm[Screen]):
    class Meta:
        model = Screen
        fields = ["name", "place", "slug", "active"]
        labels = {"slug": gettext_lazy("Address of the screen")}
        help_texts = {
            "name": gettext_lazy("For example “Rathaus Foyer”."),
            "place": gettext_lazy("Where the screen hangs, for example “Rathaus, Eingangshalle”."),
            "slug": gettext_lazy(
                "Part of the address: lower-case letters, digits and hyphens, for example "
                "“rathaus-foyer” for /anzeige/rathaus-foyer/."
            ),
            "active": gettext_lazy("Only an active screen shows content."),
        }
        error_messages = {
            "slug": {"invalid": gettext_lazy(
                "Please use only lower-case letters, digits and hyphens."
            )},
        }  # fmt: skip

    def __init__(self, *args: Any, authority: Authority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.authority = authority
        kern_widgets(self)

    def clean_slug(self) -> str:
        slug = str(self.cleaned_data["slug"]).strip().lower()
        taken = Screen.objects.filter(slug=slug).exclude(pk=self.instance.pk).first()
        if taken is not None:
            raise forms.ValidationError(
                _("The address “%(slug)s” is already used by the screen “%(name)s”. Please "
                  "choose another one.") % {"slug": slug, "name": taken.name}
            )  # fmt: skip
        return slug

    def validate_unique(self) -> None:
        """clean_slug says it more clearly than the model's unique check."""


def _seconds() -> forms.IntegerField:
    out_of_range = gettext_lazy("Please enter between 5 and 300 seconds.")
    return forms.IntegerField(
        label=gettext_lazy("Seconds per page"), initial=15, min_value=SECONDS_MIN,
        max_value=SECONDS_MAX,
        error_messages={"invalid": gettext_lazy("Please enter a whole number of seconds."),
                        "required": gettext_lazy("Please enter the seconds per page."),
                        "min_value": out_of_range, "max_value": out_of_range},
        help_text=gettext_lazy("How long each page of this content stays: 5 to 300 seconds."),
    )  # fmt: skip


class AddSlotForm(forms.Form):
    source = forms.ChoiceField(label=gettext_lazy("Content"))
    seconds = _seconds()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "neu")
        super().__init__(*args, **kwargs)
        source_field = self.fields["source"]
        assert isinstance(source_field, forms.ChoiceField)  # noqa: S101 - for mypy
        source_field.choices = [
            ("", _("Please choose")),
            *sorted(
                ((source.key, str(source.label)) for source in signage.registered()),
                key=lambda choice: choice[1],
            ),
        ]
        self.fields["source"].error_messages["required"] = _("Please choose the content.")
        kern_widgets(self)


class SlotForm(forms.Form):
    """Seconds and the options of one slot's source."""

    seconds = _seconds()

    def __init__(self, *args: Any, slot: Slot, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"inhalt-{slot.pk}")
        options = slot.options or {}
        kwargs["initial"] = {"seconds": slot.seconds}
        super().__init__(*args, **kwargs)
        self.slot = slot
        for name, make in OPTIONS.get(slot.source, {}).items():
            field = make()
            self.fields[name] = field
            self.initial[name] = options.get(name, field.initial)
        kern_widgets(self)

    @property
    def option_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in OPTIONS.get(self.slot.source, {})]

    def options(self) -> dict[str, Any]:
        found = {}
        for name in OPTIONS.get(self.slot.source, {}):
            value = self.cleaned_data.get(name)
            if value not in (None, ""):
                found[name] = value
        return found
