"""The proof of display (Aushangnachweis) of an official notice (ADR 0067).

It states what was published — the notice, its category, the signature, the content's SHA-256
and each attachment with its SHA-256 — the period prescribed, and when the notice was actually
put up and taken down, from its ``DisplayRecord`` rows (written once, by the worker or by the
person who withdrew it). Staff see it as text on the notice's page at any time; the PDF is
offered once the display has ended or the notice was withdrawn, when the proof is complete —
to staff, and to anybody for the notices of the public archive (``noticeboard:proof``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.core.pdf import render_pdf
from rathaus.noticeboard.models import DisplayRecord, Notice
from rathaus.noticeboard.publication import content_sha256

TEMPLATE = "noticeboard/staff/proof_pdf.html"
COMPLETE = (Notice.Status.ENDED, Notice.Status.WITHDRAWN)


@dataclass(frozen=True)
class Proof:
    notice: Notice
    records: list[DisplayRecord]
    attachments: list[Any]
    current_sha256: str
    put_up: DisplayRecord | None
    ended: DisplayRecord | None  # taken down or withdrawn
    generated_at: datetime

    @property
    def complete(self) -> bool:
        return self.notice.status in COMPLETE and self.put_up is not None

    @property
    def unchanged(self) -> bool:
        """Every record states the content as it is now: nothing changed while on display."""
        return all(record.content_sha256 == self.current_sha256 for record in self.records)

    @property
    def shown_for(self) -> str:
        """How long the notice was actually up, in days, hours and minutes."""
        if self.put_up is None or self.ended is None:
            return ""
        seconds = int((self.ended.at - self.put_up.at).total_seconds())
        return _("%(days)s d %(hours)s h %(minutes)s min") % {
            "days": seconds // 86400, "hours": seconds % 86400 // 3600,
            "minutes": seconds % 3600 // 60,
        }  # fmt: skip


def proof_of(notice: Notice) -> Proof:
    records = list(notice.display_records.order_by("at", "id"))
    by_event = {record.event: record for record in records}
    ended = by_event.get(DisplayRecord.Event.TAKEN_DOWN) or by_event.get(
        DisplayRecord.Event.WITHDRAWN
    )
    return Proof(
        notice=notice,
        records=records,
        attachments=list(notice.attachments.select_related("file").order_by("position", "id")),
        current_sha256=content_sha256(notice),
        put_up=by_event.get(DisplayRecord.Event.PUT_UP),
        ended=ended,
        generated_at=timezone.now(),
    )


def available(notice: Notice) -> bool:
    """Whether the PDF is offered: after the end of the display or a withdrawal."""
    return notice.status in COMPLETE


def render(notice: Notice, *, public: bool = False) -> bytes:
    """The proof of display as an accessible PDF; the ``public`` one (offered with the archive)
    leaves out which staff member did each step."""
    return render_pdf(
        TEMPLATE, {"proof": proof_of(notice), "authority": notice.authority, "public": public}
    )


def filename(notice: Notice) -> str:
    return f"aushangnachweis-{notice.uid}.pdf"
