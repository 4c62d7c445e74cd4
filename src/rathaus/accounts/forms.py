from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.forms.widgets import Input
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.accounts.models import Account
from rathaus.core.forms import BoundedDateField
from rathaus.core.models import PostalPlace


class KernForm(forms.Form):
    """Puts the KERN UX input class on text-like widgets."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, Input) and not isinstance(
                widget, forms.CheckboxInput | forms.RadioSelect
            ):
                widget.attrs.setdefault("class", "kern-form-input__input")


def email_field(help_text: Any = "") -> forms.EmailField:
    """The citizen's own e-mail address, which the browser may fill in."""
    return forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=help_text,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


def _new_password_field(label: Any, help_text: Any = "") -> forms.CharField:
    """A password being chosen; the browser may offer to generate and store it."""
    return forms.CharField(
        label=label,
        strip=False,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


_PASSWORD_HELP = _("At least 12 characters. A short sentence is easy to remember.")


def _check_new_password(form: forms.Form, data: dict[str, Any], user: Any = None) -> None:
    """The password typed twice is the same and passes the password validators."""
    password1, password2 = data.get("password1"), data.get("password2")
    if password1 and password2 and password1 != password2:
        form.add_error("password2", _("The two passwords are not the same."))
    if password1:
        try:
            password_validation.validate_password(password1, user)
        except forms.ValidationError as exc:
            form.add_error("password1", exc)


class PersonCheckForm(KernForm):
    """A form with the person check (ADR 0006): the solution of the ALTCHA widget, or without
    JavaScript the answer to a question in words (``accounts/_person_check.html`` shows both).

    The check runs after every other check of the form and only when they passed, because a
    solution can be used only once. Its fields come last, but before ``after_person_check``.
    """

    after_person_check: tuple[str, ...] = ()

    altcha = forms.CharField(required=False, widget=forms.HiddenInput)
    question_token = forms.CharField(required=False, widget=forms.HiddenInput)
    question_answer = forms.CharField(label=_("Answer"), required=False, max_length=10)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("altcha", "question_token", "question_answer", *self.after_person_check):
            self.fields[name] = self.fields.pop(name)

    def full_clean(self) -> None:
        super().full_clean()
        cleaned = getattr(self, "cleaned_data", None)
        if cleaned is not None and not self.errors and not self._is_a_person(cleaned):
            self.add_error(
                None,
                _("Please confirm that you are a person: tick the box, or answer the question."),
            )

    @staticmethod
    def _is_a_person(data: dict[str, Any]) -> bool:
        from rathaus.accounts import altcha

        if data.get("altcha"):
            return altcha.verify_widget(data["altcha"])
        if data.get("question_answer"):
            return altcha.verify_answer(data.get("question_token", ""), data["question_answer"])
        return False


class RegistrationForm(PersonCheckForm):
    after_person_check = ("privacy",)

    kind = forms.ChoiceField(
        label=_("I register as"), choices=Account.Kind.choices, widget=forms.RadioSelect,
        initial=Account.Kind.PERSON,
    )  # fmt: skip
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    organisation_name = forms.CharField(
        label=_("Name of the business or organisation"), max_length=200, required=False,
        help_text=_("Only for businesses and organisations."),
    )  # fmt: skip
    email = email_field()
    password1 = _new_password_field(_("Password"), _PASSWORD_HELP)
    password2 = _new_password_field(_("Password again"))
    privacy = forms.BooleanField(
        label=_("I have read the privacy notice and agree that my data is stored for my account."),
        error_messages={"required": _("Please agree to the privacy notice to open an account.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Account.Kind.ORGANISATION and not data.get("organisation_name"):
            self.add_error("organisation_name", _("Please enter the name of the organisation."))
        _check_new_password(self, data)
        return data


class LoginForm(KernForm):
    email = forms.CharField(
        label=_("E-mail address"), max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username"}),
    )  # fmt: skip
    password = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )  # fmt: skip


class ResendForm(KernForm):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)


class ProfileForm(KernForm):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    organisation_name = forms.CharField(
        label=_("Name of the business or organisation"), max_length=200, required=False
    )
    date_of_birth = BoundedDateField(
        label=_("Date of birth"), required=False,
        help_text=_("For example 24.12.1955"),
        input_formats=["%d.%m.%Y", "%Y-%m-%d"],
        error_messages={"invalid": _("Please enter the date like 24.12.1955.")},
    )  # fmt: skip
    street = forms.CharField(label=_("Street and number"), max_length=200, required=False)
    postal_code = forms.CharField(
        label=_("Postal code"), max_length=5, required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )  # fmt: skip
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("Phone"), max_length=40, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )  # fmt: skip

    def clean_date_of_birth(self) -> Any:
        value = self.cleaned_data.get("date_of_birth")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        return value

    def clean_postal_code(self) -> str:
        value: str = self.cleaned_data.get("postal_code", "").strip()
        if value and not PostalPlace.objects.filter(postal_code=value).exists():
            raise forms.ValidationError(
                _("We do not know this postal code. Please check the five digits.")
            )
        return value


class PasswordResetRequestForm(KernForm):
    email = email_field()


class SetPasswordForm(KernForm):
    password1 = _new_password_field(_("New password"), _PASSWORD_HELP)
    password2 = _new_password_field(_("New password again"))

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_new_password(self, data, self.user)
        return data


class PasswordChangeForm(KernForm):
    """The current password, then the new one twice. The current one is checked like a login
    (same slow-down and lock after wrong attempts): a session left open on a shared computer must
    not become a way to try passwords."""

    current_password = forms.CharField(
        label=_("Current password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )  # fmt: skip
    password1 = _new_password_field(_("New password"), _PASSWORD_HELP)
    password2 = _new_password_field(_("New password again"))

    def __init__(self, user: Any, request: Any, *args: Any, **kwargs: Any) -> None:
        self.user = user
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_current_password(self) -> str:
        from rathaus.accounts import providers

        value: str = self.cleaned_data["current_password"]
        local = providers.password_provider("local")
        result = local.authenticate(self.request, self.user.get_username(), value)
        if result is None or result.user.pk != self.user.pk:
            raise forms.ValidationError(_("The current password is not correct."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_new_password(self, data, self.user)
        current, new = data.get("current_password"), data.get("password1")
        if current and new and current == new:
            self.add_error("password1", _("The new password must differ from the current one."))
        return data


class DeleteAccountForm(KernForm):
    confirm_email = forms.CharField(
        label=_("To confirm, type your e-mail address"), max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )  # fmt: skip

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_confirm_email(self) -> str:
        value: str = self.cleaned_data["confirm_email"].strip().lower()
        if value != self.email.lower():
            raise forms.ValidationError(_("This is not the e-mail address of your account."))
        return value
