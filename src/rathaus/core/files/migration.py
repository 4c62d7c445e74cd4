"""Moving the files of an existing installation onto stored files, for data migrations.

Each data migration reads every old file (a path below ``MEDIA_ROOT``, a ``FileField`` or bytes
in the database), keeps it as a content-addressed blob, writes a ``core.StoredFile`` row through
the migration's historical model and links it from the old row. A file that cannot be read
stops the migration with its row and path named: the rows must not point to nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings

from rathaus.core.files.store import put_bytes


def read_media(name: str) -> bytes:
    """A file below MEDIA_ROOT, by the relative name the old rows kept."""
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / name).resolve()
    if root not in path.parents:
        raise ValueError(f"not below MEDIA_ROOT: {name!r}")
    return path.read_bytes()


def link_files(
    apps: Any,
    model: str,
    *,
    read: Callable[[Any], bytes],
    name: Callable[[Any], str],
    media_type: Callable[[Any], str],
    field: str = "stored_file",
) -> None:
    """Give every row of ``model`` ("app.Model") a stored file with the content ``read`` gives."""
    stored_file = apps.get_model("core", "StoredFile")
    rows = apps.get_model(*model.split("."))
    for row in rows.objects.order_by("pk").iterator():
        try:
            content = read(row)
        except OSError as exc:
            raise RuntimeError(f"{model} {row.pk}: cannot read its file: {exc}") from exc
        key, sha256 = put_bytes(content)
        created = stored_file.objects.create(
            name=name(row)[:200],
            media_type=media_type(row),
            size=len(content),
            sha256=sha256,
            key=key,
        )
        # update(), not save(): written-once models refuse save() of an existing row.
        rows.objects.filter(pk=row.pk).update(**{field: created})
