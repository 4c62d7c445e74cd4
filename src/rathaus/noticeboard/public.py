"""What the public sees of the official notices (``/bekanntmachungen/``), and how it is worded.

- **On display** is a notice with status ``on_display`` whose period holds now
  (``display_from <= now < display_until``): the status alone is not enough, since the worker
  that takes notices down may be late, and a notice never shows past its period.
- **In the archive** are the notices that were put up and then ended or were withdrawn.
- **Public** (its page and attachments answer) is a notice on display, in the archive, or on
  display by status with its period over (a late worker: its page says the period ended).
  Drafts, scheduled notices and notices withdrawn before they were ever put up are not public.

The period is worded from when a notice really went up (:func:`start_of`): a notice the worker
put up late does not claim to have been on display since its prescribed start.

The proof of display (Aushangnachweis) is worded from the ``DisplayRecord`` rows: put up and
taken down (or withdrawn), e.g. "ausgehängt vom 01.12.2026, 00:00 Uhr bis 15.12.2026,
24:00 Uhr" — an end at midnight is the 24:00 of the day before, as notices state it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from rathaus.core.models import Authority
from rathaus.noticeboard.models import Category, DisplayRecord, Notice

SLUGS: dict[str, Category] = {
    "satzungen": Category.STATUTES,
    "haushalt": Category.BUDGET,
    "planen-und-bauen": Category.PLANNING,
    "wahlen": Category.ELECTIONS,
    "allgemein": Category.GENERAL,
}
"""The values of ``?bereich=`` (German words in the address), one per category."""
SLUG_OF: dict[str, str] = {category.value: slug for slug, category in SLUGS.items()}

LABELS = {
    Category.STATUTES: gettext_lazy("Statutes and ordinances"),
    # "Budget" alone is translated as costs elsewhere; a notice's category is the budget
    Category.BUDGET: pgettext_lazy("notice category", "Budget"),
    Category.PLANNING: gettext_lazy("Planning and building"),
    Category.ELECTIONS: gettext_lazy("Elections"),
    Category.GENERAL: gettext_lazy("General notices"),
}
"""The categories' names on the public pages and in the e-mails."""

ARCHIVED = (Notice.Status.ENDED, Notice.Status.WITHDRAWN)


def now() -> datetime.datetime:
    return timezone.now()


def displayed_now(at: datetime.datetime) -> Q:
    return Q(status=Notice.Status.ON_DISPLAY, display_from__lte=at, display_until__gt=at)


def on_display(authority: Authority, at: datetime.datetime | None = None) -> QuerySet[Notice]:
    """The authority's notices on display at ``at`` (now), by status and by time."""
    return Notice.objects.filter(displayed_now(at or now()), authority=authority)


def archived(authority: Authority) -> QuerySet[Notice]:
    """Ended and withdrawn notices that were put up, newest first."""
    return Notice.objects.filter(
        authority=authority, status__in=ARCHIVED, put_up_at__isnull=False
    ).order_by("-display_from", "-id")


def public(authority: Authority, at: datetime.datetime | None = None) -> QuerySet[Notice]:
    """Notices whose page and attachments anybody may see."""
    moment = at or now()
    return Notice.objects.filter(
        displayed_now(moment)
        | Q(status__in=ARCHIVED, put_up_at__isnull=False)
        | Q(status=Notice.Status.ON_DISPLAY, display_until__lte=moment),
        authority=authority,
    )


def category_label(value: str) -> str:
    return str(LABELS[Category(value)]) if value in Category.values else value


# --- words -------------------------------------------------------------------------------------


def moment_in_words(value: datetime.datetime, *, end: bool = False) -> str:
    """``01.12.2026, 00:00 Uhr``; with ``end`` a midnight is ``24:00 Uhr`` of the day before."""
    local = timezone.localtime(value)
    day, time = local.date(), formats.date_format(local, "H:i")
    if end and local.time() == datetime.time(0, 0):
        day, time = day - datetime.timedelta(days=1), "24:00"
    return _("%(day)s, %(time)s o’clock") % {"day": day.strftime("%d.%m.%Y"), "time": time}


def start_of(notice: Notice) -> datetime.datetime:
    """When the notice went up: ``put_up_at`` when the worker put it up after its prescribed
    start (it was late), else ``display_from``. What the public reads is what happened."""
    if notice.put_up_at is not None and notice.put_up_at > notice.display_from:
        return notice.put_up_at
    return notice.display_from


def period_in_words(notice: Notice) -> str:
    """The display period, from when the notice really went up (:func:`start_of`)."""
    return _("on display from %(start)s until %(end)s") % {
        "start": moment_in_words(start_of(notice)),
        "end": moment_in_words(notice.display_until, end=True),
    }


def since_in_words(notice: Notice) -> str:
    """The period of a notice on display now, as the list shows it."""
    return _("on display since %(start)s, until %(end)s") % {
        "start": moment_in_words(start_of(notice)),
        "end": moment_in_words(notice.display_until, end=True),
    }


def state_in_words(notice: Notice, at: datetime.datetime | None = None) -> str:
    moment = at or now()
    if notice.status == Notice.Status.WITHDRAWN:
        return _("Withdrawn")
    if notice.status == Notice.Status.ON_DISPLAY and notice.display_until > moment:
        return _("On display")
    return _("Display period ended")


EVENT_WORDS: dict[str, Any] = {
    DisplayRecord.Event.PUT_UP: gettext_lazy("Put up"),
    DisplayRecord.Event.TAKEN_DOWN: gettext_lazy("Taken down"),
    DisplayRecord.Event.WITHDRAWN: gettext_lazy("Withdrawn"),
}


@dataclass(frozen=True)
class Step:
    """One display record in words, for the folded details of the proof."""

    label: str
    at: str
    sha256: str


@dataclass(frozen=True)
class Proof:
    text: str
    steps: list[Step]


def proof(notice: Notice) -> Proof:
    """The proof of display from the notice's display records (prefetch them for lists)."""
    records = list(notice.display_records.all())
    put_up = next((r for r in records if r.event == DisplayRecord.Event.PUT_UP), None)
    down = next((r for r in records if r.event != DisplayRecord.Event.PUT_UP), None)
    steps = [
        Step(str(EVENT_WORDS.get(r.event, r.event)),
             moment_in_words(r.at, end=r.event != DisplayRecord.Event.PUT_UP), r.content_sha256)
        for r in records
    ]  # fmt: skip
    if put_up is None:
        text = _("There is no record that this notice was put up.")
    elif down is None:
        text = _("on display since %(start)s") % {"start": moment_in_words(put_up.at)}
    else:
        text = _("on display from %(start)s until %(end)s") % {
            "start": moment_in_words(put_up.at),
            "end": moment_in_words(down.at, end=True),
        }
        if down.event == DisplayRecord.Event.WITHDRAWN:
            text = _("%(period)s, then withdrawn") % {"period": text}
    return Proof(text=text, steps=steps)


MEDIA_TYPE_WORDS = {
    "application/pdf": gettext_lazy("PDF document"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": gettext_lazy(
        "Word document"
    ),
    "application/msword": gettext_lazy("Word document"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": gettext_lazy(
        "Excel spreadsheet"
    ),
    "application/vnd.oasis.opendocument.text": gettext_lazy("OpenDocument text"),
    "application/vnd.oasis.opendocument.spreadsheet": gettext_lazy("OpenDocument spreadsheet"),
    "application/zip": gettext_lazy("ZIP archive"),
    "text/plain": gettext_lazy("text file"),
    "text/csv": gettext_lazy("CSV table"),
    "image/png": gettext_lazy("PNG image"),
    "image/jpeg": gettext_lazy("JPEG image"),
    "image/tiff": gettext_lazy("TIFF image"),
    "application/geo+json": gettext_lazy("map data (GeoJSON)"),
}


def kind_in_words(media_type: str) -> str:
    """The type of a file as people say it, e.g. "PDF-Dokument"."""
    found = MEDIA_TYPE_WORDS.get(media_type.split(";")[0].strip().lower())
    if found is not None:
        return str(found)
    return _("file of type %(type)s") % {"type": media_type}
