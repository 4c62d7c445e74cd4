"""The only writers of the school IT data: devices, loans, care records (ADR 0073). Each change
runs in a transaction, locks what it changes and writes an audit entry. Support requests and
teacher logins are in :mod:`rathaus.schools.support`."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.core import audit
from rathaus.schools.models import CareRecord, Device, Loan, School

DEVICE_FIELDS = (
    "kind",
    "model_name",
    "serial",
    "inventory_number",
    "purchase_date",
    "price_cents",
    "funding_source",
    "warranty_end",
    "managed_by",
    "state",
    "room",
    "school_class",
    "person",
    "notes",
)


class Refused(Exception):
    """A change the data does not allow; the message is German and meant for the clerk."""


def add_device(school: School, values: dict[str, Any], actor: Any) -> Device:
    with transaction.atomic():
        device = Device(
            school=school, **{key: values[key] for key in DEVICE_FIELDS if key in values}
        )
        if device.state == Device.State.LENT:
            raise Refused(_("A device becomes lent only through a loan."))
        device.save()
        audit.record("schools.device.added", actor=actor, authority=school.authority, obj=device)
    return device


def change_device(device: Device, values: dict[str, Any], actor: Any) -> Device:
    with transaction.atomic():
        locked = Device.objects.select_for_update().get(pk=device.pk)
        lent = locked.loans.filter(returned_at__isnull=True).exists()
        new_state = values.get("state", locked.state)
        if lent and new_state != Device.State.LENT:
            raise Refused(_("The device is lent. Record its return first."))
        if not lent and new_state == Device.State.LENT:
            raise Refused(_("A device becomes lent only through a loan."))
        changed = {
            key: str(values[key])
            for key in DEVICE_FIELDS
            if key in values and getattr(locked, key) != values[key]
        }
        for key in DEVICE_FIELDS:
            if key in values:
                setattr(locked, key, values[key])
        locked.save()
        audit.record(
            "schools.device.changed",
            actor=actor,
            authority=locked.school.authority,
            obj=locked,
            details={"fields": sorted(changed)},
        )
    return locked


def lend(
    device: Device, *, pupil: str, school_class: str, guardian: str, due_on: Any = None, actor: Any
) -> Loan:
    """Lend the device to a pupil, or raise :class:`Refused` when it is lent already, in repair
    or retired. The row lock on the device makes two clerks wait for each other; the partial
    unique constraint on open loans holds even without it."""
    try:
        with transaction.atomic():
            locked = Device.objects.select_for_update().get(pk=device.pk)
            if (
                locked.state == Device.State.LENT
                or locked.loans.filter(returned_at__isnull=True).exists()
            ):
                raise Refused(_("This device is lent already. Record its return first."))
            if locked.state != Device.State.IN_USE:
                raise Refused(
                    _("Only a device in use can be lent (this one is: %(state)s).")
                    % {"state": locked.get_state_display()}
                )
            loan = Loan.objects.create(
                device=locked,
                pupil=pupil,
                school_class=school_class,
                guardian=guardian,
                due_on=due_on,
                lent_by=actor,
            )
            locked.state = Device.State.LENT
            locked.save(update_fields=["state"])
            audit.record(
                "schools.loan.lent", actor=actor, authority=locked.school.authority, obj=loan
            )
    except IntegrityError as error:  # the other loan won the race
        raise Refused(_("This device is lent already. Record its return first.")) from error
    return loan


def give_back(loan: Loan, *, note: str, actor: Any) -> Loan:
    with transaction.atomic():
        locked = Loan.objects.select_for_update().get(pk=loan.pk)
        if locked.returned_at is not None:
            raise Refused(_("This loan has been returned already."))
        locked.returned_at = timezone.now()
        locked.returned_by = actor
        locked.return_note = note
        locked.save(update_fields=["returned_at", "returned_by", "return_note"])
        Device.objects.filter(pk=locked.device_id, state=Device.State.LENT).update(
            state=Device.State.IN_USE
        )
        audit.record(
            "schools.loan.returned",
            actor=actor,
            obj=locked,
            authority=School.objects.get(devices=locked.device_id).authority,
        )
    return locked


def add_care_record(school: School, values: dict[str, Any], actor: Any) -> CareRecord:
    with transaction.atomic():
        record = CareRecord.objects.create(school=school, recorded_by=actor, **values)
        audit.record("schools.care.recorded", actor=actor, authority=school.authority, obj=record)
    return record
