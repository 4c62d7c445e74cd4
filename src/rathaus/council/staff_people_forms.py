"""Forms of the staff pages for persons, memberships, organisations, legislative terms and
locations. Lists of values (titles, e-mail addresses, roles, posts) are typed one per line."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from rathaus.core.forms import kern_widgets
from rathaus.council.models import (
    Body,
    LegislativeTerm,
    Location,
    Membership,
    Organization,
    Person,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_LINES = 20


class LinesField(forms.CharField):
    """A list of short texts, one per line (titles, roles, posts, phone numbers)."""

    def __init__(self, *, max_item: int = 200, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(**kwargs)
        self.max_item = max_item

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(str(item) for item in value)
        return value

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value) or ""
        items = [line.strip() for line in text.splitlines() if line.strip()]
        if len(items) > MAX_LINES:
            raise ValidationError(_("Please enter at most %(count)s lines.") % {"count": MAX_LINES})
        for item in items:
            if len(item) > self.max_item:
                raise ValidationError(
                    _("A line may have at most %(count)s characters.") % {"count": self.max_item}
                )
        return items


class EmailLinesField(LinesField):
    def clean(self, value: Any) -> list[str]:
        items = super().clean(value)
        for item in items:
            try:
                validate_email(item)
            except ValidationError:
                raise ValidationError(
                    _("“%(value)s” is not an e-mail address.") % {"value": item}
                ) from None
        return items


def _check_period(
    form: forms.ModelForm[Any], start: str = "start_date", end: str = "end_date"
) -> None:
    first, last = form.cleaned_data.get(start), form.cleaned_data.get(end)
    if first and last and last < first:
        form.add_error(end, _("The end must not be before the start."))


def _https(field: Any, **kwargs: Any) -> Any:
    """Addresses typed without a scheme are read as https."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class BodyForm(forms.ModelForm[Any]):
    """A form of something kept per council: knows its body and fills it in on save."""

    def __init__(self, *args: Any, body: Body, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.body = body
        self.instance.body = body
        kern_widgets(self)


class PersonForm(BodyForm):
    title = LinesField(label=gettext_lazy("Titles"), max_item=50,
                       help_text=gettext_lazy("One per line, for example: Dr."))  # fmt: skip
    email = EmailLinesField(label=gettext_lazy("Office e-mail addresses"),
                            help_text=gettext_lazy("One per line."))  # fmt: skip
    phone = LinesField(label=gettext_lazy("Office phone numbers"), max_item=50,
                       help_text=gettext_lazy("One per line."))  # fmt: skip
    status = LinesField(label=gettext_lazy("Roles"), max_item=100,
                        help_text=gettext_lazy("One per line, for example: Bürgermeister, "
                                               "Ratsmitglied, Sachkundiger Bürger."))  # fmt: skip

    class Meta:
        model = Person
        fields = ["form_of_address", "title", "given_name", "family_name", "affix", "name",
                  "email", "phone", "status", "life", "life_source"]  # fmt: skip
        labels = {"name": gettext_lazy("Name as shown")}
        help_texts = {
            "name": gettext_lazy("Leave empty to use the title, given and family name."),
            "form_of_address": gettext_lazy("For example: Frau, Herr."),
            "life": gettext_lazy("A short text the person agreed to publish."),
        }
        widgets = {"life": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("name"):
            parts = [*data.get("title", []), data.get("given_name", ""),
                     data.get("family_name", ""), data.get("affix", "")]  # fmt: skip
            data["name"] = " ".join(part for part in parts if part)[:200]
            self.instance.name = data["name"]
        if not data.get("name"):
            self.add_error("family_name", _("Please enter at least the family name."))
        return data


class MembershipForm(BodyForm):
    class Meta:
        model = Membership
        fields = ["organization", "role", "voting_right", "start_date", "end_date",
                  "on_behalf_of"]  # fmt: skip
        labels = {
            "start_date": pgettext_lazy("period", "From"),
            "end_date": pgettext_lazy("period", "Until"),
        }
        help_texts = {
            "role": gettext_lazy("For example: Vorsitzender, Mitglied, Stellvertreter."),
            "on_behalf_of": gettext_lazy("The faction the person sits in the committee for."),
        }
        widgets = {"start_date": DATE, "end_date": DATE}

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, body=person.body, **kwargs)
        self.instance.person = person
        live = Organization.objects.filter(body=person.body, deleted=False)
        self.fields["organization"].queryset = live  # type: ignore[attr-defined]
        self.fields["on_behalf_of"].queryset = live.filter(  # type: ignore[attr-defined]
            organization_type=Organization.Type.FACTION
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        _check_period(self)
        return data


class OrganizationForm(BodyForm):
    post = LinesField(label=gettext_lazy("Posts"), max_item=100,
                      help_text=gettext_lazy("One per line, for example: Vorsitzender, "
                                             "stellvertretender Vorsitzender."))  # fmt: skip

    class Meta:
        model = Organization
        fields = ["name", "short_name", "organization_type", "classification",
                  "sub_organization_of", "start_date", "end_date", "post", "position",
                  "location", "website"]  # fmt: skip
        help_texts = {"position": gettext_lazy("Lower numbers are listed first.")}
        formfield_callback = _https
        widgets = {"start_date": DATE, "end_date": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        others = Organization.objects.filter(body=self.body, deleted=False)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["sub_organization_of"].queryset = others  # type: ignore[attr-defined]
        self.fields["location"].queryset = Location.objects.filter(  # type: ignore[attr-defined]
            body=self.body, deleted=False
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        _check_period(self)
        return data


class TermForm(BodyForm):
    class Meta:
        model = LegislativeTerm
        fields = ["name", "start_date", "end_date"]
        help_texts = {"name": gettext_lazy("For example: Wahlperiode 2024–2029.")}
        widgets = {"start_date": DATE, "end_date": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start_date"].required = True

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        _check_period(self)
        start, end = data.get("start_date"), data.get("end_date")
        if start and not self.errors:
            overlapping = LegislativeTerm.objects.filter(body=self.body, deleted=False).filter(
                Q(end_date__isnull=True) | Q(end_date__gte=start)
            )
            if end:
                overlapping = overlapping.filter(
                    Q(start_date__isnull=True) | Q(start_date__lte=end)
                )
            if self.instance.pk:
                overlapping = overlapping.exclude(pk=self.instance.pk)
            other = overlapping.order_by("start_date").first()
            if other is not None:
                raise ValidationError(
                    _("This term overlaps the term “%(name)s” (%(period)s). The terms of a "
                      "council follow one another; please correct the dates.")
                    % {"name": other.name, "period": period_in_words(other)}
                )  # fmt: skip
        return data


def period_in_words(obj: Any) -> str:
    start = formats.date_format(obj.start_date, "SHORT_DATE_FORMAT") if obj.start_date else ""
    end = formats.date_format(obj.end_date, "SHORT_DATE_FORMAT") if obj.end_date else ""
    if start and end:
        return f"{start} – {end}"
    if start:
        return _("from %(date)s") % {"date": start}
    if end:
        return _("until %(date)s") % {"date": end}
    return "–"


class LocationForm(BodyForm):
    latitude = forms.FloatField(
        label=gettext_lazy("Latitude"), required=False, min_value=-90, max_value=90,
        help_text=gettext_lazy("Decimal degrees, for example 52.2034."),
    )  # fmt: skip
    longitude = forms.FloatField(
        label=gettext_lazy("Longitude"), required=False, min_value=-180, max_value=180,
        help_text=gettext_lazy("Decimal degrees, for example 11.6198."),
    )  # fmt: skip

    class Meta:
        model = Location
        fields = ["description", "street_address", "room", "postal_code", "sub_locality",
                  "locality"]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        point = self.instance.geojson or {}
        if point.get("type") == "Point" and not self.is_bound:
            longitude, latitude = point["coordinates"][:2]
            self.initial.update(latitude=latitude, longitude=longitude)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        latitude, longitude = data.get("latitude"), data.get("longitude")
        if (latitude is None) != (longitude is None) and not self.errors:
            missing = "longitude" if longitude is None else "latitude"
            self.add_error(missing, _("Please enter both latitude and longitude, or neither."))
        if not any(data.get(name) for name in ("description", "street_address", "room")):
            self.add_error("description", _("Please enter a description or an address."))
        return data

    def save(self, commit: bool = True) -> Location:
        latitude, longitude = self.cleaned_data.get("latitude"), self.cleaned_data.get("longitude")
        self.instance.geojson = (
            {"type": "Point", "coordinates": [longitude, latitude]}
            if latitude is not None and longitude is not None
            else None
        )
        location: Location = super().save(commit)
        return location
