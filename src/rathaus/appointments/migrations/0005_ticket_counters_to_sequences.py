"""Move the waiting number counters into core's sequences, so today's numbering continues.

Scope: ``ticket:<location id>:<day, YYYY-MM-DD>:<series>`` (the format of
:func:`rathaus.core.sequences.scope`, written out here because migrations must not depend on code
that may change later).
"""

import datetime as dt

from django.db import migrations


def forwards(apps, schema_editor):
    Sequence = apps.get_model("core", "Sequence")
    for counter in apps.get_model("appointments", "TicketCounter").objects.all():
        scope = f"ticket:{counter.location_id}:{counter.day.isoformat()}:{counter.series}"
        sequence, created = Sequence.objects.get_or_create(
            scope=scope, defaults={"value": counter.last}
        )
        if not created and sequence.value < counter.last:
            Sequence.objects.filter(scope=scope).update(value=counter.last)


def backwards(apps, schema_editor):
    Sequence = apps.get_model("core", "Sequence")
    Location = apps.get_model("appointments", "Location")
    TicketCounter = apps.get_model("appointments", "TicketCounter")
    moved = []
    for sequence in Sequence.objects.filter(scope__regex=r"^ticket:[0-9]+:[0-9-]{10}:.?$"):
        _kind, location, day, series = sequence.scope.split(":", 3)
        if Location.objects.filter(pk=location).exists():
            TicketCounter.objects.update_or_create(
                location_id=location,
                day=dt.date.fromisoformat(day),
                series=series,
                defaults={"last": sequence.value},
            )
        moved.append(sequence.scope)
    Sequence.objects.filter(scope__in=moved).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0004_booking_items"),
        ("core", "0010_sequence"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
