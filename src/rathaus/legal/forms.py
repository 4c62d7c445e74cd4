"""The forms of the legal pages: the staff form for the texts, the feedback form."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rathaus.catalog.forms import KernFormMixin
from rathaus.legal.feedback import MESSAGE_MAX
from rathaus.legal.models import LegalTexts
from rathaus.legal.services import TEXT_FIELDS

TEXTAREA = forms.Textarea(attrs={"rows": 4})
LONG_TEXTAREA = forms.Textarea(attrs={"rows": 12})


if TYPE_CHECKING:
    _LegalTextsFormBase = forms.ModelForm[LegalTexts]  # generic only in django-stubs
else:
    _LegalTextsFormBase = forms.ModelForm


class LegalTextsForm(KernFormMixin, _LegalTextsFormBase):
    video = forms.FileField(
        label=_("New video in sign language (MP4 or WebM, at most 20 MB)"), required=False
    )
    captions = forms.FileField(label=_("New captions for the video (WebVTT)"), required=False)
    remove_video = forms.BooleanField(label=_("Remove the video"), required=False)
    remove_captions = forms.BooleanField(label=_("Remove the captions"), required=False)

    class Meta:
        model = LegalTexts
        fields = TEXT_FIELDS
        widgets = {
            "supervisory_authority": TEXTAREA,
            "imprint_notes": TEXTAREA,
            "data_protection_officer": TEXTAREA,
            "data_protection_authority": TEXTAREA,
            "privacy_notes": TEXTAREA,
            "accessibility_contact": TEXTAREA,
            "conciliation_body": TEXTAREA,
            "easy_language": LONG_TEXTAREA,
            "sign_language": LONG_TEXTAREA,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._add_kern_classes()
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput | forms.ClearableFileInput):
                field.widget.attrs.pop("class", None)
        self.fields["video"].widget.attrs["accept"] = ".mp4,.m4v,.webm,video/mp4,video/webm"
        self.fields["captions"].widget.attrs["accept"] = ".vtt,text/vtt"

    def text_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in TEXT_FIELDS}


class FeedbackForm(KernFormMixin, forms.Form):
    """A report of a barrier; only the description is required."""

    message = forms.CharField(
        label=_("What does not work?"),
        help_text=_(
            "Please describe the barrier, for example which part of a page you cannot use."
        ),
        min_length=10,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    page = forms.CharField(
        label=_("On which page? (optional)"),
        help_text=_("The address or the title of the page."),
        max_length=300,
        required=False,
    )
    name = forms.CharField(label=_("Your name (optional)"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("Your e-mail address (optional)"),
        help_text=_("Only if you want an answer."),
        max_length=254,
        required=False,
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=40, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._add_kern_classes()
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        if not self.is_bound:
            self.initial["key"] = secrets.token_urlsafe(16)

    def answers(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[name].strip() for name in ("message", "page", "name", "email")
        }
