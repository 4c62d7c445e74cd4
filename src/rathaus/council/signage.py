"""The council's next meetings on the screens of the digital notice board (``core.signage``,
ADR 0067): committee, day and time in words, place; a cancelled meeting says so in its
heading (once). The label on the screen's footer is worded for passers-by.

One query (and one for the committees); no names of persons.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rathaus.core import signage
from rathaus.core.models import Authority
from rathaus.council.models import Meeting

KEY = "council.meetings"
DAYS_DEFAULT = 14
DAYS_MAX = 90
RUNNING = datetime.timedelta(hours=4)  # a meeting without an end stays this long after its start


def days_ahead(options: Mapping[str, Any]) -> int:
    """The ``days`` option: 1 to 90, else the default of 14."""
    try:
        days = int(options.get("days", DAYS_DEFAULT))
    except (TypeError, ValueError):
        return DAYS_DEFAULT
    return days if 1 <= days <= DAYS_MAX else DAYS_DEFAULT


def when_in_words(start: datetime.datetime, today: datetime.date) -> str:
    """ "heute, 18:00 Uhr", "morgen, 18:00 Uhr", "Dienstag, 15. Dezember, 18:00 Uhr"."""
    local = timezone.localtime(start)
    time = _("%(time)s o'clock") % {"time": date_format(local, "H:i")}
    day = local.date()
    if day == today:
        return _("today, %(time)s") % {"time": time}
    if day == today + datetime.timedelta(days=1):
        return _("tomorrow, %(time)s") % {"time": time}
    words = date_format(local, "l, j. F" if day.year == today.year else "l, j. F Y")
    return f"{words}, {time}"


def _committee(meeting: Meeting) -> str:
    organizations = list(meeting.organizations.all())
    return organizations[0].name if organizations else meeting.name


def slides(authority: Authority, options: Mapping[str, Any]) -> Sequence[signage.Slide]:
    now = timezone.now()
    today = timezone.localdate()
    horizon = now + datetime.timedelta(days=days_ahead(options))
    meetings = (
        Meeting.objects.filter(body__authority=authority, deleted=False, start__lte=horizon)
        .filter(Q(end__gte=now) | Q(end__isnull=True, start__gte=now - RUNNING))
        .select_related("location")
        .prefetch_related("organizations")
        .order_by("start", "id")[: SOURCE.limit]
    )
    found = []
    for meeting in meetings:
        assert meeting.start is not None  # noqa: S101 - filtered on start above
        lines = [when_in_words(meeting.start, today)]
        if meeting.location is not None:
            lines.append(str(meeting.location))
        found.append(
            signage.Slide(
                heading=_("Meeting cancelled") if meeting.cancelled else _("Council meeting"),
                title=_committee(meeting),
                lines=lines,
                severity="warning" if meeting.cancelled else "info",
                path=f"/rat/sitzungen/{meeting.pk}/",
                updated=meeting.modified,
            )
        )
    return found


SOURCE = signage.SignageSource(
    key=KEY,
    label=gettext_lazy("Next meetings of the council"),
    slides=slides,
    description=gettext_lazy("The meetings of the council and its committees in the next days."),
    limit=8,
)


def ready() -> None:
    signage.register(SOURCE)
