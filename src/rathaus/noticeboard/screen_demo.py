"""Demo screens of Barleben's digital notice board: the town hall foyer, the library and a
stele in the Breiteweg, each with content that suits its place (ADR 0067).

Loading again changes nothing (keyed by the address and the slot's position); a screen that
staff switched off stays off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rathaus.core import demo as core_demo
from rathaus.core.demo import Tally
from rathaus.core.models import Authority
from rathaus.noticeboard.models import Screen, Slot

AUTHORITY = "barleben"


@dataclass(frozen=True)
class DemoScreen:
    slug: str
    name: str
    place: str
    slots: tuple[tuple[str, int, dict[str, Any]], ...] = field(default=())


SCREENS = (
    DemoScreen("rathaus-foyer", "Rathaus Foyer", "Rathaus Barleben, Eingangshalle", (
        ("noticeboard.notices", 20, {}),
        ("council.meetings", 15, {"days": 14}),
        ("construction.sites", 12, {}),
        ("opendata.alerts", 15, {}),
    )),
    DemoScreen("bibliothek", "Bibliothek", "Gemeindebibliothek Barleben, Lesesaal", (
        ("council.meetings", 15, {"days": 21}),
        ("noticeboard.notices", 20, {}),
        ("opendata.sensors", 12, {"topic": "air"}),
    )),
    DemoScreen("stele-breiteweg", "Stele Breiteweg", "Breiteweg, vor dem Bürgerhaus", (
        ("opendata.alerts", 15, {}),
        ("construction.sites", 12, {}),
        ("opendata.sensors", 10, {}),
        ("noticeboard.notices", 15, {}),
    )),
)  # fmt: skip


def load(tally: Tally) -> None:
    authority = Authority.objects.filter(slug=AUTHORITY).first()
    if authority is None:
        return
    for demo in SCREENS:
        existing = Screen.objects.filter(slug=demo.slug).first()
        if existing is not None and existing.authority_id != authority.pk:
            continue  # the address belongs to another authority's screen: leave it alone
        screen = tally.upsert(
            Screen, {"slug": demo.slug},
            {"authority": authority, "name": demo.name, "place": demo.place},
        )  # fmt: skip
        for position, (source, seconds, options) in enumerate(demo.slots):
            tally.upsert(
                Slot, {"screen": screen, "position": position},
                {"source": source, "seconds": seconds, "options": options},
            )  # fmt: skip


def ready() -> None:
    core_demo.register_loader("screens", load)
