"""The staff forms of construction projects: the project, a phase, a picture.

The budget is typed in euros as people write it ("2.450.000,00", "2450000", "2,45") and kept
in cents; the place on the map is optional GeoJSON, checked like a construction site's place
(:mod:`rathaus.construction.geometry`) and stored as ``{type, coordinates}`` only; dates in
the wrong order are refused with a message at the later date.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from rathaus.construction import geometry as places
from rathaus.construction.models import Project, ProjectPhase, ProjectPicture
from rathaus.construction.project_pictures import PICTURE_MAX_BYTES, rules
from rathaus.core.files import allowed_in_words, file_limit, size_in_words
from rathaus.core.models import Authority, Locality

MAX_BUDGET_EUROS = Decimal("10000000000")  # ten billion: far above any town's project
_AMOUNT = re.compile(r"^\d{1,3}(\.\d{3})+(,\d{1,2})?$|^\d+(,\d{1,2})?$|^\d+\.\d{1,2}$")


class KernMixin:
    """The KERN UX classes on the widgets; Django adds aria-invalid and aria-describedby."""

    fields: dict[str, forms.Field]

    def kern(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "kern-form-input__select")
            elif isinstance(widget, forms.CheckboxInput | forms.ClearableFileInput):
                continue
            elif isinstance(widget, forms.Textarea | forms.widgets.Input):
                widget.attrs.setdefault("class", "kern-form-input__input")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def parse_euros(text: str) -> int:
    """Cents of an amount in euros as Germans write it; ValueError when it is none."""
    value = text.strip().replace("€", "").replace("\u00a0", "").replace(" ", "").strip()
    if value.startswith("-"):
        raise ValueError("negative")
    if not _AMOUNT.match(value):
        raise ValueError("not an amount")
    if "," in value:
        value = value.replace(".", "").replace(",", ".")
    elif value.count(".") == 1 and re.search(r"\.\d{1,2}$", value):
        pass  # "2450000.50": a decimal point
    else:
        value = value.replace(".", "")
    try:
        euros = Decimal(value)
    except InvalidOperation:
        raise ValueError("not an amount") from None
    return int((euros * 100).to_integral_value())


class EuroField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=30, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            euros, cents = divmod(value, 100)
            grouped = f"{euros:,}".replace(",", ".")
            return grouped if cents == 0 else f"{grouped},{cents:02d}"
        return value

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        if not text:
            return None
        if text.strip().startswith("-"):
            raise ValidationError(_("The budget cannot be negative."), code="negative")
        try:
            cents = parse_euros(text)
        except ValueError:
            raise ValidationError(
                _("Please enter the budget in euros, for example 2.450.000 or 2450000,00."),
                code="invalid",
            ) from None
        if cents > MAX_BUDGET_EUROS * 100:
            raise ValidationError(_("The budget is too large."), code="too_large")
        return cents


def check_geometry(value: Any) -> dict[str, Any] | None:
    """A GeoJSON geometry in Germany, normalised to ``{type, coordinates}`` by the same checks
    as a construction site's place (:func:`rathaus.construction.geometry.validate`: types,
    at most ``MAX_POINTS`` points, Germany, swapped coordinates, shapes), or a ValidationError
    saying what is wrong."""
    if value in (None, "", {}):
        return None
    if isinstance(value, str):
        if len(value) > places.MAX_TEXT_CHARS:
            raise ValidationError(
                _("The place has too many points. At most %(count)s are possible.")
                % {"count": places.MAX_POINTS},
                code="too_large",
            )
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            raise ValidationError(_("The place is not valid GeoJSON."), code="json") from None
    try:
        return places.validate(value)
    except places.GeometryError as error:
        raise ValidationError(error.message, code="geometry") from None
    except (ValueError, TypeError, RecursionError):
        raise ValidationError(_("The place is not valid GeoJSON."), code="json") from None


def _village_name(place: Locality) -> str:
    return place.name


class ProjectForm(KernMixin, forms.ModelForm[Project]):
    budget_cents = EuroField(
        label=_("Budget in euros"),
        required=False,
        help_text=_("For example 2.450.000 or 2450000,00."),
    )
    geometry = forms.CharField(
        label=_("Place on the map (GeoJSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            'Optional. A GeoJSON geometry, for example {"type": "Point", "coordinates": '
            "[11.62, 52.20]} (longitude first)."
        ),
    )

    class Meta:
        model = Project
        fields = ["title", "summary", "description", "state", "locality", "budget_cents",
                  "funding", "starts_on", "ends_on", "geometry"]  # fmt: skip
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 6}),
            "funding": forms.Textarea(attrs={"rows": 3}),
            "starts_on": DateInput(),
            "ends_on": DateInput(),
        }
        help_texts = {
            "summary": _("One or two sentences for the list."),
            "funding": _("Who pays: own funds of the town, grants (programme and amount)."),
            "ends_on": _("The planned or actual completion."),
        }

    def __init__(self, *args: Any, authority: Authority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        locality = self.fields["locality"]
        if isinstance(locality, forms.ModelChoiceField):
            locality.queryset = Locality.objects.filter(authority=authority).order_by("name")
            locality.label_from_instance = _village_name  # type: ignore[method-assign,assignment]
            locality.empty_label = _("(no village)")
        if self.instance.geometry and not self.is_bound:
            self.initial["geometry"] = json.dumps(self.instance.geometry)
        self.kern()

    def clean_geometry(self) -> dict[str, Any] | None:
        return check_geometry(self.cleaned_data.get("geometry"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The completion cannot be before the start."))
        return data


class PhaseForm(KernMixin, forms.ModelForm[ProjectPhase]):
    class Meta:
        model = ProjectPhase
        fields = ["title", "description", "state", "starts_on", "ends_on"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "starts_on": DateInput(),
            "ends_on": DateInput(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kern()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The end cannot be before the start."))
        return data


class PictureForm(KernMixin, forms.ModelForm[ProjectPicture]):
    """Alt text is required: the picture is described for people who cannot see it."""

    class Meta:
        model = ProjectPicture
        fields = ["alt_text", "caption", "taken_on"]
        widgets = {"taken_on": DateInput()}
        help_texts = {
            "alt_text": _(
                "Required. What the picture shows, in one sentence, for people who cannot see "
                "it; e.g. “Plan drawing of the new school wing”."
            ),
            "caption": _("Shown below the picture."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["alt_text"].required = True
        self.kern()


class PictureUploadForm(PictureForm):
    picture = forms.FileField(label=_("Picture"))

    class Meta(PictureForm.Meta):
        fields = ["picture", "alt_text", "caption", "taken_on"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        accept = rules().accept
        self.fields["picture"].help_text = _("%(types)s, at most %(size)s.") % {
            "types": allowed_in_words(accept),
            "size": size_in_words(file_limit(PICTURE_MAX_BYTES)),
        }
        self.fields["picture"].widget.attrs["accept"] = ",".join(accept)
