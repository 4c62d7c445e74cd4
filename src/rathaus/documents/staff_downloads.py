"""Reading the e-file's content: a version as a download or shown in the browser, and the file's
access log. Each download and preview is written to the access log first.

A version whose content is missing from the store (deleted on disk or in the bucket) is answered
with a page that says so (410), never with an error of the server.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from rathaus.core import files as core_files
from rathaus.core import refusals
from rathaus.core.staff_views import staff_required
from rathaus.documents import access, services
from rathaus.documents.models import AccessRecord, File, Version
from rathaus.documents.staff_views import (
    PREVIEWABLE,
    blob_missing,
    page_of,
    visible_document,
    visible_file,
)

# Shown in the browser: no scripts, no outside resources, no forms; a PDF opens in the browser's
# own viewer (a sandbox would block it), an image in a sandboxed page.
PDF_POLICY = "default-src 'none'; object-src 'self'; frame-ancestors 'self'"
IMAGE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def _version(request: HttpRequest, pk: int, doc: int, number: int) -> tuple[File, Version]:
    file = visible_file(request, pk)
    document = visible_document(request, file, doc)
    version = document.versions.select_related("file").filter(number=number).first()
    if version is None:
        missing = "no such version"
        raise refusals.not_found(request, Version, missing, document=document, number=number)
    version.document = document
    return file, version


def _serve(request: HttpRequest, file: File, version: Version, *, inline: bool) -> HttpResponseBase:
    if file.is_gone or blob_missing(version):
        return _missing(request, file, version)
    try:
        response = core_files.response(
            version.file, filename=version.filename, content_type=version.media_type,
            as_attachment=not inline,
        )  # fmt: skip
    except OSError:
        return _missing(request, file, version)
    action = AccessRecord.Action.PREVIEW if inline else AccessRecord.Action.DOWNLOAD
    services.record_access(version, request.user, action)
    if inline:
        policy = PDF_POLICY if version.media_type == core_files.PDF else IMAGE_POLICY
        response["Content-Security-Policy"] = policy  # django-csp leaves it as it is
    return response


def _missing(request: HttpRequest, file: File, version: Version) -> HttpResponse:
    context = {"file": file, "version": version}
    return render(request, "documents/staff/missing.html", context, status=410)


@never_cache
@require_safe
@staff_required
def version(request: HttpRequest, pk: int, doc: int, number: int) -> HttpResponseBase:
    """One version as a download (``Content-Disposition: attachment``)."""
    file, found = _version(request, pk, doc, number)
    return _serve(request, file, found, inline=False)


@never_cache
@require_safe
@staff_required
def preview(request: HttpRequest, pk: int, doc: int, number: int) -> HttpResponseBase:
    """A PDF or an image shown in the browser; any other type is a download."""
    file, found = _version(request, pk, doc, number)
    return _serve(request, file, found, inline=found.media_type in PREVIEWABLE)


@never_cache
@require_safe
@staff_required
def access_log(request: HttpRequest, pk: int) -> HttpResponse:
    """Who read which document of the file, and when: for heads of the unit only."""
    file = visible_file(request, pk)
    if not access.manages(request.user, file):
        raise PermissionDenied("only heads of unit read the access log")
    page = page_of(request, file.access_records.select_related("user"))
    return render(request, "documents/staff/access_log.html", {"file": file, "page": page})
