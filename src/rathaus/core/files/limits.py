"""Guards that refuse oversized uploads before a view reads them.

:func:`request_too_large` looks at Content-Length before the body is read, and
:class:`LimitedUploadHandler` stops a multipart request as soon as one file passes
``RATHAUS_UPLOAD_MAX_BYTES``. :class:`UploadLimitMiddleware` applies both and answers 413; it
must come before ``CsrfViewMiddleware``, which reads ``request.POST``.

Every page that states a limit takes it from here (:func:`file_limit`, :func:`size_in_words`),
so that a field's hint, a refusal and the 413 page never name different sizes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string

from rathaus.core.problems import problem


class UploadTooLarge(Exception):
    """A file in a multipart request passed ``RATHAUS_UPLOAD_MAX_BYTES`` while it arrived."""

    def __init__(self, limit: int, file_name: str | None = None) -> None:
        super().__init__(f"upload {file_name!r} is larger than {limit} bytes")
        self.limit = limit
        self.file_name = file_name


def file_limit(max_bytes: int | None = None) -> int:
    """The largest file a field takes: its own limit, never more than the installation's."""
    ceiling = int(settings.RATHAUS_UPLOAD_MAX_BYTES)
    return ceiling if max_bytes is None else min(int(max_bytes), ceiling)


def size_in_words(size: int) -> str:
    """A size as every page states it (in the active language: "20,0 MB")."""
    return str(filesizeformat(size))


def too_large_response(request: HttpRequest) -> HttpResponse:
    """413: problem+json for the API, the portal's page otherwise; both state the same limits."""
    per_file, per_request = file_limit(), int(settings.RATHAUS_UPLOAD_REQUEST_MAX_BYTES)
    if request.path.startswith("/api/"):
        detail = (
            f"The request is too large: a file may have at most {per_file} bytes, a request at "
            f"most {per_request} bytes; a field may allow less (its max_size)."
        )
        return problem(
            request,
            413,
            "Payload too large",
            detail,
            max_file_bytes=per_file,
            max_request_bytes=per_request,
        )
    context = {"per_file": size_in_words(per_file), "per_request": size_in_words(per_request)}
    # Like the 400 page, without the context processors: nothing here needs the database.
    return HttpResponse(render_to_string("errors/413.html", context), status=413)


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


class UploadLimitMiddleware:
    """Refuse oversized uploads with 413 before CsrfViewMiddleware or a view reads the body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.method == "POST" and content_type.startswith("multipart/form-data"):
            if request_too_large(request):
                return too_large_response(request)
            handlers = request.upload_handlers
            if isinstance(handlers, list):  # an ImmutableList once the body has been read
                handlers.insert(0, LimitedUploadHandler(request))
            try:
                request.FILES  # noqa: B018 (parse now, while the limit can still answer 413)
            except UploadTooLarge:
                return too_large_response(request)
        return self.get_response(request)
