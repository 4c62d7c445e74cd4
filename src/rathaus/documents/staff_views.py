"""The e-file for staff (/verwaltung/akten/): the file list, the file plan, a file with its
documents and versions, and a document with its actions.

Staff find only files of their units (``access.visible_files``); any other file is a 404. Every
change goes through ``services``; a refusal (``FileRefused``) is shown as an error of the form it
came from, on the page the form was on. Everything works without JavaScript: each action is a
form that posts to the page and is answered with a redirect, or with the page and its errors.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from rathaus.core import files as core_files
from rathaus.core import refusals
from rathaus.core.bounds import parse_id
from rathaus.core.staff_views import staff_required
from rathaus.documents import access, services
from rathaus.documents.models import AccessRecord, Document, File, Subject, Version
from rathaus.documents.staff_forms import (
    AnnotationForm,
    DocumentForm,
    FileFilterForm,
    HoldForm,
    MoveForm,
    NewFileForm,
    VersionForm,
)

PAGE_SIZE = 25
PREVIEWABLE = (core_files.PDF, core_files.JPEG, core_files.PNG)


def page_of(request: HttpRequest, rows: Any) -> Page[Any]:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("seite"))


def query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("seite", None)
    return query.urlencode()


# --- the list and the file plan -----------------------------------------------------------------


@never_cache
@require_safe
@staff_required
def file_list(request: HttpRequest) -> HttpResponse:
    form = FileFilterForm(request.GET or None, user=request.user)
    listed = form.filter(access.visible_files(request.user)).select_related("subject", "org_unit")
    page = page_of(request, listed)
    return render(
        request,
        "documents/staff/files.html",
        {"form": form, "page": page, "query": query_without_page(request)},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def new_file(request: HttpRequest) -> HttpResponseBase:
    form = NewFileForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            file = services.create_file(
                unit=form.cleaned_data["unit"], subject=form.cleaned_data["subject"],
                title=form.cleaned_data["title"], user=request.user,
            )  # fmt: skip
        except services.FileRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("The file %(number)s was created.") % {"number": file})
            return redirect("documents:file", file.pk)
    return render(request, "documents/staff/new_file.html", {"form": form})


@never_cache
@require_safe
@staff_required
def plan(request: HttpRequest) -> HttpResponse:
    """The file plan of the user's authorities as a tree, with the files the user may see."""
    counts = dict(
        access.visible_files(request.user)
        .values_list("subject")
        .annotate(count=Count("pk"))
        .values_list("subject", "count")
    )
    subjects = list(access.visible_subjects(request.user).select_related("authority"))
    children: dict[int | None, list[Subject]] = {}
    for subject in subjects:
        subject.visible_files = counts.get(subject.pk, 0)  # type: ignore[attr-defined]
        children.setdefault(subject.parent_id, []).append(subject)
    known = {subject.pk for subject in subjects}
    for subject in subjects:
        subject.nodes = children.get(subject.pk, [])  # type: ignore[attr-defined]
    roots = [s for s in subjects if s.parent_id is None or s.parent_id not in known]
    return render(request, "documents/staff/plan.html", {"roots": roots})


# --- one file -----------------------------------------------------------------------------------


def visible_file(request: HttpRequest, pk: int) -> File:
    file = (
        access.visible_files(request.user)
        .select_related("subject", "org_unit", "authority", "case", "held_by", "closed_by")
        .filter(pk=pk)
        .first()
    )
    if file is None:
        raise refusals.not_found(request, File, "no such file in the user's units", pk=pk)
    return file


def visible_document(request: HttpRequest, file: File, doc: int) -> Document:
    document = file.documents.filter(pk=doc).first()
    if document is None:
        raise refusals.not_found(request, Document, "no such document in this file", pk=doc)
    document.file = file
    return document


def blob_missing(version: Version) -> bool:
    """The version's content is not in the store (deleted on disk or in the bucket)."""
    try:
        return not core_files.blob_exists(version.file.key)
    except (OSError, ValueError):
        return True


def with_versions(documents: QuerySet[Document]) -> list[Document]:
    """The documents, each with its versions (newest first), whether each one's content is
    there, and its latest version."""
    versions = Version.objects.select_related("file", "created_by").order_by("-number")
    rows = list(documents.prefetch_related(Prefetch("versions", queryset=versions)))
    for document in rows:
        listed = list(document.versions.all())
        for version in listed:
            version.missing = blob_missing(version)  # type: ignore[attr-defined]
            version.previewable = version.media_type in PREVIEWABLE  # type: ignore[attr-defined]
        document.listed_versions = listed  # type: ignore[attr-defined]
        document.latest = listed[0] if listed else None  # type: ignore[attr-defined]
    return rows


EVENT_LABELS = {
    "file_created": gettext_lazy("File created"),
    "document_added": gettext_lazy("Document added"),
    "version_added": gettext_lazy("New version"),
    "version_final": gettext_lazy("Version marked final"),
    "document_moved_out": gettext_lazy("Document moved to another file"),
    "document_moved_in": gettext_lazy("Document moved here from another file"),
    "annotated": gettext_lazy("Remark written"),
    "file_closed": gettext_lazy("File closed"),
    "hold_set": gettext_lazy("Legal hold set"),
    "hold_lifted": gettext_lazy("Legal hold lifted"),
    "filing_refused": gettext_lazy("Documents of the case not filed (file not open)"),
    "case_forwarded": gettext_lazy("Case handed to another authority"),
    "retention_ended": gettext_lazy("Retention period ended"),
    "deletion_requested": gettext_lazy("Deletion requested"),
    "deletion_approved": gettext_lazy("Deletion approved"),
    "deletion_rejected": gettext_lazy("Deletion rejected"),
    "deletion_withdrawn": gettext_lazy("Deletion request withdrawn"),
    "file_destroyed": gettext_lazy("File destroyed"),
    "xdomea_exported": gettext_lazy("Exported as xdomea message"),
    "handed_over": gettext_lazy("Handed over to the archive"),
    "file_imported": gettext_lazy("Imported from an xdomea message"),
}


HISTORY_DETAILS = ("title", "version", "reason", "to", "source", "receiver", "process_id")


def history(file: File) -> list[dict[str, Any]]:
    rows = []
    for event in file.events.all():
        label = EVENT_LABELS.get(event.kind)
        detail = event.detail or {}
        rows.append({
            "event": event,
            "label": str(label) if label else event.kind,
            "detail": ", ".join(
                str(detail[key]) for key in HISTORY_DETAILS
                if detail.get(key) not in (None, "")
            ),
        })  # fmt: skip
    return rows


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def file_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    file = visible_file(request, pk)
    forms: dict[str, Any] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        answer = _act_on_file(request, file, action, forms)
        if answer is not None:
            return answer
    return render_file(request, file, forms)


def render_file(request: HttpRequest, file: File, forms: dict[str, Any]) -> HttpResponse:
    may_manage = access.manages(request.user, file)
    context = {
        "file": file,
        "documents": with_versions(file.documents.all()),
        "history": history(file),
        "may_manage": may_manage,
        "document_form": forms.get("upload") or DocumentForm(prefix="doc"),
        "hold_form": forms.get("hold") or HoldForm(prefix="hold"),
    }
    return render(request, "documents/staff/file.html", context)


def _act_on_file(
    request: HttpRequest, file: File, action: str, forms: dict[str, Any]
) -> HttpResponseBase | None:
    """Run a posted action of the file page: a redirect when done, None to show the errors."""
    form: Any
    if action == "upload":
        form = DocumentForm(request.POST, request.FILES, prefix="doc")
        forms["upload"] = form
        if form.is_valid() and store_upload(form, file, request.user, document=None):
            messages.success(request, _("The document was added to the file."))
            return redirect("documents:file", file.pk)
        return closed_refusal(request, file, form, reverse("documents:file", args=[file.pk]))
    if action in ("hold", "lift_hold"):
        if not access.manages(request.user, file):
            raise PermissionDenied("only heads of unit set or lift a legal hold")
        if action == "lift_hold":
            services.lift_hold(file, request.user)
            messages.success(request, _("The legal hold was lifted."))
            return redirect("documents:file", file.pk)
        form = HoldForm(request.POST, prefix="hold")
        forms["hold"] = form
        if form.is_valid() and refused_as_error(
            form, lambda: services.hold(file, request.user, form.cleaned_data["reason"])
        ):
            messages.success(request, _("The file is under a legal hold now."))
            return redirect("documents:file", file.pk)
        return None
    messages.error(request, _("Unknown action."))
    return redirect("documents:file", file.pk)


def closed_refusal(
    request: HttpRequest, file: File, form: Any, back: str
) -> HttpResponseBase | None:
    """The page of a closed file has no upload form to show the refusal in: a message then."""
    if file.is_open or not form.non_field_errors():
        return None
    for error in form.non_field_errors():
        messages.error(request, error)
    return redirect(back)


def refused_as_error(form: Any, change: Any) -> bool:
    """Run a change of ``services``; its refusal becomes an error of the form (False)."""
    try:
        change()
    except services.FileRefused as refused:
        form.add_error(None, str(refused))
        return False
    return True


def store_upload(form: Any, file: File, user: Any, *, document: Document | None) -> bool:
    """Check and keep the uploaded file, then file it as a new document or a new version.

    A file the checks refuse is not kept; a stored file whose filing is refused is released
    again, so nothing stays half-stored."""
    from rathaus.cases.documents import upload_rules

    if not file.is_open:  # the service refuses too; spare the virus scan
        form.add_error(None, _("This file is closed: its documents can only be annotated."))
        return False
    try:
        stored = core_files.check_and_store(form.cleaned_data["upload"], upload_rules())
    except core_files.UploadRejected as rejected:
        form.add_error("upload", rejected.message)
        return False
    content = services.NewContent(stored.file, stored.original_name)
    data = form.cleaned_data
    try:
        if document is None:
            services.add_document(
                file, content, title=data["title"], kind=data["kind"],
                direction=data["direction"], received_on=data.get("received_on"),
                sender=data.get("sender") or "", user=user,
            )  # fmt: skip
        else:
            services.add_version(document, content, user=user, reason=data["reason"])
    except services.FileRefused as refused:
        core_files.release([stored.file])
        form.add_error(None, str(refused))
        return False
    except BaseException:
        core_files.release([stored.file])
        raise
    return True


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def close_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Close the file, after asking: nothing can be added afterwards and its retention starts."""
    file = visible_file(request, pk)
    if request.method == "POST":
        try:
            if file.case_id is not None:  # what the case holds goes in before the file closes
                _file_the_case(file)
            services.close(file, request.user)
        except services.FileRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("The file was closed."))
        return redirect("documents:file", file.pk)
    return render(request, "documents/staff/close.html", {"file": file})


def _file_the_case(file: File) -> None:
    from rathaus.documents import filing

    if file.case is None:
        return
    try:
        filing.sync_case(file.case)
    except filing.FilingFailed as failed:
        raise services.FileRefused(
            _(
                "Some documents of the case could not be filed yet, so the file stays open. "
                "Please try again in a few minutes."
            )
        ) from failed


# --- one document -------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def document_detail(request: HttpRequest, pk: int, doc: int) -> HttpResponseBase:
    file = visible_file(request, pk)
    document = visible_document(request, file, doc)
    forms: dict[str, Any] = {}
    if request.method == "POST":
        answer = _act_on_document(request, file, document, forms)
        if answer is not None:
            return answer
    document = with_versions(Document.objects.filter(pk=document.pk).select_related("file"))[0]
    document.file = file
    latest = document.latest  # type: ignore[attr-defined]
    if request.method == "GET" and latest is not None:
        services.record_access(latest, request.user, AccessRecord.Action.VIEW)
    context = {
        "file": file,
        "document": document,
        "latest": latest,
        "annotations": list(document.annotations.select_related("created_by")),
        "version_form": forms.get("version") or VersionForm(prefix="version"),
        "move_form": forms.get("move")
        or MoveForm(prefix="move", user=request.user, document=document),
        "annotation_form": forms.get("annotate") or AnnotationForm(prefix="note"),
    }
    return render(request, "documents/staff/document.html", context)


def _act_on_document(
    request: HttpRequest, file: File, document: Document, forms: dict[str, Any]
) -> HttpResponseBase | None:
    action = request.POST.get("action", "")
    back = reverse("documents:document", args=[file.pk, document.pk])
    if action == "version":
        form: Any = VersionForm(request.POST, request.FILES, prefix="version")
        forms["version"] = form
        if form.is_valid() and store_upload(form, file, request.user, document=document):
            messages.success(request, _("The new version was added."))
            return redirect(back)
        return closed_refusal(request, file, form, back)
    if action == "final":
        number = parse_id(request.POST.get("version", ""))
        version = document.versions.filter(number=number).first() if number else None
        if version is None:
            messages.error(request, _("Unknown version."))
            return redirect(back)
        try:
            services.mark_final(version, request.user)
        except services.FileRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("Version %(number)s is marked final.") % {"number": number})
        return redirect(back)
    if action == "move":
        form = MoveForm(request.POST, prefix="move", user=request.user, document=document)
        forms["move"] = form
        if form.is_valid():
            target = form.cleaned_data["target"]
            if refused_as_error(form, lambda: services.move(document, target, request.user)):
                messages.success(
                    request, _("The document is now in file %(number)s.") % {"number": target}
                )
                return redirect("documents:file", file.pk)
        return None
    if action == "annotate":
        form = AnnotationForm(request.POST, prefix="note")
        forms["annotate"] = form
        if form.is_valid() and refused_as_error(
            form, lambda: services.annotate(document, request.user, form.cleaned_data["text"])
        ):
            messages.success(request, _("The remark was saved."))
            return redirect(back)
        return None
    messages.error(request, _("Unknown action."))
    return redirect(back)
