"""PDF documents (receipts, reports, letters) rendered from HTML templates with WeasyPrint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.translation import get_language


def font_dir() -> Path | None:
    """The KERN static folder with Fira Sans, if the front-end assets are installed."""
    found = finders.find("vendor/kern/fonts/fira-sans/FiraSans-Regular.woff2")
    if not found or not isinstance(found, str):
        return None
    return Path(found).parent


def render_html(template: str, context: dict[str, Any]) -> str:
    """The HTML a PDF would be made of, for a preview on screen (no font files)."""
    return render_to_string(template, {"fira_sans": False, "language": get_language(), **context})


def render_pdf(template: str, context: dict[str, Any], request: HttpRequest | None = None) -> bytes:
    """The template as an accessible PDF (PDF/UA-1).

    The template sees ``fira_sans`` (the font files are available; refer to them by file name
    such as ``FiraSans-Regular.woff2``) and ``language``. Nothing else is loaded, so rendering
    makes no network requests.
    """
    # Imported here: loading WeasyPrint takes a moment that other code paths should not pay.
    import weasyprint  # type: ignore[import-untyped]

    fonts = font_dir()
    full = {"fira_sans": fonts is not None, "language": get_language(), **context}
    html = render_to_string(template, full, request=request)
    base_url = fonts.as_uri() + "/" if fonts else None
    pdf: bytes = weasyprint.HTML(string=html, base_url=base_url).write_pdf(pdf_variant="pdf/ua-1")
    return pdf
