"""Guards that refuse oversized uploads before a view reads them.

:func:`request_too_large` looks at Content-Length before the body is read, and
:class:`LimitedUploadHandler` stops a multipart request as soon as one file passes
``RATHAUS_UPLOAD_MAX_BYTES``. :class:`UploadLimitMiddleware` applies both and answers 413; it
must come before ``CsrfViewMiddleware``, which reads ``request.POST``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext


class UploadTooLarge(Exception):
    """A file in a multipart request passed ``RATHAUS_UPLOAD_MAX_BYTES`` while it arrived."""

    def __init__(self, limit: int, file_name: str | None = None) -> None:
        super().__init__(f"upload {file_name!r} is larger than {limit} bytes")
        self.limit = limit
        self.file_name = file_name


# --- request guards --------------------------------------------------------------------------


def request_too_large(request: HttpRequest) -> bool:
    """Whether the declared body passes ``RATHAUS_UPLOAD_REQUEST_MAX_BYTES``; reads nothing."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False  # Django reads no body without a valid length
    return length > settings.RATHAUS_UPLOAD_REQUEST_MAX_BYTES


class LimitedUploadHandler(FileUploadHandler):
    """First in the handler chain: raises UploadTooLarge once a file passes the limit.

    The later handlers (memory, temporary file) have then received at most the limit and are
    told to discard what they have; the rest of the request body is not read.
    """

    def __init__(self, request: HttpRequest | None = None, max_bytes: int | None = None) -> None:
        super().__init__(request)
        self.max_bytes = settings.RATHAUS_UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
        self.received = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        if self.content_length is not None and self.content_length > self.max_bytes:
            self._abort()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self._abort()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    def _abort(self) -> None:
        if self.request is not None:
            for handler in self.request.upload_handlers:
                if handler is not self:
                    handler.upload_interrupted()
        raise UploadTooLarge(self.max_bytes, self.file_name)


def _too_large_response(limit: int) -> HttpResponse:
    message = gettext(
        "The upload is too large. A file may have at most %(limit)s. Please go back and choose "
        "a smaller file."
    ) % {"limit": filesizeformat(limit)}
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


class UploadLimitMiddleware:
    """Refuse oversized uploads with 413 before CsrfViewMiddleware or a view reads the body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.method == "POST" and content_type.startswith("multipart/form-data"):
            if request_too_large(request):
                return _too_large_response(settings.RATHAUS_UPLOAD_MAX_BYTES)
            handlers = request.upload_handlers
            if isinstance(handlers, list):  # an ImmutableList once the body has been read
                handlers.insert(0, LimitedUploadHandler(request))
            try:
                request.FILES  # noqa: B018 (parse now, while the limit can still answer 413)
            except UploadTooLarge as exc:
                return _too_large_response(exc.limit)
        return self.get_response(request)
