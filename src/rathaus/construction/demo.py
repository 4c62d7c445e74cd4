"""Demo construction sites of Barleben: current, planned and ended ones in Barleben, Ebendorf
and Meitzendorf.

Clearly demo values: the streets of Barleben come from the street directory
(``core/data/streets/barleben.csv``); those of Ebendorf and Meitzendorf, which the directory
does not list, are plausible names; places and dates are made up. Dates are relative to the
day of loading, so the demo always has current, planned and ended sites; loading again moves
them and changes nothing else (keyed by a fixed ``uid``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from typing import Any

from django.utils import timezone

from rathaus.construction.models import Disruption, DisruptionDocument, Publication
from rathaus.core.demo import Tally
from rathaus.core.models import Authority, Locality

AUTHORITY = "barleben"
NAMESPACE = uuid.UUID("6f1d5a52-4c0e-4d7e-9a59-0b6c1e0c2a63")


@dataclass(frozen=True)
class DemoSite:
    key: str
    title: str
    kind: str
    village: str
    streets: tuple[str, ...]
    start: int  # days from today
    end: int | None  # days from today; None: until further notice
    geometry: dict[str, Any] | None
    detour: str = ""
    responsible: str = "Gemeinde Barleben, Bauamt"
    description: str = ""
    documents: tuple[str, ...] = field(default=())

    @property
    def uid(self) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, self.key)


def _line(*points: tuple[float, float]) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [[lon, lat] for lat, lon in points]}


def _point(lat: float, lon: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def _area(*points: tuple[float, float]) -> dict[str, Any]:
    ring = [[lon, lat] for lat, lon in points]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


SITES = (
    DemoSite(
        "breiteweg-sued",
        "Fahrbahnerneuerung Breiteweg (südlicher Abschnitt)",
        "roadworks",
        "Barleben",
        ("Breiteweg", "Schanze"),
        -18,
        11,
        _line((52.2016, 11.6222), (52.2008, 11.6196), (52.2001, 11.6171)),
        detour="Umleitung über Bahnhofstraße und Ernst-Thälmann-Straße; Anlieger frei bis zur "
        "Baustelle.",
        description="Die Fahrbahn des Breitewegs zwischen Schanze und Kreisverkehr wird "
        "erneuert. Fußwege bleiben offen.",
        documents=("Verkehrsrechtliche Anordnung Breiteweg",),
    ),
    DemoSite(
        "buschweg-ausbau",
        "Ausbau Buschweg",
        "closure",
        "Barleben",
        ("Buschweg", "Alte Kirchstraße"),
        -45,
        None,
        _area((52.2071, 11.6158), (52.2075, 11.6201), (52.2061, 11.6206), (52.2057, 11.6162)),
        detour="Bitte über die Bahnhofstraße fahren.",
        description="Der Buschweg ist voll gesperrt. Ausbau des Buschwegs mit Gehweg und "
        "Straßenbeleuchtung. Das Ende hängt von der Verlegung der Leitungen ab.",
    ),
    DemoSite(
        "bahnhofstrasse-hausanschluss",
        "Hausanschluss Trinkwasser in der Bahnhofstraße",
        "roadworks",
        "Barleben",
        ("Bahnhofstraße",),
        -2,
        4,
        _point(52.2047, 11.6236),
        description="Halbseitige Sperrung mit Ampel.",
        responsible="Wasserversorger (Demo)",
    ),
    DemoSite(
        "ernst-thaelmann-markt",
        "Weihnachtsmarkt vor dem Rathaus",
        "event",
        "Barleben",
        ("Ernst-Thälmann-Straße",),
        9,
        10,
        _point(52.2034, 11.6198),
        detour="Umleitung über den Breiteweg und die Bahnhofstraße.",
        description="Die Ernst-Thälmann-Straße ist zwischen Breiteweg und Rathaus gesperrt.",
        responsible="Gemeinde Barleben, Ordnungsamt",
    ),
    DemoSite(
        "ebendorf-bruecke",
        "Umleitung wegen Brückenprüfung in Ebendorf",
        "detour",
        "Ebendorf",
        ("Barleber Straße",),
        -5,
        12,
        _line((52.1862, 11.5701), (52.1851, 11.5668), (52.1837, 11.5655), (52.1829, 11.5621)),
        detour="Umleitung über die Kreisstraße nach Barleben (ausgeschildert). Die Linie auf "
        "der Karte zeigt die Umleitungsstrecke.",
        responsible="Landkreis Börde, Straßenverkehrsamt",
    ),
    DemoSite(
        "ebendorf-kanal",
        "Kanalbau Ebendorf Ortsmitte",
        "roadworks",
        "Ebendorf",
        ("Magdeburger Straße",),
        21,
        70,
        _point(52.1840, 11.5650),
        detour="Umleitung wird rechtzeitig ausgeschildert.",
        responsible="Abwasserverband (Demo)",
    ),
    DemoSite(
        "meitzendorf-gehweg",
        "Neubau Gehweg in Meitzendorf",
        "roadworks",
        "Meitzendorf",
        ("Barleber Straße",),
        -9,
        20,
        _line((52.2170, 11.5580), (52.2183, 11.5554)),
        detour="Fußgänger nutzen bitte die andere Straßenseite.",
    ),
    DemoSite(
        "meitzendorf-vollsperrung",
        "Vollsperrung Ortsdurchfahrt Meitzendorf",
        "closure",
        "Meitzendorf",
        ("Hauptstraße",),
        35,
        49,
        _point(52.2186, 11.5560),
        detour="Umleitung über Barleben und Ebendorf.",
        responsible="Landesstraßenbaubehörde Sachsen-Anhalt (Demo)",
    ),
    DemoSite(
        "breiteweg-nord-beendet",
        "Leitungsarbeiten Breiteweg (nördlicher Abschnitt)",
        "roadworks",
        "Barleben",
        ("Breiteweg",),
        -80,
        -52,
        _point(52.2060, 11.6290),
    ),
    DemoSite(
        "ebendorf-fest-beendet",
        "Dorffest Ebendorf",
        "event",
        "Ebendorf",
        ("Barleber Straße",),
        -30,
        -29,
        _point(52.1845, 11.5660),
        responsible="Heimatverein (Demo)",
    ),
)


def load(tally: Tally) -> None:
    authority = Authority.objects.filter(slug=AUTHORITY).first()
    if authority is None:
        return
    villages = {
        locality.name: locality for locality in Locality.objects.filter(authority=authority)
    }
    today = timezone.localdate()
    for demo in SITES:
        values = {
            "authority": authority,
            "title": demo.title,
            "kind": demo.kind,
            "description": demo.description,
            "geometry": demo.geometry,
            "locality": villages.get(demo.village),
            "streets": list(demo.streets),
            "starts_on": today + timedelta(days=demo.start),
            "ends_on": today + timedelta(days=demo.end) if demo.end is not None else None,
            "until_further_notice": demo.end is None,
            "responsible_body": demo.responsible,
            "detour": demo.detour,
            "status": Publication.PUBLISHED,
        }
        existing = Disruption.objects.filter(uid=demo.uid).first()
        if existing is not None and existing.published_at is None:
            values["published_at"] = timezone.now()
        if existing is None:
            values["published_at"] = timezone.now()
        site = tally.upsert(Disruption, {"uid": demo.uid}, values)
        for position, title in enumerate(demo.documents):
            if site.documents.filter(title=title).exists():
                tally["DisruptionDocument: unchanged"] += 1
                continue
            DisruptionDocument.objects.create(
                disruption=site, title=title, file=_order_pdf(site, title), position=position
            )
            tally["DisruptionDocument: created"] += 1


def _order_pdf(site: Disruption, title: str) -> Any:
    """A small, real PDF: the demo traffic order, made with the project's PDF tooling."""
    from rathaus.core.files import store_bytes

    content = _render_order(title, site.title, tuple(site.streets), site.detour)
    return store_bytes(content, name="verkehrsrechtliche-anordnung.pdf",
                       media_type="application/pdf")  # fmt: skip


@cache
def _render_order(title: str, measure: str, streets: tuple[str, ...], detour: str) -> bytes:
    """Rendered once per process: many tests load the demo, WeasyPrint takes a moment."""
    from rathaus.core.pdf import render_pdf

    context = {"title": title, "measure": measure, "streets": streets, "detour": detour}
    return render_pdf("construction/demo_order.html", context)
