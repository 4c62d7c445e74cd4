"""Forms of the catalogue's staff pages: a dataset, its distributions (a formset: add, remove,
reorder without JavaScript), the few fields of a platform dataset, and the list filter."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db import models
from django.db.models import QuerySet
from django.forms import inlineformset_factory
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from rathaus.core.models import Authority
from rathaus.opendata import catalogue_licences, dcat_values
from rathaus.opendata.catalogue_models import Dataset, Distribution, Frequency, Theme

RESERVED_SLUGS = {"catalog"}  # /daten/katalog/catalog.ttl is the whole catalogue
MAX_KEYWORDS = 30
IRI_FIELDS = {
    "access_url", "download_url", "landing_page", "contact_url", "publisher_uri",
    "political_geocoding",
}  # fmt: skip

TEXT = {"class": "kern-form-input__input"}
SELECT = {"class": "kern-form-input__select"}
AREA = {"class": "kern-form-input__input", "rows": 6}
DATE = {"class": "kern-form-input__input", "type": "date"}


def https_by_default(field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """Form fields of the model's fields; an address typed without scheme gets https://."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


GERMAN_LETTERS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss",
                                "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})  # fmt: skip


def slug_of(title: str) -> str:
    """A dataset's short name made from its title, German letters spelt out as people do in
    addresses: "Grundwasserstände" → "grundwasserstaende", "Straßen" → "strassen"."""
    return slugify(title.translate(GERMAN_LETTERS))


class KeywordsField(forms.CharField):
    """Keywords typed as one line, separated by commas; stored as a list."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 2000)
        kwargs.setdefault("widget", forms.TextInput(attrs=TEXT))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value)
        words: list[str] = []
        for word in (part.strip() for part in text.split(",")):
            if word and word not in words:
                if len(word) > 100:
                    raise forms.ValidationError(_("A keyword may have at most 100 characters."))
                words.append(word)
        if len(words) > MAX_KEYWORDS:
            raise forms.ValidationError(
                _("At most %(count)s keywords, please.") % {"count": MAX_KEYWORDS}
            )
        return words


class AddressesMixin(forms.BaseForm):
    """Refuses addresses the RDF export cannot write as IRIs (spaces, ``<>"{}|^`\\``) and
    e-mail addresses that make no plain ``mailto:`` address."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, value in list(data.items()):
            if not value or not isinstance(value, str):
                continue
            if name in IRI_FIELDS and not dcat_values.writable_iri(value):
                self.add_error(
                    name,
                    _("The address must not contain spaces or any of these characters: "
                      "< > \" { } | ^ ` \\"),
                )  # fmt: skip
            if name == "contact_email" and not dcat_values.writable_mailto(value):
                self.add_error(
                    name, _("The e-mail address must not contain the characters ? # % or /.")
                )
        return data


class PlatformDatasetForm(AddressesMixin, forms.ModelForm[Dataset]):
    """The fields staff may change on a dataset the platform keeps current (``source``).

    Fields that are optional to save but needed to publish carry a ``publish_note`` the
    template shows instead of "(optional)"; ``EXPERT_FIELDS`` are shown folded away."""

    EXPERT_FIELDS: tuple[str, ...] = ()

    keywords = KeywordsField(
        label=_("Keywords"), help_text=_("Separated by commas, e.g. Grundwasser, Umwelt.")
    )

    class Meta:
        model = Dataset
        formfield_callback = https_by_default
        fields = ["description", "keywords", "contact_name", "contact_email", "contact_url"]
        widgets = {
            "description": forms.Textarea(attrs=AREA),
            "contact_name": forms.TextInput(attrs=TEXT),
            "contact_email": forms.EmailInput(attrs=TEXT),
            "contact_url": forms.URLInput(attrs=TEXT),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        notes = {
            "description": _("needed to publish"),
            "contact_email": _("needed to publish: an e-mail address or a web page"),
            "contact_url": _("needed to publish: an e-mail address or a web page"),
        }
        for name, note in notes.items():
            if name in self.fields:
                self.fields[name].publish_note = note  # type: ignore[attr-defined]

    def expert_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.EXPERT_FIELDS if name in self.fields]

    def experts_open(self) -> bool:
        return any(field.errors or field.value() for field in self.expert_fields())

    def plain_fields(self) -> list[forms.BoundField]:
        return [field for field in self.visible_fields() if field.name not in self.EXPERT_FIELDS]


class DatasetForm(PlatformDatasetForm):
    EXPERT_FIELDS = ("political_geocoding", "publisher_name", "publisher_uri")

    themes = forms.MultipleChoiceField(
        label=_("Categories"), choices=Theme.choices, required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "kern-form-check__checkbox"}),
        help_text=_("At least one is needed to publish. Portals such as GovData sort by them."),
    )  # fmt: skip
    licence = forms.ChoiceField(
        label=_("Licence"), choices=(), widget=forms.Select(attrs=SELECT),
        help_text=_("From the licence list of DCAT-AP.de."),
    )  # fmt: skip

    class Meta:
        model = Dataset
        formfield_callback = https_by_default
        fields = [
            "title", "slug", "description", "keywords", "themes", "licence",
            "accrual_periodicity", "temporal_start", "temporal_end", "political_geocoding",
            "landing_page", "contact_name", "contact_email", "contact_url", "publisher_name",
            "publisher_uri",
        ]  # fmt: skip
        widgets = {
            **PlatformDatasetForm.Meta.widgets,
            "title": forms.TextInput(attrs=TEXT),
            "slug": forms.TextInput(attrs=TEXT),
            "accrual_periodicity": forms.Select(attrs=SELECT),
            "temporal_start": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
            "temporal_end": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
            "political_geocoding": forms.URLInput(attrs=TEXT),
            "landing_page": forms.URLInput(attrs=TEXT),
            "publisher_name": forms.TextInput(attrs=TEXT),
            "publisher_uri": forms.URLInput(attrs=TEXT),
        }
        help_texts = {
            "slug": _("Part of the address: small letters, digits and hyphens. Empty: made from "
                      "the title."),
            "accrual_periodicity": _("How often the data is updated."),
            "political_geocoding": _(
                "Only for data about another area: the DCAT-AP.de address of that area."
            ),
            "publisher_name": _("Only if another body publishes the data. Empty: your "
                                "authority."),
            "publisher_uri": _("Only if another body publishes the data: its address on the "
                               "web that portals use as its identifier."),
        }  # fmt: skip

    def __init__(self, *args: Any, authority: Authority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.authority = authority
        self.fields["slug"].required = False
        cast(forms.ChoiceField, self.fields["accrual_periodicity"]).choices = Frequency.choices
        licences = catalogue_licences.grouped_choices()
        current = self.instance.licence if self.instance.pk else ""
        if current and not catalogue_licences.known(current):
            licences = [(current, current), *licences]  # a harvested dataset's, kept as it is
        cast(forms.ChoiceField, self.fields["licence"]).choices = licences
        if not self.instance.pk:
            self.initial.setdefault("licence", self.instance.licence)

    def clean_slug(self) -> str:
        typed = str(self.cleaned_data.get("slug") or "")
        slug = (typed or slug_of(str(self.data.get("title", "")))[:100]).strip("-")
        if not slug:
            raise forms.ValidationError(_("Please enter a short name for the address."))
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("This short name is reserved. Please choose another."))
        taken = Dataset.objects.filter(authority=self.authority, slug=slug)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("Another dataset already has this short name."))
        return slug

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("temporal_start"), data.get("temporal_end")
        if start and end and end < start:
            self.add_error("temporal_end", _("The end is before the start."))
        return data

    def save(self, commit: bool = True) -> Dataset:
        self.instance.authority = self.authority
        saved: Dataset = super().save(commit=commit)
        return saved


class DistributionForm(AddressesMixin, forms.ModelForm[Distribution]):
    licence = forms.ChoiceField(
        label=_("Licence"), required=False, widget=forms.Select(attrs=SELECT), choices=(),
    )  # fmt: skip

    class Meta:
        model = Distribution
        formfield_callback = https_by_default
        fields = [
            "title", "access_url", "download_url", "format", "media_type", "byte_size",
            "description", "licence", "position",
        ]  # fmt: skip
        widgets = {
            "title": forms.TextInput(attrs=TEXT),
            "access_url": forms.URLInput(attrs=TEXT),
            "download_url": forms.URLInput(attrs=TEXT),
            "format": forms.TextInput(attrs=TEXT),
            "media_type": forms.TextInput(attrs=TEXT),
            "byte_size": forms.NumberInput(attrs=TEXT),
            "description": forms.Textarea(attrs={**AREA, "rows": 3}),
            "position": forms.NumberInput(attrs=TEXT),
        }
        labels = {"position": _("Order")}
        help_texts = {
            "access_url": _(
                "Where the data can be found: the file or the interface. Empty: "
                "the download address is used."
            ),
            "download_url": _("Only for a file: the address that downloads it."),
            "format": _(
                "Needed to publish. The short name of the file type, e.g. CSV for a "
                "table, JSON, GEOJSON for map data, PDF."
            ),
            "media_type": _(
                "Optional. The technical name of the file type that browsers "
                "use, e.g. text/csv for a table. Leave it empty if unsure."
            ),
            "position": _("Smaller numbers first."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.instance.licence if self.instance.pk else ""
        choices = [("", _("as the dataset")), *catalogue_licences.grouped_choices()]
        if current and not catalogue_licences.known(current):
            choices.insert(1, (current, current))
        cast(forms.ChoiceField, self.fields["licence"]).choices = choices
        self.fields["position"].required = False
        self.fields["access_url"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("access_url"):
            if data.get("download_url"):  # a file: its download address is its address
                data["access_url"] = data["download_url"]
                self.instance.access_url = data["download_url"]
            elif self.has_changed() and "access_url" not in self.errors:
                self.add_error(
                    "access_url", _("Please enter the address of the file or the interface.")
                )
        return data

    def clean_format(self) -> str:
        typed = str(self.cleaned_data.get("format", "")).strip()
        if not typed:
            return ""
        code = dcat_values.file_type(typed)
        if code is None:
            raise forms.ValidationError(
                _("Please enter a code of the EU file type list, e.g. CSV or GEOJSON: capital "
                  "letters, digits, dot, hyphen or underscore.")
            )  # fmt: skip
        return code

    def clean_media_type(self) -> str:
        typed = str(self.cleaned_data.get("media_type", "")).strip()
        if not typed:
            return ""
        media = dcat_values.media_type(typed)
        if media is None:
            raise forms.ValidationError(
                _("Please enter a media type as type/subtype, e.g. text/csv.")
            )
        return media

    def clean_position(self) -> int:
        position = self.cleaned_data.get("position")
        return 0 if position is None else position


# absolute_max: a request claiming more forms is refused after building at most this many
# (Django's default is max_num + 1000: a forged TOTAL_FORMS made every such request build 1,050
# forms, seconds of work each).
DistributionFormSet = inlineformset_factory(
    Dataset, Distribution, form=DistributionForm, extra=1, can_delete=True, max_num=50,
    absolute_max=50, validate_max=True,
)  # fmt: skip


class DatasetFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Title contains"), required=False, max_length=200,
        widget=forms.TextInput(attrs=TEXT),
    )  # fmt: skip
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("all")), *Dataset.Status.choices],
        widget=forms.Select(attrs=SELECT),
    )  # fmt: skip

    def filter(self, rows: QuerySet[Dataset]) -> QuerySet[Dataset]:
        if not self.is_valid():
            return rows
        if self.cleaned_data["q"]:
            rows = rows.filter(title__icontains=self.cleaned_data["q"])
        if self.cleaned_data["status"]:
            rows = rows.filter(status=self.cleaned_data["status"])
        return rows
