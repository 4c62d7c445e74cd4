"""The forms of the cash office's pages: the list's filter, the day of the reconciliation, the
actions on a payment request, the fee table and the cash office settings. Amounts are entered
in euros and kept in cents; the changes themselves are made by ``services``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import iban as stdnum_iban

from rathaus.core.forms import BoundedDateField
from rathaus.payments.models import CashOffice, Fee, PaymentRequest
from rathaus.payments.providers.base import providers

TEXT_MAX = 100
MAX_EUROS = Decimal("100000.00")


class KernForm(forms.Form):
    """Gives the widgets the KERN UX classes; Django adds aria-invalid and aria-describedby."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "kern-form-input__select")
            elif isinstance(widget, forms.CheckboxInput):
                continue
            elif isinstance(widget, forms.Textarea | forms.widgets.Input):
                widget.attrs.setdefault("class", "kern-form-input__input")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def euros_field(label: Any, required: bool = True, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal("0.01"),
        max_value=MAX_EUROS,
        max_digits=8,
        decimal_places=2,
        localize=True,
        **kwargs,
    )


def cents(value: Decimal) -> int:
    return int((value * 100).to_integral_value())


def euros(cents_value: int | None) -> Decimal | None:
    return None if cents_value is None else Decimal(cents_value) / 100


class PaymentFilterForm(KernForm):
    """The list's filter (sent with GET, so a filtered list has its own address)."""

    suche = forms.CharField(
        label=_("Cash reference, purpose or payer contains"), required=False, max_length=TEXT_MAX
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("all")), *PaymentRequest.Status.choices],
    )
    anbieter = forms.ChoiceField(label=_("Provider"), required=False)  # choices: see __init__
    von = BoundedDateField(label=_("Created from"), required=False, widget=DateInput())
    bis = BoundedDateField(label=_("Created until"), required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["anbieter"] = forms.ChoiceField(
            label=_("Provider"), required=False, choices=[("", _("all")), *providers.choices()]
        )
        self.fields["anbieter"].widget.attrs["class"] = "kern-form-input__select"

    def filter(self, rows: QuerySet[PaymentRequest]) -> QuerySet[PaymentRequest]:
        if not self.is_bound or not self.is_valid():
            return rows
        data = self.cleaned_data
        if data["status"]:
            rows = rows.filter(status=data["status"])
        if data["anbieter"]:
            rows = rows.filter(provider=data["anbieter"])
        zone = timezone.get_current_timezone()
        if data["von"]:
            rows = rows.filter(
                created_at__gte=dt.datetime.combine(data["von"], dt.time.min, tzinfo=zone)
            )
        if data["bis"]:
            end = data["bis"] + dt.timedelta(days=1)
            rows = rows.filter(created_at__lt=dt.datetime.combine(end, dt.time.min, tzinfo=zone))
        for word in data["suche"].split()[:10]:
            rows = rows.filter(
                Q(kassenzeichen__icontains=word)
                | Q(purpose__icontains=word)
                | Q(payer_name__icontains=word)
            )
        return rows


class DayForm(KernForm):
    tag = BoundedDateField(label=_("Day"), required=False, widget=DateInput())

    def day(self) -> dt.date:
        if self.is_bound and self.is_valid() and self.cleaned_data["tag"]:
            return self.cleaned_data["tag"]  # type: ignore[no-any-return]
        return timezone.localdate()


class ReceivedForm(KernForm):
    notiz = forms.CharField(
        label=_("Note (e.g. paid at the cash desk, bank statement)"),
        required=False,
        max_length=500,
    )


class CancelForm(KernForm):
    grund = forms.CharField(label=_("Reason for the cancellation"), max_length=500)


class RefundForm(KernForm):
    betrag = euros_field(_("Amount to pay back in euros"))
    grund = forms.CharField(label=_("Reason for the refund"), max_length=500)


class FeeForm(KernForm):
    code = forms.SlugField(
        label=_("Code"),
        max_length=60,
        help_text=_("Short name forms use, e.g. geburtsurkunde (letters, digits, -)."),
    )
    label = forms.CharField(label=_("Label"), max_length=200)
    betrag = euros_field(_("Fee in euros"))
    weitere = euros_field(
        _("Fee of each further copy in euros"),
        required=False,
        help_text=_("Empty: every copy costs the full fee."),
    )
    rechtsgrundlage = forms.CharField(label=_("Legal basis"), max_length=300, required=False)

    def __init__(self, *args: Any, authority: Any, fee: Fee | None = None, **kwargs: Any) -> None:
        self.authority = authority
        self.fee = fee
        if fee is not None and not args and "data" not in kwargs:
            kwargs["initial"] = {
                "code": fee.code,
                "label": fee.label,
                "betrag": euros(fee.amount_cents),
                "weitere": euros(fee.further_copy_cents),
                "rechtsgrundlage": fee.legal_basis,
            }
        super().__init__(*args, **kwargs)

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        taken = Fee.objects.filter(authority=self.authority, code=code)
        if self.fee is not None:
            taken = taken.exclude(pk=self.fee.pk)
        if taken.exists():
            raise ValidationError(_("The fee table has an entry with this code already."))
        return code

    def save(self) -> Fee:
        data = self.cleaned_data
        fee = self.fee or Fee(authority=self.authority)
        fee.code = data["code"]
        fee.label = data["label"]
        fee.amount_cents = cents(data["betrag"])
        fee.further_copy_cents = cents(data["weitere"]) if data["weitere"] is not None else None
        fee.legal_basis = data["rechtsgrundlage"]
        fee.save()
        return fee


class CashOfficeForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = CashOffice
        fields = [
            "name",
            "kassenzeichen_pattern",
            "provider",
            "account_holder",
            "iban",
            "bic",
            "bank",
            "days_to_pay",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"] = forms.ChoiceField(
            label=_("online payment provider"), choices=providers.choices()
        )
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "kern-form-input__select")
            else:
                widget.attrs.setdefault("class", "kern-form-input__input")

    def clean_kassenzeichen_pattern(self) -> str:
        from rathaus.payments import services

        pattern: str = self.cleaned_data["kassenzeichen_pattern"]
        office = CashOffice(kassenzeichen_pattern=pattern)
        try:
            services.kassenzeichen(office, 2026, 1)
        except (KeyError, IndexError, ValueError):
            raise ValidationError(
                _("The pattern may only use {year} and {number}, e.g. {year}-{number:06d}.")
            ) from None
        except services.PaymentRefused as refused:
            raise ValidationError(str(refused)) from None
        return pattern

    def clean_iban(self) -> str:
        value = "".join(self.cleaned_data["iban"].split()).upper()
        if value and not stdnum_iban.is_valid(value):
            raise ValidationError(_("Please check the IBAN: its check digits do not match."))
        return value
