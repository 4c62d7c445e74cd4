"""Demo events of the Digitalwerkstatt Villa 147 in Barleben (facts from the town's report on
the state of its digital projects, 2022): the open hours for everyone every Tuesday and
Thursday from 15 to 18 Uhr (a series, linked to the appointment type "Digitalsprechstunde"), a
smartphone course for senior citizens (one part over, with attendance, one to come, nearly
full), a holiday workshop for the children of the youth club, and a workshop of the digital
strategy's working group "Generationen und Leben".

Dates are relative to the day of the first load. An event that exists already (keyed by a fixed
``uid``) is left as it is, with its registrations, so loading again changes nothing. The demo
staff member of the Digitalwerkstatt gets the role "Veranstaltungen".
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from rathaus.appointments.models import AppointmentType
from rathaus.core import roles
from rathaus.core.demo import Tally
from rathaus.core.models import Authority
from rathaus.events import keepers, staff_services
from rathaus.events.models import Audience, Event, Kind, Registration, Series
from rathaus.events.services import token_hash

AUTHORITY = "barleben"
DEMO_KEEPER = "digitalwerkstatt"
TZ = ZoneInfo("Europe/Berlin")
NAMESPACE = uuid.UUID("7d3f4a52-93c1-4d0b-8a1e-2c5b6f0e9d47")
PLACE = {
    "place_name": "Digitalwerkstatt Villa 147", "room": "1. Etage (Festsaal)",
    "street": "Breiteweg 147", "postal_code": "39179", "city": "Barleben",
}  # fmt: skip
CONSENT = (
    "Ich bin einverstanden, dass die Gemeinde meinen Namen, meine E-Mail-Adresse und die Zahl "
    "der Plätze speichert (Demo-Anmeldung)."
)
PEOPLE = [
    "Gisela Beispiel", "Horst Muster", "Renate Probe", "Werner Exempel", "Ingrid Demo",
    "Klaus Testmann", "Helga Vorlage", "Dieter Muster", "Ursula Beispiel", "Manfred Probe",
    "Christa Exempel", "Gerhard Demo", "Monika Testfrau",
]  # fmt: skip


@dataclass(frozen=True)
class DemoEvent:
    key: str
    title: str
    kind: str
    audience: str
    description: str
    day: int  # days from today
    start: str
    end: str
    capacity: int
    max_places: int
    registered: int  # demo registrations (one place each)
    waiting: int = 0
    attended: int = 0  # of the registered, for an event in the past

    @property
    def uid(self) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, self.key)


SENIORS = (
    "Demo-Veranstaltung. Schritt für Schritt und in Ruhe: Telefonieren, Fotos, Nachrichten "
    "schreiben, sicher im Internet unterwegs. Bringen Sie Ihr eigenes Smartphone mit; Geräte "
    "zum Ausprobieren sind vorhanden. Die Teilnahme ist kostenlos."
)
EVENTS = (
    DemoEvent("smartphone-teil-1", "Smartphone-Kurs für Senioren – Teil 1: Die Grundlagen",
              Kind.COURSE, Audience.SENIORS, SENIORS, -7, "10:00", "12:00", 12, 2, 9,
              attended=7),
    DemoEvent("smartphone-teil-2", "Smartphone-Kurs für Senioren – Teil 2: Fotos und "
              "Nachrichten", Kind.COURSE, Audience.SENIORS, SENIORS, 9, "10:00", "12:00", 12, 2,
              12, waiting=1),
    DemoEvent("ferienworkshop", "Ferienworkshop für Kinder des Jugendclubs: Wir bauen einen "
              "Roboter", Kind.WORKSHOP, Audience.YOUNG,
              "Demo-Veranstaltung für Kinder von 8 bis 14 Jahren, gemeinsam mit dem Jugendclub "
              "Barleben. Wir bauen und programmieren kleine Roboter und probieren die digitalen "
              "Anwendungen der Ausstellung aus. Getränke und ein Imbiss sind da.",
              16, "10:00", "14:00", 15, 3, 4),
    DemoEvent("workshop-generationen", "Workshop Digitalstrategie: Arbeitsgruppe Generationen "
              "und Leben", Kind.WORKSHOP, Audience.WORKING_GROUPS,
              "Demo-Veranstaltung. Die Arbeitsgruppe „Generationen und Leben“ der Digitalstrategie "
              "trifft sich in der Digitalwerkstatt: Welche digitalen Angebote brauchen Familien, "
              "Ältere und Vereine in Barleben, Ebendorf und Meitzendorf? Alle Interessierten "
              "sind willkommen.", 12, "17:00", "19:30", 20, 1, 6),
)  # fmt: skip


def _at(day: dt.date, text: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(text), tzinfo=TZ)


def load(tally: Tally) -> None:
    authority = Authority.objects.filter(slug=AUTHORITY).first()
    if authority is None:
        return
    today = timezone.localdate()
    for spec in EVENTS:
        if Event.objects.filter(uid=spec.uid).exists():
            continue
        day = today + dt.timedelta(days=spec.day)
        event = Event.objects.create(
            uid=spec.uid, authority=authority, title=spec.title, kind=spec.kind,
            audience=spec.audience, description=spec.description, starts_at=_at(day, spec.start),
            ends_at=_at(day, spec.end), capacity=spec.capacity, max_places=spec.max_places,
            registration_required=True, state=Event.State.PUBLISHED, **PLACE,
        )  # fmt: skip
        tally["Event: created"] += 1
        _registrations(tally, event, spec)
    _open_hours(tally, authority, today)
    _keeper(tally)


def _registrations(tally: Tally, event: Event, spec: DemoEvent) -> None:
    confirmed = event.starts_at - dt.timedelta(days=3)
    for number in range(spec.registered + spec.waiting):
        name = PEOPLE[number % len(PEOPLE)]
        waiting = number >= spec.registered
        Registration.objects.create(
            event=event, name=name, email=f"{name.lower().replace(' ', '.')}@example.org",
            places=1, consent_text=CONSENT, token_hash=token_hash(secrets.token_urlsafe(32)),
            status=Registration.Status.WAITING if waiting else Registration.Status.REGISTERED,
            confirmed_at=confirmed + dt.timedelta(minutes=number),
            attended=True if number < spec.attended else None,
            attendance_at=event.starts_at if number < spec.attended else None,
        )  # fmt: skip
        tally["Registration: created"] += 1


def _open_hours(tally: Tally, authority: Authority, today: dt.date) -> None:
    """The open hours for everyone, Tuesday and Thursday 15–18 Uhr, for the next eight weeks."""
    consultation = AppointmentType.objects.filter(
        location__authority=authority, slug="digitalsprechstunde"
    ).first()
    series = Series.objects.filter(
        authority=authority, title="Offene Sprechzeit Digitalwerkstatt"
    ).first()
    if series is None:
        series = Series.objects.create(
            authority=authority, title="Offene Sprechzeit Digitalwerkstatt", kind=Kind.OPEN_HOURS,
            audience=Audience.ALL, registration_required=False, capacity=None,
            description="Demo. Die regelmäßige Sprechzeit für jedermann: Fragen zu Smartphone, "
            "Tablet, Computer und den Online-Diensten der Gemeinde. Ohne Anmeldung – kommen Sie "
            "einfach vorbei. Wer lieber einen festen Termin möchte, bucht eine "
            "Digitalsprechstunde.",
            appointment_type=consultation, weekdays=[1, 3], start_time=dt.time(15),
            end_time=dt.time(18), first_day=today, last_day=today + dt.timedelta(weeks=8),
            **PLACE,
        )  # fmt: skip
        tally["Series: created"] += 1
    created = staff_services.generate(series, None)
    if created:
        tally["Event: created"] += created


def _keeper(tally: Tally) -> None:
    """The demo staff member of the Digitalwerkstatt runs the events (group
    "Veranstaltungen", which gives ``events.change_event`` in the authority of their unit)."""
    user = get_user_model().objects.filter(username=DEMO_KEEPER).first()
    if user is None:
        return
    role = roles.role(keepers.ROLE)
    role.permissions.add(*Permission.objects.filter(
        content_type__app_label="events",
        codename__in=[f"{action}_{model}" for action in ("add", "change", "delete", "view")
                      for model in ("event", "series", "seriesexception", "registration")],
    ))  # fmt: skip
    if not user.groups.filter(pk=role.pk).exists():
        user.groups.add(role)
        tally["Group member: added"] += 1
