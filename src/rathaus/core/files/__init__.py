"""One abstraction for every stored file (ADR 0019).

- :func:`check_upload` runs the upload checks (ADR 0008) on a file from outside,
  :func:`check_and_store` runs them and keeps the file;
- :func:`store_bytes` keeps a file that rathaus made (a decision letter, a receipt);
- a :class:`~rathaus.core.models.StoredFile` row names the file (name, media type, size,
  SHA-256) and its content-addressed blob in the storage alias ``files``;
- :func:`release` deletes stored files that nothing points to any more, and their blobs;
- :func:`response` hands a file out after the caller's permission check.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile

from rathaus.core.files.checks import (
    DOCX,
    HEIC,
    JPEG,
    MP4,
    ODT,
    PDF,
    PNG,
    SUPPORTED_TYPES,
    VTT,
    WEBM,
    WEBP,
    CheckedUpload,
    UploadRejected,
    UploadRules,
    allowed_in_words,
    check_upload,
    sanitize_name,
)
from rathaus.core.files.limits import file_limit, size_in_words
from rathaus.core.files.serving import response
from rathaus.core.files.store import (
    blob_exists,
    blob_key,
    forget,
    open_blob,
    put_bytes,
    release,
    storage,
    store_bytes,
    store_checked,
)
from rathaus.core.models import StoredFile


@dataclass(frozen=True)
class StoredUpload:
    """An upload that passed the checks and was kept: its stored file and its SHA-512 (which
    FIT-Connect and the API report)."""

    file: StoredFile
    sha512: str

    @property
    def original_name(self) -> str:
        return self.file.name

    @property
    def content_type(self) -> str:
        return self.file.media_type

    @property
    def size(self) -> int:
        return self.file.size


def check_and_store(uploaded: UploadedFile, rules: UploadRules) -> StoredUpload:
    """Check an uploaded file against the rules and keep it, or raise :class:`UploadRejected`."""
    checked = check_upload(uploaded, rules)
    return StoredUpload(store_checked(checked), checked.sha512)


__all__ = [
    "DOCX",
    "HEIC",
    "JPEG",
    "MP4",
    "ODT",
    "PDF",
    "PNG",
    "SUPPORTED_TYPES",
    "VTT",
    "WEBM",
    "WEBP",
    "CheckedUpload",
    "StoredFile",
    "StoredUpload",
    "UploadRejected",
    "UploadRules",
    "allowed_in_words",
    "blob_exists",
    "blob_key",
    "check_and_store",
    "check_upload",
    "file_limit",
    "forget",
    "open_blob",
    "put_bytes",
    "release",
    "response",
    "sanitize_name",
    "size_in_words",
    "storage",
    "store_bytes",
    "store_checked",
]
