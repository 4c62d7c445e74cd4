"""The sensor series as platform datasets (ADR 0064): one dataset per dashboard topic that has
datastreams on the authority's portal, with a CSV per datastream (the dashboards' download,
``/daten/<topic>/<id>.csv``) and the SensorThings API filtered to those datastreams.

The datastreams of a topic are those the dashboard shows (``dashboard.visible_datastreams``:
the authority's own and those shown on every portal). The change date is the newest observation
of them, read from ``LatestObservation`` (one row per datastream).
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from django.db.models import Max
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rathaus.core import datasets
from rathaus.core.models import Authority
from rathaus.opendata import dashboard
from rathaus.opendata.catalogue_models import Frequency, Theme
from rathaus.opendata.models import Topic

# The API link names each datastream by id while the address stays this short (a distribution's
# URL has room for 1000 characters, the SensorThings filter for 200 terms); beyond, the link
# lists all datastreams of the portal.
MAX_API_PATH = 900

DESCRIPTIONS = {
    Topic.AIR: _(
        "How much fine dust (PM10, PM2.5) and nitrogen dioxide (NO2) the air measuring "
        "stations measure, as shown on the dashboard. You can download a table for each "
        "measuring series.\n\nFor developers: the whole history is available over an "
        "interface (OGC SensorThings API)."
    ),
    Topic.GROUNDWATER: _(
        "How high the groundwater is at the gauges, as shown on the dashboard. You can "
        "download a table for each gauge.\n\nFor developers: the whole history is available "
        "over an interface (OGC SensorThings API)."
    ),
    Topic.TRAFFIC: _(
        "How many vehicles are counted on the roads, as shown on the dashboard. You can "
        "download a table for each counting point.\n\nFor developers: the whole history is "
        "available over an interface (OGC SensorThings API)."
    ),
    Topic.BUS: _(
        "How many passengers are counted on the bus lines, as shown on the dashboard. You "
        "can download a table for each line.\n\nFor developers: the whole history is "
        "available over an interface (OGC SensorThings API)."
    ),
}
TITLES = {
    Topic.AIR: _("Air quality measurements"),
    Topic.GROUNDWATER: _("Groundwater levels"),
    Topic.TRAFFIC: _("Traffic counts"),
    Topic.BUS: _("Bus passenger counts"),
}
THEMES = {
    Topic.AIR: (Theme.ENVI, Theme.HEAL),
    Topic.GROUNDWATER: (Theme.ENVI,),
    Topic.TRAFFIC: (Theme.TRAN,),
    Topic.BUS: (Theme.TRAN,),
}
KEYWORDS = {
    Topic.AIR: (_("air quality"), "PM10", "PM2.5", "NO2", _("sensor data")),
    Topic.GROUNDWATER: (_("groundwater"), _("water level"), _("sensor data")),
    Topic.TRAFFIC: (_("traffic"), _("traffic count"), _("sensor data")),
    Topic.BUS: (_("bus"), _("public transport"), _("passenger count"), _("sensor data")),
}


def _streams(authority: Authority, topic: str) -> list[tuple[int, str]]:
    return list(
        dashboard.visible_datastreams(authority)
        .filter(topic=topic)
        .order_by("name", "id")
        .values_list("id", "name")
    )


def _distributions(topic: str) -> datasets.DistributionsOf:
    slug = dashboard.TOPIC_SLUG[topic]

    def distributions(authority: Authority) -> list[datasets.SourceDistribution]:
        streams = _streams(authority, topic)
        if not streams:
            return []
        found = [
            datasets.SourceDistribution(
                title=name,
                path=f"/daten/{slug}/{pk}.csv",
                media_type="text/csv",
                format="CSV",
                description=gettext(
                    "The values of the last day as a table (CSV, separated by “;”). For "
                    "hourly or daily means add ?zeitraum=woche or ?zeitraum=jahr to the "
                    "address."
                ),
            )
            for pk, name in streams
        ]
        condition = " or ".join(f"id eq {pk}" for pk, _name in streams)
        api = "/sta/v1.1/Datastreams?$filter=" + quote(condition, safe="")
        if len(api) > MAX_API_PATH:
            api = "/sta/v1.1/Datastreams"
        found.append(
            datasets.SourceDistribution(
                title=gettext("Interface for apps (OGC SensorThings API)"),
                path=api,
                media_type="application/json",
                format="JSON",
                description=gettext(
                    "The datastreams with their whole history over the OGC SensorThings API "
                    "1.1 (follow the Observations of each datastream)."
                ),
                download=False,
            )
        )
        return found

    return distributions


def _modified(topic: str) -> datasets.ModifiedOf:
    def modified(authority: Authority) -> datetime | None:
        newest: datetime | None = (
            dashboard.visible_datastreams(authority)
            .filter(topic=topic)
            .aggregate(newest=Max("latest__phenomenon_time"))["newest"]
        )
        return newest

    return modified


def register() -> None:
    for slug, topic in dashboard.SLUGS.items():
        datasets.register(
            datasets.DatasetSource(
                key=f"opendata.sensors.{slug}",
                title=TITLES[Topic(topic)],
                description=DESCRIPTIONS[Topic(topic)],
                themes=THEMES[Topic(topic)],
                keywords=KEYWORDS[Topic(topic)],
                frequency=Frequency.HOURLY if topic != Topic.GROUNDWATER else Frequency.DAILY,
                distributions=_distributions(topic),
                modified=_modified(topic),
                slug=f"sensordaten-{slug}",
                landing_path=f"/daten/{slug}/",
            )
        )
