"""Forms of the school IT staff pages: a device, a loan and its return, a care record, an
invitation, the CSV import and working a support request."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rathaus.core.forms import kern_widgets
from rathaus.schools.importer import cents
from rathaus.schools.models import CareRecord, Device, Room, School, SupportRequest

DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DAY_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]


class DeviceForm(forms.ModelForm):  # type: ignore[type-arg]
    price = forms.CharField(
        label=_("price in euros"),
        required=False,
        max_length=20,
        help_text=_("Gross price, e.g. 3.499,00."),
    )

    class Meta:
        model = Device
        fields = [
            "kind",
            "model_name",
            "inventory_number",
            "serial",
            "purchase_date",
            "funding_source",
            "warranty_end",
            "managed_by",
            "state",
            "room",
            "school_class",
            "person",
            "notes",
        ]
        widgets = {
            "purchase_date": DAY,
            "warranty_end": DAY,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.school = school
        rooms = self.fields["room"]
        rooms.queryset = Room.objects.filter(school=school)  # type: ignore[attr-defined]
        for name in ("purchase_date", "warranty_end"):
            self.fields[name].input_formats = DAY_FORMATS  # type: ignore[attr-defined]
        if self.instance.pk and self.instance.price_cents is not None:
            self.initial["price"] = f"{Decimal(self.instance.price_cents) / 100:.2f}".replace(
                ".", ","
            )
        self.fields["school_class"].help_text = _("If the device belongs to a class, e.g. 7b.")
        self.fields["person"].help_text = _("If the device is given to a person, e.g. a teacher.")
        kern_widgets(self)

    def clean_serial(self) -> str:
        serial: str = self.cleaned_data["serial"].strip()
        taken = Device.objects.filter(school=self.school, serial=serial).exclude(
            pk=self.instance.pk
        )
        if serial and taken.exists():
            raise forms.ValidationError(_("A device of this school has this serial number."))
        return serial

    def clean_price(self) -> int | None:
        price: str = self.cleaned_data["price"].strip()
        if not price:
            return None
        try:
            return cents(price)
        except (InvalidOperation, ValueError):
            raise forms.ValidationError(
                _("Please give the price in euros, e.g. 499,00 (at most 1.000.000,00).")
            ) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("purchase_date"), data.get("warranty_end")
        if start and end and end < start:
            self.add_error("warranty_end", _("The warranty cannot end before the purchase."))
        data["price_cents"] = data.get("price")
        return data

    def values(self) -> dict[str, Any]:
        return {**self.cleaned_data}


class LoanForm(forms.Form):
    pupil = forms.CharField(label=_("pupil"), max_length=200)
    school_class = forms.CharField(label=_("class"), max_length=40)
    guardian = forms.CharField(
        label=_("parent or guardian"), max_length=200, help_text=_("Signs the loan agreement.")
    )
    due_on = forms.DateField(
        label=_("to be returned by"), required=False, widget=DAY, input_formats=DAY_FORMATS
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kern_widgets(self)


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("condition on return"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kern_widgets(self)


class CareRecordForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = CareRecord
        fields = ["kind", "date", "title", "description", "participants"]
        widgets = {"date": DAY, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].input_formats = DAY_FORMATS  # type: ignore[attr-defined]
        kern_widgets(self)


class InviteForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    email = forms.EmailField(label=_("e-mail address"), max_length=254)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kern_widgets(self)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: school, inventory_number, kind, serial, model, purchase_date, "
            "price, funding_source, warranty_end, managed_by, room. UTF-8 or "
            "Windows-1252, separated by semicolons or commas."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kern_widgets(self)


class WorkForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=SupportRequest.Status.choices)
    priority = forms.ChoiceField(label=_("priority"), choices=SupportRequest.Priority.choices)
    note = forms.CharField(
        label=_("note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The teacher sees the note."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kern_widgets(self)
