"""Forms of the public notice pages: the filters (``bereich``, ``jahr``) and the subscription."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.noticeboard.models import Category
from rathaus.noticeboard.public import LABELS, SLUG_OF, SLUGS

FIRST_YEAR = 1990


def _category_choices() -> list[tuple[str, Any]]:
    return [("", _("All notice categories"))] + [
        (slug, LABELS[category]) for slug, category in SLUGS.items()
    ]


class CategoryFilter(forms.Form):
    bereich = forms.ChoiceField(
        label=_("Notice category"), required=False, choices=_category_choices
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bereich"].widget.attrs["class"] = "kern-form-input__select"

    def category(self) -> Category | None:
        if not self.is_bound or not self.is_valid() or not self.cleaned_data["bereich"]:
            return None
        return SLUGS[self.cleaned_data["bereich"]]


class ArchiveFilter(CategoryFilter):
    jahr = forms.IntegerField(
        label=_("Year"), required=False, min_value=FIRST_YEAR,
        help_text=_("The year the display began, e.g. 2025."),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = self.fields["jahr"]
        last = timezone.localdate().year + 1
        year.validators.append(MaxValueValidator(last))
        year.widget.attrs.update({"class": "kern-form-input__input", "inputmode": "numeric",
                                  "max": last})  # fmt: skip

    def year(self) -> int | None:
        if not self.is_bound or not self.is_valid():
            return None
        value: int | None = self.cleaned_data["jahr"]
        return value


class SubscriptionForm(forms.Form):
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)
    categories = forms.MultipleChoiceField(
        label=_("Notices about"),
        choices=[(slug, LABELS[category]) for slug, category in SLUGS.items()],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Please choose at least one category.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update(
            {"class": "kern-form-input__input", "autocomplete": "email"}
        )

    def chosen(self) -> list[str]:
        """The chosen categories as model values."""
        return [SLUGS[slug].value for slug in self.cleaned_data["categories"]]


def slug_of(category: str) -> str:
    return SLUG_OF.get(category, "")
