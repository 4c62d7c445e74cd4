"""Barleben's sensor network for the demo (``rathaus demo-data``).

Real: the Umweltbundesamt air-quality stations near Barleben with their metadata and PM10 yearly
values (``data/``, see its README). Generated and marked ``demo=True``: hourly PM10, PM2.5 and
NO₂ series of the last ``WEEKS`` weeks at the stations still running, groundwater gauges in
Barleben, Ebendorf and Meitzendorf, a traffic counter on the Breiteweg and passenger counts of two
bus lines. Thresholds: the EU limit values for PM10, PM2.5 and NO₂ and the town's (demo) levels
for groundwater. Loading again only adds the hours since the last load; values are the same for
the same hour (seeded by series and hour), so a reloaded demo looks the same.
"""

from __future__ import annotations

import csv
import datetime
import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import timezone

from rathaus.core.demo import Tally
from rathaus.core.models import Authority
from rathaus.opendata import ingest, retention
from rathaus.opendata.models import (
    Datastream,
    HistoricalLocation,
    LatestObservation,
    Location,
    ObservedProperty,
    Sensor,
    Thing,
    Threshold,
    Topic,
)

DATA = Path(__file__).parent / "data"
WEEKS = 4
MEASUREMENT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
COUNT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_CountObservation"
GEOJSON = "application/geo+json"
MICROGRAM = {
    "name": "Mikrogramm pro Kubikmeter",
    "symbol": "µg/m³",
    "definition": "http://qudt.org/vocab/unit/MicroGM-PER-M3",
}
METRE_NHN = {
    "name": "Meter über Normalhöhennull",
    "symbol": "m ü. NHN",
    "definition": "http://qudt.org/vocab/unit/M",
}
VEHICLES = {"name": "Fahrzeuge pro Stunde", "symbol": "Kfz/h", "definition": "urn:rathaus:unit:1/h"}
PASSENGERS = {
    "name": "Fahrgäste pro Stunde",
    "symbol": "Fahrgäste/h",
    "definition": "urn:rathaus:unit:1/h",
}

# name, definition (EEA pollutant vocabulary / ODM2 / rathaus), description
PROPERTIES = {
    "PM10": (
        "http://dd.eionet.europa.eu/vocabulary/aq/pollutant/5",
        "Feinstaub mit Partikeln bis 10 µm",
    ),
    "PM2.5": (
        "http://dd.eionet.europa.eu/vocabulary/aq/pollutant/6001",
        "Feinstaub mit Partikeln bis 2,5 µm",
    ),
    "NO2": ("http://dd.eionet.europa.eu/vocabulary/aq/pollutant/8", "Stickstoffdioxid"),
    "Grundwasserstand": (
        "http://vocabulary.odm2.org/variablename/groundwaterLevel/",
        "Höhe des Grundwasserspiegels",
    ),
    "Verkehrsstärke": ("urn:rathaus:observedProperty:vehicleCount", "Fahrzeuge je Stunde"),
    "Fahrgäste": ("urn:rathaus:observedProperty:passengerCount", "Fahrgäste je Stunde"),
}

# name, direction, limit, what it applies to, minutes: the EU limit values (Directive
# 2008/50/EC) as thresholds. PM10: the daily mean (on at most 35 days a year above it), PM2.5: the
# annual mean, NO₂: each hourly value (the demo's values are hourly).
AIR_LIMITS = {
    "PM10": ("EU-Grenzwert", "above", 50.0, Threshold.Statistic.DAILY_MEAN, 0),
    "PM2.5": ("EU-Grenzwert", "above", 25.0, Threshold.Statistic.ANNUAL_MEAN, 0),
    "NO2": ("EU-Grenzwert für den Stundenwert", "above", 200.0, Threshold.Statistic.VALUE, 0),
}
# The names of these thresholds before they said what they apply to (renamed on the next load).
OLD_AIR_NAMES = {
    "PM10": "EU-Grenzwert PM10: Tagesmittel 50 µg/m³",
    "PM2.5": "EU-Grenzwert PM2,5: Jahresmittel 25 µg/m³",
    "NO2": "EU-Grenzwert NO₂: Stundenmittel 200 µg/m³",
}


@dataclass(frozen=True)
class Series:
    thing: Thing
    prop: str
    unit: dict[str, str]
    kind: str
    topic: str
    value: Callable[[datetime.datetime, random.Random], float]


def stations() -> list[dict[str, Any]]:
    """The UBA stations shipped in ``data/``, with their real PM10 yearly values."""
    yearly = json.loads((DATA / "uba-pm10-jahreswerte-magdeburg.json").read_text("utf-8"))
    with (DATA / "uba-stationen-magdeburg.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file, delimiter=";"))
    return [dict(row, pm10=yearly.get(row["station_code"], {})) for row in rows]


def _local_hour(moment: datetime.datetime) -> float:
    local = timezone.localtime(moment)
    return local.hour + local.minute / 60


def _rush(hour: float) -> float:
    """0..1: the morning and afternoon rush hours."""
    return max(math.exp(-((hour - 7.5) ** 2) / 2), math.exp(-((hour - 16.5) ** 2) / 3))


def _episode(moment: datetime.datetime, days: float, phase: float) -> float:
    """-1..1: weather episodes of a few days (inversions, wind)."""
    return math.sin(moment.timestamp() / 86400 / days * 2 * math.pi + phase)


def _air(
    prop: str, traffic: bool, phase: float
) -> Callable[[datetime.datetime, random.Random], float]:
    base = {"PM10": 24.0, "PM2.5": 15.0, "NO2": 30.0}[prop] * (1.2 if traffic else 0.85)

    def value(moment: datetime.datetime, rng: random.Random) -> float:
        hour = _local_hour(moment)
        level = base * (1 + 0.6 * _episode(moment, 6.5, phase) + 0.35 * _rush(hour))
        if prop == "NO2":
            level += 25 * _rush(hour) * (1.5 if traffic else 0.6)
        return round(max(2.0, level + rng.gauss(0, base * 0.12)), 1)

    return value


def _groundwater(base: float, phase: float) -> Callable[[datetime.datetime, random.Random], float]:
    def value(moment: datetime.datetime, rng: random.Random) -> float:
        return round(base + 0.35 * _episode(moment, 40, phase) + rng.gauss(0, 0.01), 2)

    return value


def _counts(peak: float, night: float) -> Callable[[datetime.datetime, random.Random], float]:
    def value(moment: datetime.datetime, rng: random.Random) -> float:
        local = timezone.localtime(moment)
        factor = 0.55 if local.weekday() >= 5 else 1.0
        hour = _local_hour(moment)
        daytime = 0.35 if 6 <= hour < 21 else 0.0
        expected = night + (peak - night) * factor * max(_rush(hour), daytime)
        return float(max(0, round(expected + rng.gauss(0, expected * 0.1 + 1))))

    return value


def _thing(
    tally: Tally,
    name: str,
    description: str,
    lon: float,
    lat: float,
    properties: dict[str, Any],
    authority: Authority | None,
) -> Thing:
    thing = tally.upsert(
        Thing,
        {"name": name},
        {"description": description, "properties": properties, "authority": authority},
    )
    location = tally.upsert(
        Location,
        {"name": name},
        {
            "description": description,
            "encoding_type": GEOJSON,
            "location": {"type": "Point", "coordinates": [lon, lat]},
            "longitude": lon,
            "latitude": lat,
        },
    )
    if not thing.locations.filter(pk=location.pk).exists():
        thing.locations.add(location)
        historical = HistoricalLocation.objects.create(thing=thing, time=timezone.now())
        historical.locations.add(location)
    return thing


def _datastream(tally: Tally, series: Series, demo: bool) -> Datastream:
    definition, description = PROPERTIES[series.prop]
    prop = tally.upsert(
        ObservedProperty,
        {"name": series.prop},
        {"definition": definition, "description": description},
    )
    sensor = tally.upsert(
        Sensor,
        {"name": f"{series.prop}-Messgerät {series.thing.name}"},
        {
            "description": f"Messgerät für {description}",
            "encoding_type": "text/html",
            "metadata": "https://www.umweltbundesamt.de/daten/luft"
            if series.topic == Topic.AIR
            else "https://barleben.de",
        },
    )
    return tally.upsert(
        Datastream,
        {"thing": series.thing, "observed_property": prop},
        {
            "name": f"{series.prop} {series.thing.name}",
            "description": f"{description} an {series.thing.name}",
            "observation_type": series.kind,
            "unit_of_measurement": series.unit,
            "sensor": sensor,
            "topic": series.topic,
            "demo": demo,
        },
    )


def network(tally: Tally) -> list[Series]:
    """The Things of the network and the series generated for them."""
    barleben = Authority.objects.filter(slug="barleben").first()
    series: list[Series] = []
    for index, station in enumerate(stations()):
        lon, lat = float(station["station_longitude_d"]), float(station["station_latitude_d"])
        running = not station["station_end_date"]
        thing = _thing(
            tally,
            f"Luftmessstation {station['station_name']}",
            f"Messstation des Umweltbundesamts ({station['station_code']}), "
            + ("in Betrieb" if running else f"bis {station['station_end_date'][:4]}"),
            lon,
            lat,
            {
                "stationCode": station["station_code"],
                "source": "Umweltbundesamt",
                "startDate": station["station_start_date"],
                "endDate": station["station_end_date"] or None,
                "altitude": float(station["station_altitude"]),
                "typeOfStation": station["type_of_station"],
                "typeOfArea": station["station_type_of_area"],
                "pm10YearlyAverage": station["pm10"].get("yearly_average", {}),
                "pm10DaysAbove50": station["pm10"].get("days_exceeding_50", {}),
            },
            None,
        )
        if running:
            traffic = station["type_of_station"] == "traffic"
            for prop in ("PM10", "PM2.5", "NO2"):
                series.append(
                    Series(
                        thing, prop, MICROGRAM, MEASUREMENT, Topic.AIR, _air(prop, traffic, index)
                    )
                )
    for index, (place, lon, lat, base) in enumerate(
        [
            ("Barleben", 11.6247, 52.2003, 44.20),
            ("Ebendorf", 11.5655, 52.1837, 46.10),
            ("Meitzendorf", 11.5554, 52.2183, 48.50),
        ]
    ):
        thing = _thing(
            tally, f"Grundwassermessstelle {place}", f"Grundwasserpegel in {place}",
            lon, lat, {"operator": "Gemeinde Barleben"}, barleben,
        )  # fmt: skip
        series.append(
            Series(thing, "Grundwasserstand", METRE_NHN, MEASUREMENT, Topic.GROUNDWATER,
                   _groundwater(base, index * 2.0))
        )  # fmt: skip
    counter = _thing(
        tally, "Verkehrszähler Breiteweg", "Zählstelle für Kraftfahrzeuge am Breiteweg, Barleben",
        11.6219, 52.2009, {"operator": "Gemeinde Barleben"}, barleben,
    )  # fmt: skip
    series.append(
        Series(counter, "Verkehrsstärke", VEHICLES, COUNT, Topic.TRAFFIC, _counts(620, 25))
    )
    for line, lon, lat, peak in [
        ("Barleben – Magdeburg", 11.6180, 52.1990, 95),
        ("Meitzendorf – Barleben – Ebendorf", 11.5700, 52.2050, 40),
    ]:
        thing = _thing(
            tally, f"Buslinie {line}", f"Fahrgastzählung der Buslinie {line}",
            lon, lat, {"operator": "Gemeinde Barleben"}, barleben,
        )  # fmt: skip
        series.append(Series(thing, "Fahrgäste", PASSENGERS, COUNT, Topic.BUS, _counts(peak, 0)))
    return series


def _thresholds(tally: Tally, stream: Datastream, prop: str) -> None:
    if prop in AIR_LIMITS:
        name, direction, limit, statistic, minutes = AIR_LIMITS[prop]
        Threshold.objects.filter(datastream=stream, name=OLD_AIR_NAMES[prop]).update(name=name)
        tally.upsert(
            Threshold,
            {"datastream": stream, "name": name},
            {"direction": direction, "value": limit, "statistic": statistic, "minutes": minutes},
        )
    elif prop == "Grundwasserstand":
        base = stream.thing.name.split()[-1]
        level = {"Barleben": 44.2, "Ebendorf": 46.1, "Meitzendorf": 48.5}[base]
        for name, direction, value in [
            ("Hoher Grundwasserstand (Schwelle der Gemeinde)", "above", level + 0.3),
            ("Niedriger Grundwasserstand (Schwelle der Gemeinde)", "below", level - 0.4),
        ]:
            tally.upsert(
                Threshold,
                {"datastream": stream, "name": name},
                {
                    "direction": direction,
                    "value": round(value, 2),
                    "statistic": Threshold.Statistic.VALUE,
                    "minutes": 6 * 60,
                },
            )


def load(tally: Tally, now: datetime.datetime | None = None) -> None:
    """Create or update the network and add the generated hours since the last load."""
    moment = now or timezone.now()
    last = retention.floor_hour(moment)
    first = last - datetime.timedelta(weeks=WEEKS)
    readings: list[ingest.Reading] = []
    for series in network(tally):
        stream = _datastream(tally, series, demo=True)
        _thresholds(tally, stream, series.prop)
        latest = LatestObservation.objects.filter(datastream=stream).first()
        hour = (
            first
            if latest is None
            else max(first, latest.phenomenon_time + datetime.timedelta(hours=1))
        )
        while hour <= last:
            rng = random.Random(f"{stream.name}|{hour.isoformat()}")  # noqa: S311 - demo values
            value = series.value(hour, rng)
            readings.append(
                ingest.Reading(stream.pk, hour, int(value) if series.kind == COUNT else value)
            )
            hour += datetime.timedelta(hours=1)
    if not readings:
        return
    for offset in range(0, len(readings), 5000):
        ingest.store(readings[offset : offset + 5000], now=moment)
    tally["Observation: created"] += len(readings)
    start = min(reading.phenomenon_time for reading in readings)
    retention.aggregate_hours(start, last + datetime.timedelta(hours=1))
    retention.aggregate_days(start, last)
