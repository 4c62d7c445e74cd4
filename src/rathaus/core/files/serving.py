"""Handing stored files out: one response, after the caller's permission check."""

from __future__ import annotations

from django.http import FileResponse

from rathaus.core.models import StoredFile


def response(
    stored: StoredFile,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    as_attachment: bool = True,
) -> FileResponse:
    """The file as a download; never sniffed as another type, never cached by the browser."""
    result = FileResponse(
        stored.open(),
        as_attachment=as_attachment,
        filename=filename or stored.name,
        content_type=content_type or stored.media_type,
    )
    result["X-Content-Type-Options"] = "nosniff"
    return result
