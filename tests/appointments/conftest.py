from __future__ import annotations

import datetime as dt
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from rathaus.appointments.availability import TZ
from rathaus.appointments.models import AppointmentType, Location, OpeningHours, Resource
from rathaus.core.models import Authority
from tests.support import ROOT

MONDAY = dt.date(2025, 10, 27)  # the week of Reformationstag (Friday, 31 October 2025)


def berlin(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


@dataclass
class Office:
    location: Location
    kind: AppointmentType  # 20 minutes + 10 buffer: a slot every 30 minutes
    short: AppointmentType  # 10 minutes, no buffer, same desks
    desk_a: Resource
    desk_b: Resource


def make_authority(slug: str = "testort") -> Authority:
    return Authority.objects.create(
        slug=slug, name=f"Gemeinde {slug}", kind=Authority.Kind.GEMEINDE, ags="15083040",
        ars=f"1508{abs(hash(slug)) % 10**8:08d}",
    )  # fmt: skip


def make_office(authority: Authority | None = None) -> Office:
    """Two desks, Monday to Friday 9–12; desk A also Tuesday 13–15."""
    location = Location.objects.create(
        authority=authority or make_authority(), slug="amt", name="Amt",
        booking_horizon_days=30, min_lead_minutes=60,
    )  # fmt: skip
    kind = AppointmentType.objects.create(
        location=location, slug="ausweis", name="Ausweis", duration_minutes=20, buffer_minutes=10,
        max_active_per_person=2,
    )  # fmt: skip
    short = AppointmentType.objects.create(
        location=location, slug="kurz", name="Kurz", duration_minutes=10, buffer_minutes=0
    )
    desks = []
    for name in ("A", "B"):
        desk = Resource.objects.create(location=location, name=name)
        desk.appointment_types.add(kind, short)
        for weekday in range(5):
            OpeningHours.objects.create(
                resource=desk, weekday=weekday, start=dt.time(9), end=dt.time(12)
            )
        desks.append(desk)
    OpeningHours.objects.create(resource=desks[0], weekday=1, start=dt.time(13), end=dt.time(15))
    return Office(location, kind, short, desks[0], desks[1])


@pytest.fixture
def office(db) -> Office:
    return make_office()


def run_gated(commands: list[list[str]], gate: Path, env: dict[str, str] | None = None) -> list:
    """Start client processes, wait until each prints "ready", open the gate, and return the
    concatenation of the JSON lists they print last (each must exit 0)."""
    processes = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for command in commands
    ]
    for process in processes:
        assert process.stdout is not None
        line = process.stdout.readline()
        if line.strip() != "ready":
            pytest.fail(f"client did not start: {line} {process.communicate(timeout=30)}")
    gate.touch()
    results: list = []
    for process in processes:
        out, err = process.communicate(timeout=180)
        assert process.returncode == 0, err
        results.extend(json.loads(out.strip().splitlines()[-1]))
    return results
