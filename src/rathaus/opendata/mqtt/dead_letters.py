"""Staff's two answers to a dead letter: try it again (once the cause is fixed) or discard it."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from rathaus.opendata import ingest
from rathaus.opendata.models import DeadLetter
from rathaus.opendata.mqtt import messages


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
