"""Pictures of construction projects: checked like every upload, then stored without metadata.

An upload passes :func:`rathaus.core.files.check_upload` (size, real type JPEG, PNG or WebP,
Pillow opens it as that type, virus scan). Then it is decoded and encoded again: the stored
picture keeps its pixels (turned upright as the camera's orientation says) but no EXIF, GPS
position, XMP or comments. A display version at most :data:`DISPLAY_WIDTH` pixels wide is made
at the same time and stored as a file of its own, so pages never send a camera's full picture.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps

from rathaus.core.files import (
    JPEG,
    PNG,
    WEBP,
    UploadRejected,
    UploadRules,
    check_upload,
    file_limit,
    store_bytes,
)
from rathaus.core.models import StoredFile

DISPLAY_WIDTH = 1200
PICTURE_MAX_BYTES = 15 * 1024 * 1024
ACCEPT = (JPEG, PNG, WEBP)
_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}


def rules() -> UploadRules:
    return UploadRules(accept=ACCEPT, max_bytes=file_limit(PICTURE_MAX_BYTES))


@dataclass(frozen=True)
class StoredPicture:
    file: StoredFile
    display: StoredFile
    width: int
    height: int


def _encode(image: Image.Image, media_type: str) -> bytes:
    fmt = _FORMATS[media_type]
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    options: dict[str, object] = {}
    if fmt == "JPEG":
        options = {"quality": 85, "optimize": True}
    elif fmt == "WEBP":
        options = {"quality": 85}
    elif fmt == "PNG":
        options = {"optimize": True}
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _clean(image: Image.Image) -> Image.Image:
    """The pixels only: upright, and no metadata a later save could copy."""
    upright = ImageOps.exif_transpose(image) or image
    upright.load()
    bare = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    if upright.mode == "P":
        palette = upright.getpalette()
        if palette:
            bare.putpalette(palette)
        if "transparency" in upright.info:
            bare.info["transparency"] = upright.info["transparency"]
    return bare


def store_picture(uploaded: UploadedFile) -> StoredPicture:
    """Check, clean and store an uploaded picture and its display version, or raise
    :class:`UploadRejected` with a message for the person who uploaded it."""
    checked = check_upload(uploaded, rules())
    try:
        with Image.open(checked.path) as opened:
            media_type = checked.content_type
            try:
                image = _clean(opened)
            except (OSError, ValueError) as error:
                raise UploadRejected("unreadable", str(_unreadable())) from error
    finally:
        checked.discard()
    stem = PurePosixPath(checked.original_name).stem or "bild"
    suffix = PurePosixPath(checked.original_name).suffix.lower() or ".img"
    original = store_bytes(
        _encode(image, media_type), name=f"{stem}{suffix}", media_type=media_type
    )
    display = image
    if image.width > DISPLAY_WIDTH:
        height = max(1, round(image.height * DISPLAY_WIDTH / image.width))
        display = image.resize((DISPLAY_WIDTH, height), Image.Resampling.LANCZOS)
    shown = store_bytes(
        _encode(display, media_type), name=f"{stem}-{display.width}{suffix}", media_type=media_type
    )
    return StoredPicture(original, shown, display.width, display.height)


def store_drawn(image: Image.Image, name: str) -> StoredPicture:
    """A picture that rathaus drew itself (the demo's plan drawings), stored like an upload."""
    content = _encode(image, PNG)
    original = store_bytes(content, name=name, media_type=PNG)
    return StoredPicture(original, original, image.width, image.height)


def _unreadable() -> str:
    from django.utils.translation import gettext

    return gettext("The file cannot be read. It may be damaged.")
