"""Set up once from ``EventsConfig.ready()``: the navigation entries, the worker's jobs
(reminders, expiry of unconfirmed registrations, deletion after the retention period), the
data export of an account and the demo loader."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _

REMINDER_JOB = "events.reminders"
EXPIRY_JOB = "events.unconfirmed"
RETENTION_JOB = "events.retention"


def ready() -> None:
    from rathaus.accounts import gdpr
    from rathaus.core import demo as core_demo
    from rathaus.core import housekeeping, navigation
    from rathaus.events import demo, services

    # No entry of its own in the main navigation: on a phone every entry is a line more above the
    # page's content. "Take part" (/mitmachen/) leads to the events.
    navigation.register_staff(
        navigation.StaffNavItem(
            "events", _("Events"), "events_staff:list", 76, permitted=keeps_events
        )
    )
    housekeeping.register(REMINDER_JOB, services.send_reminders, timedelta(minutes=15))
    housekeeping.register(EXPIRY_JOB, services.expire_unconfirmed, timedelta(hours=1))
    housekeeping.register(RETENTION_JOB, services.delete_old, timedelta(days=1))
    gdpr.register_export_section("events", export)
    core_demo.register_loader("events", demo.load)
    core_demo.login_notes.append(
        "Demo events of the Digitalwerkstatt: /veranstaltungen/ (calendar: "
        "/veranstaltungen/kalender.ics); staff of the Digitalwerkstatt with the role "
        f"„Veranstaltungen“: {demo.DEMO_KEEPER}, /verwaltung/veranstaltungen/. Reminders are sent "
        "by the task worker (`make run` starts it)."
    )


def keeps_events(staff: Any) -> bool:
    from rathaus.events import keepers

    return keepers.keeps(staff)


def export(account: Any) -> list[dict[str, Any]]:
    """The account's event registrations for the data export (Art. 15 GDPR)."""
    from rathaus.events.models import Registration

    return [
        {
            "event": registration.event.title,
            "starts_at": registration.event.starts_at.isoformat(),
            "name": registration.name,
            "email": registration.email,
            "places": registration.places,
            "status": registration.status,
            "consent": registration.consent_text,
            "registered_at": registration.created_at.isoformat(),
            "confirmed_at": registration.confirmed_at.isoformat()
            if registration.confirmed_at
            else None,
            "attended": registration.attended,
        }
        for registration in Registration.objects.filter(account=account).select_related("event")
    ]
