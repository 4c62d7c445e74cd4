"""Forms of the staff pages for an authority's offer of services."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from rathaus.catalog import claims, online
from rathaus.catalog.models import Maturity, Offer
from rathaus.core.models import Authority, OrgUnit

# The largest amount the database column holds (PositiveIntegerField, in cents).
MAX_FEE_CENTS = 2_147_483_647
TEXT_MAX_LENGTH = 10_000

# Whole euros, optionally with thousands dots (1.234), then optionally a comma and one or two
# digits of cents. A dot as decimal separator ("12.50") is refused rather than guessed.
_AMOUNT = re.compile(r"(?P<euros>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<cents>\d{1,2}))?")


def parse_euro_amount(text: str) -> int | None:
    """German amount text ("12,50", "12", "1.200,00 €") in integer cents; empty means None.

    Raises ``ValidationError`` with a message for the person who typed it.
    """
    value = text.strip().removesuffix("€").removesuffix("EUR").strip()
    if not value:
        return None
    match = _AMOUNT.fullmatch(value)
    if match is None:
        raise ValidationError(
            _("Enter the fee in euros with a comma before the cents, for example 12,50 or 12."),
            code="invalid",
        )
    euros = int(match["euros"].replace(".", ""))
    cents = int((match["cents"] or "0").ljust(2, "0"))
    total = euros * 100 + cents
    if total > MAX_FEE_CENTS:
        raise ValidationError(_("The fee is too high."), code="max_value")
    return total


def format_euro_amount(cents: int | None) -> str:
    """Cents as the text the fee field shows: 1250 → "12,50"; None → ""."""
    if cents is None:
        return ""
    euros, rest = divmod(cents, 100)
    return f"{euros},{rest:02d}"


def _long_text(label: Any, help_text: Any, *, rows: int) -> forms.CharField:
    """An optional free text of the offer, typed into a text area."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
    )


def _link(label: Any) -> forms.URLField:
    """An optional web address of the offer; one typed without a scheme gets https."""
    return forms.URLField(label=label, required=False, max_length=200, assume_scheme="https")


class KernFormMixin:
    """Gives the widgets the KERN UX classes; Django adds aria-invalid and aria-describedby."""

    fields: dict[str, forms.Field]

    def _add_kern_classes(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "kern-form-input__select")
            elif isinstance(widget, forms.Textarea | forms.widgets.Input):
                widget.attrs.setdefault("class", "kern-form-input__input")


class OfferForm(KernFormMixin, forms.Form):
    """The local details of an offer; the unit choice is limited to what the user may assign."""

    org_unit = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(),
        required=False,
        label=_("Responsible unit"),
        empty_label=_("– no unit –"),
    )
    description = _long_text(
        _("Description in plain language"),
        _("Short sentences that a citizen understands without legal knowledge."),
        rows=5,
    )
    required_documents = _long_text(_("Required documents"), _("One document per line."), rows=5)
    fee = forms.CharField(
        label=_("Fee in euros"),
        required=False,
        max_length=20,
        help_text=_("For example 12,50 or 12. Leave empty if there is no fixed amount."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    fee_text = forms.CharField(
        label=_("Fee explanation"),
        required=False,
        max_length=300,
        help_text=_("For example: 12,00 € per certificate, free of charge for pensioners."),
    )
    processing_time = forms.CharField(
        label=_("Typical processing time"), required=False, max_length=200
    )
    contact = _long_text(
        _("Contact"),
        _("Only if it differs from the contact details of the responsible unit."),
        rows=3,
    )
    opening_hours_url = _link(_("Link to the opening hours"))
    legal_basis = _long_text(
        _("Local legal basis"),
        _("For example the local fee regulation. A source can be added as [https://…]."),
        rows=3,
    )
    online_url = _link(_("Link to the online application"))
    appointment_url = _link(_("Link to book an appointment"))
    min_trust_level = forms.ChoiceField(
        label=_("Login needed for the online application"),
        choices=[
            ("basic", _("basic: account with password")),
            ("substantial", _("substantial: e.g. BundID with the online ID card")),
            ("high", _("high: online ID card")),
        ],
        initial="basic",
    )
    general_request = forms.ChoiceField(
        label=_("General request form"),
        choices=[
            ("", _("No")),
            ("1", _("Yes: citizens report this with the general request form")),
        ],
        required=False,
        help_text=_("For reports such as a pothole or a broken street lamp."),
    )
    maturity_override = forms.TypedChoiceField(
        label=_("OZG maturity level"),
        choices=[("", _("Derived from the live online ways")), *Maturity.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_(
            "The portal derives the level from what is live. Choose a level only if the "
            "derived one is wrong, and give the reason."
        ),
    )
    maturity_override_reason = forms.CharField(
        label=_("Reason for the level"), required=False, max_length=300
    )

    def __init__(
        self,
        *args: Any,
        units: QuerySet[OrgUnit],
        unit_required: bool,
        authority: Authority,
        offer: Offer | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.authority = authority
        self.offer = offer
        org_unit = cast("forms.ModelChoiceField[OrgUnit]", self.fields["org_unit"])
        org_unit.queryset = units
        if unit_required:
            # Staff who may only change their own units' offers must not create one they lose.
            org_unit.required = True
            org_unit.empty_label = _("– please choose –")
        self._add_kern_classes()

    @staticmethod
    def initial_for(offer: Offer) -> dict[str, Any]:
        return {
            "org_unit": offer.org_unit_id,
            "description": offer.description,
            "required_documents": offer.required_documents,
            "fee": format_euro_amount(offer.fee_cents),
            "fee_text": offer.fee_text,
            "processing_time": offer.processing_time,
            "contact": offer.contact,
            "opening_hours_url": offer.opening_hours_url,
            "legal_basis": offer.legal_basis,
            "online_url": offer.online_url,
            "appointment_url": offer.appointment_url,
            "min_trust_level": offer.min_trust_level,
            "general_request": "1" if offer.general_request else "",
            "maturity_override": offer.maturity_override,
            "maturity_override_reason": offer.maturity_override_reason,
        }

    def clean_general_request(self) -> bool:
        return self.cleaned_data.get("general_request") == "1"

    def clean_fee(self) -> int | None:
        return parse_euro_amount(self.cleaned_data.get("fee") or "")

    def clean_required_documents(self) -> str:
        lines = (line.strip() for line in self.cleaned_data["required_documents"].splitlines())
        return "\n".join(line for line in lines if line)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        level = data.get("maturity_override")
        reason = (data.get("maturity_override_reason") or "").strip()
        data["maturity_override_reason"] = reason
        if level is not None and not reason:
            self.add_error(
                "maturity_override_reason", _("Please give the reason for the level you set.")
            )
        elif level is None and reason:
            self.add_error("maturity_override", _("Please choose the level the reason is about."))
        for name, message in claims.problems(data, self._ways(data)).items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
        return data

    def _ways(self, data: dict[str, Any]) -> online.Ways:
        """The online ways the offer would have with these values."""
        probe = Offer(
            pk=self.offer.pk if self.offer is not None else None,
            authority=self.authority,
            online_url=data.get("online_url") or "",
            appointment_url=data.get("appointment_url") or "",
            general_request=bool(data.get("general_request")),
        )
        return online.ways_for([probe])[probe.pk]

    def offer_values(self) -> dict[str, Any]:
        """The cleaned data as the fields of ``services.save_offer``."""
        values = dict(self.cleaned_data)
        values["fee_cents"] = values.pop("fee")
        return values

    def add_service_errors(self, error: ValidationError) -> None:
        """Show the model's own validation (run by save_offer) at the matching fields."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            field = "fee" if name == "fee_cents" else name
            self.add_error(field if field in self.fields else None, errors)


class OfferFilterForm(KernFormMixin, forms.Form):
    """Filters of the staff list (GET parameters with German names)."""

    einheit = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(),
        required=False,
        to_field_name="slug",
        label=_("Responsible unit"),
        empty_label=_("All units"),
    )
    reifegrad = forms.TypedChoiceField(
        label=_("OZG maturity level"),
        choices=[("", _("All levels")), *Maturity.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[OrgUnit]", self.fields["einheit"]).queryset = units
        self._add_kern_classes()


class ServiceSearchForm(KernFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Service name, word or LeiKa key"),
        max_length=200,
        error_messages={"required": _("Please enter a word or a LeiKa key.")},
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._add_kern_classes()
