#!/usr/bin/env python3
"""The screen page of the digital notice board and its JSON, with every content source.

Migrates a fresh database and creates one authority with demo-like content: a council with
committees and ``--meetings`` meetings over a year (a handful in the next two weeks), ``--sites``
published construction sites (a fifth current), measuring stations with their newest values and
open alerts, official notices on display, and one screen with a slot for each source. Times
in-process requests through Django's test client (the whole middleware stack, no network) of
the page without JavaScript, a later page (``?n=``) and the JSON that screen.js asks for, and
counts their database queries. Prints a Markdown table (p50, p95, per second).

    .venv/bin/python bench/screen_page.py [--meetings 2000] [--sites 2000] [--repeats 50]
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import timedelta
from typing import Any

from common import add_smoke_option, fresh_database, print_table, time_in_process

SEED = 20261207


def generate(meetings: int, sites: int) -> Any:
    from django.utils import timezone

    from rathaus.construction.models import Disruption, Publication
    from rathaus.core.models import Authority
    from rathaus.council.models import Body, Location, Meeting, Organization
    from rathaus.noticeboard.models import Notice, Screen, Slot
    from rathaus.opendata.models import (
        Alert,
        Datastream,
        LatestObservation,
        ObservedProperty,
        Sensor,
        Thing,
        Threshold,
        Topic,
    )  # fmt: skip

    rng = random.Random(SEED)  # noqa: S311 - benchmark data
    now = timezone.now()
    today = timezone.localdate()
    authority = Authority.objects.create(
        slug="barleben", name="Gemeinde Barleben", kind=Authority.Kind.GEMEINDE,
        ags="15083040", ars="150835303040",
    )  # fmt: skip
    body = Body.objects.create(authority=authority, name="Gemeinderat Barleben")
    hall = Location.objects.create(body=body, description="Rathaus, Ratssaal")
    names = ("Gemeinderat", "Hauptausschuss", "Bauausschuss", "Sozialausschuss", "Finanzausschuss")
    committees = [Organization.objects.create(body=body, name=name) for name in names]
    rows = []
    for number in range(meetings):
        start = now + timedelta(days=rng.randint(-300, 60), hours=rng.randint(0, 4))
        rows.append(Meeting(body=body, name=f"{number}. Sitzung", start=start,
                            end=start + timedelta(hours=3), location=hall,
                            cancelled=number % 17 == 0))  # fmt: skip
    Meeting.objects.bulk_create(rows, batch_size=1000)
    through = Meeting.organizations.through
    through.objects.bulk_create([
        through(meeting_id=meeting_id, organization_id=committees[i % 5].pk)
        for i, meeting_id in enumerate(Meeting.objects.values_list("pk", flat=True))
    ], batch_size=1000)  # fmt: skip
    starts = [today + timedelta(days=rng.randint(-60, 30) if n % 5 else -2) for n in range(sites)]
    Disruption.objects.bulk_create([
        Disruption(
            authority=authority, title=f"Baustelle {n}", kind="closure" if n % 3 else "roadworks",
            streets=["Breiteweg", "Schanze"], starts_on=start,
            ends_on=start + timedelta(days=rng.randint(3, 40)), detour="Über die Bahnhofstraße.",
            status=Publication.PUBLISHED, published_at=now,
        )
        for n, start in enumerate(starts)
    ], batch_size=1000)  # fmt: skip
    sensor = Sensor.objects.create(name="Sensor", encoding_type="text/html", metadata="-")
    properties = [ObservedProperty.objects.create(name=name, definition=name)
                  for name in ("PM10", "PM2.5", "NO2", "Grundwasserstand")]  # fmt: skip
    for station in range(8):
        thing = Thing.objects.create(name=f"Messstation {station}", authority=authority)
        for position, prop in enumerate(properties[:3] if station < 5 else properties[3:]):
            stream = Datastream.objects.create(
                name=f"{prop.name} {station}", observation_type="OM_Measurement",
                unit_of_measurement={"symbol": "µg/m³"}, thing=thing, sensor=sensor,
                observed_property=prop, topic=Topic.AIR if station < 5 else Topic.GROUNDWATER,
            )  # fmt: skip
            LatestObservation.objects.create(
                datastream=stream, observation_id=position, phenomenon_time=now,
                result_number=rng.random() * 60,
            )  # fmt: skip
            if station < 3 and position == 0:
                threshold = Threshold.objects.create(datastream=stream, name="Grenzwert",
                                                     direction="above", value=50)  # fmt: skip
                Alert.objects.create(threshold=threshold, started_at=now, peak=62, last_value=58)
    Notice.objects.bulk_create([
        Notice(authority=authority, title=f"Bekanntmachung {n}", category="general",
               text="Text der Bekanntmachung.", display_from=now - timedelta(days=1),
               display_until=now + timedelta(days=14), status=Notice.Status.ON_DISPLAY,
               put_up_at=now - timedelta(days=1))
        for n in range(20)
    ])  # fmt: skip
    screen = Screen.objects.create(authority=authority, slug="rathaus-foyer", name="Foyer")
    for position, source in enumerate(["noticeboard.notices", "council.meetings",
                                       "construction.sites", "opendata.sensors",
                                       "opendata.alerts"]):  # fmt: skip
        Slot.objects.create(screen=screen, source=source, seconds=15, position=position)
    return screen


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--meetings", type=int, default=2_000)
    parser.add_argument("--sites", type=int, default=2_000)
    parser.add_argument("--repeats", type=int, default=50)
    add_smoke_option(parser)
    args = parser.parse_args()
    if args.smoke:
        args.meetings, args.sites, args.repeats = 30, 30, 2
    with fresh_database():
        from django.conf import settings

        from rathaus.core import signage

        settings.ALLOWED_HOSTS = ["localhost"]
        print("generating the content …", file=sys.stderr)
        generate(args.meetings, args.sites)
        sources = ", ".join(source.key for source in signage.registered())
        rows = time_in_process([
            ("screen page, first page", "/anzeige/rathaus-foyer/"),
            ("screen page, page 7 (?n=6)", "/anzeige/rathaus-foyer/?n=6"),
            ("content JSON for screen.js", "/anzeige/rathaus-foyer/inhalt.json"),
        ], args.repeats, count_queries=True)  # fmt: skip
    print_table(
        "Screen page",
        rows,
        f"{args.meetings} meetings, {args.sites} construction sites, 8 stations, 3 open alerts, "
        f"20 notices; one screen with a slot per source (registered: {sources}); in-process "
        "requests through the test client, one after another; the queries of the first request",
    )


if __name__ == "__main__":
    main()
