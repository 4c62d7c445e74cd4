"""The assembly notice in the demo: the Landkreis Börde's form and process, the appointment type
for the cooperation talk at its assembly authority, and two notices of the demo citizen in the
Versammlungsbehörde's inbox (marked by their idempotency key ``demo:versammlung:<n>``; only in a
demo installation, ``RATHAUS_DEMO``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from rathaus.assemblies import install
from rathaus.assemblies.process_tasks import TALK_SLUG
from rathaus.core.demo import Tally
from rathaus.core.models import Authority, OrgUnit

AUTHORITY = "landkreis-boerde"
UNIT = "versammlungsbehoerde"
# Monday to Thursday, 9 to 15 o'clock: the assembly authority's meeting room
TALK_HOURS = [(weekday, "09:00", "15:00") for weekday in (0, 1, 2, 3)]


def load(tally: Tally) -> None:
    authority = Authority.objects.filter(slug=AUTHORITY).first()
    unit = OrgUnit.objects.filter(authority=authority, slug=UNIT).first()
    if authority is None or unit is None:
        return
    report = install.install(authority, actor_name="rathaus demo-data")
    tally[f"FormVersion: {report.form}"] += 1
    tally[f"ProcessVersion: {report.process}"] += 1
    _talk_calendar(tally, authority, unit)
    # The notices are cases in a demo installation (make run); the test suite loads the demo
    # too, and many tests of other apps count every submission, so there they are left out and
    # the notices' tests call load_notices themselves.
    if settings.RATHAUS_DEMO:
        load_notices(tally)


def load_notices(tally: Tally) -> None:
    """The demo citizen's notices in the Versammlungsbehörde's inbox (idempotent)."""
    authority = Authority.objects.get(slug=AUTHORITY)
    for number, data in enumerate(demo_notices(timezone.localdate()), start=1):
        _submit(tally, authority, f"demo:versammlung:{number}", data)


def _talk_calendar(tally: Tally, authority: Authority, unit: OrgUnit) -> None:
    from rathaus.appointments.models import AppointmentType, Location, OpeningHours, Resource

    location = tally.upsert(
        Location,
        {"authority": authority, "slug": UNIT},
        {
            "name": "Versammlungsbehörde Landkreis Börde",
            "street": unit.street,
            "postal_code": unit.postal_code,
            "city": unit.city,
            "org_unit": unit,
            "accessibility": "Aufzug im Haus.",
            "min_lead_minutes": 120,
            "booking_horizon_days": 30,
        },
    )
    kind = tally.upsert(
        AppointmentType,
        {"location": location, "slug": TALK_SLUG},
        {
            "name": "Kooperationsgespräch",
            "duration_minutes": 60,
            "buffer_minutes": 15,
            "documents": "Ihre Anmeldung (Aktenzeichen) und, wenn vorhanden, den Plan des Weges.",
        },
    )
    resource = tally.upsert(
        Resource, {"location": location, "name": "Besprechungsraum"}, {"active": True}
    )
    resource.appointment_types.add(kind)
    for weekday, start, end in TALK_HOURS:
        tally.upsert(
            OpeningHours,
            {"resource": resource, "weekday": weekday, "start": dt.time.fromisoformat(start)},
            {"end": dt.time.fromisoformat(end)},
        )


def demo_notices(today: dt.date) -> list[dict[str, Any]]:
    """A procession in three weeks and an urgent rally in two days (dates from today)."""
    address = {"street": "Breiteweg 1", "postal_code": "39179", "place": "Barleben"}
    later = today + dt.timedelta(days=21)
    soon = today + dt.timedelta(days=2)
    return [
        {
            "notice_path": "regular",
            "organiser_kind": "association",
            "name": "Elterninitiative Sicherer Schulweg Barleben",
            "representative": "Ilse Beispiel",
            "address": address,
            "email": "ilse.beispiel@example.org",
            "leader_name": "Ilse Beispiel",
            "deputy_name": "Hans Muster",
            "police_phone": "0170 1234567",
            "topic": "Für einen sicheren Schulweg an der Ebendorfer Straße",
            "start_date": later.isoformat(),
            "start_time": "15:00",
            "end_date": later.isoformat(),
            "end_time": "17:00",
            "announcement_date": (today + dt.timedelta(days=5)).isoformat(),
            "announcement_time": "09:00",
            "expected_participants": 120,
            "stewards": 6,
            "assembly_form": "procession",
            "assembly_point": "Barleben, Platz vor der Grundschule",
            "route": [
                {"street": "Ebendorfer Straße"},
                {"street": "Breiteweg"},
                {"street": "Meitzendorfer Straße"},
            ],
            "closing_point": "Barleben, Rathaus (Ernst-Thälmann-Straße 22)",
            "route_line": '{"type": "LineString", "coordinates": '
            "[[11.6275, 52.2040], [11.6222, 52.2016], [11.6171, 52.2001]]}",
            "means": ["loudspeakers", "banners"],
            "means_details": "1 Megafon, 10 Transparente, Schilder der Kinder.",
        },
        {
            "notice_path": "urgent",
            "urgency_reason": "Der Gemeinderat entscheidet übermorgen über die Schließung des "
            "Freibads; die Tagesordnung ist erst gestern veröffentlicht worden.",
            "organiser_kind": "person",
            "name": "Ilse Beispiel",
            "address": address,
            "email": "ilse.beispiel@example.org",
            "leader_name": "Ilse Beispiel",
            "police_phone": "0170 1234567",
            "topic": "Unser Freibad bleibt!",
            "start_date": soon.isoformat(),
            "start_time": "17:30",
            "end_date": soon.isoformat(),
            "end_time": "18:30",
            "announcement_date": today.isoformat(),
            "announcement_time": "23:00",
            "expected_participants": 40,
            "stewards": 2,
            "assembly_form": "stationary",
            "place": "Barleben, vor dem Rathaus, Ernst-Thälmann-Straße 22",
            "means": ["stages"],
            "means_details": "Ein Pavillon 3 × 3 m.",
        },
    ]


def _submit(tally: Tally, authority: Authority, key: str, data: dict[str, Any]) -> None:
    from rathaus.accounts.demo import CITIZEN_EMAIL
    from rathaus.accounts.models import Account
    from rathaus.cases import services as cases
    from rathaus.forms import services as forms
    from rathaus.forms.models import Submission

    if Submission.objects.filter(idempotency_key=key, authority=authority).exists():
        tally["Submission: unchanged"] += 1
        return
    definition = install.notice_form(authority)
    version = definition.published_version() if definition is not None else None
    account = Account.objects.filter(user__username=CITIZEN_EMAIL).first()
    if version is None or account is None:
        return
    result = forms.submit_data(
        version, data, account=account, trust_level="basic", idempotency_key=key
    )
    cases.route(str(result.submission.pk))
    tally["Submission: created"] += 1
