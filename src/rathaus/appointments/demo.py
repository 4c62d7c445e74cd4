"""The appointments part of the Barleben demo: Bürgerbüro, Standesamt and Digitalwerkstatt."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rathaus.appointments.models import AppointmentType, Location, OpeningHours, Resource
from rathaus.catalog.models import Offer
from rathaus.core.demo import Tally
from rathaus.core.models import Authority, OrgUnit

MON, TUE, WED, THU, FRI = range(5)
MORNINGS = [(day, "09:00", "12:00") for day in (MON, TUE, THU, FRI)]
TOWN_HALL_HOURS = [*MORNINGS, (TUE, "13:00", "18:00"), (THU, "13:00", "16:00")]

TOWN_HALL = {
    "street": "Ernst-Thälmann-Straße 22",
    "postal_code": "39179",
    "city": "Barleben",
    "accessibility": "Barrierefreier Zugang über den Haupteingang, Aufzug in alle Etagen, "
    "behindertengerechtes WC im Erdgeschoss.",
    "directions": "Bus 200 und 203 bis Haltestelle Barleben, Rathaus; Parkplätze hinter dem "
    "Rathaus.",
}

LOCATIONS: list[dict[str, Any]] = [
    {
        "slug": "buergerbuero",
        "unit": "buergerbuero",
        "values": {**TOWN_HALL, "name": "Bürgerbüro Barleben", "room": "Erdgeschoss"},
        "resources": {"Schalter 1": TOWN_HALL_HOURS, "Schalter 2": TOWN_HALL_HOURS},
        # Often needed together: identity card and passport (and a registration certificate)
        # in one visit.
        "combinable": ["personalausweis", "reisepass", "meldebescheinigung"],
        "types": [
            (
                "personalausweis",
                "Personalausweis beantragen",
                20,
                5,
                "99008001012000",
                "Bisheriger Ausweis oder Reisepass, ein aktuelles biometrisches Passfoto, bei "
                "Kindern die Geburtsurkunde.",
            ),
            (
                "reisepass",
                "Reisepass beantragen",
                20,
                5,
                "99085001012000",
                "Personalausweis oder bisheriger Reisepass, ein aktuelles biometrisches Passfoto.",
            ),
            (
                "meldebescheinigung",
                "Meldebescheinigung",
                10,
                0,
                "99115003012000",
                "Personalausweis oder Reisepass.",
            ),
            (
                "wohnsitz-anmelden",
                "Wohnsitz anmelden",
                15,
                5,
                "99115005104000",
                "Personalausweis oder Reisepass, Wohnungsgeberbestätigung des Vermieters.",
            ),
            (
                "fuehrungszeugnis",
                "Führungszeugnis",
                10,
                0,
                "99049001001000",
                "Personalausweis oder Reisepass; die Gebühr ist bar oder mit Karte zu zahlen.",
            ),
        ],
    },
    {
        "slug": "standesamt",
        "unit": "standesamt",
        "values": {**TOWN_HALL, "name": "Standesamt Barleben", "room": "1. Obergeschoss"},
        "resources": {
            "Standesbeamtin": [
                (MON, "09:00", "12:00"),
                (TUE, "09:00", "12:00"),
                (TUE, "13:00", "18:00"),
                (THU, "09:00", "12:00"),
                (THU, "13:00", "16:00"),
            ]
        },
        "types": [
            (
                "eheschliessung-anmelden",
                "Eheschließung anmelden",
                45,
                15,
                "99059001104000",
                "Personalausweise oder Reisepässe beider Partner, beglaubigte Abschriften aus den "
                "Geburtsregistern, bei früheren Ehen die Nachweise über deren Auflösung.",
            ),
        ],
    },
    {
        "slug": "digitalwerkstatt",
        "unit": "digitalwerkstatt",
        "values": {
            "name": "Digitalwerkstatt Barleben",
            "street": "Breiteweg 147",
            "postal_code": "39179",
            "city": "Barleben",
            "room": "",
            "accessibility": "Ebenerdiger Zugang.",
            "directions": "Im Ortszentrum am Breiteweg, wenige Schritte von der Bushaltestelle.",
        },
        "resources": {"Sprechstunde": [(TUE, "15:00", "18:00"), (THU, "15:00", "18:00")]},
        "types": [
            (
                "digitalsprechstunde",
                "Digitalsprechstunde",
                30,
                0,
                None,
                "Ihr Smartphone, Tablet oder Notebook und die Zugangsdaten, um die es geht.",
            ),
        ],
    },
]


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def load(tally: Tally) -> None:
    authority = Authority.objects.get(slug="barleben")
    for spec in LOCATIONS:
        unit = OrgUnit.objects.get(authority=authority, slug=spec["unit"])
        location = tally.upsert(
            Location,
            {"authority": authority, "slug": spec["slug"]},
            {**spec["values"], "org_unit": unit},
        )
        types = []
        for slug, name, duration, buffer, leika_key, documents in spec["types"]:
            offer = (
                Offer.objects.filter(authority=authority, service__leika_key=leika_key).first()
                if leika_key
                else None
            )
            values = {
                "name": name,
                "duration_minutes": duration,
                "buffer_minutes": buffer,
                "documents": documents,
                "offer": offer,
                "combinable": slug in spec.get("combinable", ()),
            }
            types.append(
                tally.upsert(AppointmentType, {"location": location, "slug": slug}, values)
            )
        for resource_name, hours in spec["resources"].items():
            resource = tally.upsert(
                Resource, {"location": location, "name": resource_name}, {"active": True}
            )
            resource.appointment_types.add(*types)
            for weekday, start, end in hours:
                tally.upsert(
                    OpeningHours,
                    {"resource": resource, "weekday": weekday, "start": _time(start)},
                    {"end": _time(end)},
                )
