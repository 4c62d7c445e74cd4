"""Demo school IT of Barleben: the Grundschule and the Gemeinschaftsschule „Otto von Guericke“,
equipped through the DigitalPakt Schule with 86-inch interactive displays, iPads, laptops,
teacher devices and a fibre connection (facts from the town's report on its digital projects,
2022). About forty devices, one loan to a pupil, three support requests (one past its response
target), maintenance and a teacher training, and one demo teacher login.

Everything is keyed (schools by short name, devices by inventory number), so loading again
changes nothing. The demo administrator of the Bereich Digitales keeps the pages."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from rathaus.core.demo import DEMO_PASSWORD, Tally
from rathaus.core.models import Authority
from rathaus.schools.models import (
    CareRecord,
    Device,
    Loan,
    RequestEvent,
    Room,
    School,
    SupportRequest,
    Teacher,
)

AUTHORITY = "barleben"
DEMO_TEACHER = "lehrkraft@grundschule-barleben.example"
PACT = "DigitalPakt Schule"
SCHOOLS = [
    (
        "grundschule-barleben",
        "Grundschule Barleben",
        "GS",
        [
            "Klassenraum 1a",
            "Klassenraum 2a",
            "Klassenraum 3a",
            "Klassenraum 4a",
            "Lehrerzimmer",
            "Serverraum",
        ],
    ),
    (
        "gemeinschaftsschule-barleben",
        "Gemeinschaftsschule „Otto von Guericke“ Barleben",
        "GMS",
        ["Raum 101", "Raum 102", "Raum 201", "Informatikraum", "Lehrerzimmer", "Serverraum"],
    ),
]


def _devices(prefix: str, rooms: list[str]) -> list[dict[str, object]]:
    """Per school: a display in every class room, a case of iPads, laptops, teacher devices
    and the network (fibre connection, switch, access points)."""
    bought = dt.date(2021, 5, 17)
    found: list[dict[str, object]] = []
    classrooms = [room for room in rooms if room not in ("Lehrerzimmer", "Serverraum")]
    for room in classrooms:
        found.append(
            {
                "kind": "display",
                "model_name": "Interaktives Display 86″",
                "room": room,
                "price_cents": 489_900,
                "warranty_end": bought + dt.timedelta(days=5 * 365),
            }
        )
    for number in range(1, 9):
        found.append(
            {
                "kind": "ipad",
                "model_name": "iPad 10,2″ (Klassensatz)",
                "room": classrooms[0],
                "price_cents": 39_900,
                "warranty_end": timezone.localdate() + dt.timedelta(days=40 + number),
            }
        )
    for _number in range(1, 5):
        found.append(
            {
                "kind": "laptop",
                "model_name": "Notebook 14″",
                "room": classrooms[-1],
                "price_cents": 74_900,
                "warranty_end": bought + dt.timedelta(days=3 * 365),
            }
        )
    for number in range(1, 3):
        found.append(
            {
                "kind": "teacher",
                "model_name": "Notebook 14″ (Lehrkraft)",
                "person": f"Lehrkraft {number}",
                "price_cents": 89_900,
                "managed_by": "land",
                "funding_source": "Sofortausstattungsprogramm",
                "warranty_end": bought + dt.timedelta(days=3 * 365),
            }
        )
    found.append(
        {
            "kind": "network",
            "model_name": "Glasfaseranschluss mit Router",
            "room": "Serverraum",
            "price_cents": 1_250_000,
        }
    )
    found.append(
        {
            "kind": "network",
            "model_name": "WLAN-Access-Points (Satz)",
            "room": "Serverraum",
            "price_cents": 620_000,
        }
    )
    for index, values in enumerate(found, start=1):
        values["inventory_number"] = f"{prefix}-{index:03d}"
        values["serial"] = f"{prefix}SN{2021_0000 + index}"
        values.setdefault("funding_source", PACT)
        values.setdefault("managed_by", "town")
        values["purchase_date"] = bought
    return found


def load(tally: Tally) -> None:
    authority = Authority.objects.filter(slug=AUTHORITY).first()
    if authority is None:
        return
    first = None
    for code, name, prefix, room_names in SCHOOLS:
        school = tally.upsert(
            School,
            {"code": code},
            {
                "authority": authority,
                "name": name,
                "street": "",
                "postal_code": "39179",
                "city": "Barleben",
            },
        )
        first = first or school
        rooms = {
            room: tally.upsert(Room, {"school": school, "name": room}, {}) for room in room_names
        }
        for values in _devices(prefix, room_names):
            room = rooms.get(str(values.pop("room", "")))
            if not Device.objects.filter(inventory_number=values["inventory_number"]).exists():
                Device.objects.create(school=school, room=room, **values)
                tally["Device: created"] += 1
    if first is None:
        return
    _loan(tally)
    teacher = _teacher(tally, first)
    _requests(tally, first, teacher)
    _care(tally, first)


def _loan(tally: Tally) -> None:
    device = Device.objects.get(inventory_number="GS-006")  # an iPad of the class set
    if device.loans.exists():
        return
    Loan.objects.create(
        device=device,
        pupil="Mia Beispiel",
        school_class="4a",
        guardian="Maria Beispiel",
        due_on=dt.date(timezone.localdate().year + 1, 7, 1),
    )
    device.state = Device.State.LENT
    device.save(update_fields=["state"])
    tally["Loan: created"] += 1


def _teacher(tally: Tally, school: School) -> Teacher:
    users = get_user_model()
    user = users.objects.filter(username=DEMO_TEACHER).first()
    if user is None:
        user = users.objects.create_user(
            username=DEMO_TEACHER, email=DEMO_TEACHER, password=DEMO_PASSWORD, first_name="Paula"
        )
        tally["User: created"] += 1
    return tally.upsert(Teacher, {"user": user}, {"school": school, "name": "Paula Lehrbeispiel"})


def _requests(tally: Tally, school: School, teacher: Teacher) -> None:
    if school.requests.exists():
        return
    now = timezone.now()
    specs = [
        (
            "GS-001",
            "Das Display im Klassenraum 1a bleibt nach dem Einschalten schwarz. Der Unterricht "
            "mit der Tafel ist nicht möglich.",
            "urgent",
            "new",
            now - dt.timedelta(hours=6),
        ),
        (
            "GS-007",
            "Das iPad lädt nicht mehr, auch mit einem anderen Kabel nicht.",
            "normal",
            "in_progress",
            now - dt.timedelta(days=1),
        ),
        (
            "",
            "Im Lehrerzimmer bricht das WLAN mehrmals am Tag ab.",
            "high",
            "done",
            now - dt.timedelta(days=12),
        ),
    ]
    for number, text, priority, status, created in specs:
        device = Device.objects.filter(inventory_number=number).first() if number else None
        room = device.room if device else Room.objects.get(school=school, name="Lehrerzimmer")
        found = SupportRequest.objects.create(
            school=school,
            device=device,
            room=room,
            teacher=teacher,
            reporter=teacher.name,
            text=text,
            priority=priority,
            status=status,
            created_at=created,
            responded_at=None if status == "new" else created + dt.timedelta(hours=2),
            closed_at=created + dt.timedelta(days=2) if status == "done" else None,
        )
        RequestEvent.objects.create(
            request=found, status="new", priority=priority, author=teacher.name, created_at=created
        )
        if status != "new":
            RequestEvent.objects.create(
                request=found,
                status=status,
                priority=priority,
                author="IT-Dienstleister",
                note="Wir kümmern uns darum." if status != "done" else "Access Point getauscht.",
                created_at=created + dt.timedelta(hours=2),
            )
        tally["SupportRequest: created"] += 1


def _care(tally: Tally, school: School) -> None:
    today = timezone.localdate()
    for kind, days, title, participants in (
        ("maintenance", 60, "Firmware der Displays aktualisiert", None),
        ("training", 30, "Lehrerqualifizierung: Arbeiten mit dem interaktiven Display", 14),
    ):
        tally.upsert(
            CareRecord,
            {"school": school, "title": title},
            {"kind": kind, "date": today - dt.timedelta(days=days), "participants": participants},
        )
