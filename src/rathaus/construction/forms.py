"""Forms of the construction sites: the public filter and, for staff, a site and its documents."""

from __future__ import annotations

import csv
import difflib
import io
from datetime import date
from functools import cache
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rathaus.construction import geometry
from rathaus.construction.models import Disruption
from rathaus.construction.sites import STATE_LABELS, State
from rathaus.core import streets as street_directory
from rathaus.core.forms import kern_widgets
from rathaus.core.models import Authority, Locality

MAX_STREETS = 50
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024


class LocalityChoice(forms.ModelChoiceField[Locality]):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class FilterForm(forms.Form):
    """The list's filters, named in German in the address: ``?ort=Ebendorf&datum=2026-12-24``."""

    ort = LocalityChoice(
        label=gettext_lazy("Village"), queryset=Locality.objects.none(), required=False,
        empty_label=gettext_lazy("All villages"), to_field_name="name",
    )  # fmt: skip
    datum = forms.DateField(
        label=gettext_lazy("On which day?"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Shows the sites in place on this day."),
    )  # fmt: skip
    zeit = forms.TypedChoiceField(
        label=gettext_lazy("Current, planned or ended"), required=False, coerce=State,
        choices=[("", gettext_lazy("All"))] + [(state.value, label)
                                               for state, label in STATE_LABELS.items()],
    )  # fmt: skip

    def __init__(self, *args: Any, authority: Authority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ort"].queryset = authority.localities.order_by("name")  # type: ignore[attr-defined]
        kern_widgets(self)

    def clean_datum(self) -> date | None:
        value: date | None = self.cleaned_data.get("datum")
        if value is not None and not (date(2000, 1, 1) <= value <= date(2100, 12, 31)):
            raise forms.ValidationError(_("Please give a day between 2000 and 2100."))
        return value


PLACE_KINDS = [
    ("", gettext_lazy("No place on the map")),
    ("point", gettext_lazy("A point")),
    ("line", gettext_lazy("A line (a street section)")),
    ("area", gettext_lazy("An area")),
]


class DisruptionForm(forms.ModelForm[Disruption]):
    streets_text = forms.CharField(
        label=gettext_lazy("Affected streets"), required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("One street per line, without house numbers."),
    )  # fmt: skip
    place_kind = forms.ChoiceField(
        label=gettext_lazy("Kind of place"), choices=PLACE_KINDS, required=False,
        widget=forms.RadioSelect,
    )  # fmt: skip
    coordinates = forms.CharField(
        label=gettext_lazy("Coordinates"), required=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "One point per line: first the latitude (Breite), then the longitude (Länge), as "
            "read off a map, for example 52.2011, 11.6203. A point has one line, a line at "
            "least two, an area at least three (it is closed for you)."
        ),
    )  # fmt: skip

    class Meta:
        model = Disruption
        fields = ["title", "kind", "description", "locality", "starts_on", "ends_on",
                  "until_further_notice", "responsible_body", "detour"]  # fmt: skip
        field_classes = {"locality": LocalityChoice}
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 4}),
            "detour": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "ends_on": gettext_lazy(
                "Leave empty and tick “until further notice” when the end is not known."
            ),
            "detour": gettext_lazy("How to get around the site, in words."),
            "responsible_body": gettext_lazy("The office or company doing the work."),
        }

    def __init__(self, *args: Any, authority: Authority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.authority = authority
        self.fields["locality"].queryset = authority.localities.order_by("name")  # type: ignore[attr-defined]
        self.fields["locality"].empty_label = _("No village")  # type: ignore[attr-defined]
        kinds: Any = self.fields["kind"]
        kinds.choices = [("", _("Please choose"))] + [c for c in kinds.choices if c[0] != ""]
        if self.instance.pk and not self.is_bound:
            kind, lines = geometry.to_lines(self.instance.geometry)
            self.initial["place_kind"] = kind
            self.initial["coordinates"] = lines
            self.initial["streets_text"] = "\n".join(self.instance.streets or [])
        self.warnings: list[str] = []
        kern_widgets(self)

    def clean_streets_text(self) -> list[str]:
        names: list[str] = []
        for line in self.cleaned_data.get("streets_text", "").splitlines():
            name = " ".join(line.split())[:120]
            if name and name not in names:
                names.append(name)
        if len(names) > MAX_STREETS:
            raise forms.ValidationError(_("Please name at most %(count)s streets.")
                                        % {"count": MAX_STREETS})  # fmt: skip
        return names

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end cannot be before the start."))
        if ends and data.get("until_further_notice"):
            self.add_error("until_further_notice", _("Either give an end or tick “until further "
                                                     "notice”, not both."))  # fmt: skip
        if starts and not ends and not data.get("until_further_notice"):
            self.add_error("ends_on", _("Please give the expected end, or tick “until further "
                                        "notice”."))  # fmt: skip
        kind, text = data.get("place_kind", ""), data.get("coordinates", "")
        try:
            data["geometry"] = geometry.from_lines(kind, text)
        except geometry.GeometryError as error:
            self.add_error("coordinates", error.message)
        else:
            if data["geometry"] is None and kind:
                self.add_error("coordinates", _("Please give the points of the place, or choose "
                                                "“No place on the map”."))  # fmt: skip
            if data["geometry"] is None and not kind and geometry.to_lines(self.instance.geometry) \
                    == ("", "") and self.instance.geometry:  # fmt: skip
                data["geometry"] = self.instance.geometry  # a Multi* place from outside is kept
        self.warnings = street_warnings(self.authority, data.get("locality"),
                                        data.get("streets_text") or [])  # fmt: skip
        return data

    def save(self, commit: bool = True) -> Disruption:
        site = super().save(commit=False)
        site.authority = self.authority
        site.streets = self.cleaned_data["streets_text"]
        site.geometry = self.cleaned_data.get("geometry")
        if commit:
            site.save()
        return site


@cache
def _directory_names(slug: str) -> dict[str, tuple[str, ...]]:
    """Street names as written, by normalised locality, from the authority's directory."""
    path = street_directory.STREETS / f"{slug}.csv"
    if not path.is_file():
        return {}
    found: dict[str, list[str]] = {}
    for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")):
        found.setdefault(street_directory.normalise(row["locality"]), []).append(row["street"])
    return {locality: tuple(names) for locality, names in found.items()}


def street_warnings(authority: Authority, locality: Locality | None, names: list[str]) -> list[str]:
    """A warning per street not in the directory of the village, with similar names; villages
    without a directory (and sites without a village) are not checked. Not a refusal: a
    Landesstraße or a private road may be missing from the directory."""
    if locality is None:
        return []
    listed = _directory_names(authority.slug).get(street_directory.normalise(locality.name), ())
    if not listed:
        return []
    known = {street_directory.normalise(name): name for name in listed}
    warnings = []
    for name in names:
        if street_directory.normalise(street_directory.street_name(name)) in known:
            continue
        close = difflib.get_close_matches(
            street_directory.normalise(name), list(known), n=3, cutoff=0.6
        )
        if close:
            warnings.append(
                _("The street “%(street)s” is not in the street directory of %(place)s. Did you "
                  "mean %(suggestions)s?") % {"street": name, "place": locality.name,
                                              "suggestions": _in_words(
                                                  [f"„{known[item]}“" for item in close])}
            )  # fmt: skip
        else:
            warnings.append(
                _("The street “%(street)s” is not in the street directory of %(place)s. Please "
                  "check how it is written.") % {"street": name, "place": locality.name}
            )  # fmt: skip
    return warnings


def _in_words(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return _("%(list)s or %(last)s") % {"list": ", ".join(names[:-1]), "last": names[-1]}


class DocumentForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title of the document"), max_length=200)
    file = forms.FileField(
        label=gettext_lazy("PDF file"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kern_widgets(self)
