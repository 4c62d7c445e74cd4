"""What a screen of the digital notice board shows (ADR 0067, docs/screens.md).

A screen's slots name content sources of :mod:`rathaus.core.signage`; each source gives the
slides of the screen's authority, each slide stays ``slot.seconds``. This module turns a
screen into its list of pages — the same list for the page without JavaScript (one page per
request, ``?n=``) and for the JSON that ``screen.js`` cycles through locally.

A source that fails is logged and left out (the other slots still show); a screen without any
content shows one calm page with the town's name and the time, never an error. ``version``
changes when the screen's configuration changes (name, place, slots), so a screen that runs
for weeks reloads itself after staff edited it. ``touch`` notes that the screen asked, at most
once a minute, so staff see a screen that went dark.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from rathaus.core import signage
from rathaus.noticeboard.models import Screen, Slot

logger = logging.getLogger(__name__)

REFRESH_SECONDS = 180  # how often screen.js asks for new content
RETRY_SECONDS = 5  # the first retry after a failed request; doubled up to REFRESH_SECONDS
RELOAD_AFTER_SECONDS = 30 * 60  # an outage this long: reload the whole page when back
SEEN_EVERY = datetime.timedelta(minutes=1)  # last_seen_at is written at most this often
DEAD_AFTER = datetime.timedelta(minutes=15)  # staff see a screen unseen this long as dead
CALM_SECONDS = 60


@dataclass(frozen=True)
class Page:
    """One page of a screen: a slide, the source it came from and how long it stays."""

    slide: signage.Slide
    source: str  # the label of the source, shown as "Quelle: …"
    seconds: int
    calm: bool = False


def active_screen(slug: str) -> Screen:
    """The active screen at ``/anzeige/<slug>/`` with its authority and slots, else 404."""
    slots = Prefetch("slots", queryset=Slot.objects.order_by("position", "id"))
    screen = (
        Screen.objects.select_related("authority")
        .prefetch_related(slots)
        .filter(slug=slug, active=True)
        .first()
    )
    if screen is None:
        raise Http404("no active screen with this address")
    return screen


def slides_of(screen: Screen, slot: Slot) -> list[signage.Slide]:
    """The slides of one slot; [] (and a log entry) when the source is unknown or fails."""
    source = signage.get(slot.source)
    if source is None:
        logger.warning("screen %s: unknown content source %r", screen.slug, slot.source)
        return []
    try:
        return list(source.slides(screen.authority, slot.options or {}))[: source.limit]
    except Exception:
        logger.exception("screen %s: content source %s failed", screen.slug, slot.source)
        return []


def calm_page(screen: Screen) -> Page:
    """The page of a screen without content: the town's name and today's date."""
    today = date_format(timezone.localtime(), "l, j. F Y")
    slide = signage.Slide(heading=_("Welcome"), title=screen.authority.name, lines=[today])
    return Page(slide, screen.authority.name, CALM_SECONDS, calm=True)


def pages(screen: Screen) -> list[Page]:
    """Every page of the screen in order: the slides of each slot, or the calm page."""
    found: list[Page] = []
    for slot in screen.slots.all():
        source = signage.get(slot.source)
        label = str(source.label) if source else slot.source
        found.extend(Page(slide, label, slot.seconds) for slide in slides_of(screen, slot))
    return found or [calm_page(screen)]


def version(screen: Screen) -> str:
    """A short fingerprint of the screen's configuration (not of its content)."""
    configuration = {
        "name": screen.name,
        "place": screen.place,
        "slots": [
            [slot.source, slot.seconds, slot.position, slot.options] for slot in screen.slots.all()
        ],
    }
    text = json.dumps(configuration, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def touch(screen: Screen, now: datetime.datetime | None = None) -> bool:
    """Note that the screen asked for its content; writes at most once per ``SEEN_EVERY``."""
    now = now or timezone.now()
    if screen.last_seen_at is not None and now - screen.last_seen_at < SEEN_EVERY:
        return False
    # update(): no save, so updated_at (and with it nothing staff see) stays as it was
    Screen.objects.filter(pk=screen.pk).update(last_seen_at=now)
    screen.last_seen_at = now
    return True


def is_dead(screen: Screen, now: datetime.datetime | None = None) -> bool:
    """An active screen that has not asked for its content for ``DEAD_AFTER`` (or never)."""
    if not screen.active:
        return False
    now = now or timezone.now()
    return screen.last_seen_at is None or now - screen.last_seen_at > DEAD_AFTER


def slide_data(page: Page) -> dict[str, Any]:
    slide = page.slide
    return {
        "heading": str(slide.heading),
        "title": str(slide.title),
        "lines": [str(line) for line in slide.lines],
        "facts": [{"label": str(fact.label), "value": str(fact.value)} for fact in slide.facts],
        "severity": slide.severity if slide.severity in ("info", "warning", "alert") else "info",
        "path": slide.path,
        "updated": slide.updated.isoformat() if slide.updated else None,
        "source": page.source,
        "seconds": page.seconds,
        "calm": page.calm,
    }


def content(screen: Screen, shown: list[Page] | None = None) -> dict[str, Any]:
    """The JSON the screen's script cycles through."""
    shown = pages(screen) if shown is None else shown
    return {
        "screen": screen.slug,
        "town": screen.authority.name,
        "version": version(screen),
        "generated": timezone.now().isoformat(),
        "refresh": REFRESH_SECONDS,
        "retry": min(RETRY_SECONDS, REFRESH_SECONDS),
        "reloadAfter": RELOAD_AFTER_SECONDS,
        "slides": [slide_data(page) for page in shown],
    }
