from __future__ import annotations

import pytest

from rathaus.appointments.models import AppointmentType
from tests.support import Office, make_office


@pytest.fixture
def office(db) -> Office:
    return make_office()


@pytest.fixture
def passport(barleben) -> AppointmentType:
    return AppointmentType.objects.get(location__slug="buergerbuero", slug="reisepass")
