"""Forms of the staff pages of official notices: the notice, an attachment, a withdrawal and the
list's filter."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rathaus.core.forms import kern_widgets
from rathaus.noticeboard import publication
from rathaus.noticeboard.models import Notice

ATTACHMENT_MAX_BYTES = 30 * 1024 * 1024
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%d.%m.%Y, %H:%M"]

FILTERS = {
    "entwurf": Notice.Status.DRAFT,
    "geplant": Notice.Status.SCHEDULED,
    "aushang": Notice.Status.ON_DISPLAY,
    "beendet": Notice.Status.ENDED,
    "zurueckgezogen": Notice.Status.WITHDRAWN,
}
"""The list's filters as they appear in the address (``?status=aushang``)."""


def _moment(label: Any, help_text: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, help_text=help_text, input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )  # fmt: skip


class NoticeForm(forms.ModelForm[Notice]):
    display_from = _moment(
        gettext_lazy("On display from"),
        gettext_lazy("Day and time, e.g. 08.12.2026 00:00. The notice is put up then."),
    )
    display_until = _moment(
        gettext_lazy("On display until"),
        gettext_lazy("Day and time of the end of the period the main statute prescribes."),
    )

    class Meta:
        model = Notice
        fields = [
            "title", "category", "summary", "text", "display_from", "display_until",
            "signed_place", "signed_on", "signed_by",
        ]  # fmt: skip
        widgets = {
            "text": forms.Textarea(attrs={"rows": 14}),
            "summary": forms.Textarea(attrs={"rows": 2}),
            "signed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["signed_on"].input_formats = ["%Y-%m-%d", "%d.%m.%Y"]  # type: ignore[attr-defined]
        # A notice is always signed; the model allows a blank one, scheduling checks it again.
        for name in ("signed_place", "signed_on", "signed_by"):
            self.fields[name].required = True
        kern_widgets(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("display_from"), data.get("display_until")
        if start and end and end <= start:
            self.add_error("display_until", _("The end must be after the start."))
        # A start typed now is checked as scheduling checks it, so the refusal comes at once;
        # an unchanged start of a draft stays (the draft's page lists it as a problem).
        if start and self._start_changed(start) and (refusal := publication.backdated(start)):
            self.add_error("display_from", refusal)
        return data

    def _start_changed(self, start: datetime) -> bool:
        # The field shows minutes: a start sent back within the same minute is the same start.
        before = self.instance.display_from if self.instance.pk else None
        return before is None or abs(start - before) >= timedelta(minutes=1)


class AttachmentForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title of the attachment"), max_length=200)
    file = forms.FileField(
        label=gettext_lazy("File (PDF or image)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,.pdf,image/png,image/jpeg,.png,.jpg,.jpeg"}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kern_widgets(self)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for the withdrawal"), max_length=300,
        help_text=gettext_lazy("It is kept in the proof of display, e.g. “Fehler im Text; "
                               "Berichtigung folgt”."),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kern_widgets(self)

    def clean_reason(self) -> str:
        reason = " ".join(str(self.cleaned_data.get("reason", "")).split())
        if not reason:
            raise forms.ValidationError(_("Please give the reason for the withdrawal."))
        return reason
