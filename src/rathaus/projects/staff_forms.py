"""Forms of the staff pages of digital projects. Amounts are typed in euro (``80.000,00``) and
kept in cents; the grant's rules are those of :func:`rathaus.projects.services.check_grant`,
so the form and the service give the same message."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from rathaus.core.forms import DateInput, kern_widgets
from rathaus.core.models import Authority, OrgUnit
from rathaus.projects import services
from rathaus.projects.models import (
    Extension,
    Milestone,
    PaperLink,
    Payment,
    Programme,
    Project,
    ReportDeadline,
    Risk,
)

MAX_EURO = Decimal("100000000000")  # 100 billion: far above any grant of a town
DATES = {"widget": DateInput}


class EuroField(forms.Field):
    """An amount in euro (``80.000,00`` or ``80000.5``), cleaned to integer cents."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", _("In euro, e.g. 80.000,00"))
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "inputmode": "decimal", "maxlength": "30"}

    def to_python(self, value: Any) -> int | None:
        text = re.sub(r"[\s€]", "", str(value or ""))[:40]
        if not text:
            return None
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        elif text.count(".") > 1 or re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
            text = text.replace(".", "")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValidationError(_("Please give an amount in euro, e.g. 80.000,00.")) from None
        if not amount.is_finite() or amount < 0 or amount > MAX_EURO:
            raise ValidationError(_("Please give an amount in euro, e.g. 80.000,00."))
        if amount != amount.quantize(Decimal("0.01")):
            raise ValidationError(_("Please give at most two digits after the comma."))
        return int(amount * 100)


class _KernForm(forms.ModelForm):  # type: ignore[type-arg]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kern_widgets(self)


class ProjectForm(_KernForm):
    class Meta:
        model = Project
        fields = [
            "title",
            "goal",
            "unit",
            "responsible",
            "partners",
            "status",
            "status_note",
            "public",
            "position",
        ]
        widgets = {
            "goal": forms.Textarea(attrs={"rows": 3}),
            "partners": forms.Textarea(attrs={"rows": 3}),
            "status_note": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, authority: Authority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = OrgUnit.objects.filter(authority=authority)  # type: ignore[attr-defined]
        self.fields["responsible"].queryset = (  # type: ignore[attr-defined]
            get_user_model()
            .objects.filter(
                is_staff=True, is_active=True, memberships__org_unit__authority=authority
            )
            .distinct()
            .order_by("last_name", "first_name")
        )
        self.fields["responsible"].label_from_instance = (  # type: ignore[attr-defined]
            lambda user: user.get_full_name() or user.get_username()
        )


class MilestoneForm(_KernForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_on", "reached_on"]
        widgets = {"due_on": DateInput, "reached_on": DateInput}


class RiskForm(_KernForm):
    class Meta:
        model = Risk
        fields = ["description", "likelihood", "measure"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "measure": forms.Textarea(attrs={"rows": 2}),
        }


class PaperForm(_KernForm):
    class Meta:
        model = PaperLink
        fields = ["reference", "title"]
        help_texts = {
            "reference": _("As the council's information system shows it, e.g. IV-0012/2020")
        }


class ProgrammeForm(_KernForm):
    class Meta:
        model = Programme
        fields = ["name", "funder", "guideline"]


class GrantForm(forms.Form):
    programme = forms.ModelChoiceField(Programme.objects.none(), label=_("funding programme"))
    amount_cents = EuroField(label=_("grant"))
    eligible_cents = EuroField(label=_("eligible costs"))
    own_share_percent = forms.DecimalField(
        label=_("own share in percent"),
        max_digits=6,
        decimal_places=2,
        localize=True,
        help_text=_("Of the eligible costs, e.g. 20 or 35,5"),
    )
    cofinancing_cents = EuroField(label=_("co-financing"), required=False)
    cofinancing_by = forms.CharField(label=_("co-financed by"), max_length=200, required=False)
    period_start = forms.DateField(label=_("funding period from"), widget=DateInput)
    period_end = forms.DateField(label=_("funding period until"), widget=DateInput)

    def __init__(self, *args: Any, authority: Authority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.filter(authority=authority)  # type: ignore[attr-defined]
        kern_widgets(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["cofinancing_cents"] = data.get("cofinancing_cents") or 0
        try:
            services.check_grant(data)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                if name in self.fields and name not in self.errors:
                    self.add_error(name, messages)
        return data


class ExtensionForm(_KernForm):
    class Meta:
        model = Extension
        fields = ["decided_on", "new_end", "reason"]
        widgets = {"decided_on": DateInput, "new_end": DateInput}


class PaymentForm(_KernForm):
    amount_cents = EuroField(label=_("amount"))

    class Meta:
        model = Payment
        fields = ["kind", "on", "amount_cents", "note"]
        widgets = {"on": DateInput}


class DeadlineForm(_KernForm):
    class Meta:
        model = ReportDeadline
        fields = ["title", "due_on"]
        widgets = {"due_on": DateInput}


class DayForm(forms.Form):
    on = forms.DateField(label=_("date"), widget=DateInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kern_widgets(self)
