"""Two clerks lend the same device at the same moment: the row lock on the device (and the
partial unique constraint on open loans behind it) lets one loan through, on SQLite and on
PostgreSQL; the other is refused with the German reason and leaves nothing behind."""

from __future__ import annotations

from functools import partial

import pytest
from django.db import IntegrityError
from django.utils import timezone

from rathaus.schools import services
from rathaus.schools.models import Device, Loan
from tests.factories.schools import DeviceFactory
from tests.support import run_in_threads

pytestmark = pytest.mark.database


@pytest.mark.django_db(transaction=True)
def test_two_loans_of_one_device_at_once_one_succeeds():
    device = DeviceFactory()
    calls = [
        partial(
            services.lend, device, pupil=pupil, school_class="5a", guardian="Eltern", actor=None
        )
        for pupil in ("Ada", "Ben")
    ]
    errors = run_in_threads(*calls, together=True)
    assert len(errors) == 1, errors
    assert isinstance(errors[0], services.Refused)
    assert "schon verliehen" in str(errors[0]) or "already" in str(errors[0])
    assert Loan.objects.filter(device=device, returned_at__isnull=True).count() == 1
    device.refresh_from_db()
    assert device.state == Device.State.LENT


@pytest.mark.django_db(transaction=True)
def test_the_database_itself_refuses_a_second_open_loan_of_a_device():
    device = DeviceFactory(state=Device.State.LENT)
    Loan.objects.create(device=device, pupil="Ada", school_class="5a", guardian="Eltern")
    with pytest.raises(IntegrityError):
        Loan.objects.create(device=device, pupil="Ben", school_class="5a", guardian="Eltern")
    returned = Loan.objects.get()
    returned.returned_at = timezone.now()
    returned.save()
    Loan.objects.create(device=device, pupil="Ben", school_class="5a", guardian="Eltern")
    assert Loan.objects.filter(device=device).count() == 2
