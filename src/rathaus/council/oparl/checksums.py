"""The SHA-1 and SHA-512 sums OParl names for a file, read from its stored content.

The stored file keeps only its SHA-256; the sums OParl asks for are computed the first time the
file is served or fetched alone and kept on the row (without changing ``modified``: the content
is the same). Lists show what is kept, so a file nobody fetched yet has no sums there.
"""

from __future__ import annotations

import hashlib

from rathaus.council.models import File

CHUNK = 1024 * 1024


def complete(file: File) -> None:
    if file.stored is None or (file.sha1_checksum and file.sha512_checksum):
        return
    sha1 = hashlib.sha1(usedforsecurity=False)
    sha512 = hashlib.sha512()
    with file.stored.open() as handle:
        while chunk := handle.read(CHUNK):
            sha1.update(chunk)
            sha512.update(chunk)
    file.sha1_checksum = sha1.hexdigest()
    file.sha512_checksum = sha512.hexdigest()
    File.objects.filter(pk=file.pk).update(
        sha1_checksum=file.sha1_checksum, sha512_checksum=file.sha512_checksum
    )
