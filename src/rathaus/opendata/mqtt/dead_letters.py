"""Staff's two answers to a dead letter: try it again (once the cause is fixed) or discard it;
and the housekeeping that keeps dead letters from filling the disk (:func:`prune`)."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from rathaus.opendata import ingest
from rathaus.opendata.models import DeadLetter
from rathaus.opendata.mqtt import messages

RESOLVED_KEPT_DAYS = 30
MAX_OPEN = 10_000
_BATCH = 1000

logger = logging.getLogger(__name__)


def open_letters() -> QuerySet[DeadLetter]:
    return DeadLetter.objects.filter(resolved_at__isnull=True)


def retry(letter: DeadLetter) -> str | None:
    """Store the message now; ``None`` when stored, else the reason (kept on the letter)."""
    payload = letter.payload.encode("utf-8")
    try:
        reading = messages.reading(letter.topic, payload, letter.received_at)
        with transaction.atomic():
            ingest.store([reading])
            letter.resolved_at = timezone.now()
            letter.save(update_fields=["resolved_at"])
    except messages.BadMessage as exc:
        reason = str(exc)
    except ingest.Refused as refused:
        reason = refused.message
    else:
        return None
    letter.error = reason
    letter.save(update_fields=["error"])
    return reason


def discard(letter: DeadLetter) -> None:
    letter.resolved_at = timezone.now()
    letter.save(update_fields=["resolved_at"])


def prune(now: datetime.datetime | None = None) -> int:
    """Delete letters resolved more than :data:`RESOLVED_KEPT_DAYS` ago and the oldest open
    ones beyond :data:`MAX_OPEN` (logged with their number); returns how many went."""
    oldest = (now or timezone.now()) - datetime.timedelta(days=RESOLVED_KEPT_DAYS)
    resolved, _details = DeadLetter.objects.filter(resolved_at__lt=oldest).delete()
    dropped = 0
    while True:
        surplus = list(
            open_letters()
            .order_by("-received_at", "-id")
            .values_list("pk", flat=True)[MAX_OPEN : MAX_OPEN + _BATCH]
        )
        if not surplus:
            break
        dropped += DeadLetter.objects.filter(pk__in=surplus).delete()[0]
    if dropped:
        logger.warning(
            "Dropped the %d oldest undeliverable MQTT messages nobody dealt with: at most %d "
            "are kept",
            dropped,
            MAX_OPEN,
        )
    return resolved + dropped
