"""Content-addressed blobs in the ``files`` storage, and the :class:`StoredFile` rows naming them.

A blob's key is derived from its SHA-256 (``blobs/ab/cd/abcd…``), so the same content stored
twice is one blob, and a key can never be chosen from outside. The storage is Django's storage
alias ``files`` (``STORAGES``): the file system below ``MEDIA_ROOT`` or an S3-compatible store,
chosen by configuration (ADR 0019). Rows of other apps point to a :class:`StoredFile` with
``on_delete=PROTECT``; :func:`release` deletes a stored file once nothing points to it, and the
blob once no stored file names it.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError

from rathaus.core.files.checks import CheckedUpload
from rathaus.core.models import StoredFile

STORAGE_ALIAS = "files"
_KEY = re.compile(r"^blobs/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}$")


def storage() -> Storage:
    """The storage that holds the blobs (``STORAGES["files"]``)."""
    return storages[STORAGE_ALIAS]


def blob_key(sha256: str) -> str:
    key = f"blobs/{sha256[:2]}/{sha256[2:4]}/{sha256}"
    if not _KEY.fullmatch(key):
        raise ValueError(f"not a SHA-256: {sha256!r}")
    return key


def _checked_key(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


def open_blob(key: str) -> IO[bytes]:
    """A blob for reading; serve it only after a permission check."""
    return storage().open(_checked_key(key), "rb")


def blob_exists(key: str) -> bool:
    return storage().exists(_checked_key(key))


if TYPE_CHECKING:
    _BytesFile = File[bytes]  # generic only in django-stubs
else:
    _BytesFile = File


class _LocalFile(_BytesFile):
    """A checked file on local disk: the file system storage renames it into place."""

    def __init__(self, handle: IO[bytes], path: Path) -> None:
        super().__init__(handle, name=path.name)
        self._path = path

    def temporary_file_path(self) -> str:
        return str(self._path)


def _put(key: str, content: File[bytes]) -> None:
    backend = storage()
    if backend.exists(key):
        return  # the same content is stored already
    saved = backend.save(key, content)
    if saved != key:  # stored by someone else in the meantime; the file system kept both
        backend.delete(saved)


def put_bytes(content: bytes) -> tuple[str, str]:
    """Store content as a blob (once); its key and SHA-256. Used by data migrations too."""
    sha256 = hashlib.sha256(content).hexdigest()
    key = blob_key(sha256)
    _put(key, ContentFile(content, name=sha256))
    return key, sha256


def store_bytes(content: bytes, *, name: str, media_type: str) -> StoredFile:
    """Keep content that rathaus made itself (a PDF, an e-mail attachment)."""
    key, sha256 = put_bytes(content)
    return StoredFile.objects.create(
        name=name[:200], media_type=media_type, size=len(content), sha256=sha256, key=key
    )


def store_checked(checked: CheckedUpload) -> StoredFile:
    """Keep a file that passed :func:`~rathaus.core.files.checks.check_upload`."""
    key = blob_key(checked.sha256)
    try:
        with open(checked.path, "rb") as handle:
            _put(key, _LocalFile(handle, checked.path))
    finally:
        checked.discard()
    return StoredFile.objects.create(
        name=checked.original_name,
        media_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        key=key,
    )


def release(files: Iterable[StoredFile | uuid.UUID | str | None]) -> None:
    """Delete the stored files that no row points to any more; their blobs once unused.

    Call it after deleting the rows that pointed to them; a file still in use is kept. The
    blob goes when the transaction commits and no stored file names its key.
    """
    for item in files:
        if item is None:
            continue
        found = StoredFile.objects.filter(pk=item.pk if isinstance(item, StoredFile) else item)
        stored = found.first()
        if stored is None:
            continue
        try:
            with transaction.atomic():
                stored.delete()
        except (ProtectedError, RestrictedError):
            continue  # still in use
        transaction.on_commit(partial(_delete_unused_blob, stored.key))


def forget(stored: StoredFile) -> None:
    """After the transaction that created ``stored`` failed: remove its blob unless another
    stored file names the same content."""
    if not StoredFile.objects.filter(key=stored.key).exclude(pk=stored.pk).exists():
        storage().delete(_checked_key(stored.key))


def _delete_unused_blob(key: str) -> None:
    if not StoredFile.objects.filter(key=key).exists():
        storage().delete(_checked_key(key))
