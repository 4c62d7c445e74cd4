"""The content of a council file: ``accessUrl`` (inline) and ``downloadUrl`` (attachment).

Both answer GET and HEAD with Content-Type, Content-Length, ETag, Last-Modified and
Content-Disposition (``inline`` for the access address: OParl forbids ``attachment`` there).
404 for a file without a live public owner (deleted, only in non-public agenda items, only in
deleted meetings or papers — see :mod:`.visibility`), a file of another authority's council and
an imported file whose content is not stored here (its object names the source's addresses
instead).

The content goes out with the media type the upload checks found in it (``StoredFile``), never
the ``mimeType`` a file's record claims (an import may claim anything), and with
``X-Content-Type-Options: nosniff`` and ``Content-Security-Policy: sandbox`` (not for a PDF shown
inline: browsers' PDF viewers do not run in a sandboxed document). Only types that
cannot run scripts are shown inline (:data:`INLINE`); the access address gives every other type
as an attachment too.
"""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header, http_date
from django.views.decorators.http import require_safe

from rathaus.core.tenancy import current_authority
from rathaus.council.models import File
from rathaus.council.oparl import checksums, responses
from rathaus.council.oparl.visibility import served

INLINE = frozenset(
    {"application/pdf", "image/png", "image/jpeg", "image/webp", "image/gif", "text/plain"}
)
"""Media types a browser may show at the access address: none of them runs scripts (HTML,
SVG and XML do, so they are attachments only)."""


def _servable(request: HttpRequest, pk: int) -> File | None:
    return (
        File.objects.filter(
            pk=pk,
            body__authority=current_authority(request),
            stored__isnull=False,
        )
        .filter(served())
        .select_related("stored")
        .defer("text")
        .first()
    )


def _serve(request: HttpRequest, pk: int, as_attachment: bool) -> HttpResponseBase:
    file = _servable(request, pk)
    if file is None or file.stored is None:
        return responses.not_found("No such file.")
    stored = file.stored
    checksums.complete(file)
    etag = f'"{stored.sha256}"'
    name = file.file_name or stored.name
    media_type = (stored.media_type or "application/octet-stream").split(";")[0].strip().lower()
    as_attachment = as_attachment or media_type not in INLINE
    content_type = media_type
    if request.headers.get("If-None-Match") == etag:
        response: HttpResponseBase = HttpResponseNotModified()
    elif request.method == "HEAD":
        response = HttpResponse(content_type=content_type)
        response["Content-Length"] = str(stored.size)
    else:
        response = FileResponse(
            stored.open(), as_attachment=as_attachment, filename=name, content_type=content_type
        )
        response["Content-Length"] = str(stored.size)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(file.modified.timestamp())
    disposition = content_disposition_header(as_attachment, name)
    if disposition:
        response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    if as_attachment or media_type != "application/pdf":
        # A sandboxed document may not use plugins: Chromium's PDF viewer would show nothing.
        # A PDF's scripts run in the viewer, never with the portal's origin.
        response["Content-Security-Policy"] = "sandbox"
    return responses.cors(response)


@require_safe
def access(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _serve(request, pk, as_attachment=False)


@require_safe
def download(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _serve(request, pk, as_attachment=True)
