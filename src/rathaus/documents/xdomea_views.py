"""The xdomea page for heads of unit (/verwaltung/akten/xdomea/): download the offer list (0501)
or the hand-over (0503) of chosen files, confirm a hand-over, import a 0503 (ADR 0045).

Only files of units the user manages (head of unit or administrator there, and the units below)
are listed and accepted; the forms post without JavaScript.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from rathaus.core import roles, scoping
from rathaus.core.bounds import parse_id
from rathaus.core.models import OrgUnit
from rathaus.core.staff_views import staff_required
from rathaus.documents import handover
from rathaus.documents import xdomea_schema as xs
from rathaus.documents.models import File, Subject
from rathaus.documents.services import FileRefused
from rathaus.documents.xdomea_export import ExportFailed, receiver_name, record_export, write_zip
from rathaus.documents.xdomea_import import ImportRejected, import_zip

MAX_LISTED = 500
MAX_PROBLEMS_SHOWN = 50
KINDS = {
    xs.OFFER: gettext_lazy("Offer list (0501): metadata for the archive's evaluation"),
    xs.HAND_OVER: gettext_lazy("Hand-over (0503): the files with all documents and versions"),
}


def managed_units(user: Any) -> QuerySet[OrgUnit]:
    """The units the user heads or administers, and every unit below them."""
    found = scoping.unit_ids(user, roles=roles.MANAGING)
    return OrgUnit.objects.filter(pk__in=found).order_by("authority__name", "position", "name")


class _NotAHead(Exception):
    """The user heads or administers no unit."""


def _refused(request: HttpRequest) -> HttpResponse:
    message = _("Only heads of unit can exchange files with the archive.")
    return render(request, "documents/staff/forbidden.html", {"message": message}, status=403)


def _heads_only(view: Callable[[HttpRequest], HttpResponseBase]) -> Callable[..., Any]:
    """Answer 403 in the staff frame for a user who heads no unit (after ``staff_required``)."""

    @wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponseBase:
        try:
            return view(request)
        except _NotAHead:
            return _refused(request)

    return wrapper


def _managed_files(request: HttpRequest) -> QuerySet[File]:
    units = managed_units(request.user)
    if not units.exists():
        raise _NotAHead
    return (
        File.objects.filter(org_unit__in=units)
        .exclude(status__in=[File.Status.DESTROYED, File.Status.HANDED_OVER])
        .select_related("subject", "org_unit", "authority")
        .order_by("number")
    )


class ImportForm(forms.Form):
    zip = forms.FileField(
        label=gettext_lazy("xdomea message (ZIP)"),
        help_text=gettext_lazy("A hand-over message 0503 as a ZIP file."),
    )
    unit = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label=gettext_lazy("Unit"))
    subject = forms.ModelChoiceField(
        queryset=Subject.objects.none(),
        required=False,
        label=gettext_lazy("File plan subject"),
        help_text=gettext_lazy("Empty: the subject for files not yet assigned in the file plan."),
    )

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["unit"].queryset = units
        fields["unit"].initial = units.first()  # as the command: the first unit by default
        fields["subject"].queryset = Subject.objects.filter(
            authority__in=units.values("authority"), retention_years__isnull=False
        ).order_by("code")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit, subject = data.get("unit"), data.get("subject")
        if unit is not None and subject is not None and subject.authority_id != unit.authority_id:
            self.add_error("subject", _("The subject belongs to another authority's file plan."))
        return data


class HandOverForm(forms.Form):
    process_id = forms.RegexField(
        regex=r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$",
        label=gettext_lazy("Process id of the hand-over message"),
        help_text=gettext_lazy("The beginning of the ZIP's name, before “_Aussonderung”."),
        error_messages={"invalid": gettext_lazy("Enter the process id (a UUID).")},
    )
    confirmed = forms.BooleanField(
        label=gettext_lazy("The archive has received this message."),
        error_messages={"required": gettext_lazy("Please confirm that the archive has it.")},
    )


def _render(
    request: HttpRequest,
    files: QuerySet[File],
    *,
    import_form: ImportForm | None = None,
    hand_over_form: HandOverForm | None = None,
    status: int = 200,
) -> HttpResponse:
    units = managed_units(request.user)
    context = {
        "files": list(files[:MAX_LISTED]),
        "more": files.count() > MAX_LISTED,
        "kinds": list(KINDS.items()),
        "import_form": import_form or ImportForm(units=units),
        "hand_over_form": hand_over_form or HandOverForm(),
    }
    return render(request, "documents/staff/xdomea.html", context, status=status)


@never_cache
@require_safe
@staff_required
@_heads_only
def page(request: HttpRequest) -> HttpResponse:
    return _render(request, _managed_files(request))


@never_cache
@require_POST
@staff_required
@_heads_only
def export(request: HttpRequest) -> HttpResponseBase:
    files = _managed_files(request)
    wanted = [pk for pk in map(parse_id, request.POST.getlist("akte")) if pk is not None]
    chosen = list(files.filter(pk__in=wanted).prefetch_related("documents__versions"))
    kind = request.POST.get("art", "")
    if not chosen or kind not in KINDS:
        messages.error(request, _("Choose at least one file and the kind of message."))
        return redirect("documents:xdomea")
    authority = chosen[0].authority
    if any(file.authority_id != authority.pk for file in chosen):
        messages.error(request, _("One message can only hold files of one authority."))
        return redirect("documents:xdomea")
    receiver = receiver_name(authority)
    target = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    try:
        message = write_zip(kind, chosen, target, authority=authority, receiver=receiver)
    except ExportFailed as exc:
        target.close()
        messages.error(request, _("The message could not be made: %s") % exc)
        return redirect("documents:xdomea")
    record_export(chosen, message, receiver, request.user)
    target.seek(0)
    return FileResponse(
        target, as_attachment=True, filename=message.zip_name, content_type="application/zip"
    )


@never_cache
@require_POST
@staff_required
@_heads_only
def hand_over(request: HttpRequest) -> HttpResponse:
    files = _managed_files(request)
    form = HandOverForm(request.POST)
    if not form.is_valid():
        return _render(request, files, hand_over_form=form, status=400)
    process_id = form.cleaned_data["process_id"].lower()
    carried = handover.carried_by(process_id, files)
    if not carried:
        form.add_error("process_id", _("No file of yours was in a hand-over with this id."))
        return _render(request, files, hand_over_form=form, status=400)
    for file, receiver in carried:
        try:
            handover.hand_over(file, request.user, receiver=receiver, process_id=process_id)
        except FileRefused as exc:
            messages.warning(request, _("%(number)s kept: %(reason)s")
                             % {"number": file.number, "reason": exc})  # fmt: skip
        else:
            messages.success(request, _("%(number)s handed over to %(archive)s.")
                             % {"number": file.number, "archive": receiver})  # fmt: skip
    return redirect("documents:xdomea")


@never_cache
@require_POST
@staff_required
@_heads_only
def import_message(request: HttpRequest) -> HttpResponse:
    files = _managed_files(request)
    form = ImportForm(request.POST, request.FILES, units=managed_units(request.user))
    if not form.is_valid():
        return _render(request, files, import_form=form, status=400)
    upload = form.cleaned_data["zip"]
    try:
        imported = import_zip(
            upload, unit=form.cleaned_data["unit"], subject=form.cleaned_data["subject"],
            user=request.user,
        )  # fmt: skip
    except (ImportRejected, FileRefused) as exc:
        problems = exc.problems if isinstance(exc, ImportRejected) else [str(exc)]
        for problem in problems[:MAX_PROBLEMS_SHOWN]:
            form.add_error("zip", problem)
        if len(problems) > MAX_PROBLEMS_SHOWN:
            form.add_error("zip", _("… and %s more.") % (len(problems) - MAX_PROBLEMS_SHOWN))
        return _render(request, files, import_form=form, status=400)
    numbers = ", ".join(file.number for file in imported.files)
    messages.success(request, _("Imported as %(numbers)s.") % {"numbers": numbers})
    return redirect("documents:xdomea")
