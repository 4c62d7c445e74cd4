"""Django forms of the staff pages for online forms: create, import, edit a version, preview."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rathaus.catalog.forms import KernFormMixin, format_euro_amount, parse_euro_amount
from rathaus.catalog.models import Offer
from rathaus.core.models import Authority
from rathaus.forms import codelists, xdatenfelder
from rathaus.forms.engine import FormSpec, definition_problems
from rathaus.forms.models import FormDefinition, FormVersion, TrustRequirement

MAX_IMPORT_BYTES = 5 * 1024 * 1024
JSON_ROWS = 24


def pretty_json(value: Any) -> str:
    """JSON as staff read and edit it: indented, umlauts as they are."""
    return json.dumps(value, ensure_ascii=False, indent=2)


def parse_json(text: str) -> Any:
    """The JSON value of a textarea; a syntax error names its line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            gettext("The JSON is not valid in line %(line)s, column %(column)s: %(problem)s.")
            % {"line": exc.lineno, "column": exc.colno, "problem": exc.msg},
            code="json",
        ) from None


def _problem_field(problem: str) -> str:
    """Which textarea a problem of ``definition_problems`` is shown at."""
    return "schema" if problem.startswith(("The schema must", "The schema is not")) else "layout"


if TYPE_CHECKING:
    _OfferChoiceFieldBase = forms.ModelChoiceField[Offer]  # generic only in django-stubs
else:
    _OfferChoiceFieldBase = forms.ModelChoiceField


class OfferChoiceField(_OfferChoiceFieldBase):
    def label_from_instance(self, obj: Offer) -> str:
        unit = f" ({obj.org_unit.name})" if obj.org_unit is not None else ""
        return f"{obj.service.name}{unit}"


def _offer_field() -> OfferChoiceField:
    return OfferChoiceField(
        queryset=Offer.objects.none(),
        required=False,
        label=_("Service offer"),
        empty_label=_("– no service offer –"),
        help_text=_(
            "The offered service the form belongs to; its page then links to the online "
            "application."
        ),
    )


def authority_offers(authority: Authority) -> QuerySet[Offer]:
    return (
        Offer.objects.filter(authority=authority)
        .select_related("service", "org_unit")
        .order_by("service__name", "pk")
    )


class DefinitionCreateForm(KernFormMixin, forms.Form):
    """A new, empty form: title, address and service offer."""

    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.SlugField(
        label=_("Address"),
        max_length=80,
        help_text=_(
            "The last part of the address /antrag/…/: lower-case letters, digits and hyphens, "
            "for example hundeanmeldung."
        ),
    )
    offer = _offer_field()

    def __init__(self, *args: Any, authority: Authority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.authority = authority
        cast(OfferChoiceField, self.fields["offer"]).queryset = authority_offers(authority)
        self.fields["slug"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self._add_kern_classes()

    def clean_slug(self) -> str:
        slug = str(self.cleaned_data["slug"]).lower()
        if FormDefinition.objects.filter(authority=self.authority, slug=slug).exists():
            raise ValidationError(
                gettext("The address /antrag/%(slug)s/ is already used by another form.")
                % {"slug": slug},
                code="unique",
            )
        return slug


class ImportForm(KernFormMixin, forms.Form):
    """An XDatenfelder file, converted while the form is validated."""

    file = forms.FileField(
        label=_("XDatenfelder file (XML)"),
        help_text=_(
            "A FIM schema in XDatenfelder 2.0 or 3.0.0 (Stammdatenschema or Datenfeldgruppe), "
            "at most 5 MB."
        ),
        widget=forms.FileInput(attrs={"accept": ".xml,application/xml,text/xml"}),
    )
    definition = forms.ModelChoiceField(
        queryset=FormDefinition.objects.none(),
        required=False,
        label=_("Import as"),
        empty_label=_("a new form"),
        help_text=_(
            "Choose an existing form to import the file as its new version in preparation."
        ),
    )
    offer = _offer_field()

    def __init__(self, *args: Any, authority: Authority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.authority = authority
        definitions = FormDefinition.objects.filter(authority=authority).order_by("title", "pk")
        definition = cast("forms.ModelChoiceField[FormDefinition]", self.fields["definition"])
        definition.queryset = definitions
        cast(OfferChoiceField, self.fields["offer"]).queryset = authority_offers(authority)
        self.fields["offer"].help_text = _("Only for a new form.")
        self._add_kern_classes()

    def clean_file(self) -> xdatenfelder.ConvertedForm:
        upload = cast(UploadedFile, self.cleaned_data["file"])
        if upload.size is None or upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(
                gettext("The file is larger than 5 MB. Please choose a smaller file."),
                code="too_large",
            )
        content = upload.read()
        try:
            return xdatenfelder.convert(content, codelists.lookup)
        except xdatenfelder.XDatenfelderError as exc:
            raise ValidationError(
                gettext("The file is not a usable XDatenfelder schema: %(problem)s")
                % {"problem": str(exc)},
                code="xdatenfelder",
            ) from None


class DefinitionJSONForm(KernFormMixin, forms.Form):
    """Schema and layout as JSON text; valid only if the engine can use them together."""

    schema = forms.CharField(
        label=_("Data schema (JSON Schema)"),
        widget=forms.Textarea(attrs={"rows": JSON_ROWS, "spellcheck": "false"}),
        help_text=_("A JSON Schema (draft 2020-12) describing the data, see docs/forms.md."),
        strip=False,
    )
    layout = forms.CharField(
        label=_("Layout (JSON)"),
        widget=forms.Textarea(attrs={"rows": JSON_ROWS, "spellcheck": "false"}),
        help_text=_("Steps, questions, labels, help texts and conditions, see docs/forms.md."),
        strip=False,
    )

    def __init__(self, *args: Any, preview_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if preview_url:
            # With JavaScript, htmx sends the form to the preview while staff type.
            for name in ("schema", "layout"):
                self.fields[name].widget.attrs.update(
                    {
                        "hx-post": preview_url,
                        "hx-trigger": "keyup changed delay:800ms, change",
                        "hx-target": "#form-preview",
                        "hx-swap": "outerHTML",
                        "hx-include": "closest form",
                        "hx-sync": "closest form:replace",
                    }
                )
        self._add_kern_classes()
        for name in ("schema", "layout"):
            self.fields[name].widget.attrs["class"] += " form-json"

    def clean_schema(self) -> Any:
        return parse_json(self.cleaned_data["schema"])

    def clean_layout(self) -> Any:
        return parse_json(self.cleaned_data["layout"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "schema" in cleaned and "layout" in cleaned:
            for problem in definition_problems(cleaned["schema"], cleaned["layout"]):
                self.add_error(_problem_field(problem), ValidationError(problem, code="problem"))
        return cleaned

    def spec(self) -> FormSpec:
        """The engine's view of the valid definition (call after ``is_valid``)."""
        return FormSpec(self.cleaned_data["schema"], self.cleaned_data["layout"])

    @property
    def problems(self) -> list[str]:
        """Every problem of the two textareas, for the preview."""
        return [str(error) for name in ("schema", "layout") for error in self.errors.get(name, [])]


class VersionForm(DefinitionJSONForm):
    """Everything of a version in preparation that staff may change."""

    title = forms.CharField(label=_("Title"), max_length=200)
    introduction = forms.CharField(
        label=_("Introduction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown on the start page of the form. Paragraphs on separate lines."),
    )
    min_trust_level = forms.ChoiceField(label=_("Login needed"), choices=TrustRequirement.choices)
    fee = forms.CharField(
        label=_("Fee in euros"),
        required=False,
        max_length=20,
        help_text=_("For example 12,50 or 0. Leave empty if there is no fixed amount."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    fee_text = forms.CharField(label=_("Fee explanation"), required=False, max_length=300)
    receipt_email_field = forms.CharField(
        label=_("Question with the applicant's e-mail address"),
        required=False,
        max_length=200,
        help_text=_(
            "The path of an e-mail question, for example email. Receipts go there when the "
            "applicant is not logged in."
        ),
    )
    next_steps = forms.CharField(
        label=_("What happens next"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown on the receipt."),
    )

    field_order = [
        "title",
        "introduction",
        "min_trust_level",
        "fee",
        "fee_text",
        "receipt_email_field",
        "next_steps",
        "schema",
        "layout",
    ]

    @staticmethod
    def initial_for(version: FormVersion) -> dict[str, Any]:
        return {
            "title": version.title,
            "introduction": version.introduction,
            "min_trust_level": version.min_trust_level,
            "fee": format_euro_amount(version.fee_cents),
            "fee_text": version.fee_text,
            "receipt_email_field": version.receipt_email_field,
            "next_steps": version.next_steps,
            "schema": pretty_json(version.schema),
            "layout": pretty_json(version.layout),
        }

    def clean_fee(self) -> int | None:
        return parse_euro_amount(self.cleaned_data.get("fee") or "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        path = str(cleaned.get("receipt_email_field") or "").strip()
        cleaned["receipt_email_field"] = path
        # Django's add_error drops a field from cleaned_data: both are here only if usable.
        if path and "schema" in cleaned and "layout" in cleaned:
            element = self.spec().field_templates.get(path)
            if element is None or element.widget != "email" or "*" in path:
                self.add_error(
                    "receipt_email_field",
                    ValidationError(
                        gettext(
                            "“%(path)s” is not an e-mail question of this form outside "
                            "repeatable groups."
                        )
                        % {"path": path},
                        code="receipt_email_field",
                    ),
                )
        return cleaned

    def version_values(self) -> dict[str, Any]:
        """The cleaned data as the fields of ``services.update_version``."""
        values = {name: self.cleaned_data[name] for name in self.field_order if name != "fee"}
        values["fee_cents"] = self.cleaned_data["fee"]
        return values
