"""Text recognition (OCR) for scanned letters: OCRmyPDF with Tesseract's German model.

OCR runs in a child process of the task worker with a time limit (``RATHAUS_OCR_TIMEOUT``); a
scan that takes longer, or that OCRmyPDF cannot read, raises ``ValueError`` with the reason, and
the version is marked ``failed`` (ADR 0043). The child process and everything it started
(Tesseract, Ghostscript) are ended together when the time is up. Needs the programs
``tesseract`` (with ``tesseract-ocr-deu``) and ``gs`` on the worker's machine.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings

IMAGE_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/tiff": ".tif"}
LANGUAGES = "deu"
DEFAULT_DPI = 300
"""Resolution assumed for an image that does not state its own (a typical office scan)."""


def command(source: Path, sidecar: Path, *, image_dpi: int | None) -> list[str]:
    """The OCRmyPDF call: recognise every page, keep only the text (no new PDF), one core."""
    arguments = [
        sys.executable, "-m", "ocrmypdf", "--quiet", "--jobs", "1", "-l", LANGUAGES,
        "--force-ocr", "--output-type", "none", "--sidecar", str(sidecar),
    ]  # fmt: skip
    if image_dpi is not None:
        arguments += ["--image-dpi", str(image_dpi)]
    return [*arguments, str(source), "-"]


def _image_dpi(content: bytes) -> int | None:
    """``DEFAULT_DPI`` for an image that states no sensible resolution, else None."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            dpi = image.info.get("dpi")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as error:
        raise ValueError(f"image: {error}") from error
    if not dpi or min(float(value) for value in dpi) < 50:
        return DEFAULT_DPI
    return None


def recognise(content: bytes, media_type: str) -> str:
    """The text OCR finds in a PDF or image; ``ValueError`` if it fails or takes too long."""
    suffix = IMAGE_TYPES.get(media_type, ".pdf")
    image_dpi = _image_dpi(content) if media_type in IMAGE_TYPES else None
    timeout = settings.RATHAUS_OCR_TIMEOUT
    with tempfile.TemporaryDirectory(prefix="rathaus-ocr-") as folder:
        source, sidecar = Path(folder) / f"scan{suffix}", Path(folder) / "text.txt"
        source.write_bytes(content)
        process = subprocess.Popen(  # noqa: S603 (our own arguments, no shell)
            command(source, sidecar, image_dpi=image_dpi),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=folder,
            env=_environment(folder),
            start_new_session=True,  # its own process group: ended as a whole on timeout
        )  # fmt: skip
        try:
            _, errors = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _end(process)
            raise ValueError(f"OCR: took longer than {timeout} seconds") from None
        if process.returncode != 0:
            reason = errors.decode("utf-8", errors="replace").strip().splitlines()
            raise ValueError(f"OCR: exit {process.returncode}: {' '.join(reason[-3:])}"[:300])
        try:
            return sidecar.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""


def _environment(folder: str) -> dict[str, str]:
    """Only what OCR needs: no database address, keys or secrets of the worker reach programs
    that read untrusted files; its work files go when the folder goes."""
    kept = {name: os.environ[name] for name in ("PATH", "LANG", "LC_ALL") if name in os.environ}
    return {**kept, "HOME": folder, "TMPDIR": folder, "OMP_THREAD_LIMIT": "1"}


def _end(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()
