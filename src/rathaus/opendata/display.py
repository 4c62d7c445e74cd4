"""Names of stations and series as the public dashboards show them, composed from the data
(the data keep their names): "PM10 – Damaschkeplatz (Magdeburg)" instead of "Luftmessstation
Magdeburg/Damaschkeplatz: PM10 Luftmessstation Magdeburg/Damaschkeplatz"."""

from __future__ import annotations

from rathaus.opendata.models import Datastream

# the usual German spelling of the properties' short names
SPELLING = {"PM2.5": "PM2,5", "NO2": "NO₂", "O3": "O₃", "SO2": "SO₂", "CO2": "CO₂"}


def property_name(name: str) -> str:
    return SPELLING.get(name, name)


def station_name(name: str) -> str:
    """The short name of a station: "Luftmessstation Magdeburg/Damaschkeplatz" becomes
    "Damaschkeplatz (Magdeburg)"; a name without "/" stays as it is."""
    town_part, slash, place = name.rpartition("/")
    if not slash or not town_part.strip() or not place.strip():
        return name
    town = town_part.split()[-1]
    return f"{place.strip()} ({town})"


def series_name(datastream: Datastream) -> str:
    measured = property_name(datastream.observed_property.name)
    return f"{measured} – {station_name(datastream.thing.name)}"
