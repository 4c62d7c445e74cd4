"""The receipt (Eingangsbestätigung) of a submission, as a page and as a PDF."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import get_language

from rathaus.core.pdf import render_pdf
from rathaus.forms.models import Submission
from rathaus.forms.rendering import FileInfo, summary
from rathaus.forms.selectors import spec_for


def receipt_context(submission: Submission) -> dict[str, Any]:
    version = submission.form_version
    spec = spec_for(version)
    files = {
        attachment.upload_id.hex: FileInfo(
            id=attachment.upload_id.hex, name=attachment.original_name, size=attachment.size
        )
        for attachment in submission.attachments.all()
    }
    return {
        "submission": submission,
        "version": version,
        "authority": submission.authority,
        "unit": submission.offer.org_unit if submission.offer is not None else None,
        "summary": summary(spec, submission.data, files),
        "attachments": list(submission.attachments.all()),
        "submitted_at": timezone.localtime(submission.submitted_at),
        "language": get_language(),
    }


def receipt_pdf(submission: Submission) -> bytes:
    return render_pdf("forms/receipt_pdf.html", receipt_context(submission))


def receipt_filename(submission: Submission) -> str:
    return f"Eingangsbestaetigung-{submission.reference}.pdf"
