"""Move the reference and case number counters into core's sequences, so numbering continues.

Scopes: ``reference:<authority id>:<year>`` and ``case:<org unit id>:<year>`` (the format of
:func:`rathaus.core.sequences.scope`, written out here because migrations must not depend on code
that may change later).
"""

from django.db import migrations


def _raise_to(Sequence, scope, value):
    sequence, created = Sequence.objects.get_or_create(scope=scope, defaults={"value": value})
    if not created and sequence.value < value:
        Sequence.objects.filter(scope=scope).update(value=value)


def forwards(apps, schema_editor):
    Sequence = apps.get_model("core", "Sequence")
    for counter in apps.get_model("cases", "ReferenceCounter").objects.all():
        _raise_to(Sequence, f"reference:{counter.authority_id}:{counter.year}", counter.value)
    for counter in apps.get_model("cases", "CaseCounter").objects.all():
        _raise_to(Sequence, f"case:{counter.org_unit_id}:{counter.year}", counter.value)


def backwards(apps, schema_editor):
    Sequence = apps.get_model("core", "Sequence")
    Authority = apps.get_model("core", "Authority")
    OrgUnit = apps.get_model("core", "OrgUnit")
    ReferenceCounter = apps.get_model("cases", "ReferenceCounter")
    CaseCounter = apps.get_model("cases", "CaseCounter")
    moved = []
    for sequence in Sequence.objects.filter(scope__regex=r"^(reference|case):[0-9]+:[0-9]+$"):
        kind, owner, year = sequence.scope.split(":")
        if kind == "reference" and Authority.objects.filter(pk=owner).exists():
            ReferenceCounter.objects.update_or_create(
                authority_id=owner, year=year, defaults={"value": sequence.value}
            )
        elif kind == "case" and OrgUnit.objects.filter(pk=owner).exists():
            CaseCounter.objects.update_or_create(
                org_unit_id=owner, year=year, defaults={"value": sequence.value}
            )
        moved.append(sequence.scope)
    Sequence.objects.filter(scope__in=moved).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_case_search"),
        ("core", "0010_sequence"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
