"""Pictures of construction projects: checked like every upload, then stored without metadata.

An upload passes :func:`rathaus.core.files.check_upload` (size, real type JPEG, PNG or WebP,
Pillow opens it as that type, virus scan). Then it is decoded and encoded again: the stored
picture keeps its pixels (turned upright as the camera's orientation says) but no EXIF, GPS
position, XMP, ICC profile or comments. A display version at most :data:`DISPLAY_WIDTH` pixels
wide is made at the same time and stored as a file of its own, so pages never send a camera's
full picture.

Memory: the upload checks allow Pillow's limit (about 89 megapixels), but a picture of a
construction project needs far less, and every decoded copy of a 9,400 × 9,400 RGBA picture
takes 350 MB. So a picture over :data:`MAX_PIXELS` is refused from its header, before its pixels
are decoded; then the pixels are decoded once, copied once without their metadata (turned
upright in the same step), the original is encoded and the display version is made from that
copy in place (``thumbnail``, which reduces in steps). Pictures over :data:`LARGE_PIXELS` are
encoded without ``optimize``, which costs minutes and memory on large PNGs.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.files.uploadedfile import UploadedFile
from PIL import ExifTags, Image

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
MAX_PIXELS = 40_000_000
LARGE_PIXELS = 4_000_000
PICTURE_MAX_BYTES = 15 * 1024 * 1024
ACCEPT = (JPEG, PNG, WEBP)
_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}  # the EXIF orientation → what turns the picture upright (as ImageOps.exif_transpose)


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
    optimize = image.width * image.height <= LARGE_PIXELS
    options: dict[str, object] = {}
    if fmt == "JPEG":
        options = {"quality": 85, "optimize": optimize}
    elif fmt == "WEBP":
        options = {"quality": 85}
    elif fmt == "PNG":
        options = {"optimize": optimize}
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _clean(opened: Image.Image) -> Image.Image:
    """The pixels only: decoded once, upright, and one copy without any metadata (EXIF, GPS,
    XMP, ICC profile, comments) a later save could write; a palette picture keeps its palette
    and its transparent colour."""
    opened.load()
    upright = _UPRIGHT.get(opened.getexif().get(ExifTags.Base.Orientation, 1))
    bare = opened.transpose(upright) if upright is not None else opened.copy()
    bare.info = {key: value for key, value in opened.info.items() if key == "transparency"}
    return bare


def _too_large() -> str:
    from django.utils.translation import gettext

    return gettext(
        "The picture has too many pixels: at most %(limit)s megapixels are possible. Please "
        "make it smaller and upload it again."
    ) % {"limit": MAX_PIXELS // 1_000_000}


def store_picture(uploaded: UploadedFile) -> StoredPicture:
    """Check, clean and store an uploaded picture and its display version, or raise
    :class:`UploadRejected` with a message for the person who uploaded it."""
    checked = check_upload(uploaded, rules())
    try:
        with Image.open(checked.path) as opened:
            width, height = opened.size  # from the header: nothing is decoded yet
            if width * height > MAX_PIXELS:
                raise UploadRejected("image_too_large", _too_large())
            media_type = checked.content_type
            try:
                image = _clean(opened)
            except (OSError, ValueError, Image.DecompressionBombError) as error:
                raise UploadRejected("unreadable", str(_unreadable())) from error
            opened.close()  # frees the decoded pixels: the clean copy is all that is needed
    finally:
        checked.discard()
    stem = PurePosixPath(checked.original_name).stem or "bild"
    suffix = PurePosixPath(checked.original_name).suffix.lower() or ".img"
    original = store_bytes(
        _encode(image, media_type), name=f"{stem}{suffix}", media_type=media_type
    )
    if image.width > DISPLAY_WIDTH:  # in place: the original is stored already
        height = max(1, round(image.height * DISPLAY_WIDTH / image.width))
        image.thumbnail((DISPLAY_WIDTH, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    shown = store_bytes(
        _encode(image, media_type), name=f"{stem}-{image.width}{suffix}", media_type=media_type
    )
    return StoredPicture(original, shown, image.width, image.height)


def store_drawn(image: Image.Image, name: str) -> StoredPicture:
    """A picture that rathaus drew itself (the demo's plan drawings), stored like an upload."""
    content = _encode(image, PNG)
    original = store_bytes(content, name=name, media_type=PNG)
    return StoredPicture(original, original, image.width, image.height)


def _unreadable() -> str:
    from django.utils.translation import gettext

    return gettext("The file cannot be read. It may be damaged.")
