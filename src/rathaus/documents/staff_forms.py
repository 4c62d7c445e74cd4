"""The forms of the e-file's staff pages: the file list's filter, a new file, and the actions on a
file and its documents. Each action form is validated here; the change itself is made by
``services``, whose refusals the views add to the form as errors."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from rathaus.core.models import OrgUnit
from rathaus.documents import access
from rathaus.documents.models import Document, File, Subject

TEXT_MAX = 100

STATUS_FILTERS = {
    "offen": _("open"),
    "abgeschlossen": _("closed, retention running"),
    "frist-abgelaufen": _("retention period ended"),
    "sperre": _("legal hold"),
    "vernichtet": _("destroyed"),
    "abgegeben": _("handed over"),
}


class KernForm(forms.Form):
    """Gives the widgets the KERN UX classes; Django adds aria-invalid and aria-describedby."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "kern-form-input__select")
            elif isinstance(widget, forms.Textarea | forms.widgets.Input):
                widget.attrs.setdefault("class", "kern-form-input__input")


def user_units(user: Any) -> QuerySet[OrgUnit]:
    """The units whose files the user works on (their memberships and the units below)."""
    from rathaus.core.scoping import unit_ids

    return OrgUnit.objects.filter(pk__in=unit_ids(user)).order_by("position", "name")


def subjects_holding_files(user: Any) -> QuerySet[Subject]:
    return access.visible_subjects(user).filter(retention_years__isnull=False).order_by("code")


class FileFilterForm(KernForm):
    """The filter of the file list (sent with GET, so a filtered list has its own address)."""

    suche = forms.CharField(
        label=_("Number or title contains"), required=False, max_length=TEXT_MAX
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    aktenplan = forms.ModelChoiceField(
        label=_("File plan subject"), queryset=Subject.objects.none(), required=False,
        empty_label=_("any"),
    )  # fmt: skip
    einheit = forms.ModelChoiceField(
        label=_("Unit"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("any")
    )

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data)
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            ("", _("any")), *STATUS_FILTERS.items()
        ]  # fmt: skip
        cast(
            "forms.ModelChoiceField[Subject]", self.fields["aktenplan"]
        ).queryset = subjects_holding_files(user)
        cast("forms.ModelChoiceField[OrgUnit]", self.fields["einheit"]).queryset = user_units(user)
        for field in self.fields.values():
            field.widget.attrs.pop("required", None)

    def filter(self, files: QuerySet[File]) -> QuerySet[File]:
        """The files that match; an invalid filter value is left out (never an error page)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        text = " ".join(str(data.get("suche") or "").split())
        if text:
            from django.db.models import Q

            files = files.filter(Q(number__icontains=text) | Q(title__icontains=text))
        files = _by_status(files, data.get("status") or "")
        if data.get("aktenplan"):
            files = files.filter(subject=data["aktenplan"])
        if data.get("einheit"):
            files = files.filter(org_unit=data["einheit"])
        return files


def _by_status(files: QuerySet[File], status: str) -> QuerySet[File]:
    from django.utils import timezone

    today = timezone.localdate()
    closed = files.filter(status=File.Status.CLOSED)
    if status == "offen":
        return files.filter(status=File.Status.OPEN)
    if status == "abgeschlossen":
        return closed.exclude(retention_ends_on__lt=today)
    if status == "frist-abgelaufen":
        return closed.filter(retention_ends_on__lt=today)
    if status == "sperre":
        return files.filter(held_at__isnull=False).exclude(
            status__in=[File.Status.DESTROYED, File.Status.HANDED_OVER]
        )
    if status == "vernichtet":
        return files.filter(status=File.Status.DESTROYED)
    if status == "abgegeben":
        return files.filter(status=File.Status.HANDED_OVER)
    return files


class NewFileForm(KernForm):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    subject = forms.ModelChoiceField(label=_("File plan subject"), queryset=Subject.objects.none())
    title = forms.CharField(label=_("Title of the file"), max_length=200)

    def __init__(self, data: Any = None, *, user: Any) -> None:
        super().__init__(data)
        cast("forms.ModelChoiceField[OrgUnit]", self.fields["unit"]).queryset = user_units(user)
        cast(
            "forms.ModelChoiceField[Subject]", self.fields["subject"]
        ).queryset = subjects_holding_files(user)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit, subject = data.get("unit"), data.get("subject")
        if unit is not None and subject is not None and unit.authority_id != subject.authority_id:
            self.add_error("subject", _("This subject belongs to another authority's file plan."))
        return data


class UploadForm(KernForm):
    upload = forms.FileField(
        label=_("File"), help_text=_("PDF, JPEG or PNG."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )  # fmt: skip


class DocumentForm(UploadForm):
    title = forms.CharField(label=_("Title of the document"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Document.Kind.choices)
    direction = forms.ChoiceField(label=_("Direction"), choices=Document.Direction.choices)
    received_on = forms.DateField(
        label=_("Date received or sent"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )  # fmt: skip
    sender = forms.CharField(label=_("Sender"), max_length=200, required=False)

    field_order = ["title", "kind", "direction", "received_on", "sender", "upload"]


class VersionForm(UploadForm):
    reason = forms.CharField(
        label=_("Reason for the new version"), max_length=300,
        help_text=_("For example: corrected, signed, complete scan."),
    )  # fmt: skip


class MoveForm(KernForm):
    target = forms.CharField(
        label=_("Number of the target file"), max_length=80,
        help_text=_("An open file of your authority that you may see."),
    )  # fmt: skip

    def __init__(self, data: Any = None, *, user: Any, document: Document, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.user, self.document = user, document

    def clean_target(self) -> File:
        number = self.cleaned_data["target"].strip()
        target = (
            access.visible_files(self.user)
            .filter(authority_id=self.document.file.authority_id, number=number)
            .first()
        )
        if target is None:
            raise forms.ValidationError(_("No file with this number that you may see."))
        if target.pk == self.document.file_id:
            raise forms.ValidationError(_("The document is already in this file."))
        return target


class AnnotationForm(KernForm):
    text = forms.CharField(
        label=_("New remark"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class HoldForm(KernForm):
    reason = forms.CharField(
        label=_("Reason for the legal hold"), max_length=300,
        help_text=_("For example the proceedings or the request that requires it."),
    )  # fmt: skip
