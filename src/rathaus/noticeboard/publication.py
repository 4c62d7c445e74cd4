"""Publishing official notices: scheduling, putting up, taking down and withdrawing (ADR 0067).

This module is the only writer of a notice's ``status`` and of its ``DisplayRecord`` rows.
Staff schedule a notice (draft → scheduled); the worker's housekeeping job
``noticeboard.publication`` runs every minute, puts up what is due (scheduled → on display) and
takes down what has ended (on display → ended). Staff may withdraw a notice on display early,
with a reason (on display → withdrawn).

Each step runs per notice in its own transaction: the notice row is locked
(``select_for_update``), its status checked again, the record written, the status changed, the
step audited and the domain event published — together or not at all. ``DisplayRecord`` allows
each event once per notice (a database constraint), so two workers at the same moment cannot
both put a notice up: the second finds the status changed or hits the constraint and leaves the
notice alone.

The record keeps the SHA-256 of what was shown (:func:`content_sha256`): title, category, text,
signature, the display period and the attachments' SHA-256, in a canonical JSON form. A notice
on display cannot be edited, so the hash at taking down equals the hash at putting up.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.core import audit, events
from rathaus.noticeboard.events import NoticePutUp, NoticeTakenDown
from rathaus.noticeboard.models import DisplayRecord, Notice

logger = logging.getLogger(__name__)

JOB = "noticeboard.publication"
WORKER = "worker"
EDITABLE = (Notice.Status.DRAFT, Notice.Status.SCHEDULED)
"""States whose content may still change; a scheduled notice goes back to draft when edited."""
LATE = timedelta(minutes=15)
"""A notice put up this much after its start gets a note on its record saying so."""
BACKDATE_TOLERANCE = timedelta(minutes=5)
"""How far in the past a start may lie when a notice is scheduled: "now", typed a few minutes
before the form was sent. Earlier starts are refused, since the notice would state a display
period longer than it was really on display."""


class PublicationRefused(Exception):
    """A step is not allowed; ``reasons`` says why, in words for the staff page."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def content_sha256(notice: Notice) -> str:
    """The SHA-256 over what a notice says: the same content always gives the same hash."""
    content: dict[str, Any] = {
        "title": notice.title,
        "category": notice.category,
        "text": notice.text,
        "signed_place": notice.signed_place,
        "signed_on": notice.signed_on.isoformat() if notice.signed_on else "",
        "signed_by": notice.signed_by,
        "display_from": _utc(notice.display_from),
        "display_until": _utc(notice.display_until),
        "attachments": [
            {"title": attachment.title, "sha256": attachment.file.sha256}
            for attachment in notice.attachments.select_related("file").order_by("position", "id")
        ],
    }
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def backdated(display_from: datetime, now: datetime | None = None) -> str:
    """Why ``display_from`` may not be the start of a notice scheduled now ("" if it may)."""
    if display_from >= (now or timezone.now()) - BACKDATE_TOLERANCE:
        return ""
    return _("The display cannot start in the past. Choose now or a later time as its start.")


def problems(notice: Notice, now: datetime | None = None) -> list[str]:
    """What stands in the way of scheduling ``notice``, in words (empty: it may be scheduled)."""
    moment = now or timezone.now()
    found = []
    if notice.status != Notice.Status.DRAFT:
        found.append(_("Only a draft can be scheduled."))
    missing = [
        label
        for label, value in (
            (_("the title"), notice.title.strip()),
            (_("the text"), notice.text.strip()),
            (_("the place of signing"), notice.signed_place.strip()),
            (_("the date of signing"), notice.signed_on),
            (_("the signature"), notice.signed_by.strip()),
        )
        if not value
    ]
    if missing:
        found.append(_("Missing: %(missing)s.") % {"missing": ", ".join(missing)})
    if notice.display_until <= notice.display_from:
        found.append(_("The display period ends before it starts."))
    elif notice.display_until <= moment:
        found.append(_("The display period has already ended."))
    elif refusal := backdated(notice.display_from, moment):
        found.append(refusal)
    return found


@dataclass(frozen=True)
class Outcome:
    """What one run of the worker did: the ids of the notices put up and taken down."""

    put_up: list[int]
    taken_down: list[int]

    def __str__(self) -> str:
        return f"put up {len(self.put_up)}, taken down {len(self.taken_down)}"


def schedule(notice: Notice, user: Any) -> Notice:
    """Draft → scheduled; a notice whose start is now (or a few minutes ago,
    :data:`BACKDATE_TOLERANCE`) is put up at once. A start further in the past is refused.

    Raises :class:`PublicationRefused` with the reasons when the notice is not ready.
    """
    now = timezone.now()
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        reasons = problems(locked, now)
        if reasons:
            raise PublicationRefused(reasons)
        locked.status = Notice.Status.SCHEDULED
        locked.save(update_fields=["status", "updated_at"])
        audit.record(
            "noticeboard.notice.scheduled", actor=user, authority=locked.authority, obj=locked,
            details={"display_from": _utc(locked.display_from),
                     "display_until": _utc(locked.display_until)},
        )  # fmt: skip
    if locked.display_from <= now:
        _put_up(locked.pk, now, by=audit.actor_label(user))
        locked.refresh_from_db()
    return locked


def unschedule(notice: Notice, user: Any) -> Notice:
    """Scheduled → draft (when staff change a scheduled notice, before it is put up)."""
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        if locked.status != Notice.Status.SCHEDULED:
            raise PublicationRefused([_("Only a scheduled notice can go back to draft.")])
        locked.status = Notice.Status.DRAFT
        locked.save(update_fields=["status", "updated_at"])
        audit.record("noticeboard.notice.unscheduled", actor=user, authority=locked.authority,
                     obj=locked)  # fmt: skip
    return locked


def put_up_due(now: datetime | None = None) -> list[int]:
    """Put up every scheduled notice whose start has come; returns the ids put up."""
    moment = now or timezone.now()
    due = Notice.objects.filter(status=Notice.Status.SCHEDULED, display_from__lte=moment)
    ids = list(due.order_by("display_from", "pk").values_list("pk", flat=True))
    return [pk for pk in ids if _put_up(pk, moment, by=WORKER)]


def take_down_due(now: datetime | None = None) -> list[int]:
    """Take down every notice on display whose period has ended; returns the ids taken down."""
    moment = now or timezone.now()
    due = Notice.objects.filter(status=Notice.Status.ON_DISPLAY, display_until__lte=moment)
    ids = list(due.order_by("display_until", "pk").values_list("pk", flat=True))
    return [pk for pk in ids if _take_down(pk, moment)]


def run(now: datetime | None = None) -> Outcome:
    """The worker's job: put up what is due, then take down what has ended."""
    moment = now or timezone.now()
    return Outcome(put_up=put_up_due(moment), taken_down=take_down_due(moment))


def _put_up(pk: int, now: datetime, *, by: str) -> bool:
    try:
        with transaction.atomic():
            notice = (
                Notice.objects.select_for_update(of=("self",))  # not the authority's row
                .select_related("authority")
                .filter(pk=pk, status=Notice.Status.SCHEDULED, display_from__lte=now)
                .first()
            )
            if (
                notice is None
                or notice.display_records.filter(event=DisplayRecord.Event.PUT_UP).exists()
            ):
                return False
            late = now - notice.display_from >= LATE
            note = _("Put up %(minutes)s minutes after the prescribed start.") % {
                "minutes": int((now - notice.display_from).total_seconds() // 60)
            } if late else ""  # fmt: skip
            sha = content_sha256(notice)
            DisplayRecord.objects.create(
                notice=notice, event=DisplayRecord.Event.PUT_UP, at=now, content_sha256=sha,
                by=by[:200], note=note[:300],
            )  # fmt: skip
            notice.status = Notice.Status.ON_DISPLAY
            notice.put_up_at = now
            notice.save(update_fields=["status", "put_up_at", "updated_at"])
            audit.record("noticeboard.notice.put_up", actor_name=by, authority=notice.authority,
                         obj=notice, details={"at": _utc(now), "sha256": sha})  # fmt: skip
            events.publish(NoticePutUp(notice.pk, notice.authority_id, notice.category))
    except IntegrityError:
        # Another worker wrote the record first (the constraint "notice_event_once").
        logger.info("notice %s was put up by another worker", pk)
        return False
    return True


def _take_down(pk: int, now: datetime) -> bool:
    try:
        with transaction.atomic():
            notice = (
                Notice.objects.select_for_update(of=("self",))  # not the authority's row
                .select_related("authority")
                .filter(pk=pk, status=Notice.Status.ON_DISPLAY, display_until__lte=now)
                .first()
            )
            if notice is None:
                return False
            _end(notice, now, DisplayRecord.Event.TAKEN_DOWN, by=WORKER, note="")
            notice.status = Notice.Status.ENDED
            notice.save(update_fields=["status", "taken_down_at", "updated_at"])
            audit.record("noticeboard.notice.taken_down", actor_name=WORKER,
                         authority=notice.authority, obj=notice,
                         details={"at": _utc(now)})  # fmt: skip
            events.publish(NoticeTakenDown(notice.pk, notice.authority_id, withdrawn=False))
    except IntegrityError:
        logger.info("notice %s was taken down by another worker", pk)
        return False
    return True


def _end(notice: Notice, now: datetime, event: str, *, by: str, note: str) -> None:
    DisplayRecord.objects.create(
        notice=notice, event=event, at=now, content_sha256=content_sha256(notice), by=by[:200],
        note=note[:300],
    )  # fmt: skip
    notice.taken_down_at = now


def withdraw(notice: Notice, user: Any, reason: str) -> Notice:
    """Take a notice on display down early, with a reason: on display → withdrawn."""
    reason = " ".join(reason.split())
    if not reason:
        raise PublicationRefused([_("Please give the reason for the withdrawal.")])
    now = timezone.now()
    try:
        with transaction.atomic():
            locked = (
                Notice.objects.select_for_update(of=("self",))
                .select_related("authority")
                .get(pk=notice.pk)
            )
            if locked.status != Notice.Status.ON_DISPLAY:
                raise PublicationRefused([_("Only a notice on display can be withdrawn.")])
            by = audit.actor_label(user)
            _end(locked, now, DisplayRecord.Event.WITHDRAWN, by=by, note=reason)
            locked.status = Notice.Status.WITHDRAWN
            locked.withdrawn_reason = reason[:300]
            locked.save(update_fields=["status", "taken_down_at", "withdrawn_reason",
                                       "updated_at"])  # fmt: skip
            audit.record("noticeboard.notice.withdrawn", actor=user, authority=locked.authority,
                         obj=locked, details={"at": _utc(now), "reason": reason})  # fmt: skip
            events.publish(NoticeTakenDown(locked.pk, locked.authority_id, withdrawn=True))
    except IntegrityError as error:
        raise PublicationRefused([_("The notice was already taken down.")]) from error
    return locked


def ready() -> None:
    """Register the worker's job, the staff entry, the screens' source and the demo notices
    (called by ``NoticeboardConfig.ready()``)."""
    from django.utils.translation import gettext_lazy

    from rathaus.core import demo as core_demo
    from rathaus.core import housekeeping, navigation, signage
    from rathaus.noticeboard import demo
    from rathaus.noticeboard import signage as notice_signage

    housekeeping.register(JOB, run, timedelta(minutes=1))
    navigation.register_staff(
        navigation.StaffNavItem(
            "noticeboard", gettext_lazy("Public notices"), "noticeboard_staff:list", 73,
            permitted=keeps_notices,
        )
    )  # fmt: skip
    signage.register(notice_signage.SOURCE)
    core_demo.register_loader("noticeboard", demo.load)
    core_demo.login_notes.append(
        "Demo official notices: /bekanntmachungen/ (archive with the proof of display: "
        "/bekanntmachungen/archiv/), the notice board screen: /anzeige/rathaus-foyer/; staff "
        f"of the Bürgerbüro: {demo.DEMO_KEEPER}, /verwaltung/bekanntmachungen/. Scheduled notices "
        "go up and down and the subscription e-mails are sent by the task worker (`make run` "
        "starts it)."
    )


def keeps_notices(staff: object) -> bool:
    """Whether the staff entry "Bekanntmachungen" is shown (``keepers.keeps``)."""
    from rathaus.noticeboard import keepers

    return keepers.keeps(staff)


def put_up(notice: Notice, at: datetime, *, by: str = WORKER) -> bool:
    """Put one scheduled notice up as of ``at`` (the demo's history; the worker uses
    :func:`put_up_due`). False when it was not scheduled or is up already."""
    return _put_up(notice.pk, at, by=by)


def take_down(notice: Notice, at: datetime) -> bool:
    """Take one notice on display down as of ``at`` (the demo's history; the worker uses
    :func:`take_down_due`)."""
    return _take_down(notice.pk, at)
