from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from rathaus.core.bounds import FIRST_DAY, LAST_DAY, parse_id


class BoundedDateField(forms.DateField):
    """A date between 1900 and 2999 (ADR 0022): 9999-12-31 would overflow when a day is added."""

    default_validators = [MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)]


class StaffLoginForm(forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("Six-digit code from your authenticator app"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={"invalid": _("Enter the six digits shown in your authenticator app.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": "7"}
        ),
    )

    def clean_token(self) -> str:
        return "".join(self.cleaned_data["token"].split())


class DateInput(forms.DateInput):
    """A browser date picker. Its value must be ISO 8601 (2026-12-07) in every language: a
    German "07.12.2026" is not a valid value of ``<input type="date">``, which then shows an
    empty field instead of the date the form proposes."""

    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    """A browser time picker, with its value as hours and minutes (09:30) in every language."""

    input_type = "time"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class BoundedModelChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A choice of a row by its id: a value that cannot be an id (more than 18 digits, not a
    number) is an invalid choice, not a database error (ADR 0022)."""

    def to_python(self, value: Any) -> Any:
        if (
            value not in self.empty_values
            and self.to_field_name is None
            and parse_id(str(value)) is None
        ):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Several rows by their ids, bounded as :class:`BoundedModelChoiceField`."""

    def _check_values(self, value: Any) -> Any:
        if self.to_field_name is None:
            for each in value if isinstance(value, list | tuple | set | frozenset) else [value]:
                if parse_id(str(each)) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": each},
                    )
        return super()._check_values(value)  # type: ignore[misc]


class BoundedDateTimeField(forms.DateTimeField):
    """A moment between 1900 and 2999 (ADR 0022): year 1 overflows in time zone arithmetic."""

    def to_python(self, value: Any) -> Any:
        try:
            moment = super().to_python(value)
        except OverflowError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if moment is not None and not FIRST_DAY <= moment.date() <= LAST_DAY:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return moment


def bound_outside_values(form: forms.BaseForm) -> None:
    """Give a form's generated fields the bounded classes above: model choices by id, dates
    and moments (ModelForms make plain Django fields)."""
    for field in form.fields.values():
        if type(field) is forms.ModelMultipleChoiceField:
            field.__class__ = BoundedModelMultipleChoiceField
        elif type(field) is forms.ModelChoiceField:
            field.__class__ = BoundedModelChoiceField
        elif type(field) is forms.DateTimeField:
            field.__class__ = BoundedDateTimeField
        elif type(field) is forms.DateField:
            field.__class__ = BoundedDateField


def kern_widgets(form: forms.BaseForm) -> None:
    """The KERN UX classes on a form's controls, and the bounds of ``bound_outside_values`` on
    what its fields take (ADR 0022). Django adds ``aria-invalid`` and ``aria-describedby``;
    check boxes and radio buttons are laid out by their templates."""
    bound_outside_values(form)
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
            continue
        if isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "kern-form-input__select")
        elif isinstance(widget, forms.widgets.Input | forms.Textarea):
            widget.attrs.setdefault("class", "kern-form-input__input")
